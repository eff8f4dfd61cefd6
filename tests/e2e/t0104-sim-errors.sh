#!/usr/bin/env bash
# letta-sim: every error status and body shape of docs/contract/letta-api.md section 2: 422 with a
# *string* detail (examples only for a malformed path id), {"detail"} elsewhere, 200 on create,
# DELETE 200 null, 409/500 of agent PATCH ids, 400s, 404s.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

zero=00000000-0000-4000-8000-000000000000

# 422, pydantic shape: {trace_id, detail:"[{'type': ...}]"}; detail is a string.
expect_422() { # TYPE LOC
	expect_status 422
	expect_body '(.detail|type) == "string" and has("trace_id")'
	expect_body "(.detail|startswith(\"[{'type': '$1'\")) and (.detail|contains(\"'loc': ($2\"))"
}
sim_call POST /v1/blocks/ '{"value":"v"}'
expect_422 missing "'body', 'label')"
expect_body 'has("examples")|not'
sim_call POST /v1/blocks/ '{"label":7,"value":"v"}'
expect_422 string_type "'body', 'label')"
sim_call POST /v1/blocks/ '{"label":"x","value":"v","tags":["a",3]}'
expect_422 string_type "'body', 'tags', 1)"
sim_call POST /v1/blocks/ '{"label":'
expect_422 json_invalid "'body', 0)"
sim_call POST /v1/blocks/ '[1,2]'
expect_422 model_attributes_type "'body',)"
sim_call POST /v1/tools/ '{"source_code":"def f():\n    \"\"\"F.\"\"\"\n","name":"f"}'
expect_422 extra_forbidden "'body', 'name')"
sim_call GET '/v1/agents/?limit=x'
expect_422 int_parsing "'query', 'limit')"
sim_call GET '/v1/blocks/?label=has%20space'
expect_422 string_pattern_mismatch "'query', 'label')"
sim_call GET '/v1/blocks/?templates_only=maybe'
expect_422 bool_parsing "'query', 'templates_only')"
sim_call GET '/v1/agents/?include=agent.everything'
expect_422 enum "'query', 'include')"

# Malformed path ids: 422 with examples; each id-typed path parameter is checked.
for p in "/v1/agents/agent-123" "/v1/blocks/block-$zero-x" "/v1/tools/TOOL-$zero" \
	"/v1/agents/agent-00000000-0000-1000-8000-000000000000" "/v1/blocks/agent-$zero"; do
	sim_call GET "$p"
	expect_422 string_pattern_mismatch "'path', "
	expect_body '(.examples|type) == "array" and (.examples[0]|test("^[a-z]+-[0-9a-f-]{36}$"))'
done

# 404 {"detail": string} for well-formed unknown ids, on read, update, delete, attach.
for req in "GET /v1/agents/agent-$zero" "PATCH /v1/blocks/block-$zero" \
	"DELETE /v1/tools/tool-$zero" "GET /v1/blocks/block-$zero/agents"; do
	sim_call ${req% *} "${req#* }" '{}'
	expect_status 404
	expect_body '(.detail|type) == "string" and (keys == ["detail"])'
done

# 200 on create (not 201), DELETE 200 with body null, a repeat DELETE 404.
sim_call POST /v1/blocks/ '{"label":"human","value":"v"}'
expect_status 200
bid=$(body_get .id)
sim_call DELETE "/v1/blocks/$bid"
expect_status 200
[ "$(cat "$TMP/body")" = null ] || fail "DELETE body is not null: $(cat "$TMP/body")"
sim_call DELETE "/v1/blocks/$bid"
expect_status 404

# 400: missing model, bad tool_types, a tool whose schema cannot be derived.
sim_call POST /v1/agents/ '{"name":"x"}'
expect_status 400
expect_body '.detail == "INVALID_ARGUMENT: Must specify either model or llm_config in request"'
sim_call GET '/v1/tools/?tool_types=custom,bogus'
expect_status 400
expect_body '(.detail|type) == "string"'
sim_call POST /v1/tools/ '{"source_code":"def f(x):\n    \"\"\"F.\n\n    Args:\n        x: the x\n    \"\"\"\n"}'
expect_status 400
expect_body '.detail | test("type annotation")'

# 409 on an unknown tool id in agent PATCH, 500 on an unknown block id (digest 5.1).
sim_call POST /v1/agents/ '{"model":"openai/gpt-4o-mini","include_base_tools":false}'
aid=$(body_get .id)
sim_call PATCH "/v1/agents/$aid" "{\"tool_ids\":[\"tool-$zero\"]}"
expect_status 409
expect_body '(.detail|type) == "string"'
sim_call PATCH "/v1/agents/$aid" "{\"block_ids\":[\"block-$zero\"]}"
expect_status 500
expect_body '.detail == "An unknown error occurred"'
# ... and neither changed anything.
sim_call GET "/v1/agents/$aid?include=agent.tools&include=agent.blocks"
expect_body '.tools == [] and .blocks == []'

# 409 on a label clash, 404 on detaching what is not attached.
sim_call POST /v1/blocks/ '{"label":"human","value":"1"}'
b1=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"human","value":"2"}'
b2=$(body_get .id)
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/attach/$b1"
expect_status 200
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/attach/$b2"
expect_status 409
expect_body '(.detail|type) == "string"'
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/detach/$b2"
expect_status 404
expect_body '(.detail|type) == "string"'
echo ok
