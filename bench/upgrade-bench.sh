#!/usr/bin/env bash
# upgrade benchmark (issue 11; not part of ctest): NAGENTS managed agents on v1.0.0 moved to
# v1.1.0 with `upgrade --all`, against letta-sim with LATENCY_MS per request. Reports requests
# against the minimum and wall time against the critical path.
#
#   bench/upgrade-bench.sh [BUILD_DIR]   env: NAGENTS=200 LATENCY_MS=20 CONCURRENCY=8
#
# v1.1.0 edits the template's system prompt and attaches a new shared block, so every agent
# changes (system_prompt, memory_blocks, tags) and the block must be created once.
# Minimum requests: the reads (the project look-up and every page of the six lists, as the
# no-op run that follows measures them), the lease's take and release (2), the shared block's
# create (1), the inventory update (1), and one PATCH per agent (NAGENTS). Critical path at
# concurrency C: the look-up, the agents' pages one after another (cursor paging:
# ceil((NAGENTS + 1) / 100) at the page limit of 100, the last one empty), the lease, the
# shared create and the inventory (3 rounds), ceil(NAGENTS / C) rounds of PATCHes, and the
# lease's release (1).
set -euo pipefail

BUILD=${1:-${BUILD:-build}}
NAGENTS=${NAGENTS:-200}
LATENCY_MS=${LATENCY_MS:-20}
CONCURRENCY=${CONCURRENCY:-8}

. "$(dirname "$0")/lib-bench.sh"
bench_init upgrade-bench upgrade-bench letta-sim letta-sync -- jq
bench_start_sim upgrade-bench --seed 1
export LETTA_BASE_URL=$URL LETTA_API_KEY=$KEY LETTA_SYNC_PROJECT=bench-project CI=true

REPO=$TMP/repo
M=$REPO/.letta/manifests/project
mkdir -p "$M"
git -C "$REPO" init -q -b main
g() { git -C "$REPO" -c user.name=b -c user.email=b@b "$@"; }
template() {
	cat <<YAML
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "be kind"}
---
apiVersion: letta.ai/v1
kind: Template
metadata: {name: helper}
spec:
  layer: project
  default: true
  agent:
    name: helper
    system: "$1"
    modelConfig: {model: openai/gpt-4o-mini}
    blocks: [$2]
YAML
}
template "You help." "{name: policy}" >"$M/template.yaml"
for i in $(seq 1 "$NAGENTS"); do
	printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: agent_%d}\nspec: {layer: project, template: helper}\n' "$i"
done >"$M/agents.yaml"
g add -A && g commit -q -m one && g tag v1.0.0
"$LS" -C "$REPO" sync --concurrency 16 >"$TMP/sync.out" 2>"$TMP/sync.err" ||
	{ echo "upgrade-bench: the set-up sync failed:" >&2; tail "$TMP/sync.err" >&2; exit 1; }
{
	template "You help a lot." "{name: policy}, {name: guide}"
	printf -- '---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: guide}\nspec: {layer: project, label: guide, value: "the guide"}\n'
} >"$M/template.yaml"
g add -A && g commit -q -m two && g tag v1.1.0

ms() { date +%s%3N; }
stats() { curl -fsS "$URL/_sim/stats"; }
curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary \
	"{\"latency_ms\": $LATENCY_MS}" "$URL/_sim/faults" >/dev/null
curl -fsS -X POST "$URL/_sim/stats/reset" >/dev/null
s0=$(stats)
t0=$(ms)
"$LS" -C "$REPO" upgrade --all --concurrency "$CONCURRENCY" >"$TMP/up.out" 2>"$TMP/up.err" ||
	{ echo "upgrade-bench: upgrade failed:" >&2; tail "$TMP/up.err" >&2; exit 1; }
t1=$(ms)
s1=$(stats)
tail -n 1 "$TMP/up.out"
"$LS" -C "$REPO" upgrade --all --concurrency "$CONCURRENCY" >"$TMP/up2.out" 2>"$TMP/up2.err"
t2=$(ms)
s2=$(stats)

total=$(($(jq .total <<<"$s1") - $(jq .total <<<"$s0")))
writes=$(($(jq .writes <<<"$s1") - $(jq .writes <<<"$s0")))
total2=$(($(jq .total <<<"$s2") - $(jq .total <<<"$s1")))
writes2=$(($(jq .writes <<<"$s2") - $(jq .writes <<<"$s1")))
ceil() { echo $((($1 + $2 - 1) / $2)); }
pages=$(ceil $((NAGENTS + 1)) 100)
min_reads=$total2
min_writes=$((4 + NAGENTS))
rounds=$((1 + pages + 3 + $(ceil "$NAGENTS" "$CONCURRENCY") + 1))
echo "upgrade --all: $total requests ($writes writes; minimum $((min_reads + min_writes)), $min_writes writes), $((t1 - t0)) ms (critical path at concurrency $CONCURRENCY: $rounds rounds = $((rounds * LATENCY_MS)) ms)"
echo "again (no-op): $total2 requests ($writes2 writes; minimum 0 writes), $((t2 - t1)) ms"
