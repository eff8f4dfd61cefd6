#!/usr/bin/env bash
# sync against a real MCP server (issue 21 item 5): the reference "everything" server from npm
# (tests/npm/mcp-everything, installed by `make deps`) runs locally in streamable HTTP and in
# SSE mode; letta-sim, with --mcp-allow-private, lists its tools by asking it, as the real Letta
# server does. An agent's mcpTools get the chosen tools, then `all` of them (the list the MCP
# server itself reports), and a re-run converges. Without --mcp-allow-private the simulator
# refuses the 127.0.0.1 URL as the real server does (422 "Non-public IP not allowed").
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
needs_sim
MCP_JS=$LS_SOURCE_DIR/tests/npm/mcp-everything/node_modules/@modelcontextprotocol/server-everything/dist/index.js
command -v node >/dev/null || skip "no node"
[ -f "$MCP_JS" ] || skip "no $MCP_JS: run 'make deps'"

MCP_PIDS=()
trap 'st=$?; set +e; for p in "${MCP_PIDS[@]}"; do kill "$p" 2>/dev/null; done; (exit $st); cleanup' EXIT
# start_mcp MODE: the everything server in MODE (streamableHttp or sse) on a free port, in
# $MCP_PORT once it listens. Node may take seconds to start on a loaded machine.
start_mcp() {
	local mode=$1 log pid
	for _ in 1 2 3 4 5; do
		MCP_PORT=$((10000 + RANDOM % 22000))
		(exec 3<>"/dev/tcp/127.0.0.1/$MCP_PORT") 2>/dev/null && continue
		log=$TMP/mcp-$mode-$MCP_PORT.log
		PORT=$MCP_PORT node "$MCP_JS" "$mode" >"$log" 2>&1 &
		pid=$!
		MCP_PIDS+=("$pid")
		for _ in $(seq 600); do
			grep -qE 'listening on port|running on port' "$log" && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		grep -q EADDRINUSE "$log" || fail "the MCP server ($mode) did not start: $(tail -5 "$log")"
	done
	fail "no free port for the MCP server"
}
# mcp_names URL: the tool names the streamable HTTP server reports, asked directly (sorted JSON).
mcp_names() {
	local h=(-sS -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream') sid
	curl "${h[@]}" -D "$TMP/mh" -o /dev/null "$1" \
		-d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t0640","version":"1"}}}'
	sid=$(grep -i '^mcp-session-id:' "$TMP/mh" | awk '{print $2}' | tr -d '\r')
	curl "${h[@]}" -H "Mcp-Session-Id: $sid" -o /dev/null "$1" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	curl "${h[@]}" -H "Mcp-Session-Id: $sid" "$1" -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' |
		sed -n 's/^data: //p' | jq -c '[.result.tools[].name] | sort'
}
# agent_mcp_tools NAME SERVER: the sorted names of the agent's tools from that MCP server.
agent_mcp_tools() {
	sim_get "/v1/agents/?name=$1&include=agent.tools" |
		jq -c --arg t "mcp:$2" '[.[0].tools[] | select(.tags | index($t)) | .name] | sort'
}
fleet() { mcp_fleet everything "$@"; } # TYPE URL TOOLS

start_mcp streamableHttp
HTTP_URL=http://127.0.0.1:$MCP_PORT/mcp
start_mcp sse
SSE_URL=http://127.0.0.1:$MCP_PORT/sse
want=$(mcp_names "$HTTP_URL")
[ "$(jq length <<<"$want")" -ge 5 ] && jq -e 'index("echo") and index("get-sum")' <<<"$want" >/dev/null ||
	fail "the everything server lists unexpected tools: $want"

# Without --mcp-allow-private: the real server's refusal of a literal private address.
sync_setup
fleet streamable_http "$HTTP_URL" "[echo]"
run sync
expect_rc 1
expect_err "Non-public IP not allowed: 127\.0\.0\.1"
sim_get /v1/mcp-servers/ | jq -e 'length == 0' >/dev/null || fail "an MCP server was created"

# Streamable HTTP: two named tools, then all of them; then a converged re-run.
start_sim --mcp-allow-private
export LETTA_SYNC_PROJECT=e2e-t0640-http
fleet streamable_http "$HTTP_URL" "[echo, get-sum]"
run sync
expect_rc 0
expect_out 'created MCPServer/everything'
expect_out 'created Agent/bob'
got=$(agent_mcp_tools bob everything)
[ "$got" = '["echo","get-sum"]' ] || fail "bob has MCP tools $got, want echo and get-sum"
fleet streamable_http "$HTTP_URL" all
run sync
expect_rc 0
got=$(agent_mcp_tools bob everything)
[ "$got" = "$want" ] || fail "with 'all' bob has $got, the server offers $want"
expect_writes 0 sync
[ "$(changes)" -eq 0 ] || fail "not converged: $(cat "$TMP/diff.json")"

# SSE: the same server's tools through the older transport, on a fresh simulator.
start_sim --mcp-allow-private
export LETTA_SYNC_PROJECT=e2e-t0640-sse
fleet sse "$SSE_URL" all
run sync
expect_rc 0
expect_out 'created MCPServer/everything'
got=$(agent_mcp_tools bob everything)
[ "$got" = "$want" ] || fail "over SSE bob has $got, the server offers $want"
expect_writes 0 sync
