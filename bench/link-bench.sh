#!/usr/bin/env bash
# link-bench.sh [BUILD_DIR] (issue 26, part of make bench): letta-sync over a real-looking link.
# letta-sim speaks HTTPS (a throwaway CA, tests/tools/make-tls-cert.sh) with LATENCY_MS per
# request and CONNECT_MS per new connection, sync --concurrency CONCURRENCY. Scenarios:
#   (f) first sync of NSMALL shared Blocks          (g) its no-op re-sync
#   (h) no-op re-sync of NLARGE shared Blocks        (i) --version and validate of a 3-file repo,
#       each paired with /bin/true (run alternately, STARTUP_RUNS pairs; min/median/max)
# Appends "NAME wall_ms user_s sys_s rss_kb requests writes connections" rows (and "startup"
# rows) to OUTDIR/raw (default a temp dir), then prints a table against the issue's targets
# and writes bench/link-results.json (OUT=...). BENCH_STRICT=1: a missed target exits 1.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${BUILD:-build}}" && pwd)
OUTDIR=${OUTDIR:-}
OUT=${OUT:-$SRC/bench/link-results.json}
RUNS=${RUNS:-3}
LATENCY_MS=${LATENCY_MS:-20}
CONNECT_MS=${CONNECT_MS:-40}
CONCURRENCY=${CONCURRENCY:-8}
NSMALL=${NSMALL:-200}
NLARGE=${NLARGE:-5000}
STARTUP_RUNS=${STARTUP_RUNS:-200}
SIM=$BUILD/letta-sim
LS=$BUILD/letta-sync
KEY=bench-key-$RANDOM$RANDOM

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ls-link.XXXXXX")
SIM_PID=
cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	[ -n "${BENCH_KEEP:-}" ] && echo "link-bench: kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
[ -n "$OUTDIR" ] || OUTDIR=$TMP
mkdir -p "$OUTDIR"

command -v openssl >/dev/null || { echo "link-bench: needs openssl (make deps)" >&2; exit 2; }
bash "$SRC/tests/tools/make-tls-cert.sh" "$TMP/tls"
export LETTA_CA_BUNDLE=$TMP/tls/ca.pem CURL_CA_BUNDLE=$TMP/tls/ca.pem
. "$(dirname "$0")/lib-bench.sh"
bench_start_sim link-bench --seed 1 --latency-ms "$LATENCY_MS" --connect-latency-ms "$CONNECT_MS" \
	--tls-cert "$TMP/tls/server.pem" --tls-key "$TMP/tls/server.key"
case "$URL" in https://*) ;; *) echo "link-bench: letta-sim did not start HTTPS" >&2; exit 2 ;; esac
export LETTA_BASE_URL=$URL LETTA_API_KEY=$KEY
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset LETTA_SYNC_PAGE_LIMIT LETTA_SYNC_AGENT SMARTY_AGENT || true

# repo DIR NBLOCKS: a repository of NBLOCKS shared Blocks (no tools, no agents).
repo() {
	mkdir -p "$1"
	git -C "$1" init -q -b main
	python3 "$SRC/bench/gen-fleet.py" "$1" --blocks "$2" --tools 0 --agents 0 --private 0
	rm -f "$1/.letta/manifests/project/template.yaml" "$1/.letta/manifests/project/agents.yaml" \
		"$1/.letta/manifests/project/tools.yaml"
	git -C "$1" add -A
	git -C "$1" commit -q -m fleet
}
repo "$TMP/small" "$NSMALL"
repo "$TMP/large" "$NLARGE"

# measure NAME ARGS...: bench_measure (lib-bench.sh), the row with the connection count, kept
# in $OUTDIR and printed.
BENCH_TAG=link-bench BENCH_DIR=$OUTDIR BENCH_ECHO=1
BENCH_STATS='"\(.total) \(.writes) \(.connections)"'
measure() { bench_measure "$@"; }

# project_of SLUG: "SLUG:ID", as .letta/project.json gives a re-sync the project id (no look-up).
project_of() {
	curl -fsS -H "Authorization: Bearer $KEY" "$URL/v1/projects?name=$1" |
		jq -r --arg s "$1" '.projects[] | select(.slug == $s) | "\(.slug):\(.id)"'
}

# (h) first: the large project's first sync once (not a target), then its no-op re-syncs.
export LETTA_SYNC_PROJECT=link-large
echo "link-bench: first sync of $NLARGE blocks" >&2
measure hfirst -C "$TMP/large" sync --concurrency "$CONCURRENCY" >/dev/null
export LETTA_SYNC_PROJECT=$(project_of link-large)
for run in $(seq 1 "$RUNS"); do
	measure h -C "$TMP/large" sync --concurrency "$CONCURRENCY"
done
for run in $(seq 1 "$RUNS"); do
	curl -fsS -X POST "$URL/_sim/reset" >/dev/null
	echo "link-bench: run $run/$RUNS" >&2
	export LETTA_SYNC_PROJECT=link-small
	measure f -C "$TMP/small" sync --concurrency "$CONCURRENCY"
	export LETTA_SYNC_PROJECT=$(project_of link-small)
	measure g -C "$TMP/small" sync --concurrency "$CONCURRENCY"
done

