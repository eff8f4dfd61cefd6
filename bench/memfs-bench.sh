#!/usr/bin/env bash
# memfs-bench.sh [BUILD_DIR] (issue 25, part of make bench): sync of NAGENTS memory-managed
# agents x NFILES memory files (one Template's memory folder: system/, reference/ and a skill)
# against letta-sim with LATENCY_MS per request:
#   (m1) first sync: creates the agents, pushes each one's files (one commit, one push each)
#   (m2) no-op re-sync: no push, at most one ref advertisement per agent
#   (m3) one memory file changed in git: one push per agent, then a recompile each
# with sync --concurrency CONCURRENCY, (m2) and (m3) also with --concurrency 1 (the agents one
# after another), from an empty simulator and an empty cache. Prints a table (wall time, requests
# and git requests per agent) and writes bench/memfs-results.json (OUT=...). BENCH_STRICT=1:
# a no-op that pushes or sends more than one ref advertisement per agent exits 1.
#
#   env: NAGENTS=100 NFILES=20 LATENCY_MS=20 CONCURRENCY=8
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${BUILD:-build}}" && pwd)
OUT=${OUT:-$SRC/bench/memfs-results.json}
NAGENTS=${NAGENTS:-100}
NFILES=${NFILES:-20}
LATENCY_MS=${LATENCY_MS:-20}
CONCURRENCY=${CONCURRENCY:-8}

. "$(dirname "$0")/lib-bench.sh"
bench_init memfs-bench ls-memfs letta-sim letta-sync -- jq python3 curl git time
bench_start_sim memfs-bench --seed 1 --latency-ms "$LATENCY_MS"
export LETTA_BASE_URL=$URL LETTA_API_KEY=$KEY LETTA_SYNC_PROJECT=memfs-bench
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset LETTA_SYNC_PAGE_LIMIT LETTA_SYNC_AGENT SMARTY_AGENT LETTA_SYNC_CONCURRENCY || true

REPO=$TMP/repo
mkdir -p "$REPO/.letta/manifests/project"
git -C "$REPO" init -q -b main
python3 - "$REPO" "$NAGENTS" "$NFILES" <<'PY'
import os, sys
repo, nagents, nfiles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = os.path.join(repo, ".letta/manifests/project/agents.yaml")
with open(m, "w") as f:
    f.write("apiVersion: letta.ai/v1\nkind: Template\nmetadata: {name: fleet}\nspec:\n"
            "  layer: project\n  default: true\n  agent:\n    name: fleet\n"
            "    system: \"You help.\"\n"
            "    modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}\n"
            "    memory: {dir: memory/fleet}\n")
    for i in range(nagents):
        f.write("---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: m%03d}\n"
                "spec: {layer: project, template: fleet}\n" % i)
mem = os.path.join(repo, "memory/fleet")
def write(rel, text):
    p = os.path.join(mem, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
write("skills/review/SKILL.md", "---\nname: review\ndescription: Reviews code\n---\nRead the diff.\n")
body = "".join("Line %d of what this agent knows.\n" % k for k in range(40))
for k in range(nfiles - 1):
    where = "system" if k < nfiles // 3 else "reference"
    write("%s/topic%02d.md" % (where, k), "---\ndescription: Topic %d\n---\n%s" % (k, body))
PY
echo ".letta/cache/" >"$REPO/.gitignore"
git -C "$REPO" add -A
git -C "$REPO" commit -q -m fleet
"$LS" -C "$REPO" validate >/dev/null
NF=$(cd "$REPO/memory/fleet" && find . -type f | wc -l)

BENCH_DIR=$TMP
BENCH_STATS='"\(.total) \(.writes) \(.requests["GET /v1/git/{agent_id}/state.git/info/refs"] // 0) \(.requests["POST /v1/git/{agent_id}/state.git/git-upload-pack"] // 0) \(.requests["POST /v1/git/{agent_id}/state.git/git-receive-pack"] // 0) \(.requests["POST /v1/agents/{agent_id}/recompile"] // 0)"'
export BENCH_STATS
: >"$TMP/raw"
F=$(ls "$REPO"/memory/fleet/*/topic*.md | tail -1)
# edit N: line N of one memory file changed in git, committed.
edit() {
	sed -i "s/^Line $1 of/Line $1 (edited) of/" "$F"
	git -C "$REPO" commit -q -am "edit $1"
}
echo "memfs-bench: $NAGENTS agents x $NF files: first sync, no-op, one file changed" >&2
bench_measure "m1.c$CONCURRENCY" -C "$REPO" sync --concurrency "$CONCURRENCY"
bench_measure "m2.c$CONCURRENCY" -C "$REPO" sync --concurrency "$CONCURRENCY"
bench_measure m2.c1 -C "$REPO" sync --concurrency 1
edit 7
bench_measure "m3.c$CONCURRENCY" -C "$REPO" sync --concurrency "$CONCURRENCY"
edit 9
bench_measure m3.c1 -C "$REPO" sync --concurrency 1

python3 - "$TMP/raw" "$OUT" "$NAGENTS" "$NF" "$LATENCY_MS" "$CONCURRENCY" <<'PY'
import json, sys
raw, out, n, nf, lat, conc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
rows = {}
for line in open(raw):
    p = line.split()
    name = p[0]
    rows[name] = dict(wall_ms=int(p[1]), user_s=float(p[2]), sys_s=float(p[3]), rss_kb=int(p[4]),
                      requests=int(p[5]), writes=int(p[6]), info_refs=int(p[7]), upload_pack=int(p[8]),
                      receive_pack=int(p[9]), recompile=int(p[10]))
what = {"m1": "first sync (create + push)", "m2": "no-op re-sync", "m3": "one file changed"}
print("memfs-bench: %d agents x %d memory files, %d ms per request" % (n, nf, lat))
print("%-28s %6s %9s %8s %9s %9s %9s %9s %9s" % ("scenario", "conc", "wall ms", "req", "req/agt",
      "refs/agt", "fetch/agt", "push/agt", "recomp"))
ok = True
for key in sorted(rows, key=lambda k: (k.split(".")[0], -int(k.split(".c")[1]))):
    r = rows[key]
    s, c = key.split(".c")
    print("%-28s %6s %9d %8d %9.2f %9.2f %9.2f %9.2f %9d" % (what[s], c, r["wall_ms"], r["requests"],
          r["requests"] / n, r["info_refs"] / n, r["upload_pack"] / n, r["receive_pack"] / n, r["recompile"]))
    if s == "m2" and (r["receive_pack"] or r["upload_pack"] or r["info_refs"] > n or r["recompile"]):
        ok = False
        print("  MISSED: a no-op sync must push nothing and send at most one ref advertisement per agent")
    if s in ("m1", "m3") and r["receive_pack"] != n:
        ok = False
        print("  MISSED: one push per agent expected")
json.dump({"agents": n, "files": nf, "latency_ms": lat, "concurrency": conc, "runs": rows, "ok": ok},
          open(out, "w"), indent=1, sort_keys=True)
sys.exit(0 if ok else 3)
PY
