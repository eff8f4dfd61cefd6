#!/usr/bin/env bash
# diff --out saves a plan with a fingerprint of every remote object read; sync --plan applies
# exactly that plan, and refuses (naming the objects) when the server or the manifests changed.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

block() {
	manifest blocks.yaml <<YAML
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "$1"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: other}
spec: {layer: project, label: other, value: "o"}
YAML
}
block "v1"
run sync
expect_rc 0

block "v2"
run diff --out "$TMP/plan.json"
expect_rc 0
jq -e '.version == 1 and (.changes | length == 1) and (.fingerprints | length >= 3)' "$TMP/plan.json" >/dev/null ||
	fail "unexpected plan file: $(head -c 600 "$TMP/plan.json")"
expect_writes 3 sync --plan "$TMP/plan.json"
expect_rc 0
sim_get "/v1/blocks/?label=policy" | jq -e '.[0].value == "v2"' >/dev/null || fail "plan not applied"

# The server changes after the plan was made: refused, naming the object.
block "v3"
run diff --out "$TMP/plan.json"
id=$(sim_get "/v1/blocks/?label=other" | jq -r '.[0].id')
sim_call PATCH "/v1/blocks/$id" '{"value":"touched"}'
expect_status 200
expect_writes 0 sync --plan "$TMP/plan.json"
expect_rc 1
expect_err "the server changed since the plan was made: block 'other'"

# The manifests change after the plan was made: refused too.
sim_call PATCH "/v1/blocks/$id" '{"value":"o"}'
run diff --out "$TMP/plan.json"
block "v4"
expect_writes 0 sync --plan "$TMP/plan.json"
expect_rc 1
expect_err 'no longer give the saved plan'

run sync --plan /dev/null
expect_rc 64
