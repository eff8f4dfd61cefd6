#!/usr/bin/env bash
# letta-sim serves agent files as openapi.json says: GET /v1/agents/{agent_id}/export answers
# the AgentFileSchema document (file-local ids, the agent's blocks, tools and sources, and its
# secrets as the server holds them), POST /v1/agents/import (multipart "file") re-creates the
# agent in the X-Project project and answers ImportedAgentsResponse {agent_ids}; both obey the
# fault knobs.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/blocks/ '{"label":"persona","value":"I am ünïcode","limit":500,"metadata":{"k":"v"}}'
expect_status 200
b1=$(body_get .id)
sim_call POST /v1/agents/ "{\"name\":\"af\",\"model\":\"openai/gpt-4o-mini\",\"block_ids\":[\"$b1\"],\"tags\":[\"t1\"],\"secrets\":{\"TOKEN\":\"s3cr3t-value\"}}" -H 'X-Project: p1'
expect_status 200
a1=$(body_get .id)

sim_call GET "/v1/agents/$a1/export"
expect_status 200
expect_body '(.agents|length)==1 and (.groups==[]) and (.files==[]) and (.mcp_servers==[])'
expect_body '.agents[0].id=="agent-0" and .agents[0].name=="af" and .agents[0].tags==["t1"]'
expect_body '.blocks[0].id=="block-0" and .blocks[0].value=="I am ünïcode" and .blocks[0].limit==500'
expect_body '.agents[0].block_ids==["block-0"] and (.agents[0].tool_ids|length)==(.tools|length)'
expect_body '.agents[0].secrets.TOKEN=="s3cr3t-value"'
cp "$TMP/body" "$TMP/af.json"

sim_call GET "/v1/agents/agent-00000000-0000-4000-8000-000000000000/export"
expect_status 404

# Import: multipart, into the project named by X-Project; blocks are new, tools matched by name.
ntools=$(sim_get /v1/tools/ | jq length)
status=$(curl -sS -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $SIM_KEY" \
	-H 'X-Project: p1' -F "file=@$TMP/af.json;type=application/json" -F name=af-restored \
	"$SIM_URL/v1/agents/import")
expect_status 200
expect_body '(.agent_ids|length)==1'
a2=$(body_get '.agent_ids[0]')
[ "$a2" != "$a1" ] || fail "import reused the agent id"
sim_call GET "/v1/agents/$a2?include=agent.tags&include=agent.blocks"
expect_status 200
expect_body '.name=="af-restored" and .tags==["t1"] and (.blocks|length)==1'
expect_body '.blocks[0].value=="I am ünïcode" and .blocks[0].id!="'"$b1"'"'
expect_body '.project_id=="'"$(sim_get "/v1/agents/$a1" | jq -r .project_id)"'"'
[ "$(sim_get /v1/tools/ | jq length)" = "$ntools" ] || fail "import duplicated tools"

# No file part: a 422 as pydantic writes it; a file that is no agent file: 400.
status=$(curl -sS -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $SIM_KEY" \
	-F name=x "$SIM_URL/v1/agents/import")
expect_status 422
printf '{"agents":[]}' >"$TMP/empty.json"
status=$(curl -sS -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $SIM_KEY" \
	-F "file=@$TMP/empty.json" "$SIM_URL/v1/agents/import")
expect_status 400

# The fault knobs apply to both routes.
sim_admin PUT /_sim/faults '{"error_rate":1.0}' >/dev/null
sim_call GET "/v1/agents/$a1/export"
[ "${status:0:1}" = 5 ] || fail "export was not faulted: $status"
status=$(curl -sS -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $SIM_KEY" \
	-F "file=@$TMP/af.json" "$SIM_URL/v1/agents/import")
[ "${status:0:1}" = 5 ] || fail "import was not faulted: $status"
echo "ok"
