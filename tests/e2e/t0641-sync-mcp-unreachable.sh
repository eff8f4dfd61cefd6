#!/usr/bin/env bash
# An MCP server the Letta server cannot reach (issue 21 item 5). The real server accepts a URL
# whose host is a name (it checks names only when it connects), lists the tools best-effort,
# and so creates a server with no tools when it cannot connect (here: "localhost", which
# resolves to a private address; or nothing listening). sync must not report such an agent as
# complete in silence: it warns, naming the server and its URL, and attaches nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

fleet() { mcp_fleet local streamable_http "$@"; } # URL TOOLS

# A host name: created (no 422), without tools.
fleet "http://localhost:9/mcp" all
run sync --json
expect_rc 0
expect_jq '.ok == true and any(.warnings[]; test("MCP server .local. has no tools: the Letta server could not list them \\(can it reach http://localhost:9/mcp\\?\\)"))'
sim_get /v1/mcp-servers/ | jq -e 'length == 1 and .[0].server_url == "http://localhost:9/mcp"' >/dev/null ||
	fail "the MCP server was not created: $(sim_get /v1/mcp-servers/)"
sim_get "/v1/agents/?name=bob&include=agent.tools" | jq -e '[.[0].tools[] | select(.tool_type == "external_mcp")] | length == 0' >/dev/null ||
	fail "bob has MCP tools"
# Named tools: one warning about the server, not one per tool; diff says it too.
fleet "http://localhost:9/mcp" "[echo, get-sum]"
run diff
expect_rc 0
expect_err "MCP server 'local' has no tools"
grep -q "offers no tool 'echo'" "$TMP/err" && fail "a warning per tool: $(cat "$TMP/err")"

# With --mcp-allow-private and nothing listening: the same.
start_sim --mcp-allow-private
export LETTA_SYNC_PROJECT=e2e-t0641-closed
fleet "http://127.0.0.1:9/mcp" all
run sync
expect_rc 0
expect_err "MCP server 'local' has no tools: .*can it reach http://127\.0\.0\.1:9/mcp"
