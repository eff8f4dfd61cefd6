#!/usr/bin/env bash
# Benchmarks letta-sim (not part of ctest; figures go to docs/performance.md):
#  1. small GETs per second over keep-alive connections with no latency (target >= 5,000/s);
#  2. 200 concurrent requests with --latency-ms 50 (target well under 1 s).
# Usage: bench/sim-bench.sh [BUILD_DIR]   (default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
sim=$build/letta-sim
load=$build/sim-load
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

[ -x "$sim" ] || { echo "build letta-sim first ($sim)" >&2; exit 1; }
cc -O2 -std=gnu11 -pthread -o "$load" "$root/bench/sim-load.c"

start() { # letta-sim options...
	"$sim" --port 0 --api-key bench "$@" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 100); do [ -s "$tmp/out" ] && break; sleep 0.05; done
	port=$(sed -n '1s/^listening on http:\/\/127.0.0.1://p' "$tmp/out")
	[ -n "$port" ] || { echo "letta-sim did not start" >&2; exit 1; }
}
stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

echo "== letta-sim: $(nproc) CPUs, $(uname -sr)"
start
# A realistic small GET: one agent and one block exist.
curl -fsS -o /dev/null -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' \
	-d '{"label":"human","value":"v"}' "http://127.0.0.1:$port/v1/blocks/"
for c in 1 4 16; do
	printf 'GET /v1/blocks/count, %2d keep-alive connections: ' "$c"
	"$load" rate "$port" /v1/blocks/count bench "$c" 3
done
printf 'GET /v1/blocks/?limit=1, 4 keep-alive connections: '
"$load" rate "$port" '/v1/blocks/?limit=1' bench 4 3
stop

start --latency-ms 50
for i in 1 2 3; do
	printf 'burst %d, 200 concurrent GET /v1/health/ with 50 ms latency: ' "$i"
	"$load" burst "$port" /v1/health/ bench 200
done
for i in 1 2 3; do
	printf 'burst %d, 200 concurrent GET /v1/blocks/count with 50 ms latency: ' "$i"
	"$load" burst "$port" /v1/blocks/count bench 200
done
stop
