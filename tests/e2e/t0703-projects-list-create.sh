#!/usr/bin/env bash
# projects: list prints the original's "<slug>  (<id>)  <name>" lines and --json, create is
# idempotent (201 once, then "already exists"), usage errors exit 64 with a hint, and a server
# without /v1/projects (self-hosted Letta) is explained.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim
cd "$TMP"

run projects
expect_rc 64
expect_err 'projects needs a sub-command: list or create'
run projects lsit
expect_rc 64
expect_err "did you mean 'list'"
run projects create
expect_rc 64
expect_err 'needs a name'

run projects create alpha-$$
expect_rc 0
expect_out "^Created project: alpha-$$\$"
expect_out '^  ID: [0-9a-f-]{36}$'
sim_stats | jq -e '.requests["POST /v1/projects"] == 1' >/dev/null || fail "no POST: $(sim_stats)"

# Idempotent: a second create finds it and sends no POST.
run projects create alpha-$$ --json
expect_rc 0
expect_jq ".ok == true and .command == \"projects\" and .data.created == false and .data.project.slug == \"alpha-$$\""
sim_stats | jq -e '.requests["POST /v1/projects"] == 1' >/dev/null || fail "a second POST was sent"

run projects create beta-$$
expect_rc 0
id=$(sim_get "/v1/projects?name=beta-$$" | jq -r '.projects[0].id')

run projects list
expect_rc 0
expect_out "^alpha-$$  \([0-9a-f-]{36}\)  alpha-$$\$"
expect_out "^beta-$$  \($id\)  beta-$$\$"

# Global options before the sub-command work too; offset paging reads every page.
run --json projects list
expect_rc 0
expect_jq ".data.projects | map(.slug) | index(\"beta-$$\") != null"
start_sim --max-page 1
for i in 1 2 3; do
	run projects create proj-$i
	expect_rc 0
done
run projects list --json
expect_rc 0
expect_jq '.data.projects | length == 3'

# A self-hosted server has no /v1/projects: a 404 explained, exit 1.
command -v python3 >/dev/null || skip "python3 is needed for the self-hosted check"
mkdir "$TMP/www"
(cd "$TMP/www" && exec python3 -m http.server 0 --bind 127.0.0.1 >"$TMP/py.log" 2>&1) &
py=$!
for _ in $(seq 50); do
	grep -q 'port [0-9]' "$TMP/py.log" 2>/dev/null && break
	sleep 0.1
done
port=$(grep -o 'port [0-9]*' "$TMP/py.log" | head -1 | awk '{print $2}')
LETTA_BASE_URL=http://127.0.0.1:$port run projects list --json
kill "$py" 2>/dev/null || true
expect_rc 1
expect_jq '.ok == false and .error.code == "NOT_FOUND" and .error.message == "this server has no projects (self-hosted Letta)"'
