#!/usr/bin/env bash
# make bench (issue 15): the whole-product benchmark. Against letta-sim with LATENCY_MS per
# request it runs, RUNS times each from an empty simulator:
#   (a) first sync of a fleet into an empty project: NBLOCKS shared Blocks, NTOOLS Tools and
#       NAGENTS declared Agents from one Template with NPRIVATE private blocks (bench/gen-fleet.py)
#   (b) a no-op re-sync
#   (c) 10 % drift, made in git (block values, tool descriptions, agents' system prompts), synced
# then (d) `validate` of 10,000 resources (bench/validate-bench.sh's repository) and
# (e) `--version` and `context` start-up, and (m) sync of 100 memory-managed agents x 20 memory
# files (bench/memfs-bench.sh). Every figure is set against a minimum derived here
# (requests the API needs, and the critical path: dependent round trips x latency plus
# independent requests / concurrency x latency); see docs/performance.md, "make bench".
# Prints a table and writes bench/results.json (OUT=...). Exits 1 when a target is missed
# and BENCH_STRICT=1.
#
#   bench/bench.sh [BUILD_DIR]   env: RUNS=3 LATENCY_MS=20 CONCURRENCY=8 NBLOCKS=500 NTOOLS=50
#                                     NAGENTS=100 NPRIVATE=10 STARTUP_RUNS=200
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${BUILD:-build}}" && pwd)
RUNS=${RUNS:-3}
LATENCY_MS=${LATENCY_MS:-20}
CONCURRENCY=${CONCURRENCY:-8}
NBLOCKS=${NBLOCKS:-500}
NTOOLS=${NTOOLS:-50}
NAGENTS=${NAGENTS:-100}
NPRIVATE=${NPRIVATE:-10}
STARTUP_RUNS=${STARTUP_RUNS:-200}
OUT=${OUT:-$SRC/bench/results.json}

. "$(dirname "$0")/lib-bench.sh"
bench_init bench ls-bench letta-sim letta-sync -- jq python3 curl git time
bench_start_sim bench --seed 1 --latency-ms "$LATENCY_MS"
export LETTA_BASE_URL=$URL LETTA_API_KEY=$KEY LETTA_SYNC_PROJECT=bench-project
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset LETTA_SYNC_PAGE_LIMIT LETTA_SYNC_AGENT SMARTY_AGENT || true

REPO=$TMP/repo
gen() { python3 "$SRC/bench/gen-fleet.py" "$REPO" --blocks "$NBLOCKS" --tools "$NTOOLS" \
	--agents "$NAGENTS" --private "$NPRIVATE" "$@"; }
mkdir -p "$REPO"
git -C "$REPO" init -q -b main
gen
git -C "$REPO" add -A
git -C "$REPO" commit -q -m fleet
"$LS" -C "$REPO" validate >/dev/null

# measure NAME ARGS...: bench_measure (lib-bench.sh); "NAME wall_ms user_s sys_s rss_kb total
# writes" to $TMP/raw, the per-route counts to $TMP/NAME.routes.
BENCH_DIR=$TMP
measure() { bench_measure "$@"; }

: >"$TMP/raw"
for run in $(seq 1 "$RUNS"); do
	curl -fsS -X POST "$URL/_sim/reset" >/dev/null
	git -C "$REPO" checkout -q main
	git -C "$REPO" branch -qD drift 2>/dev/null || true
	echo "bench: run $run/$RUNS: first sync, re-sync, drift" >&2
	measure a -C "$REPO" sync --concurrency "$CONCURRENCY"
	measure b -C "$REPO" sync --concurrency "$CONCURRENCY"
	# The same with pages of 1,000 (what the re-sync's paging costs at the default of 100).
	export LETTA_SYNC_PAGE_LIMIT=1000
	measure b1000 -C "$REPO" sync --concurrency "$CONCURRENCY"
	unset LETTA_SYNC_PAGE_LIMIT
	git -C "$REPO" checkout -q -b drift
	gen --drift 10
	git -C "$REPO" commit -q -am drift
	measure c -C "$REPO" sync --concurrency "$CONCURRENCY"
done
# The drifted sync left the fleet as git says: one more re-sync must write nothing.
measure c2 -C "$REPO" sync --concurrency "$CONCURRENCY"

# (d) validate of 10,000 resources: bench/validate-bench.sh's generator, kept for this run.
echo "bench: validate of 10,000 resources" >&2
BENCH_KEEP=1 TMPDIR=$TMP bash "$SRC/bench/validate-bench.sh" "$BUILD" >"$TMP/vb.out" 2>"$TMP/vb.err" ||
	{ echo "bench: validate-bench.sh failed" >&2; cat "$TMP/vb.out" "$TMP/vb.err" >&2; exit 1; }
VREPO=$(sed -n 's/^repository kept in //p' "$TMP/vb.err")
for run in $(seq 1 "$RUNS"); do
	measure d -C "$VREPO" validate
done

# (e) start-up: the median of STARTUP_RUNS spawns, timed by python (its own spawn cost is the
# /bin/true row), and one run under /usr/bin/time for CPU and RSS.
echo "bench: start-up" >&2
for run in 1; do
	measure e1 --version
	measure e2 -C "$REPO" context
done
python3 - "$LS" "$REPO" "$STARTUP_RUNS" >"$TMP/startup" <<'PY'
import subprocess, sys, time
ls, repo, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for name, cmd in (("true", ["/bin/true"]), ("e1", [ls, "--version"]),
                  ("e2", [ls, "-C", repo, "context"])):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    print(name, "%.3f" % ts[len(ts) // 2], "%.3f" % ts[0])
PY

python3 "$SRC/bench/report.py" "$TMP" "$OUT" "$LATENCY_MS" "$CONCURRENCY" "$NBLOCKS" "$NTOOLS" \
	"$NAGENTS" "$NPRIVATE" "$RUNS" || rc=$?

# (f)-(i) over HTTPS with a cost per new connection (issue 26): bench/link-bench.sh.
echo "bench: over HTTPS, $LATENCY_MS ms per request, ${CONNECT_MS:-40} ms per connection" >&2
RUNS=$RUNS LATENCY_MS=$LATENCY_MS CONCURRENCY=$CONCURRENCY STARTUP_RUNS=$STARTUP_RUNS \
	OUT=$(dirname "$OUT")/link-results.json bash "$SRC/bench/link-bench.sh" "$BUILD" || rc=$?

# (m) memory files (issue 25): bench/memfs-bench.sh, 100 agents x 20 files.
echo "bench: memory files, $LATENCY_MS ms per request" >&2
LATENCY_MS=$LATENCY_MS CONCURRENCY=$CONCURRENCY OUT=$(dirname "$OUT")/memfs-results.json \
	bash "$SRC/bench/memfs-bench.sh" "$BUILD" || rc=$?
exit "${rc:-0}"
