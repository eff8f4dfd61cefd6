#!/usr/bin/env bash
# spec.managed: seed objects are created once, then their drift is information (`info`, the
# `i` marker), never a change and never written, not even with --force; managed: false objects
# are never touched (not created, not updated, not in the inventory).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

manifest all.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: notes}
spec: {layer: project, managed: seed, label: notes, value: "starting notes"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: hands}
spec: {layer: project, managed: false, label: hands, value: "from git"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "be kind"}
YAML
run sync
expect_rc 0
sim_get "/v1/blocks/?label=notes" | jq -e 'length == 1 and .[0].value == "starting notes"' >/dev/null ||
	fail "seed block not created once"
sim_get "/v1/blocks/?label=hands" | jq -e 'length == 0' >/dev/null || fail "a managed: false block was created"
inv=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -r '.[0].value')
jq -e '[.objects[].name] | index("hands") == null' <<<"$inv" >/dev/null || fail "managed: false in the inventory: $inv"

# The agent (or a person) edits the seed block: drift is info, not a change.
notes=$(sim_get "/v1/blocks/?label=notes" | jq -r '.[0].id')
sim_call PATCH "/v1/blocks/$notes" '{"value":"the agent wrote this"}'
expect_status 200
run diff --json
expect_rc 0
expect_jq '.data | length == 0'
expect_jq '.info | length == 1 and .[0].name == "notes" and .[0].kind == "Block"'
[ "$(changes)" -eq 0 ] || fail "seed drift counted as a change"
run diff --exit-code
expect_rc 0
expect_out '^i Block/notes'
expect_writes 0 sync
expect_rc 0
expect_writes 0 sync --force
expect_rc 0
run sync --json
expect_rc 0
expect_jq '(.data.changes | length == 0) and (.info | length == 1)'
sim_get "/v1/blocks/$notes" | jq -e '.value == "the agent wrote this"' >/dev/null || fail "seed drift overwritten"

# A block made by hand with a managed: false manifest's label, then the manifest changes:
# still never touched.
pid=$(sim_get /v1/projects | jq -r --arg s "$LETTA_SYNC_PROJECT" '.projects[] | select(.slug == $s) | .id')
sim_call POST /v1/blocks/ "{\"label\":\"hands\",\"value\":\"mine\",\"project_id\":\"$pid\"}"
hands=$(body_get .id)
sed -i 's/value: "from git"/value: "from git, v2"/' .letta/manifests/project/all.yaml
git commit -qam v2
[ "$(changes)" -eq 0 ] || fail "managed: false shows a change: $(cat "$TMP/diff.json")"
expect_writes 0 sync --force --adopt --prune
expect_rc 0
sim_get "/v1/blocks/$hands" | jq -e '.value == "mine" and .metadata == {}' >/dev/null || fail "managed: false block touched"
