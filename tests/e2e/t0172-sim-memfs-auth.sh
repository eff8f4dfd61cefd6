#!/usr/bin/env bash
# letta-sim MemFS (docs/contract/memfs.md "Auth", issue 24): the git routes take HTTP Basic letta:<key> (in
# the URL, or as a header) and Authorization: Bearer <key>; anything else is a 401 with a Basic
# challenge. An unknown agent, or one without the tag git-memory-enabled, is a 404; an agent
# given the tag later gets a repository made from its current blocks.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
start_sim
A=$(memfs_agent authed)
hostport=${SIM_URL#http://}
plain=http://$hostport/v1/git/$A/state.git
export GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false

# expect_git_fails WHAT REGEX CMD...: a git command that must fail with REGEX on stderr.
expect_git_fails() {
	local what=$1 re=$2
	shift 2
	if "$@" >/dev/null 2>"$TMP/git.err"; then fail "$what: git succeeded"; fi
	grep -qiE -- "$re" "$TMP/git.err" || fail "$what: no /$re/ in: $(cat "$TMP/git.err")"
}

# No credentials, a wrong key, a wrong user: refused.
expect_git_fails "no credentials" 'Authentication failed|could not read Username|401' git ls-remote "$plain"
expect_git_fails "wrong key" 'Authentication failed|401' git ls-remote "$(git_url "$A" wrong-key)"
expect_git_fails "wrong user" 'Authentication failed|401' git ls-remote "http://someone:$SIM_KEY@$hostport/v1/git/$A/state.git"
# The 401 carries a Basic challenge (git sends URL credentials only after one).
# raw_get PATH [curl options]: a request without the API key; status in $status.
raw_get() {
	local path=$1
	shift
	status=$(curl -sS -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$SIM_URL$path")
}
raw_get "/v1/git/$A/state.git/info/refs?service=git-upload-pack"
expect_status 401
expect_header WWW-Authenticate 'Basic realm="Letta"'
raw_get "/v1/git/$A/state.git/info/refs?service=git-upload-pack" -H "Authorization: Basic $(printf 'letta:nope' | base64)"
expect_status 401
raw_get "/v1/git/$A/state.git/info/refs?service=git-upload-pack" -H "Authorization: Bearer nope"
expect_status 401
# A push without the key is refused before anything changes.
memfs_clone "$A" "$TMP/c"
write_md "$TMP/c/system/x.md" "X" $'x\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm x
main0=$(remote_main "$A")
expect_git_fails "push without key" 'Authentication failed|could not read Username|401' git -C "$TMP/c" push -q "$plain" main
[ "$(remote_main "$A")" = "$main0" ] || fail "an unauthenticated push moved main"

# Basic in the URL, Basic as a header, Bearer as a header: all work.
git ls-remote "$(git_url "$A")" refs/heads/main | grep -q "$main0" || fail "basic in URL"
basic=$(printf 'letta:%s' "$SIM_KEY" | base64 -w0)
git -c "http.extraHeader=Authorization: Basic $basic" ls-remote "$plain" refs/heads/main 2>"$TMP/git.err" |
	grep -q "$main0" || fail "basic header: $(cat "$TMP/git.err")"
git -c "http.extraHeader=Authorization: Bearer $SIM_KEY" clone -q "$plain" "$TMP/bearer" 2>"$TMP/git.err" ||
	fail "bearer clone: $(cat "$TMP/git.err")"
git -C "$TMP/c" -c "http.extraHeader=Authorization: Bearer $SIM_KEY" push -q "$plain" main 2>"$TMP/git.err" ||
	fail "bearer push: $(cat "$TMP/git.err")"
sim_call GET "/v1/agents/$A/core-memory/blocks/x"
expect_status 200
# The API itself still takes only Bearer.
raw_get "/v1/agents/$A" -H "Authorization: Basic $basic"
expect_status 401

# 404: an unknown agent, an agent without the tag, a malformed id.
expect_git_fails "unknown agent" '404|not found' git ls-remote "$(git_url agent-00000000-0000-4000-8000-000000000000)"
sim_call POST /v1/agents/ '{"name":"plain","model":"openai/gpt-4o-mini","memory_blocks":[{"label":"persona","value":"plain agent\n","description":"Who"}]}'
P=$(body_get .id)
expect_git_fails "agent without the tag" '404|not found' git ls-remote "$(git_url "$P")"
sim_call GET "/v1/git/$P/state.git/info/refs?service=git-upload-pack"
expect_status 404
sim_call GET "/v1/git/not-an-id/state.git/info/refs?service=git-upload-pack"
expect_status 404
# The dumb protocol is not served.
sim_call GET "/v1/git/$A/state.git/info/refs"
expect_status 403

# Letta Code adds the tag by PATCHing the tags: the repository is made from the current blocks.
sim_call PATCH "/v1/agents/$P" '{"tags":["git-memory-enabled"]}'
expect_status 200
memfs_clone "$P" "$TMP/p"
grep -qx 'plain agent' "$TMP/p/system/persona.md" || fail "tagged-later repo: $(ls -R "$TMP/p")"
echo "ok"
