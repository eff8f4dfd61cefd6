# Sourced by every tests/e2e/tNNNN-*.sh. Gives each test a private temp dir (and, with
# start_sim, a private letta-sim on a free port) and removes both on any exit, so ctest -j
# can run tests in parallel.
set -euo pipefail

: "${LS_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${LS_BUILD_DIR:=$LS_SOURCE_DIR/build}"
: "${LS_BIN:=$LS_BUILD_DIR/letta-sync}"
: "${SIM_BIN:=$LS_BUILD_DIR/letta-sim}"

TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ls-e2e.XXXXXX")
SIM_PID=
SIM_URL=
SIM_KEY=test-key-$RANDOM$RANDOM
export HOME="$TMP/home"
mkdir -p "$HOME"
# A clean environment: nothing of the developer's leaks into a test.
unset LETTA_SYNC_PROJECT LETTA_PROJECT SMARTY_PROJECT LETTA_SYNC_ORG SMARTY_ORG \
	LETTA_SYNC_AGENT SMARTY_AGENT LETTA_BASE_URL LETTA_API_URL LETTA_API_KEY \
	LETTA_SERVER_PASSWORD NO_COLOR || true
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
export GIT_CONFIG_NOSYSTEM=1

cleanup() {
	local rc=$?
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	# Under make test-asan, a sanitizer report from letta-sim fails the test.
	if [ $rc -eq 0 ] && [ -f "$TMP/sim.log" ] &&
		grep -qE 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:' "$TMP/sim.log"; then
		echo "FAIL: $TEST_NAME: letta-sim reported a sanitizer error" >&2
		rc=1
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		echo "--- $TEST_NAME failed (rc=$rc); last output:" >&2
		for f in "$TMP"/out "$TMP"/err "$TMP"/sim.log; do
			[ -f "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
		done
	fi
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $TEST_NAME: $*" >&2
	exit 77
}

# run CMD...: runs letta-sync with stdout in $TMP/out and stderr in $TMP/err; sets $rc.
run() {
	set +e
	"$LS_BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	if [ -n "${SIM_KEY:-}" ] && grep -qF "$SIM_KEY" "$TMP/out" "$TMP/err"; then
		fail "the API key appeared in the output of: letta-sync $*"
	fi
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "expected exit $1, got $rc; stderr: $(cat "$TMP/err")"
}

expect_out() { # grep -E pattern on stdout
	grep -qE -- "$1" "$TMP/out" || fail "stdout lacks /$1/: $(cat "$TMP/out")"
}

expect_err() {
	grep -qE -- "$1" "$TMP/err" || fail "stderr lacks /$1/: $(cat "$TMP/err")"
}

expect_jq() { # jq expression that must print true on stdout
	local got
	got=$(jq -e "$1" "$TMP/out" 2>/dev/null) || fail "jq '$1' is not true on: $(cat "$TMP/out")"
	[ "$got" = "true" ] || fail "jq '$1' gave $got"
}

# new_repo DIR: an empty git repository with one commit.
new_repo() {
	mkdir -p "$1"
	git -C "$1" init -q -b main
	git -C "$1" commit -q --allow-empty -m init
}

# needs_sim: tests that only make sense against letta-sim are skipped against a real server.
needs_sim() {
	if [ -n "${LETTA_SYNC_E2E_BASE_URL:-}" ]; then
		skip "needs letta-sim"
	fi
}

# start_sim [letta-sim options...]: starts a private simulator on a free port and exports
# LETTA_BASE_URL and LETTA_API_KEY for letta-sync.
start_sim() {
	if [ -n "${LETTA_SYNC_E2E_BASE_URL:-}" ]; then
		export LETTA_BASE_URL=$LETTA_SYNC_E2E_BASE_URL
		export LETTA_API_KEY=${LETTA_SYNC_E2E_API_KEY:?set LETTA_SYNC_E2E_API_KEY}
		SIM_KEY=$LETTA_API_KEY
		return
	fi
	local fifo="$TMP/sim.fifo" line
	# A second start_sim replaces the first simulator.
	[ -n "$SIM_PID" ] && stop_sim
	rm -f "$fifo"
	mkfifo "$fifo"
	"$SIM_BIN" --port 0 --api-key "$SIM_KEY" "$@" >"$fifo" 2>"$TMP/sim.log" &
	SIM_PID=$!
	exec 9<"$fifo"
	read -r -t 10 line <&9 || fail "letta-sim did not start: $(cat "$TMP/sim.log")"
	case "$line" in
	"listening on "*) SIM_URL=${line#listening on } ;;
	*) fail "unexpected first line from letta-sim: $line" ;;
	esac
	# Keep draining its stdout so that it never blocks.
	cat <&9 >>"$TMP/sim.log" &
	export LETTA_BASE_URL=$SIM_URL
	export LETTA_API_KEY=$SIM_KEY
}

# sim_get PATH: GET an admin or API path of the simulator (JSON on stdout).
sim_get() {
	curl -fsS -H "Authorization: Bearer $SIM_KEY" "$SIM_URL$1"
}

sim_stats() {
	curl -fsS "$SIM_URL/_sim/stats"
}

# sim_call METHOD PATH [JSON-BODY [curl options...]]: one API call to the simulator with the
# key and no User-Agent (a "1.0 client", as libcurl is: docs/contract/letta-api.md section 1.2). The
# body lands in $TMP/body, the headers in $TMP/headers, the status in $status ("000" when the
# connection closed without a reply).
sim_call() {
	local method=$1 path=$2 data=${3-}
	local args=(-sS -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -X "$method"
		-H "Authorization: Bearer $SIM_KEY" -H 'User-Agent:')
	shift 2
	[ $# -gt 0 ] && shift
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	: >"$TMP/body"
	status=$(curl "${args[@]}" "$@" "$SIM_URL$path" 2>/dev/null) || status=000
}

expect_status() {
	[ "$status" = "$1" ] || fail "expected HTTP $1, got $status: $(head -c 600 "$TMP/body")"
}

# expect_body JQ: a jq expression that must print true on the last sim_call's body.
expect_body() {
	local got
	got=$(jq -e "$1" "$TMP/body" 2>/dev/null) ||
		fail "jq '$1' is not true on: $(head -c 600 "$TMP/body")"
	[ "$got" = "true" ] || fail "jq '$1' gave $got on: $(head -c 600 "$TMP/body")"
}

# body_get JQ: prints jq -r of the last body.
body_get() {
	jq -r "$1" "$TMP/body"
}

# expect_header NAME REGEX: a response header of the last sim_call.
expect_header() {
	grep -iqE "^$1: $2"$'\r'"?$" "$TMP/headers" ||
		fail "header $1 lacks /$2/: $(cat "$TMP/headers")"
}

# sim_admin METHOD PATH [JSON]: the /_sim admin API (no auth); JSON on stdout.
sim_admin() {
	if [ -n "${3-}" ]; then
		curl -fsS -X "$1" -H 'Content-Type: application/json' --data-binary "$3" "$SIM_URL$2"
	else
		curl -fsS -X "$1" "$SIM_URL$2"
	fi
}

# stop_sim: SIGTERM to the simulator and wait for it (it saves --state on the way out).
stop_sim() {
	if [ -n "$SIM_PID" ]; then
		kill -TERM "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
		SIM_PID=
	fi
	exec 9<&- || true
	rm -f "$TMP/sim.fifo"
}
