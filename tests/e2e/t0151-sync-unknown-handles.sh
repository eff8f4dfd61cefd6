#!/usr/bin/env bash
# diff and sync refuse a model or embedding handle the server does not serve before any write
# (issue 21 item 2). The real server answers an agent create with an unknown model 404 "Handle X
# not found" (and a folder with an unknown embedding 400) only once the blocks, tools and
# folders before it exist; letta-sync reads GET /v1/models/ and /v1/models/embedding once per
# run when the plan sends a handle, and names the handle, the manifest's file:line and the
# served handles, nearest first. Without handles in the plan, the lists are not read.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

fleet() { # MODEL EMBEDDING(folder)
	cat <<YAML | manifest fleet.yaml
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "be kind"}
---
apiVersion: letta.ai/v1
kind: Folder
metadata: {name: docs}
spec:
  layer: project
  embedding: $2
---
apiVersion: letta.ai/v1
kind: Template
metadata: {name: helper}
spec:
  layer: project
  default: true
  agent:
    name: helper
    system: "You help."
    modelConfig:
      model: $1
      embedding: openai/text-embedding-3-small
    blocks: [{name: policy}]
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: helper, channel: stable}
YAML
}
models_reads() {
	sim_stats | jq '(.requests["GET /v1/models/"] // 0) + (.requests["GET /v1/models/embedding"] // 0)'
}
fleet anthropic/claude-opus-5 openai/text-embedding-3-small

# diff: refused, with the handle, where the manifest says it and the nearest handles.
curl -fsS -X POST "$SIM_URL/_sim/stats/reset" >/dev/null
run diff
expect_rc 1
expect_err "\.letta/manifests/project/fleet\.yaml:23:[0-9]+: Agent 'bob': the server has no model 'anthropic/claude-opus-5'"
expect_err "hint: the server has, nearest first: anthropic/claude-opus-4, "
[ "$(models_reads)" -eq 2 ] || fail "diff read the model lists $(models_reads) times, want once each"

# sync: refused before any write (without the check the block and the folder are made first).
curl -fsS -X POST "$SIM_URL/_sim/stats/reset" >/dev/null
run sync
expect_rc 1
expect_err "fleet\.yaml:23:[0-9]+: Agent 'bob': the server has no model 'anthropic/claude-opus-5'"
[ "$(sim_stats | jq .writes)" -eq 0 ] || fail "sync wrote $(sim_stats | jq .writes) times before refusing"
[ "$(models_reads)" -eq 2 ] || fail "sync read the model lists $(models_reads) times, want once each"
sim_get /v1/blocks/count | jq -e '. == 0' >/dev/null || fail "a block was created"

# --json: one document, INVALID_CONFIG, where and hint.
run sync --json
expect_rc 1
expect_jq '.ok == false and .error.code == "INVALID_CONFIG"
	and (.error.where | test("fleet\\.yaml:23:"))
	and (.error.message | test("claude-opus-5"))
	and (.error.hint | test("^the server has, nearest first: anthropic/claude-opus-4, "))'

# An unknown folder embedding: the folder's line; both problems are reported.
fleet anthropic/claude-opus-5 openai/text-embedding-4-small
run diff
expect_rc 1
expect_err "fleet\.yaml:23:[0-9]+: Agent 'bob': the server has no model 'anthropic/claude-opus-5'"
expect_err "fleet\.yaml:11:[0-9]+: Folder 'docs': the server has no embedding model 'openai/text-embedding-4-small'"
expect_err "nearest first: openai/text-embedding-3-small, "

# Served handles: sync works, reading the lists once; a converged re-run does not read them.
fleet anthropic/claude-opus-4 openai/text-embedding-3-small
curl -fsS -X POST "$SIM_URL/_sim/stats/reset" >/dev/null
run sync
expect_rc 0
expect_out 'created Agent/bob'
[ "$(models_reads)" -eq 2 ] || fail "sync read the model lists $(models_reads) times, want once each"
curl -fsS -X POST "$SIM_URL/_sim/stats/reset" >/dev/null
run sync
expect_rc 0
[ "$(models_reads)" -eq 0 ] || fail "a sync without handles to send read the model lists"

# A handle from --model (no manifest names it) is refused and named as such.
cat <<'YAML' | manifest more.yaml
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: ann}
spec: {layer: project, channel: stable}
YAML
sed -i '/default: true/d; /model: anthropic/d' "$REPO/.letta/manifests/project/fleet.yaml"
git -C "$REPO" commit -qam "no default template, no model"
run diff --model openai/gpt-4o-mni
expect_rc 1
expect_err "Agent 'ann': the server has no model 'openai/gpt-4o-mni' \(from --model\)"
expect_err "nearest first: openai/gpt-4o-mini, "
run diff --model openai/gpt-4o-mini
expect_rc 0
