#!/usr/bin/env bash
# API client benchmark (issue 6; not part of ctest): N GETs against letta-sim with a fixed
# latency at a given concurrency, wall time against the ideal N x latency / concurrency.
#
#   bench/api-bench.sh [BUILD_DIR]       env: N=1000 LATENCY_MS=20 CONCURRENCY=8 RUNS=3
#
# Prints one line per run and a summary; exits 1 when the best run is slower than 1.3 x ideal.
set -euo pipefail

BUILD=${1:-${BUILD:-build}}
N=${N:-1000}
LATENCY_MS=${LATENCY_MS:-20}
CONCURRENCY=${CONCURRENCY:-8}
RUNS=${RUNS:-3}
DRIVER=$BUILD/api-driver

. "$(dirname "$0")/lib-bench.sh"
bench_init api-bench api-bench letta-sim api-driver -- jq
bench_start_sim api-bench --seed 1 --latency-ms "$LATENCY_MS"
export LETTA_BASE_URL=$URL
export LETTA_API_KEY=$KEY
unset LETTA_SYNC_PROJECT

# One real object to read, so that each GET does the work of a retrieve.
id=$("$DRIVER" create block '{"label":"bench","value":"x"}' | jq -r .id)

ideal_ms=$((N * LATENCY_MS / CONCURRENCY))
best=
echo "api-bench: $N x GET /v1/blocks/{id}, latency ${LATENCY_MS} ms, concurrency $CONCURRENCY; ideal ${ideal_ms} ms"
for run in $(seq 1 "$RUNS"); do
	out=$(LETTA_SYNC_CONCURRENCY=$CONCURRENCY "$DRIVER" bench-get "$N" "/v1/blocks/$id")
	ms=$(jq .ms <<<"$out")
	reqs=$(jq .client.requests <<<"$out")
	printf 'run %d: %6d ms  %5.2f x ideal  %d requests  %.0f req/s\n' "$run" "$ms" \
		"$(jq -n "if $ideal_ms > 0 then $ms / ([$ideal_ms, 1] | max) else 0 end")" "$reqs" \
		"$(jq -n "$N * 1000 / ([$ms, 1] | max)")"
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
if [ "$ideal_ms" -eq 0 ]; then
	echo "best: $best ms (no latency: throughput only)"
	exit 0
fi
ratio=$(jq -n "$best / $ideal_ms")
printf 'best: %d ms = %.2f x ideal (target <= 1.30)\n' "$best" "$ratio"
jq -e -n "$ratio <= 1.3" >/dev/null
