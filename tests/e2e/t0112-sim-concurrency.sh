#!/usr/bin/env bash
# letta-sim: latency does not cap concurrency: 200 parallel requests with 50 ms latency finish
# in well under the 10 s that one-at-a-time would take (bench/sim-bench.sh measures it finely).
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim --latency-ms 50

cfg=$TMP/par.cfg
for _ in $(seq 200); do
	printf 'url = "%s/v1/blocks/count"\nheader = "Authorization: Bearer %s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' "$SIM_URL" "$SIM_KEY"
done | sed '$d' >"$cfg"
start=$(date +%s%N)
curl -sS --no-progress-meter --parallel --parallel-immediate --parallel-max 200 -K "$cfg" >"$TMP/codes"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$(grep -c '^200$' "$TMP/codes")" = 200 ] || fail "not all 200: $(sort "$TMP/codes" | uniq -c)"
echo "200 requests with 50 ms latency: ${ms} ms"
[ "$ms" -lt 2500 ] || fail "latency caps concurrency: ${ms} ms"
sim_admin GET /_sim/stats | jq -e '.requests["GET /v1/blocks/count"] == 200' >/dev/null || fail "count"
echo ok
