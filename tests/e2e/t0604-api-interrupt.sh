#!/usr/bin/env bash
# Ctrl-C during a batch: no new request starts, the ones in flight finish, and the caller
# learns how many completed (exit 130) (issue 6).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-api.sh"
needs_sim
start_sim --seed 5 --latency-ms 200

set +e
"$API_BIN" bench-get 400 /v1/blocks/ >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1
kill -INT $pid
start=$(date +%s)
wait $pid
rc=$?
set -e
no_key_in "$TMP/out" "$TMP/err"
[ $(($(date +%s) - start)) -le 4 ] || fail "took more than the grace period to stop"
expect_rc 130
expect_err '^error: interrupted: [0-9]+ of 400 requests completed$'
done_n=$(sed -nE 's/^error: interrupted: ([0-9]+) of 400.*/\1/p' "$TMP/err")
[ "$done_n" -gt 0 ] && [ "$done_n" -lt 400 ] || fail "completed $done_n of 400"
sleep 0.5
total=$(sim_stats | jq .total)
# Nothing new after Ctrl-C: what the server saw is what completed plus what was in flight.
[ "$total" -le $((done_n + 8)) ] || fail "server saw $total requests, $done_n completed"
expect_err '^code: INTERRUPTED$'
exit 0
