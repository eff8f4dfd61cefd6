#!/usr/bin/env bash
# The client waits as long as the server's Retry-After says (429s and lock 409s), even when
# its own backoff is shorter, and gives up on a timeout with a clear error (issue 6).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-api.sh"
needs_sim
export LETTA_SYNC_RETRY_BASE_MS=1 LETTA_SYNC_RETRY_MAX_MS=1 LETTA_SYNC_MAX_RETRIES=20

start_sim --seed 3 --throttle-rate 0.25 --conflict-rate 0.1 --retry-after-s 1
# One request at a time (a request waiting for its retry frees its slot for others).
waits=0 elapsed=0
for i in 1 2 3; do
	t0=$(date +%s%N)
	api -v list block
	t1=$(date +%s%N)
	expect_rc 0
	waits=$((waits + $(grep -cE -- '-> (429|409) ' "$TMP/err" || true)))
	elapsed=$((elapsed + (t1 - t0) / 1000000))
done
[ "$waits" -gt 0 ] || fail "no 429 or 409 was seen; pick another seed"
[ "$elapsed" -ge $((waits * 950)) ] || fail "$waits Retry-After: 1 answers but only $elapsed ms elapsed"

# A write that meets a lock 409 is retried too.
api create block '{"label":"lock","value":"a"}'
expect_rc 0
id=$(jq -r .id "$TMP/out")
api -v update block "$id" '{"value":"b"}'
expect_rc 0
expect_jq '.value == "b"'
stop_sim

# A server slower than LETTA_SYNC_TIMEOUT: no answer, said so, with the setting to change.
start_sim --seed 1 --latency-ms 2500
LETTA_SYNC_TIMEOUT=1 LETTA_SYNC_MAX_RETRIES=0 api list tool
expect_rc 1
expect_err "^error: no answer from $SIM_URL/v1/tools/: .*[Tt]imed? ?out"
expect_err 'LETTA_SYNC_TIMEOUT'
expect_err '^code: NETWORK$'
exit 0
