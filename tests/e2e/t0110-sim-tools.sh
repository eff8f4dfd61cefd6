#!/usr/bin/env bash
# letta-sim: tools (docs/contract/letta-api.md 5.4): strict ToolCreate, name and json_schema derived
# from the Python def and docstring, POST/PUT upsert by name, metadata_, the list filters and
# the built-in tools a first-page list creates.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

src='from typing import List, Optional

def helper(x):
    return x

def roll_dice(sides: int, times: int = 1, labels: Optional[List[str]] = None, agent_state: "AgentState" = None) -> str:
    """Roll a die several times.

    Rolls are independent.

    Args:
        sides (int): How many sides
            the die has.
        times (int): How many rolls.
        labels (List[str]): Names for the faces.

    Returns:
        str: The rolls.
    """
    return str(sides)
'
body=$(jq -nc --arg s "$src" '{source_code:$s, tags:["managed"]}')
sim_call POST /v1/tools/ "$body"
expect_status 200
expect_body '.name == "roll_dice" and .tool_type == "custom" and .source_type == "python" and .tags == ["managed"]'
expect_body '(.id|test("^tool-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))'
expect_body '.json_schema.name == "roll_dice" and .json_schema.description == "Roll a die several times.\n\nRolls are independent."'
expect_body '.json_schema.parameters.type == "object" and .json_schema.parameters.required == ["sides"]'
expect_body '.json_schema.parameters.properties.sides == {"type":"integer","description":"How many sides\nthe die has."}'
expect_body '.json_schema.parameters.properties.times.type == "integer"'
expect_body '.json_schema.parameters.properties.labels == {"type":"array","items":{"type":"string"},"description":"Names for the faces."}'
expect_body '(.json_schema.parameters.properties | has("agent_state")) | not'
expect_body '.description == .json_schema.description and has("metadata_") and (has("metadata")|not)'
expect_body '(has("created_at")|not) and (has("updated_at")|not) and .return_char_limit == 50000'
tid=$(body_get .id)

# PUT with the same name is an upsert: same id, new fields.
body=$(jq -nc --arg s "$src" '{source_code:$s, description:"Rolls.", return_char_limit:10}')
sim_call PUT /v1/tools/ "$body"
expect_status 200
expect_body ".id == \"$tid\" and .description == \"Rolls.\" and .return_char_limit == 10"
# POST is an upsert too (digest 4): same id.
sim_call POST /v1/tools/ "$body"
expect_body ".id == \"$tid\""

# json_schema given: the name comes from it, the source is not parsed.
sim_call PUT /v1/tools/ '{"source_code":"anything at all","json_schema":{"name":"given","description":"G.","parameters":{"type":"object","properties":{},"required":[]}}}'
expect_status 200
expect_body '.name == "given" and .description == "G."'
gid=$(body_get .id)

# Strict ToolCreate: name, tool_type or any unknown key is a 422; source_code is required.
for extra in '"name":"x"' '"tool_type":"custom"' '"metadata_":{}' '"bogus":1'; do
	sim_call POST /v1/tools/ "{\"source_code\":\"def f():\\n    \\\"\\\"\\\"F.\\\"\\\"\\\"\\n\",$extra}"
	expect_status 422
	expect_body '.detail | test("extra_forbidden")'
done
sim_call POST /v1/tools/ '{"description":"no source"}'
expect_status 422
expect_body '.detail | test("missing")'
sim_call POST /v1/tools/ '{"source_code":"def f(x: int):\n    \"\"\"F.\"\"\"\n"}'
expect_status 400
expect_body '.detail | test("lacks a description")'
sim_call POST /v1/tools/ '{"source_code":"x = 1\n"}'
expect_status 400
sim_call POST /v1/tools/ '{"source_code":"def f():\n    \"\"\"F.\"\"\"\n","return_char_limit":0}'
expect_status 422

# ToolUpdate is lenient and uses metadata_; tags replace.
sim_call PATCH "/v1/tools/$tid" '{"metadata_":{"managed_by":"sync"},"tags":["t2"],"name":"ignored"}'
expect_status 200
expect_body '.metadata_ == {"managed_by":"sync"} and .tags == ["t2"] and .name == "roll_dice"'
# A schema change that renames onto an existing name: 400.
sim_call PATCH "/v1/tools/$tid" '{"json_schema":{"name":"given","parameters":{"type":"object","properties":{}}}}'
expect_status 400
expect_body '.detail == "Tool with name '"'given'"' already exists in your organization"'

# List: builtins appear on a first-page list; filters name, names, search, tool_types.
sim_call GET /v1/tools/count
expect_body '. == 2'
sim_call GET /v1/tools/
expect_body '(map(.name) | index("send_message")) != null and (map(select(.tool_type | startswith("letta_"))) | length) >= 3'
expect_body '.[0].name == "web_search"'
sim_call GET '/v1/tools/?name=roll_dice'
expect_body '(map(.id)) == ["'"$tid"'"]'
sim_call GET '/v1/tools/?names=roll_dice&names=given'
expect_body '(map(.name)|sort) == ["given","roll_dice"]'
sim_call GET '/v1/tools/?search=DICE'
expect_body '(map(.name)) == ["roll_dice"]'
sim_call GET '/v1/tools/?search=managed'
expect_body '. == []'
sim_call GET '/v1/tools/?tool_types=custom'
expect_body '(map(.name)|sort) == ["given","roll_dice"]'
sim_call GET '/v1/tools/?tool_types=letta_core,letta_builtin&limit=100'
expect_body 'length >= 2 and all(.tool_type == "letta_core" or .tool_type == "letta_builtin")'
sim_call GET '/v1/tools/count?exclude_letta_tools=true'
expect_body '. == 2'
# A deleted builtin comes back on the next first-page list.
sid=$(curl -fsS -H "Authorization: Bearer $SIM_KEY" "$SIM_URL/v1/tools/?name=send_message" | jq -r '.[0].id')
sim_call DELETE "/v1/tools/$sid"
expect_status 200
sim_call GET '/v1/tools/?name=send_message'
expect_body 'length == 1 and .[0].id != "'"$sid"'"'

# X-Project-Id stamps project_id and scopes the list to that project plus global tools.
sim_call PUT /v1/tools/ '{"source_code":"def scoped():\n    \"\"\"S.\"\"\"\n"}' -H 'X-Project-Id: proj-1'
expect_body '.project_id == "proj-1"'
sim_call GET '/v1/tools/?tool_types=custom' '' -H 'X-Project-Id: proj-2'
expect_body '(map(.name)|sort) == ["given","roll_dice"]'
sim_call GET '/v1/tools/?tool_types=custom' '' -H 'X-Project-Id: proj-1'
expect_body '(map(.name)|sort) == ["given","roll_dice","scoped"]'
sim_call DELETE "/v1/tools/$gid"
expect_status 200
echo ok
