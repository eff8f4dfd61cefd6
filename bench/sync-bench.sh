#!/usr/bin/env bash
# sync benchmark (issue 8; not part of ctest): NBLOCKS shared blocks and NTOOLS tools synced
# into an empty project, then a no-op re-sync, against letta-sim with LATENCY_MS per request.
# Reports requests against the minimum and wall time against the critical path.
#
#   bench/sync-bench.sh [BUILD_DIR]   env: NBLOCKS=500 NTOOLS=50 LATENCY_MS=20 CONCURRENCY=8
#
# The minimum for the first sync: the project look-up (1) and its creation (1), the six lists
# (one page each, plus the empty page after the simulator's built-in tools: 7), one POST per
# block, a PUT and a PATCH (metadata_, which ToolCreate cannot carry) per tool, and the
# inventory (1). For the re-sync: the project look-up and every page of the lists, no write.
# The critical path at concurrency C: the project look-up, its creation, the lists (3 rounds),
# the creates
# (ceil((NBLOCKS + NTOOLS) / C) rounds), the tool markers (ceil(NTOOLS / C)), the inventory (1).
set -euo pipefail

BUILD=${1:-${BUILD:-build}}
NBLOCKS=${NBLOCKS:-500}
NTOOLS=${NTOOLS:-50}
LATENCY_MS=${LATENCY_MS:-20}
CONCURRENCY=${CONCURRENCY:-8}

. "$(dirname "$0")/lib-bench.sh"
bench_init sync-bench sync-bench letta-sim letta-sync -- jq
bench_start_sim sync-bench --seed 1 --latency-ms "$LATENCY_MS"
export LETTA_BASE_URL=$URL LETTA_API_KEY=$KEY LETTA_SYNC_PROJECT=bench-project

# The config repository.
REPO=$TMP/repo
mkdir -p "$REPO/.letta/manifests/project"
git -C "$REPO" init -q -b main
{
	for i in $(seq 1 "$NBLOCKS"); do
		printf -- '---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: block_%d}\n' "$i"
		printf 'spec: {layer: project, label: block_%d, value: "shared block %d"}\n' "$i" "$i"
	done
} >"$REPO/.letta/manifests/project/blocks.yaml"
{
	for i in $(seq 1 "$NTOOLS"); do
		cat <<YAML
---
apiVersion: letta.ai/v1
kind: Tool
metadata: {name: tool_$i}
spec:
  layer: project
  sourceType: python
  sourceCode: "def tool_$i(x: str) -> str:\n    return x\n"
  jsonSchema: {type: function, function: {name: tool_$i, description: "Tool $i.", parameters: {type: object, properties: {x: {type: string}}, required: [x]}}}
YAML
	done
} >"$REPO/.letta/manifests/project/tools.yaml"
git -C "$REPO" add -A
git -C "$REPO" -c user.name=b -c user.email=b@b commit -q -m bench

ms() { date +%s%3N; }
stats() { curl -fsS "$URL/_sim/stats"; }

curl -fsS -X POST "$URL/_sim/stats/reset" >/dev/null || true
t0=$(ms)
"$LS" -C "$REPO" sync --concurrency "$CONCURRENCY" >"$TMP/sync1.out" 2>"$TMP/sync1.err" ||
	{ echo "sync-bench: first sync failed:" >&2; tail "$TMP/sync1.err" >&2; exit 1; }
t1=$(ms)
s1=$(stats)
"$LS" -C "$REPO" sync --concurrency "$CONCURRENCY" >"$TMP/sync2.out" 2>"$TMP/sync2.err" ||
	{ echo "sync-bench: re-sync failed:" >&2; tail "$TMP/sync2.err" >&2; exit 1; }
t2=$(ms)
s2=$(stats)

total1=$(jq .total <<<"$s1")
writes1=$(jq .writes <<<"$s1")
total2=$(($(jq .total <<<"$s2") - total1))
writes2=$(($(jq .writes <<<"$s2") - writes1))
min_writes1=$((1 + NBLOCKS + 2 * NTOOLS + 1))
min_reads1=$((1 + 7))
ceil() { echo $((($1 + $2 - 1) / $2)); }
rounds1=$((3 + $(ceil $((NBLOCKS + NTOOLS)) "$CONCURRENCY") + $(ceil "$NTOOLS" "$CONCURRENCY") + 1))
crit1=$((rounds1 * LATENCY_MS))

echo "first sync:  $total1 requests ($writes1 writes; minimum $((min_reads1 + min_writes1)), $min_writes1 writes), $((t1 - t0)) ms (critical path at concurrency $CONCURRENCY: $rounds1 rounds = $crit1 ms)"
echo "re-sync:     $total2 requests ($writes2 writes; minimum 0 writes), $((t2 - t1)) ms"
jq -c '.requests' <<<"$s2"
