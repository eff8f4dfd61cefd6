#!/usr/bin/env bash
# Issue 20, item 6: `pull --dry-run` prints the manifests it would write, and a URL printed there
# is masked like every other printed URL (util/redact.c): an MCP server whose URL carries a
# password in its user-info and a token in its query never shows them on stdout or stderr.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim
export LETTA_SYNC_PROJECT=urlcreds-$RANDOM
PW=pw_$RANDOM$RANDOM TOK=tok_$RANDOM$RANDOM
repo=$TMP/repo
mkdir -p "$repo/.letta/manifests/org"
cd "$repo"
run projects create "$LETTA_SYNC_PROJECT"
expect_rc 0
# An unmanaged MCP server made by hand, its credentials inside the URL.
sim_call POST /v1/mcp-servers/ "{\"server_name\":\"hand\",\"config\":{\"mcp_server_type\":\"sse\",\"server_url\":\"https://admin:$PW@mcp.example.com/sse?token=$TOK\"}}"
expect_status 200
run pull --all --dry-run
expect_rc 0
expect_out 'kind: MCPServer'
expect_out 'mcp\.example\.com'
grep -q "$PW" "$TMP/out" "$TMP/err" && fail "the URL's password was printed: $(grep "$PW" "$TMP/out")"
grep -q "$TOK" "$TMP/out" "$TMP/err" && fail "the URL's token was printed: $(grep "$TOK" "$TMP/out")"
[ -z "$(find .letta -type f)" ] || fail "a dry run wrote files: $(find .letta -type f)"