# (i) start-up, paired with /bin/true, alternately.
mkdir -p "$TMP/tiny/.letta/manifests/project"
git -C "$TMP/tiny" init -q -b main
python3 "$SRC/bench/gen-fleet.py" "$TMP/tiny" --blocks 2 --tools 1 --agents 1 --private 1
rm -f "$TMP/tiny/.letta/manifests/project/template.yaml"
printf '%s\n' 'apiVersion: letta.ai/v1' 'kind: Template' 'metadata: {name: worker}' 'spec:' \
	'  default: true' '  agent: {name: worker, system: hi, modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}}' \
	>"$TMP/tiny/.letta/manifests/project/template.yaml"
rm -f "$TMP/tiny/.letta/manifests/project/tools.yaml"
git -C "$TMP/tiny" add -A && git -C "$TMP/tiny" commit -q -m tiny
"$LS" -C "$TMP/tiny" validate >/dev/null || { echo "link-bench: the 3-file repo does not validate" >&2; exit 1; }
python3 - "$LS" "$TMP/tiny" "$STARTUP_RUNS" <<'PY' | tee -a "$OUTDIR/raw"
import subprocess, sys, time
ls, repo, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def once(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000
for name, cmd in (("iversion", [ls, "--version"]), ("ivalidate", [ls, "-C", repo, "validate"])):
    a, b = [], []
    for _ in range(n):
        b.append(once(["/bin/true"]))
        a.append(once(cmd))
    a.sort(); b.sort()
    m = len(a) // 2
    print("startup", name, "%.3f %.3f %.3f" % (a[0], a[m], a[-1]), "true %.3f %.3f %.3f" % (b[0], b[m], b[-1]))
PY

python3 - "$OUTDIR/raw" "$OUT" "$LATENCY_MS" "$CONNECT_MS" "$CONCURRENCY" "$NSMALL" "$NLARGE" <<'PY'
import json, math, statistics, sys, time
raw, out = sys.argv[1], sys.argv[2]
L, K, C, NS, NL = (int(x) for x in sys.argv[3:8])
runs, start = {}, {}
for line in open(raw):
    f = line.split()
    if f[0] == "startup":
        start[f[1]] = ([float(x) for x in f[2:5]], [float(x) for x in f[6:9]])
    else:
        runs.setdefault(f[0], []).append(dict(wall=int(f[1]), cpu=float(f[2]) + float(f[3]),
            rss=int(f[4]), req=int(f[5]), writes=int(f[6]), conns=int(f[7])))
rows, ok = [], True
def row(name, got, target, good):
    global ok
    ok &= good
    rows.append((name, got, target, "met" if good else "MISSED"))
med = lambda xs: statistics.median(xs)
f, g, h = runs["f"], runs["g"], runs["h"]
fw, freq, fconn = med([r["wall"] for r in f]), max(r["req"] for r in f), max(r["conns"] for r in f)
# The issue's critical path: requests x RTT / concurrency plus one handshake per connection
# kept. (Counting the handshakes as parallel, one per wave of C connections, is stricter.)
crit = freq * L / C + fconn * K
strict = freq * L / C + math.ceil(fconn / C) * K
row("(f) %d-block first sync: wall" % NS, "%d ms median (%d-%d); %.2f x the stricter %.0f ms" % (fw, min(r["wall"] for r in f), max(r["wall"] for r in f), fw / strict, strict),
    "<= 1.2 x %.0f ms = %.0f ms (%d requests x %d ms / %d + %d connections x %d ms)" % (crit, 1.2 * crit, freq, L, C, fconn, K), fw <= 1.2 * crit)
row("(f) connections", "%d for %d requests" % (fconn, freq), "<= %d" % (C + 2), fconn <= C + 2)
gw, greq = med([r["wall"] for r in g]), max(r["req"] for r in g)
sv = start.get("iversion", ([0, 0, 0], [0, 0, 0]))[0][1]
gt = 2 * (2 * L + K + sv)
row("(g) %d-block no-op re-sync: requests" % NS, "%d" % greq, "<= 3 (in <= 2 rounds)", greq <= 3)
row("(g) wall", "%d ms median (%d-%d)" % (gw, min(r["wall"] for r in g), max(r["wall"] for r in g)),
    "<= 2 x (2 x %d + %d + %.1f) = %.0f ms" % (L, K, sv, gt), gw <= gt)
hreq, hcpu = max(r["req"] for r in h), min(r["cpu"] for r in h)
row("(h) %d-block no-op re-sync: requests" % NL, "%d" % hreq, "<= 10", hreq <= 10)
row("(h) CPU (user + sys)", "%.2f s best, %.2f s median; %.1f MB" % (hcpu, med([r["cpu"] for r in h]), max(r["rss"] for r in h) / 1024),
    "<= 0.2 s", hcpu <= 0.2)
for name, what in (("iversion", "--version"), ("ivalidate", "validate, 3 files")):
    if name in start:
        a, t = start[name]
        lim = 1.5 * t[1] + 2
        row("(i) %s" % what, "%.2f / %.2f / %.2f ms (min/median/max); /bin/true %.2f / %.2f / %.2f" % (*a, *t),
            "median <= 1.5 x %.2f + 2 = %.2f ms" % (t[1], lim), a[1] <= lim)
w = max(len(r[0]) for r in rows)
for r in rows:
    print("%-*s  %-60s  %-s  %s" % (w, r[0], r[1], r[2], r[3]))
json.dump(dict(date=time.strftime("%Y-%m-%d"), latency_ms=L, connect_ms=K, concurrency=C,
               runs=runs, startup=start, rows=[dict(zip(("what", "got", "target", "status"), r)) for r in rows]),
          open(out, "w"), indent=1)
print("link-bench: wrote %s" % out)
import os
sys.exit(1 if not ok and os.environ.get("BENCH_STRICT") else 0)
PY
