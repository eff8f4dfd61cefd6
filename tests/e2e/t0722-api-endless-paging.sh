#!/usr/bin/env bash
# Issue 20, item 8: every pager stops with a clear error on a page that brings nothing new or
# at the page cap (LETTA_SYNC_MAX_PAGES), instead of looping with growing memory. A fake server
# (python3) that (a) always answers hasNextPage: true with the same projects, (b) invents a new
# project on every page, (c) cycles a cursor list (page 3 repeats page 1 with a different
# cursor than page 2's, which the old "same cursor twice" check missed).
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
command -v python3 >/dev/null || skip "python3 is needed for the fake server"
cat >"$TMP/fake.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs
mode = sys.argv[1]
count = {"n": 0}
class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        count["n"] += 1
        demo = {"id": "project-1", "name": "demo", "slug": "demo"}
        if u.path == "/_count":
            body = {"n": count["n"]}
        elif u.path == "/v1/projects":
            off = int(q.get("offset", ["0"])[0])
            if mode == "repeat":
                body = {"projects": [demo], "hasNextPage": True}
            elif mode == "endless":
                body = {"projects": [dict(demo, id="project-%d" % off, slug="p%d" % off)],
                        "hasNextPage": True}
            else:
                body = {"projects": [demo], "hasNextPage": False}
        elif u.path.startswith("/v1/blocks") and mode == "cycle":
            after = q.get("after", [None])[0]
            page = {None: ["a", "b"], "b": ["c", "d"], "d": ["a", "e"], "e": ["c", "d"]}.get(after, [])
            # The ids are the cursors: a, b | c, d | a, e | c, d (seen: no progress).
            body = [{"id": x, "label": x, "value": "", "metadata": {}} for x in page]
        elif u.path.startswith("/v1/"):
            body = []
        else:
            self.send_response(404); self.end_headers(); return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print("listening on http://127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
PY
FAKE_PID=
stop_fake() {
	[ -z "$FAKE_PID" ] || { kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; }
	FAKE_PID=
}
trap 'stop_fake; cleanup' EXIT INT TERM
# start_fake MODE: the fake server on a free port; exports LETTA_BASE_URL.
start_fake() {
	stop_fake
	rm -f "$TMP/fake.fifo"
	mkfifo "$TMP/fake.fifo"
	python3 "$TMP/fake.py" "$1" >"$TMP/fake.fifo" 2>"$TMP/fake.log" &
	FAKE_PID=$!
	exec 8<"$TMP/fake.fifo"
	read -r -t 10 line <&8 || fail "the fake server did not start: $(cat "$TMP/fake.log")"
	export LETTA_BASE_URL=${line#listening on }
	export LETTA_API_KEY=$SIM_KEY
}
# run_t CMD...: run, but a pager that never stops fails the test (exit 124) instead of hanging.
run_t() {
	set +e
	timeout 60 "$LS_BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
}
requests() {
	curl -fsS "$LETTA_BASE_URL/_count" | jq .n
}
export LETTA_SYNC_RETRY_BASE_MS=0

# (a) The same page forever: stops at page 2, naming the list.
start_fake repeat
for cmd in "projects list" "projects list --json"; do
	run_t $cmd
	expect_rc 1
done
expect_jq '.ok == false and .error.code == "API" and .error.where == "GET /v1/projects"
	and (.error.message | test("page 2 of the project list brought no new item"))'
run_t projects list
expect_err "error: GET /v1/projects: page 2 of the project list brought no new item"
[ "$(requests)" -le 7 ] || fail "too many requests for a repeating list: $(requests)"

# (b) A new project on every page: the cap stops it (and names the variable that raises it).
start_fake endless
LETTA_SYNC_MAX_PAGES=25 run_t projects list
expect_rc 1
expect_err "error: GET /v1/projects: the project list did not end after 25 pages"
expect_err "LETTA_SYNC_MAX_PAGES"
[ "$(requests)" -eq 26 ] || fail "expected 25 pages (+1 count), got $(requests)"
LETTA_SYNC_MAX_PAGES=0 run projects list
expect_rc 64
expect_err "LETTA_SYNC_MAX_PAGES must be a whole number from 1 to 1000000"

# (c) A cursor list that comes back to an earlier page.
start_fake cycle
new_repo "$TMP/repo"
cd "$TMP/repo"
mkdir -p .letta/manifests/project
printf 'apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: a}\nspec: {layer: project, label: a, value: x}\n' \
	>.letta/manifests/project/blocks.yaml
export LETTA_SYNC_PROJECT=demo
run_t diff
expect_rc 1
expect_err "GET /v1/blocks/.*brought no new item"
echo "ok: $TEST_NAME"
