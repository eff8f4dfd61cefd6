#!/usr/bin/env bash
# letta-sim: attach/detach semantics (docs/contract/letta-api.md 5.2, 4) and agent PATCH list fields
# (whole-set replacement, null = unchanged), block delete cascade, /blocks/{id}/agents,
# core-memory by label, the agent tool list's default limit of 10.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/agents/ '{"name":"ag","model":"openai/gpt-4o-mini","include_base_tools":false,"memory_blocks":[{"label":"human","value":"h"}]}'
aid=$(body_get .id)
human=$(body_get '.blocks[0].id')
sim_call POST /v1/blocks/ '{"label":"persona","value":"p"}'
persona=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"human","value":"other human"}'
human2=$(body_get .id)

# Block attach: 200, a repeat is a no-op, a label clash 409, unknown id 404.
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/attach/$persona"
expect_status 200
expect_body '(.blocks|map(.label)|sort) == ["human","persona"]'
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/attach/$persona"
expect_status 200
expect_body '(.blocks|length) == 2'
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/attach/$human2"
expect_status 409
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/attach/block-00000000-0000-4000-8000-000000000000"
expect_status 404
# The agent's block list (bare array), get and patch by label (edits the shared block).
sim_call GET "/v1/agents/$aid/core-memory/blocks"
expect_body 'length == 2'
sim_call GET "/v1/agents/$aid/core-memory/blocks/persona"
expect_body ".id == \"$persona\""
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/persona" '{"value":"p2","label":null}'
expect_body '.value == "p2" and .label == "persona"'
sim_call GET "/v1/blocks/$persona"
expect_body '.value == "p2"'
sim_call GET "/v1/agents/$aid/core-memory/blocks/nolabel"
expect_status 404
# Relabelling an attached block onto a used label: 409.
sim_call PATCH "/v1/blocks/$persona" '{"label":"human"}'
expect_status 409
# Detach: 200 then 404 on a repeat.
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/detach/$persona"
expect_status 200
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/detach/$persona"
expect_status 404

# Block delete detaches everywhere; /blocks/{id}/agents lists who holds it.
sim_call POST /v1/agents/ "{\"name\":\"ag2\",\"model\":\"openai/gpt-4o-mini\",\"include_base_tools\":false,\"block_ids\":[\"$human\"]}"
a2=$(body_get .id)
sim_call GET "/v1/blocks/$human/agents"
expect_body '(map(.name)|sort) == ["ag","ag2"]'
sim_call DELETE "/v1/blocks/$human"
expect_status 200
sim_call GET "/v1/agents/$aid?include=agent.blocks"
expect_body '.blocks == []'
sim_call GET "/v1/agents/$a2?include=agent.blocks"
expect_body '.blocks == []'

# Agent PATCH: list fields replace the set; null and absent leave it; tags are de-duplicated.
sim_call PATCH "/v1/agents/$aid" '{"tags":["x","y","x"]}'
expect_body '(.tags|sort) == ["x","y"]'
sim_call PATCH "/v1/agents/$aid" '{"tags":null,"name":"renamed"}'
expect_body '(.tags|sort) == ["x","y"] and .name == "renamed"'
sim_call PATCH "/v1/agents/$aid" '{"tags":["z"]}'
expect_body '.tags == ["z"]'
sim_call PATCH "/v1/agents/$aid" "{\"block_ids\":[\"$persona\",\"$human2\"]}"
expect_body '(.blocks|map(.label)|sort) == ["human","persona"]'
sim_call PATCH "/v1/agents/$aid" "{\"block_ids\":[\"$human2\"]}"
expect_body '(.blocks|map(.label)) == ["human"]'
sim_call PATCH "/v1/agents/$aid" '{"block_ids":[]}'
expect_body '.blocks == []'
sim_call PATCH "/v1/agents/$aid" '{"metadata":{"a":1}}'
sim_call PATCH "/v1/agents/$aid" '{"metadata":{"b":2}}'
expect_body '.metadata == {"b":2}'

# Tools: 12 tools attached; the agent's tool list defaults to 10, paging with after.
ids=()
for i in $(seq 1 12); do
	sim_call POST /v1/tools/ "{\"source_code\":\"def t$i(x: int) -> int:\\n    \\\"\\\"\\\"T.\\n\\n    Args:\\n        x (int): X.\\n    \\\"\\\"\\\"\\n    return x\\n\"}"
	expect_status 200
	ids+=("$(body_get .id)")
done
json_ids=$(printf '%s\n' "${ids[@]}" | jq -R . | jq -sc .)
sim_call PATCH "/v1/agents/$aid" "{\"tool_ids\":$json_ids}"
expect_body '(.tools|length) == 12'
sim_call GET "/v1/agents/$aid/tools"
expect_body 'length == 10'
last=$(body_get '.[-1].id')
sim_call GET "/v1/agents/$aid/tools?after=$last"
expect_body 'length == 2'
# Tool attach/detach: no-ops when already in that state; unknown tool 404.
sim_call PATCH "/v1/agents/$aid/tools/attach/${ids[0]}"
expect_status 200
sim_call PATCH "/v1/agents/$aid/tools/detach/${ids[0]}"
sim_call PATCH "/v1/agents/$aid/tools/detach/${ids[0]}"
expect_status 200
sim_call GET "/v1/agents/$aid/tools?limit=100"
expect_body 'length == 11'
sim_call PATCH "/v1/agents/$aid/tools/attach/tool-00000000-0000-4000-8000-000000000000"
expect_status 404
# Deleting a tool detaches it.
sim_call DELETE "/v1/tools/${ids[1]}"
sim_call GET "/v1/agents/$aid/tools?limit=100"
expect_body 'length == 10'

# Agent delete: 200 null, then 404; its blocks survive.
sim_call DELETE "/v1/agents/$a2"
expect_status 200
sim_call GET "/v1/agents/$a2"
expect_status 404
sim_call GET "/v1/blocks/$human2"
expect_status 200

# Tags: the sorted union of agent and block tags; name filter; cursor is the tag.
sim_call POST /v1/blocks/ '{"label":"l","value":"v","tags":["blk","z"]}'
sim_call GET /v1/tags/
expect_body '. == ["blk","z"]'
sim_call PATCH "/v1/agents/$aid" '{"tags":["alpha","beta","z"]}'
sim_call GET /v1/tags/
expect_body '. == ["alpha","beta","blk","z"]'
sim_call GET '/v1/tags/?after=beta&limit=1'
expect_body '. == ["blk"]'
sim_call GET '/v1/tags/?order=desc&limit=2'
expect_body '. == ["z","blk"]'
sim_call GET '/v1/tags/?name=B'
expect_body '. == ["beta","blk"]'
echo ok
