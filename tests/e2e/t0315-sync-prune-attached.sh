#!/usr/bin/env bash
# sync --prune and an orphan block an unmanaged agent still uses: without --prune it is only
# reported; with --prune it is detached from the managed agents, not deleted, and reported
# (naming the unmanaged agent); an orphan nobody else uses is deleted.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

{
	cat <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: shared}
spec: {layer: project, label: shared, value: "used by many"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: lonely}
spec: {layer: project, label: lonely, value: "used by none"}
---
YAML
	bob_yaml '[{name: shared}]'
} | manifest all.yaml
run sync
expect_rc 0
shared=$(sim_get "/v1/blocks/?label=shared" | jq -r '.[0].id')
lonely=$(sim_get "/v1/blocks/?label=lonely" | jq -r '.[0].id')
bob=$(sim_get "/v1/agents/?name=bob" | jq -r '.[0].id')
pid=$(sim_get /v1/projects | jq -r --arg s "$LETTA_SYNC_PROJECT" '.projects[] | select(.slug == $s) | .id')
# An agent made by hand in the ADE uses the shared block too.
sim_call POST /v1/agents/ "{\"name\":\"hand\",\"model\":\"openai/gpt-4o-mini\",\"embedding\":\"openai/text-embedding-3-small\",\"block_ids\":[\"$shared\"]}" -H "X-Project: $LETTA_SYNC_PROJECT"
[ "$status" = 200 ] || [ "$status" = 201 ] || fail "agent create: $status $(cat "$TMP/body")"
hand=$(body_get .id)
sim_get "/v1/agents/$bob" | jq -e --arg b "$shared" '[.blocks[].id] | index($b) != null' >/dev/null ||
	fail "bob does not use the shared block"
# The hand-made agent must be listed with the project's agents (where prune looks).
sim_get "/v1/agents/?project_id=$pid" | jq -e --arg h "$hand" '[.[].id] | index($h) != null' >/dev/null ||
	fail "the hand-made agent is not in the project"

# Both blocks leave git (and bob's template).
bob_yaml >.letta/manifests/project/all.yaml
git commit -qam "drop the blocks"
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.action == "orphan") | .name] | sort == ["lonely","shared"]'

# Without --prune: reported, nothing deleted or detached (diff shows them; sync --only tags
# leaves Blocks alone: they belong to memory_blocks, issue 23).
run diff
expect_out 'Block/shared: orphan'
expect_out 'Block/lonely: orphan'
run sync --only tags
expect_rc 0
sim_get "/v1/blocks/$shared" >/dev/null || fail "shared deleted without --prune"
sim_get "/v1/blocks/$lonely" >/dev/null || fail "lonely deleted without --prune"
sim_get "/v1/agents/$bob" | jq -e --arg b "$shared" '[.blocks[].id] | index($b) != null' >/dev/null ||
	fail "shared detached from bob without --prune"

# With --prune: lonely deleted; shared kept, detached from bob only, and reported.
run sync --prune --only memory_blocks
expect_rc 0
# Regression: it was reported as a bare "detached Block/shared" and counted as deleted.
expect_out 'detached Block/shared: .*unmanaged agent\(s\) hand'
expect_out 'Sync complete: 0 created, 1 updated, 1 deleted' # bob's memory_blocks: the detach
expect_out 'Block/lonely'
grep -E 'Block/shared.*hand' "$TMP/out" "$TMP/err" >/dev/null ||
	fail "the kept block is not reported naming the unmanaged agent: $(cat "$TMP/out" "$TMP/err")"
sim_call GET "/v1/blocks/$lonely"
expect_status 404
sim_call GET "/v1/blocks/$shared"
expect_status 200
sim_get "/v1/agents/$hand" | jq -e --arg b "$shared" '[.blocks[].id] | index($b) != null' >/dev/null ||
	fail "the shared block was detached from the unmanaged agent"
sim_get "/v1/agents/$bob" | jq -e --arg b "$shared" '[.blocks[].id] | index($b) == null' >/dev/null ||
	fail "the shared block is still attached to the managed agent: $(sim_get "/v1/agents/$bob" | jq -c '[.blocks[].label]')"
run sync --prune --json
expect_rc 0
expect_jq '[.data.changes[] | select(.name == "shared" and .action == "orphan")] | length == 1'
expect_writes 0 sync --prune
