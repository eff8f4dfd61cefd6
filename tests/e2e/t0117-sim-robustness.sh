#!/usr/bin/env bash
# letta-sim: every route (GET /_sim/routes) survives malformed bodies and query values: each
# answer is a 2xx/3xx/4xx, never a 5xx or a closed connection, and the simulator stays up.
# (Under `make test-asan` this also runs every handler's error path under the sanitizers.)
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/agents/ '{"model":"openai/gpt-4o-mini"}'
A=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"l","value":"v"}'
B=$(body_get .id)
sim_call PATCH "/v1/agents/$A/core-memory/blocks/attach/$B"
sim_call GET '/v1/tools/?limit=1'
T=$(body_get '.[0].id')
sim_call POST /v1/folders/ '{"name":"f","embedding":"openai/text-embedding-3-small"}'
F=$(body_get .id)
sim_call POST /v1/identities/ '{"identifier_key":"k","name":"n","identity_type":"user"}'
I=$(body_get .id)
sim_call POST /v1/mcp-servers/ '{"server_name":"m","config":{"mcp_server_type":"stdio","command":"c","args":[]}}'
M=$(body_get .id)
printf 'x' >"$TMP/x.txt"
FI=$(curl -fsS -H "Authorization: Bearer $SIM_KEY" -F "file=@$TMP/x.txt" "$SIM_URL/v1/folders/$F/upload" | jq -r .id)

bodies=(
	'null' '[]' '{}' '"x"' '1' '{not json'
	'{"config":null}' '{"config":"x"}' '{"config":{}}'
	'{"config":{"mcp_server_type":"stdio","command":null,"args":null}}'
	'{"config":{"mcp_server_type":"sse","server_url":null}}' '{"config":{"mcp_server_type":"ftp"}}'
	'{"properties":[1]}' '[{"key":1}]' '[{"key":"a","value":[],"type":"json"}]'
	'{"tags":[null]}' '{"tags":"x"}' '{"memory_blocks":[1]}' '{"memory_blocks":[{"label":1}]}'
	'{"json_schema":{}}' '{"json_schema":{"name":5}}' '{"source_code":""}' '{"source_code":"def"}'
	'{"source_code":"def f(:"}' '{"source_code":"def f(a: int):\n  \"\"\""}'
	'{"source_code":"def f(a: List[, b: Literal[1,\"x\"]):\n  \"\"\"D.\n  Args:\n    a: x\n    b: y\n  \"\"\""}'
	'{"llm_config":{}}' '{"embedding_config":{}}' '{"name":null}' '{"name":""}' '{"label":"x"}'
	'{"label":null,"value":null}' '{"tool_ids":["tool-1"]}' '{"block_ids":[1]}' '{"identity_ids":["x"]}'
	'{"agent_ids":["agent-00000000-0000-4000-8000-000000000000"]}' '{"metadata":[]}'
	'{"identifier_key":"k","name":"n","identity_type":"org","properties":[{"key":"a","value":null,"type":"string"}]}'
	'{"return_char_limit":"x"}' '{"limit":1e99}' '{"server_name":5,"config":{}}'
)
queries=('' '?limit=-1&after=zz&before=&order=desc' '?limit=x' '?include=agent.tags&include=bogus'
	'?tags=&names=&tool_types=&label=&name=&duplicate_handling=x&agent_id=zz&templates_only=2')

esc() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '%s' "$s"; }
cfg=$TMP/sweep.cfg
n=0
# Deletes last, so that the other routes meet live objects.
sim_admin GET /_sim/routes | jq -r '.[]' | sort -t' ' -k1,1 -s | awk '$1 != "DELETE"; $1 == "DELETE" { d = d $0 "\n" } END { printf "%s", d }' >"$TMP/routes"
while read -r m p; do
	path=$p
	for kv in "agent_id=$A" "block_id=$B" "tool_id=$T" "folder_id=$F" "source_id=$F" \
		"identity_id=$I" "mcp_server_id=$M" "file_id=$FI" "block_label=l" "projectId=x"; do
		path=${path//\{${kv%%=*}\}/${kv#*=}}
	done
	# GETs get the odd queries; writes get every odd body (and the odd queries once).
	if [ "$m" = GET ]; then
		list=()
		for q in "${queries[@]}"; do list+=("$q|"); done
	else
		list=()
		for q in "${queries[@]}"; do list+=("$q|{}"); done
		for b in "${bodies[@]}"; do list+=("|$b"); done
	fi
	for qb in "${list[@]}"; do
		q=${qb%%|*}
		b=${qb#*|}
		printf 'url = "%s%s%s"\nrequest = "%s"\nheader = "Authorization: Bearer %s"\n' \
			"$SIM_URL" "$path" "$q" "$m" "$SIM_KEY"
		[ -n "$b" ] && printf 'header = "Content-Type: application/json"\ndata-binary = "%s"\n' "$(esc "$b")"
		printf 'output = "/dev/null"\nwrite-out = "%%{http_code} %s %s\\n"\nnext\n' "$m" "$p"
		n=$((n + 1))
	done
done <"$TMP/routes" >"$cfg"
sed -i '$d' "$cfg"
curl -sS -K "$cfg" >"$TMP/codes" 2>"$TMP/curl.err" || true
[ "$(wc -l <"$TMP/codes")" -eq "$n" ] || fail "$(wc -l <"$TMP/codes") answers for $n requests: $(tail -3 "$TMP/curl.err")"
bad=$(grep -vE '^[234][0-9][0-9] ' "$TMP/codes" | sort | uniq -c | head -20 || true)
[ -z "$bad" ] || fail "5xx or no answer: $bad"
kill -0 "$SIM_PID" || fail "letta-sim died"
sim_call GET /v1/health/
expect_status 200
echo "robustness: $n requests over $(wc -l <"$TMP/routes") routes, no 5xx"
