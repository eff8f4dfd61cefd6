#!/usr/bin/env bash
# sync: a managed block edited outside git is a conflict, left alone (exit 1) unless --force;
# an orphan is reported, and deleted only with --prune.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

manifest blocks.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "be kind"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: old}
spec: {layer: project, label: old, value: "going away"}
YAML
run sync
expect_rc 0
id=$(sim_get "/v1/blocks/?label=policy" | jq -r '.[0].id')
sim_call PATCH "/v1/blocks/$id" '{"value":"edited in the ADE"}'
expect_status 200

run diff --json
expect_rc 0
expect_jq '.data | length == 1 and .[0].action == "conflict" and .[0].name == "policy"'
expect_writes 0 sync
expect_rc 1
expect_err 'conflict Block/policy'
run sync --json
expect_rc 1
expect_jq '.ok == false and .error.code == "CONFLICT" and .error.details.summary.conflicts == 1'
sim_get "/v1/blocks/$id" | jq -e '.value == "edited in the ADE"' >/dev/null || fail "conflict overwritten"

expect_writes 3 sync --force
expect_rc 0
sim_get "/v1/blocks/$id" | jq -e '.value == "be kind"' >/dev/null || fail "--force did not win"

# Orphans: only with --prune.
cat >.letta/manifests/project/blocks.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "be kind"}
YAML
git commit -q -am "drop old"
run diff --json
expect_jq '.data | length == 1 and .[0].action == "orphan" and .[0].name == "old"'
expect_writes 0 sync
expect_out 'orphan Block/old'
sim_get "/v1/blocks/?label=old" | jq -e 'length == 1' >/dev/null || fail "orphan deleted without --prune"
expect_writes 3 sync --prune
sim_get "/v1/blocks/?label=old" | jq -e 'length == 0' >/dev/null || fail "orphan not pruned"
[ "$(changes)" -eq 0 ] || fail "not converged after prune: $(cat "$TMP/diff.json")"
