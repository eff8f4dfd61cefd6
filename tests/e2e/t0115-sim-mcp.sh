#!/usr/bin/env bash
# letta-sim: MCP servers through /v1/mcp-servers/ (docs/contract/letta-api.md 5.5): strict bodies per
# type, flat responses, tokens echoed as Authorization/Bearer, 409 on a duplicate name, 204 on
# delete, the server's (fake, deterministic) tools as external_mcp tools tagged mcp:<server>.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/mcp-servers/ '{"server_name":"docs","config":{"mcp_server_type":"streamable_http","server_url":"https://mcp.example/docs","auth_header":"X-Api-Key","auth_token":"s3cret","custom_headers":{"X-A":"1"}}}'
expect_status 200
expect_body '(.id|startswith("mcp_server-")) and .server_name == "docs" and .mcp_server_type == "streamable_http"'
expect_body '.auth_header == "Authorization" and .auth_token == "Bearer s3cret" and .custom_headers == {"X-A":"1"}'
expect_body 'has("config")|not'
mid=$(body_get .id)
sim_call POST /v1/mcp-servers/ '{"server_name":"local","config":{"mcp_server_type":"stdio","command":"npx","args":["-y","server-files"],"env":{"K":"V"}}}'
expect_status 200
expect_body '.command == "npx" and .args == ["-y","server-files"] and .env == {"K":"V"} and (has("server_url")|not)'
lid=$(body_get .id)
sim_call POST /v1/mcp-servers/ '{"server_name":"plain","config":{"mcp_server_type":"sse","server_url":"https://mcp.example/sse"}}'
expect_body '.auth_token == null and .auth_header == null'
pid=$(body_get .id)

# 409 on a duplicate name; strict bodies per type; a missing required key.
sim_call POST /v1/mcp-servers/ '{"server_name":"docs","config":{"mcp_server_type":"sse","server_url":"https://x"}}'
expect_status 409
for body in '{"server_name":"x","config":{"mcp_server_type":"stdio","command":"c","args":[],"server_url":"u"}}' \
	'{"server_name":"x","config":{"mcp_server_type":"sse","server_url":"u","command":"c"}}' \
	'{"server_name":"x","config":{"mcp_server_type":"sse","server_url":"u"},"extra":1}' \
	'{"server_name":"x","config":{"mcp_server_type":"stdio","command":"c"}}' \
	'{"server_name":"x","config":{"mcp_server_type":"ftp","server_url":"u"}}' \
	'{"config":{"mcp_server_type":"sse","server_url":"u"}}'; do
	sim_call POST /v1/mcp-servers/ "$body"
	expect_status 422
	expect_body '(.detail|type) == "string"'
done

# The list: a bare array of flat objects.
sim_call GET /v1/mcp-servers/
expect_body '(map(.server_name)) == ["docs","local","plain"]'

# Tools: deterministic per URL/command, external_mcp, tagged mcp:<server>.
sim_call GET "/v1/mcp-servers/$mid/tools"
expect_status 200
expect_body 'length >= 2 and all(.tool_type == "external_mcp" and .tags == ["mcp:docs"] and (.id|startswith("tool-")))'
expect_body 'all(.json_schema.name == .name)'
body_get '[.[].name] | sort | join(",")' >"$TMP/names1"
sim_call GET '/v1/tools/?tool_types=external_mcp&limit=100'
expect_body '(map(.tags[0]) | unique) == ["mcp:docs","mcp:local","mcp:plain"]'
# The same URL in a fresh simulator offers the same tools.
sim_admin POST /_sim/reset >/dev/null
sim_call POST /v1/mcp-servers/ '{"server_name":"docs","config":{"mcp_server_type":"streamable_http","server_url":"https://mcp.example/docs"}}'
mid=$(body_get .id)
sim_call GET "/v1/mcp-servers/$mid/tools"
[ "$(body_get '[.[].name] | sort | join(",")')" = "$(cat "$TMP/names1")" ] || fail "tool list not deterministic"
sim_call POST /v1/mcp-servers/ '{"server_name":"local","config":{"mcp_server_type":"stdio","command":"npx","args":["-y","server-files"]}}'
lid=$(body_get .id)

# PATCH: config required and typed; Bearer prefix stripped; rename retags tools.
sim_call PATCH "/v1/mcp-servers/$mid" '{"server_name":"docs2"}'
expect_status 422
sim_call PATCH "/v1/mcp-servers/$mid" '{"server_name":"docs2","config":{"mcp_server_type":"streamable_http","server_url":null,"auth_token":"Bearer tok2"}}'
expect_status 200
expect_body '.server_name == "docs2" and .auth_token == "Bearer tok2" and .server_url == "https://mcp.example/docs"'
sim_call GET "/v1/mcp-servers/$mid/tools"
expect_body 'length >= 2 and all(.tags == ["mcp:docs2"])'
sim_call PATCH "/v1/mcp-servers/$mid" '{"config":{"mcp_server_type":"stdio","command":"c","args":[]}}'
expect_status 400
sim_call PATCH "/v1/mcp-servers/$mid" '{"server_name":"local","config":{"mcp_server_type":"streamable_http","server_url":null}}'
expect_status 409
# stdio: command/args change only together.
sim_call PATCH "/v1/mcp-servers/$lid" '{"config":{"mcp_server_type":"stdio","command":"uvx","args":null}}'
expect_body '.command == "npx"'
sim_call PATCH "/v1/mcp-servers/$lid" '{"config":{"mcp_server_type":"stdio","command":"uvx","args":["other"]}}'
expect_body '.command == "uvx" and .args == ["other"]'

# Refresh after a URL change: the tool set follows the new URL.
sim_call PATCH "/v1/mcp-servers/$mid" '{"config":{"mcp_server_type":"streamable_http","server_url":"https://mcp.example/other-docs"}}'
sim_call PATCH "/v1/mcp-servers/$mid/refresh"
expect_status 200
expect_body '(.added|type) == "array" and (.deleted|type) == "array"'
sim_call GET "/v1/mcp-servers/$mid/tools"
body_get '[.[].name] | sort | join(",")' >"$TMP/names2"
sim_call PATCH "/v1/mcp-servers/$mid/refresh"
expect_body '.added == [] and .deleted == [] and .updated == []'

# Delete: 204, no body; its tools go too; then 404.
sim_call POST /v1/agents/ '{"model":"openai/gpt-4o-mini","include_base_tools":false}'
aid=$(body_get .id)
t1=$(curl -fsS -H "Authorization: Bearer $SIM_KEY" "$SIM_URL/v1/mcp-servers/$mid/tools" | jq -r '.[0].id')
sim_call PATCH "/v1/agents/$aid/tools/attach/$t1"
sim_call DELETE "/v1/mcp-servers/$mid"
expect_status 204
[ ! -s "$TMP/body" ] || fail "204 with a body"
sim_call GET "/v1/mcp-servers/$mid"
expect_status 404
sim_call GET "/v1/tools/$t1"
expect_status 404
sim_call GET "/v1/agents/$aid/tools"
expect_body '. == []'
echo ok
