#!/usr/bin/env bash
# sync --adopt: an unmarked block with a manifest's label is taken over when it is the only
# candidate (our markers, no duplicate, the next sync writes nothing); with two candidates it
# is refused, naming both by id, and nothing is created. Without --adopt an unmarked block is
# someone else's and never touched. Tools (names unique per organisation) are adopted too, and
# agents like blocks (one unmanaged agent with a declared name adopted, two refused by id).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup
sim_call POST /v1/blocks/ '{"label":"unrelated","value":"u"}' -H "X-Project: $LETTA_SYNC_PROJECT"
pid=$(sim_get /v1/projects | jq -r --arg s "$LETTA_SYNC_PROJECT" '.projects[] | select(.slug == $s) | .id')
P="X-Project-Id: $pid"  # blocks carry their project in the body

sim_call POST /v1/blocks/ "{\"label\":\"policy\",\"value\":\"made by hand\",\"project_id\":\"$pid\"}" -H "$P"
expect_status 200
policy=$(body_get .id)
sim_call POST /v1/tools/ '{"source_code":"def lookup(q: str) -> str:\n    \"\"\"Look up.\n\n    Args:\n        q: the query\n    \"\"\"\n    return q\n"}'
[ "$status" = 200 ] || [ "$status" = 201 ] || fail "tool create: $status $(cat "$TMP/body")"
tool=$(body_get .id)

manifest all.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "from git"}
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

# diff --adopt shows the take-over as updates of the existing objects.
run diff --adopt --json
expect_rc 0
expect_jq '[.data[] | select(.name == "policy")] | length == 1 and .[0].action == "update"'
expect_jq '[.data[] | select(.name == "lookup")] | length == 1 and .[0].action == "update"'

run sync --adopt
expect_rc 0
sim_get "/v1/blocks/?label=policy" >"$TMP/b.json"
jq -e --arg id "$policy" 'length == 1 and .[0].id == $id and .[0].value == "from git" and
	.[0].metadata.managed_by == "letta-sync" and .[0].metadata.source == "Block/policy"' \
	"$TMP/b.json" >/dev/null || fail "policy not adopted in place: $(cat "$TMP/b.json")"
sim_get "/v1/tools/$tool" | jq -e '.metadata_.managed_by == "letta-sync" and (.tags | index("managed:letta-sync"))' \
	>/dev/null || fail "tool not adopted: $(sim_get "/v1/tools/$tool")"
[ "$(sim_get "/v1/tools/?name=lookup" | jq length)" -eq 1 ] || fail "a second tool was created"
expect_writes 0 sync
expect_rc 0
expect_writes 0 sync --adopt
expect_rc 0

# Two unmarked candidates for one label: refused, naming both, nothing created.
sim_call POST /v1/blocks/ "{\"label\":\"rules\",\"value\":\"r1\",\"project_id\":\"$pid\"}" -H "$P"
r1=$(body_get .id)
sim_call POST /v1/blocks/ "{\"label\":\"rules\",\"value\":\"r2\",\"project_id\":\"$pid\"}" -H "$P"
r2=$(body_get .id)
cat >>.letta/manifests/project/all.yaml <<'YAML'
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: rules}
spec: {layer: project, label: rules, value: "from git"}
YAML
git commit -qam rules
run diff --adopt --json
expect_rc 0
expect_jq '.data | length == 1 and .[0].action == "conflict" and .[0].name == "rules"'
expect_writes 0 sync --adopt
expect_rc 1
expect_err "conflict Block/rules: .*$r1"
expect_err "conflict Block/rules: .*$r2"
run sync --adopt --json
expect_rc 1
expect_jq '.error.code == "CONFLICT"'
sim_get "/v1/blocks/?label=rules" | jq -e 'length == 2 and ([.[].value] | sort == ["r1","r2"])' >/dev/null ||
	fail "rules touched: $(sim_get "/v1/blocks/?label=rules")"

# Without --adopt, an unmarked block is left alone and ours is created beside it.
expect_writes 3 sync   # lease, create, inventory
expect_rc 0
sim_get "/v1/blocks/?label=rules" | jq -e 'length == 3 and ([.[].value] | sort == ["from git","r1","r2"])' >/dev/null ||
	fail "without --adopt: $(sim_get "/v1/blocks/?label=rules")"

# Agents (names are not unique either): a declared agent with the name of one agent made by
# hand is taken over with --adopt (our tags, no second agent); with two, refused by id.
sim_call POST /v1/agents/ '{"name":"solo","model":"openai/gpt-4o-mini","embedding":"openai/text-embedding-3-small","tags":["team:x"]}' -H "X-Project: $LETTA_SYNC_PROJECT"
solo=$(body_get .id)
for i in 1 2; do
	sim_call POST /v1/agents/ '{"name":"twin","model":"openai/gpt-4o-mini","embedding":"openai/text-embedding-3-small"}' -H "X-Project: $LETTA_SYNC_PROJECT"
	eval "twin$i=\$(body_get .id)"
done
cat >>.letta/manifests/project/all.yaml <<'YAML'
---
apiVersion: letta.ai/v1
kind: Template
metadata: {name: t}
spec:
  layer: project
  default: true
  agent: {name: t, system: "hi", modelConfig: {model: openai/gpt-4o-mini}, blocks: [{name: policy}]}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: solo}
spec: {layer: project}
YAML
git commit -qam solo
run sync
expect_rc 1
expect_err "conflict Agent/solo: .*--adopt takes it over"
run sync --adopt
expect_rc 0
sim_get "/v1/agents/?project_id=$pid&name=solo" >"$TMP/a.json"
jq -e --arg id "$solo" 'length == 1 and .[0].id == $id and (.[0].tags | index("managed:letta-sync")) and
	(.[0].tags | index("template:t")) and (.[0].tags | index("team:x"))' "$TMP/a.json" >/dev/null ||
	fail "solo not adopted in place: $(cat "$TMP/a.json")"
sim_get "/v1/agents/$solo" | jq -e '.system == "hi" and ([.blocks[].label] | index("policy"))' >/dev/null ||
	fail "solo does not follow its template: $(sim_get "/v1/agents/$solo" | jq -c '{system, b: [.blocks[].label]}')"
expect_writes 0 sync
expect_rc 0

cat >>.letta/manifests/project/all.yaml <<'YAML'
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: twin}
spec: {layer: project}
YAML
git commit -qam twin
expect_writes 0 sync --adopt
expect_rc 1
expect_err "conflict Agent/twin: .*$twin1"
expect_err "conflict Agent/twin: .*$twin2"
sim_get "/v1/agents/?project_id=$pid&name=twin" | jq -e 'length == 2 and all(.tags | index("managed:letta-sync") | not)' >/dev/null ||
	fail "twins touched: $(sim_get "/v1/agents/?project_id=$pid&name=twin" | jq -c '[.[] | {id, tags}]')"
