#!/usr/bin/env bash
# letta-sim: the "1.0 client" rule of docs/contract/letta-api.md section 1.2. Without include, a 1.0
# client (no User-Agent, letta-client/1.x, or X-Stainless-Package-Version) gets empty
# relationships and null from tool attach/detach; a legacy User-Agent gets everything.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/blocks/ '{"label":"persona","value":"p"}'
bid=$(body_get .id)
sim_call POST /v1/tools/ '{"source_code":"def ping(host: str) -> str:\n    \"\"\"Ping a host.\n\n    Args:\n        host (str): The host.\n    \"\"\"\n    return host\n"}'
tid=$(body_get .id)
sim_call POST /v1/agents/ "{\"name\":\"inc\",\"model\":\"openai/gpt-4o-mini\",\"include_base_tools\":false,\"tags\":[\"a\",\"b\"],\"block_ids\":[\"$bid\"],\"tool_ids\":[\"$tid\"],\"secrets\":{\"K\":\"V\"}}"
expect_status 200
aid=$(body_get .id)
# Create answers with everything loaded, and required keys are always present.
expect_body '.tags == ["a","b"] and (.blocks|length) == 1 and (.tools|length) == 1'
expect_body 'has("id") and has("name") and has("system") and has("agent_type") and has("llm_config") and has("memory") and has("sources") and (has("block_ids")|not) and (has("tool_ids")|not)'
expect_body '(.llm_config | has("model") and has("model_endpoint_type") and has("context_window")) and (.created_at|test("Z$|[+]00:00$"))'

rels='[.tags, .blocks, .tools, .sources, .identities, .secrets] | map(length)'
# 1.0 client (no User-Agent): empty relationships without include.
sim_call GET "/v1/agents/$aid"
expect_body "($rels) == [0,0,0,0,0,0]"
expect_body '.memory.blocks == []'
sim_call GET /v1/agents/
expect_body ".[0] | ($rels) == [0,0,0,0,0,0]"
# ... include loads exactly what is named.
sim_call GET "/v1/agents/$aid?include=agent.tags&include=agent.blocks"
expect_body "($rels) == [2,1,0,0,0,0] and (.memory.blocks|length) == 1"
sim_call GET "/v1/agents/?include=agent.tools&include=agent.secrets"
expect_body ".[0] | ($rels) == [0,0,1,0,0,1]"
expect_body '.[0].secrets[0] | .key == "K" and .value == "V" and (.agent_id|startswith("agent-"))'
# letta-client/1.x and X-Stainless-Package-Version are 1.0 clients too.
sim_call GET "/v1/agents/$aid" '' -H 'User-Agent: @letta-ai/letta-client/1.12.1'
expect_body "($rels) == [0,0,0,0,0,0]"
sim_call GET "/v1/agents/$aid" '' -H 'User-Agent: letta-sync/0.1' -H 'X-Stainless-Package-Version: 1.12.1'
expect_body "($rels) == [0,0,0,0,0,0]"
# A legacy User-Agent (curl/x, letta-sync/0.1, node) gets every relationship.
for ua in 'letta-sync/0.1' 'node' 'curl/8.5.0'; do
	sim_call GET "/v1/agents/$aid" '' -H "User-Agent: $ua"
	expect_body "($rels) == [2,1,1,0,0,1]"
done
sim_call GET "/v1/blocks/$bid/agents" '' -H 'User-Agent: node'
expect_body '.[0].tags == ["a","b"]'
sim_call GET "/v1/blocks/$bid/agents"
expect_body '.[0].id == "'"$aid"'" and .[0].tags == []'
sim_call GET "/v1/blocks/$bid/agents?include=agent.tags"
expect_body '.[0].tags == ["a","b"]'

# PATCH answers with every relationship, whoever asks.
sim_call PATCH "/v1/agents/$aid" '{"description":"d"}'
expect_body "($rels) == [2,1,1,0,0,1] and .description == \"d\""

# Tool attach/detach: null for a 1.0 client, the AgentState for a legacy one.
sim_call PATCH "/v1/agents/$aid/tools/detach/$tid"
expect_status 200
[ "$(cat "$TMP/body")" = null ] || fail "1.0 detach body: $(cat "$TMP/body")"
sim_call PATCH "/v1/agents/$aid/tools/attach/$tid" '' -H 'User-Agent: letta-sync/0.1'
expect_body '.id == "'"$aid"'" and (.tools|length) == 1'
# Block attach/detach always answer the full AgentState.
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/detach/$bid"
expect_body '.id == "'"$aid"'" and .blocks == [] and .tags == ["a","b"]'
echo ok
