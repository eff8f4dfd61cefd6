#!/usr/bin/env bash
# letta-sim conformance: drives every route letta-sim serves (GET /_sim/routes) through Prism
# in proxy mode with --errors, which validates each request and each response against
# tests/fixtures/letta-api/openapi.json and answers application/problem+json on any violation.
# Any such answer fails the test. Error bodies are not the spec's (docs/contract/letta-api.md 2.1:
# the 422 detail is a string), so t0104 checks those directly against the simulator.
# Prism comes from `make deps` (project-local node_modules/); without it the test is skipped.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
. "$(dirname "$0")/lib-prism.sh"
[ -x "$PRISM" ] || skip "no $PRISM: run 'make deps'"
start_sim
start_prism
P=$PRISM_URL

calls=0
# v WANT METHOD PATH [JSON [curl options]]: one call through Prism; fails on a violation or on
# a status other than WANT.
v() {
	local want=$1 method=$2 path=$3 data=${4-} ctype
	local args=(-sS -o "$TMP/body" -D "$TMP/headers" -w '%{http_code} %{content_type}\n' -X "$method"
		-H "Authorization: Bearer $SIM_KEY" -H 'User-Agent:')
	shift 3
	[ $# -gt 0 ] && shift
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	read -r status ctype < <(curl "${args[@]}" "$@" "$P$path" || echo "000 -")
	calls=$((calls + 1))
	if [[ "$ctype" == application/problem+json* ]]; then
		fail "$method $path: Prism found a violation ($status): $(head -c 1500 "$TMP/body")"
	fi
	[ "$status" = "$want" ] || fail "$method $path: want $want, got $status: $(head -c 600 "$TMP/body")"
}
legacy=(-H 'User-Agent: letta-sync/0.1')
all='include=agent.tags&include=agent.blocks&include=agent.tools&include=agent.sources&include=agent.identities&include=agent.secrets'

v 200 GET /v1/health/
v 201 POST /v1/projects '{"name":"Conformance"}'
prj=$(body_get .id)
# offset is oneOf [string, number] in the spec, so Prism refuses any numeric offset (a number
# matches both branches); letta-sync sends none on the first page (t0723).
v 200 GET '/v1/projects?name=Conf&limit=10'
st=$(curl -sS -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $SIM_KEY" \
	"$P/v1/projects?name=Conf&offset=0&limit=10")
[ "$st" = 422 ] && grep -q UNPROCESSABLE_ENTITY "$TMP/body" ||
	fail "Prism accepted offset=0 ($st): the spec changed, see letta_projects_list"

# Blocks, tools, folders, identities, MCP servers first, so agents carry every relationship.
v 200 POST /v1/blocks/ '{"label":"human","value":"v","description":"d","tags":["t"],"metadata":{"managed_by":"sync"}}'
b1=$(body_get .id)
v 200 POST /v1/blocks/ '{"label":"persona","value":"p","limit":1000}'
b2=$(body_get .id)
v 200 POST /v1/blocks/ '{"label":"human","value":"tpl","is_template":true,"template_name":"base"}'
v 200 GET '/v1/blocks/?label=human&limit=10&order=asc&order_by=created_at'
v 200 GET '/v1/blocks/?templates_only=true&name=base'
# Prism reads a single repeated-array value as a string (anyOf [array, null]), so send two.
v 200 GET '/v1/blocks/?tags=t&tags=u&match_all_tags=false&value_search=v&description_search=d&label_search=hum'
v 200 GET "/v1/blocks/?project_id=$prj"
v 200 GET /v1/blocks/count
v 200 GET "/v1/blocks/$b1"
v 200 PATCH "/v1/blocks/$b1" '{"value":"v2","metadata":{"x":1}}'

v 200 POST /v1/tools/ '{"source_code":"def echo(text: str, times: int = 1) -> str:\n    \"\"\"Echo text.\n\n    Args:\n        text (str): What to echo.\n        times (int): How often.\n    \"\"\"\n    return text * times\n","tags":["managed"]}'
t1=$(body_get .id)
v 200 PUT /v1/tools/ '{"source_code":"def shout(text: str) -> str:\n    \"\"\"Shout.\n\n    Args:\n        text (str): What to shout.\n    \"\"\"\n    return text.upper()\n","pip_requirements":[{"name":"requests","version":"2.0"}]}'
t2=$(body_get .id)
v 200 GET '/v1/tools/?limit=100'
v 200 GET '/v1/tools/?name=echo'
v 200 GET '/v1/tools/?names=echo&names=shout&search=o&tool_types=custom&tool_types=letta_core&order=asc'
v 200 GET /v1/tools/count
v 200 GET "/v1/tools/$t1"
v 200 PATCH "/v1/tools/$t1" '{"metadata_":{"managed_by":"sync"},"tags":["a"],"description":"E."}'

v 200 POST /v1/folders/ '{"name":"docs","description":"d","instructions":"i","metadata":{"m":1},"embedding":"openai/text-embedding-3-small","embedding_chunk_size":512}'
f1=$(body_get .id)
v 200 GET '/v1/folders/?name=doc&limit=5'
v 200 GET /v1/folders/count
v 200 GET "/v1/folders/$f1"
v 200 PATCH "/v1/folders/$f1" '{"description":"d2"}'
printf '# Notes\nhello\n' >"$TMP/notes.md"
v 200 POST "/v1/folders/$f1/upload?duplicate_handling=suffix" '' -F "file=@$TMP/notes.md"
file1=$(body_get .id)
v 200 POST "/v1/folders/$f1/upload?duplicate_handling=skip" '' -F "file=@$TMP/notes.md"
v 200 POST "/v1/folders/$f1/upload?duplicate_handling=replace&name=other.md" '' -F "file=@$TMP/notes.md"
file2=$(body_get .id)
v 200 GET "/v1/folders/$f1/files?include_content=true&limit=10"
v 200 GET "/v1/folders/$f1/files/$file1?include_content=true"
sleep 0.4
v 200 GET "/v1/folders/$f1/files"

v 200 POST /v1/mcp-servers/ '{"server_name":"web","config":{"mcp_server_type":"streamable_http","server_url":"https://mcp.example/web","auth_header":"Authorization","auth_token":"tok","custom_headers":{"X-A":"1"}}}'
m1=$(body_get .id)
v 200 POST /v1/mcp-servers/ '{"server_name":"files","config":{"mcp_server_type":"stdio","command":"npx","args":["-y","files"],"env":{"K":"V"}}}'
m2=$(body_get .id)
v 200 POST /v1/mcp-servers/ '{"server_name":"events","config":{"mcp_server_type":"sse","server_url":"https://mcp.example/sse"}}'
m3=$(body_get .id)
v 200 GET /v1/mcp-servers/
v 200 GET "/v1/mcp-servers/$m1"
v 200 GET "/v1/mcp-servers/$m2"
v 200 PATCH "/v1/mcp-servers/$m1" '{"server_name":"web2","config":{"mcp_server_type":"streamable_http","server_url":null,"auth_token":"Bearer tok2"}}'
v 200 PATCH "/v1/mcp-servers/$m2" '{"config":{"mcp_server_type":"stdio","command":"uvx","args":["files"]}}'
v 200 GET "/v1/mcp-servers/$m1/tools"
mt=$(body_get '.[0].id')
v 200 PATCH "/v1/mcp-servers/$m1/refresh"

# Agents, with every relationship filled in.
v 200 POST /v1/agents/ "{\"name\":\"conf\",\"model\":\"openai/gpt-4o-mini\",\"embedding\":\"openai/text-embedding-3-small\",\"system\":\"s\",\"description\":\"d\",\"metadata\":{\"k\":\"v\"},\"tags\":[\"x\",\"y\"],\"tool_ids\":[\"$t1\",\"$mt\"],\"block_ids\":[\"$b1\"],\"folder_ids\":[\"$f1\"],\"memory_blocks\":[{\"label\":\"notes\",\"value\":\"n\"}],\"secrets\":{\"S\":\"1\"},\"timezone\":\"UTC\"}" -H 'X-Project: conformance'
a1=$(body_get .id)
v 200 POST /v1/agents/ '{"name":"bare","llm_config":{"model":"m","model_endpoint_type":"openai","context_window":8000},"include_base_tools":false}'
a2=$(body_get .id)

v 200 POST /v1/identities/ "{\"identifier_key\":\"svc\",\"name\":\"Service\",\"identity_type\":\"other\",\"agent_ids\":[\"$a1\"],\"block_ids\":[\"$b1\"],\"properties\":[{\"key\":\"k\",\"value\":\"v\",\"type\":\"string\"},{\"key\":\"n\",\"value\":2,\"type\":\"number\"},{\"key\":\"b\",\"value\":true,\"type\":\"boolean\"},{\"key\":\"j\",\"value\":{\"a\":1},\"type\":\"json\"}]}"
i1=$(body_get .id)
# The upsert of an unknown key is a 404, as on the real server (t0114): create with POST.
v 200 POST /v1/identities/ '{"identifier_key":"team","name":"Team","identity_type":"org","properties":[]}' -H 'X-Project: conformance'
i2=$(body_get .id)
v 200 PUT /v1/identities/ '{"identifier_key":"team","name":"Team 2","identity_type":"org"}' -H 'X-Project: conformance'
v 200 GET '/v1/identities/?identifier_key=svc&limit=5'
v 200 GET '/v1/identities/?name=tea&identity_type=org'
v 200 GET /v1/identities/count
v 200 GET "/v1/identities/$i1"
v 200 PATCH "/v1/identities/$i1" "{\"name\":\"Svc\",\"agent_ids\":[\"$a2\"],\"properties\":[{\"key\":\"k\",\"value\":\"w\",\"type\":\"string\"}]}"
v 200 PUT "/v1/identities/$i1/properties" '[{"key":"only","value":1.5,"type":"number"}]'
v 200 GET "/v1/identities/$i1/agents?$all"
v 200 GET "/v1/identities/$i1/agents" '' "${legacy[@]}"
v 200 GET "/v1/identities/$i1/blocks"
v 200 PATCH "/v1/blocks/$b2/identities/attach/$i1"
v 200 PATCH "/v1/blocks/$b2/identities/detach/$i1"

v 200 GET /v1/agents/
v 200 GET "/v1/agents/?$all"
v 200 GET /v1/agents/ '' "${legacy[@]}"
v 200 GET '/v1/agents/?name=conf&query_text=con&tags=x&tags=y&match_all_tags=true&limit=5&order=asc&order_by=updated_at'
v 200 GET "/v1/agents/?identity_id=$i1"
v 200 GET /v1/agents/count
v 200 GET "/v1/agents/$a1"
v 200 GET "/v1/agents/$a1?$all"
v 200 GET "/v1/agents/$a1" '' "${legacy[@]}"
v 200 PATCH "/v1/agents/$a1" "{\"description\":\"d2\",\"tags\":[\"x\",\"z\"],\"metadata\":{\"m\":2},\"tool_ids\":[\"$t1\",\"$t2\",\"$mt\"],\"project_id\":\"$prj\"}"
v 200 GET "/v1/blocks/$b1/agents"
v 200 GET "/v1/blocks/$b1/agents?$all"
v 200 GET "/v1/blocks/$b1/agents" '' "${legacy[@]}"
v 200 GET /v1/tags/
v 200 GET '/v1/tags/?name=x&limit=2&order=desc'
v 200 GET /v1/models/
v 200 GET '/v1/models/?provider_name=anthropic&provider_type=anthropic'
v 200 GET /v1/models/embedding

v 200 GET "/v1/agents/$a1/core-memory/blocks"
v 200 PATCH "/v1/agents/$a1/core-memory/blocks/attach/$b2"
v 200 GET "/v1/agents/$a1/core-memory/blocks/persona"
v 200 PATCH "/v1/agents/$a1/core-memory/blocks/persona" '{"value":"p2"}'
v 200 PATCH "/v1/agents/$a1/core-memory/blocks/detach/$b2"
v 200 POST "/v1/agents/$a1/recompile?dry_run=true"
v 200 POST "/v1/agents/$a1/recompile"
v 200 GET "/v1/agents/$a1/tools"
v 200 GET "/v1/agents/$a1/tools?limit=50&order=asc"
v 200 PATCH "/v1/agents/$a2/tools/attach/$t2"
v 200 PATCH "/v1/agents/$a2/tools/attach/$t1" '' "${legacy[@]}"
v 200 PATCH "/v1/agents/$a2/tools/detach/$t2"
v 200 PATCH "/v1/agents/$a2/tools/detach/$t1" '' "${legacy[@]}"
v 200 GET "/v1/agents/$a1/folders"
v 200 PATCH "/v1/agents/$a2/folders/attach/$f1"
v 200 PATCH "/v1/agents/$a2/folders/detach/$f1" '' "${legacy[@]}"
v 200 PATCH "/v1/agents/$a2/sources/attach/$f1"
v 200 PATCH "/v1/agents/$a2/sources/detach/$f1"
v 200 GET "/v1/folders/$f1/agents"
v 200 PATCH "/v1/agents/$a2/identities/attach/$i2"
v 200 PATCH "/v1/agents/$a2/identities/detach/$i2"

# Agent files. openapi.json (and the TS SDK: AgentExportFileResponse = string) types the export
# as a string, but the server answers the AgentFileSchema document itself, as letta-sim does:
# Prism would call that a violation, so the export goes to the simulator directly.
sim_call GET "/v1/agents/$a1/export"
expect_status 200
cp "$TMP/body" "$TMP/af.json"
v 200 POST /v1/agents/import '' -F "file=@$TMP/af.json;type=application/json" -F name=imported -H 'X-Project: conformance'

# Deletes last: 200 null, or 204 where the spec says so.
v 204 DELETE "/v1/folders/$f1/$file2"
v 200 DELETE "/v1/identities/$i2"
v 204 DELETE "/v1/mcp-servers/$m3"
v 200 DELETE "/v1/tools/$t2"
v 200 DELETE "/v1/blocks/$b2"
v 200 DELETE "/v1/agents/$a2"
v 200 DELETE "/v1/folders/$f1"
v 200 DELETE "/v1/projects/$prj"

# Every route the simulator serves was driven at least once. The git smart HTTP routes
# (docs/contract/memfs.md) are not in the OpenAPI document; t0170-t0179 drive them with git itself.
sim_admin GET /_sim/routes | jq '[.[] | select(test(" /v1/git/") | not)]' >"$TMP/routes"
sim_admin GET /_sim/stats >"$TMP/stats"
missing=$(jq -r --slurpfile s "$TMP/stats" '.[] | select(($s[0].requests[.] // 0) == 0)' "$TMP/routes")
[ -z "$missing" ] || fail "routes never driven through the validator: $missing"
echo "conformance: $calls calls, $(jq length "$TMP/routes") routes, no violations"
