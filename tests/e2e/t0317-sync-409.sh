#!/usr/bin/env bash
# 409s during sync (docs/contract/PRODUCT.md section 3): a 409 with Retry-After (letta-sim --conflict-rate)
# is waited out and retried, and the run succeeds; a 409 without it (here: the agent already
# has a hand-attached block with the managed block's label) is re-read and re-planned once,
# then reported as a conflict naming the object (exit 1) while independent objects proceed. A
# folder name taken by an unmanaged folder is seen when reading: a conflict, no create tried.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup --seed 11 --retry-after-s 1
export LETTA_SYNC_RETRY_BASE_MS=1 LETTA_SYNC_RETRY_MAX_MS=1 LETTA_SYNC_MAX_RETRIES=20

fleet() {
	{
		cat <<YAML
apiVersion: letta.ai/v1
kind: Block
metadata: {name: other}
spec: {layer: project, label: other, value: "$1"}
---
YAML
		bob_yaml "[$2]"
	} | manifest all.yaml
}
fleet one ""

# Lock 409s with Retry-After: retried after the wait, and the run succeeds.
sim_admin PUT /_sim/faults '{"conflict_rate":0.3}' >/dev/null
run -v sync --concurrency 1
sim_admin PUT /_sim/faults '{"conflict_rate":0}' >/dev/null
expect_rc 0
grep -qE -- '-> 409 ' "$TMP/err" || fail "no 409 was seen; pick another seed"
expect_writes 0 sync
expect_rc 0

# A 409 without Retry-After: someone attached a block labelled 'policy' to bob by hand, and
# git now gives bob the managed block 'policy' (per-agent labels are unique).
bob=$(sim_get "/v1/agents/?name=bob" | jq -r '.[0].id')
sim_call POST /v1/blocks/ '{"label":"policy","value":"by hand"}'
hand=$(body_get .id)
sim_call PATCH "/v1/agents/$bob/core-memory/blocks/attach/$hand"
expect_status 200
fleet two "{name: policy}"
cat >>.letta/manifests/project/all.yaml <<'YAML'
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "from git"}
YAML
git commit -qam policy
run -v sync
expect_rc 1
# Re-planned once: the agent's PATCH is sent twice, not more.
[ "$(grep -cE "http: PATCH /v1/agents/$bob -> 409" "$TMP/err")" -eq 2 ] ||
	fail "expected one re-plan: $(grep -E 'http: ' "$TMP/err")"
expect_err "conflict Agent/bob \[memory_blocks\]"
# The server's words (the ORM's unique-constraint text) name the clashing label.
expect_err "Key \\(agent_id, block_label\\)=\\(.*policy\\) already exists"
run sync --json
expect_rc 1
expect_jq '.ok == false and .error.code == "CONFLICT"'
expect_jq '[.error.details.changes[] | select(.kind == "Agent" and .action == "conflict")] | length == 1'
expect_jq '.error.details.summary.conflicts == 1 and .error.details.summary.failed == 0'
# The others proceeded.
sim_get "/v1/blocks/?label=other" | jq -e '.[0].value == "two"' >/dev/null || fail "block 'other' was not updated"
sim_get "/v1/blocks/?label=policy" | jq -e 'length == 2' >/dev/null || fail "block 'policy' was not created once"
sim_get "/v1/agents/$bob" | jq -e --arg h "$hand" '[.blocks[] | select(.label == "policy") | .id] == [$h]' >/dev/null ||
	fail "bob's hand-attached block was replaced"

# A folder name taken by a folder made by hand (names are unique per organisation): seen when
# reading, so it is a conflict naming it before any create is tried; the others proceed.
sim_call POST /v1/folders/ '{"name":"kb","embedding":"openai/text-embedding-3-small"}'
[ "$status" = 200 ] || [ "$status" = 201 ] || fail "folder create: $status $(cat "$TMP/body")"
cat >>.letta/manifests/project/all.yaml <<'YAML'
---
apiVersion: letta.ai/v1
kind: Folder
metadata: {name: kb}
spec: {layer: project, embedding: openai/text-embedding-3-small, description: "ours"}
YAML
sed -i 's/value: "two"/value: "three"/' .letta/manifests/project/all.yaml
git commit -qam kb
run -v sync
expect_rc 1
expect_err "conflict Folder/kb: a Folder named 'kb' exists and is not managed by letta-sync"
grep -qE 'http: POST /v1/folders/' "$TMP/err" && fail "the taken folder name was created again"
sim_get "/v1/blocks/?label=other" | jq -e '.[0].value == "three"' >/dev/null || fail "block 'other' was not updated"
sim_get "/v1/folders/" | jq -e 'length == 1 and .[0].description != "ours"' >/dev/null || fail "the hand-made folder was touched"
