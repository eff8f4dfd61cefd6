# Sourced after lib-e2e.sh by the tests of the API client (t06NN-api-*.sh, issue 6): runs the
# api-driver test tool (tests/tools/api-driver.c) against a private letta-sim.

: "${API_BIN:=$LS_BUILD_DIR/api-driver}"
[ -x "$API_BIN" ] || skip "api-driver is not built"

# The simulator must exist (it is a placeholder until it lands).
if [ -z "${LETTA_SYNC_E2E_BASE_URL:-}" ] && ! "$SIM_BIN" --help >/dev/null 2>&1; then
	skip "letta-sim is not available"
fi

# api ARGS...: runs api-driver with stdout in $TMP/out and stderr in $TMP/err; sets $rc. Fails
# the test when the key shows up in either.
api() {
	set +e
	"$API_BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	no_key_in "$TMP/out" "$TMP/err"
}

no_key_in() {
	if [ -n "${SIM_KEY:-}" ] && grep -qF -- "$SIM_KEY" "$@"; then
		fail "the API key appeared in: $*"
	fi
	if [ -n "${LETTA_API_KEY:-}" ] && grep -qF -- "$LETTA_API_KEY" "$@"; then
		fail "the API key appeared in: $*"
	fi
}

# Retries in milliseconds, so that fault tests run fast.
fast_retries() {
	export LETTA_SYNC_RETRY_BASE_MS=1 LETTA_SYNC_RETRY_MAX_MS=20 LETTA_SYNC_MAX_RETRIES=12
}

sim_state() {
	curl -fsS "$SIM_URL/_sim/state"
}

# sim_count 'GET /v1/blocks/': requests the simulator counted on one route template.
sim_count() {
	sim_stats | jq --arg k "$1" '.requests[$k] // 0'
}

