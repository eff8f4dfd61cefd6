#!/usr/bin/env bash
# letta-sim: each fault kind, repeating identically for a fixed seed (decided from seed, route
# and the n-th request on that route): error 500/503 and throttle 429 (Retry-After), conflict
# 409 (Retry-After: 1) and drop (closed) change nothing; a lost reply changes and then closes.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim --seed 42 --error-rate 0.4

N=16
# run_seq: N block creates; prints the statuses on one line, then checks what changed.
run_seq() {
	local out= i
	for i in $(seq $N); do
		sim_call POST /v1/blocks/ "{\"label\":\"f\",\"value\":\"$i\"}"
		out+="$status "
		if [ "$status" = 429 ] || [ "$status" = 409 ]; then
			cp "$TMP/headers" "$TMP/fault.headers"
		fi
	done
	echo "$out"
}
# What the state holds, read through the admin API, which is never faulted.
blocks_count() {
	sim_admin GET /_sim/state | jq '.blocks | length'
}
# fresh KNOBS: empty state and counters, every knob off, then these knobs.
fresh() {
	sim_admin POST /_sim/reset >/dev/null
	sim_admin PUT /_sim/faults '{"error_rate":0,"throttle_rate":0,"drop_rate":0,"lost_reply_rate":0,"conflict_rate":0,"latency_ms":0,"jitter_ms":0}' >/dev/null
	sim_admin PUT /_sim/faults "$1" >/dev/null
}
oks() { tr ' ' '\n' <<<"$1" | grep -c '^200$' || true; }

# error, from the command line: 500 or 503, nothing changed.
s1=$(run_seq)
grep -qE '(500|503)' <<<"$s1" || fail "no error in: $s1"
grep -q 200 <<<"$s1" || fail "no success in: $s1"
[ "$(oks "$s1")" = "$(blocks_count)" ] || fail "an error changed something: $s1"
# The same seed after a restart gives the same statuses.
stop_sim
start_sim --seed 42 --error-rate 0.4
s2=$(run_seq)
[ "$s1" = "$s2" ] || fail "error sequence differs after restart: '$s1' vs '$s2'"
# ... and after a reset, and a different seed gives a different one.
fresh '{"seed":42,"error_rate":0.4}'
[ "$(run_seq)" = "$s1" ] || fail "error sequence differs after reset"
fresh '{"seed":7,"error_rate":0.4}'
[ "$(run_seq)" != "$s1" ] || fail "seed 7 repeats seed 42"

check_kind() { # KNOBS STATUS-REGEX CHANGE(=oks|=all)
	local a b
	fresh "$1"
	a=$(run_seq)
	grep -qE "$2" <<<"$a" || fail "$1: no /$2/ in: $a"
	grep -q 200 <<<"$a" || fail "$1: no success in: $a"
	if [ "$3" = all ]; then
		[ "$(blocks_count)" = $N ] || fail "$1: lost replies must still apply: $a"
	else
		[ "$(oks "$a")" = "$(blocks_count)" ] || fail "$1: a fault changed something: $a"
	fi
	fresh "$1"
	b=$(run_seq)
	[ "$a" = "$b" ] || fail "$1: '$a' then '$b'"
}
check_kind '{"seed":3,"error_rate":0,"throttle_rate":0.4,"retry_after_s":0}' '429' oks
fresh '{"seed":3,"throttle_rate":1,"retry_after_s":0}'
sim_call GET /v1/tools/
expect_status 429
expect_header Retry-After 0
fresh '{"seed":3,"throttle_rate":1,"retry_after_s":5}'
sim_call GET /v1/tools/
expect_header Retry-After 5
check_kind '{"seed":4,"throttle_rate":0,"conflict_rate":0.4}' '409' oks
fresh '{"conflict_rate":1}'
sim_call PATCH "/v1/blocks/block-00000000-0000-4000-8000-000000000000" '{}'
expect_status 409
expect_header Retry-After 1
expect_body '(.detail|type) == "string"'
check_kind '{"seed":5,"conflict_rate":0,"drop_rate":0.4}' '000' oks
check_kind '{"seed":6,"drop_rate":0,"lost_reply_rate":0.4}' '000' all

# Health and the admin API are never faulted; admin calls are not counted.
fresh '{"error_rate":1}'
code=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/v1/health/")
[ "$code" = 200 ] || fail "health faulted: $code"
sim_admin GET /_sim/state >/dev/null || fail "admin faulted"

# Latency: every /v1 request waits at least latency_ms.
fresh '{"error_rate":0,"latency_ms":300}'
t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $SIM_KEY" "$SIM_URL/v1/tags/")
awk -v t="$t" 'BEGIN { exit !(t >= 0.29) }' || fail "latency not applied: ${t}s"
fresh '{"latency_ms":0}'
echo ok
