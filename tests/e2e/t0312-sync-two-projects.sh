#!/usr/bin/env bash
# Two projects, one organisation: blocks are per project, but tool names are unique per
# organisation, so the second project's sync reports the first project's tool as a conflict
# instead of overwriting it; each project's second sync writes nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

manifest all.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "shared label, per project"}
---
apiVersion: letta.ai/v1
kind: Tool
metadata: {name: lookup}
spec:
  layer: project
  sourceType: python
  sourceCode: "def lookup(q: str) -> str:\n    return q\n"
  jsonSchema: {type: function, function: {name: lookup, description: "Look up.", parameters: {type: object, properties: {q: {type: string}}, required: [q]}}}
YAML
export LETTA_SYNC_PROJECT=proj-alpha
run sync
expect_rc 0
expect_out 'created Tool/lookup'

sed -i 's/description: "Look up."/description: "Look up, the beta way."/' .letta/manifests/project/all.yaml
git commit -qam beta
export LETTA_SYNC_PROJECT=proj-beta
run diff --json
expect_jq '[.data[] | select(.kind == "Block" and .action == "create")] | length == 1'
expect_jq '[.data[] | select(.kind == "Tool" and .action == "conflict")] | length == 1'
expect_jq '[.data[] | select(.kind == "Tool")][0].reason | test("proj-alpha")'
run sync
expect_rc 1
expect_err 'conflict Tool/lookup'
sim_get "/v1/tools/?name=lookup" | jq -e '.[0].description == "Look up." and .[0].metadata_.project == "proj-alpha"' >/dev/null ||
	fail "the other project's tool was overwritten: $(sim_get "/v1/tools/?name=lookup")"
sim_get "/v1/blocks/?label=policy" | jq -e 'length == 2' >/dev/null || fail "each project has its block"

export LETTA_SYNC_PROJECT=proj-alpha
git checkout -q HEAD~1 -- .letta && git commit -qam back
expect_writes 0 sync
expect_rc 0
