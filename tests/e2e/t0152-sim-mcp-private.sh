#!/usr/bin/env bash
# letta-sim: MCP server URLs on non-public addresses (issue 21 item 5). By default a literal
# non-public IP is refused at create as the real server does (422 "Value error, Non-public IP
# not allowed: <host>"); host names and public addresses are accepted; public URLs keep the
# built-in fake tool lists; a host name that resolves to a private address gets no tools
# (the real server refuses it when it connects) and /refresh answers 502. With
# --mcp-allow-private the URL is accepted (tools listed by asking the server: t0640).
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

mk() { # NAME URL
	sim_call POST /v1/mcp-servers/ "{\"server_name\":\"$1\",\"config\":{\"mcp_server_type\":\"streamable_http\",\"server_url\":\"$2\"}}"
}
for case in 127.0.0.1:http://127.0.0.1:8080/mcp 10.1.2.3:https://10.1.2.3/mcp 192.168.0.7:http://user@192.168.0.7/ \
	172.20.0.1:http://172.20.0.1:1/x 169.254.169.254:http://169.254.169.254/ 0.0.0.0:http://0.0.0.0/ \
	::1:http://[::1]:8080/mcp fd00::1:http://[fd00::1]/ ::ffff:127.0.0.1:http://[::ffff:127.0.0.1]/; do
	host=${case%%:http*}
	mk p "${case#"$host":}"
	expect_status 422
	expect_body ".detail | contains(\"Value error, Non-public IP not allowed: $host\")"
done
sim_get /v1/mcp-servers/ | jq -e 'length == 0' >/dev/null || fail "a refused server was created"

# Public addresses and host names pass; public URLs offer the built-in fake tools.
mk pub https://8.8.8.8/mcp
expect_status 200
pid=$(body_get .id)
sim_get "/v1/mcp-servers/$pid/tools" | jq -e 'length >= 2' >/dev/null || fail "no fake tools for a public URL"
mk named https://mcp.example.com/mcp
expect_status 200
mk local http://localhost:9/mcp
expect_status 200
lid=$(body_get .id)
sim_get "/v1/mcp-servers/$lid/tools" | jq -e 'length == 0' >/dev/null || fail "tools for an unreachable host name"
sim_call PATCH "/v1/mcp-servers/$lid/refresh"
expect_status 502
expect_body '.detail | test("local")'

# --mcp-allow-private: accepted; nothing listens on port 9, so no tools (best-effort create).
start_sim --mcp-allow-private
mk p http://127.0.0.1:9/mcp
expect_status 200
mid=$(body_get .id)
sim_get "/v1/mcp-servers/$mid/tools" | jq -e 'length == 0' >/dev/null || fail "tools from nowhere"
sim_call PATCH "/v1/mcp-servers/$mid/refresh"
expect_status 502
grep -q "cannot list its tools" "$TMP/sim.log" || fail "no note in the simulator's log"
