#!/usr/bin/env bash
# Letta Cloud needs LETTA_API_KEY: every command that talks to the server says so, names the
# variable, and sends no request (no "http:" trace with -v); context still works offline.
. "$(dirname "$0")/lib-e2e.sh"

cp -r "$LS_SOURCE_DIR/examples" "$TMP/repo"
cd "$TMP/repo"
for cmd in "diff" "sync" "status" "upgrade --all --check" "projects list" "pull --dry-run" \
	"scope-sync --agent agent-00000000-0000-4000-8000-000000000001" "bootstrap --name x"; do
	# shellcheck disable=SC2086
	run $cmd -v --json
	expect_rc 1
	expect_jq '.ok == false and .error.code == "AUTH"'
	expect_jq '.error.message | test("LETTA_API_KEY is not set: Letta Cloud \\(https://api.letta.com\\)")'
	expect_jq '.error.hint | test("LETTA_BASE_URL")'
	if grep -q 'http: ' "$TMP/err"; then
		fail "'$cmd' sent a request without a key: $(cat "$TMP/err")"
	fi
done
run context
expect_rc 0
expect_out 'API key: +not set: export LETTA_API_KEY'
echo ok
