#!/usr/bin/env python3
"""report.py TMP OUT LATENCY C NBLOCKS NTOOLS NAGENTS NPRIVATE RUNS: the table and results.json
of bench/bench.sh. Every minimum and critical path is derived here, with its reason, from the
scenario's sizes; the measured figures come from TMP/raw (one line per letta-sync run:
name wall_ms user_s sys_s rss_kb requests writes) and TMP/startup."""
import json
import math
import os
import platform
import sys
import time

tmp, out = sys.argv[1], sys.argv[2]
L, C, NB, NT, NA, NP, RUNS = (int(x) for x in sys.argv[3:10])
P = int(os.environ.get("LETTA_SYNC_PAGE_LIMIT", "1000"))  # letta-sync's page limit (issue 26)
BUILTIN_TOOLS = 7  # letta-sim creates its built-in tools on the first tools list
ceil = lambda a, b: -(-a // b)

runs = {}
with open(os.path.join(tmp, "raw")) as f:
    for line in f:
        name, wall, user, sys_, rss, total, writes = line.split()
        runs.setdefault(name, []).append(dict(wall_ms=int(wall), cpu_ms=round((float(user) + float(sys_)) * 1000),
                                              rss_kb=int(rss), requests=int(total), writes=int(writes)))
startup = {}
with open(os.path.join(tmp, "startup")) as f:
    for line in f:
        name, med, mn = line.split()
        startup[name] = (float(med), float(mn))

# The lists sync reads: blocks, tools, folders, MCP servers, identities, agents (one page each
# at least), plus the project look-up. "One empty-page probe per list" is the allowance.
LISTS = 7
blocks_remote = NB + 1 + NA * NP  # shared blocks, the inventory, every agent's private blocks
tools_remote = BUILTIN_TOOLS + NT


def list_pages(limit):
    return dict(blocks=ceil(blocks_remote, limit), tools=ceil(tools_remote, limit),
                agents=max(1, ceil(NA, limit)), folders=1, mcp_servers=1, identities=1)


pages = list_pages(P)
read_min_full = 1 + sum(pages.values())
# Cursor paging is sequential: the longest list, with the empty page that ends it.
chain = max(pages.values()) + 1
pages1k = list_pages(1000)
chain1k = max(pages1k.values()) + 1
ND = ceil(NB * 10, 100) + ceil(NT * 10, 100) + ceil(NA * 10, 100)  # objects edited in (c)

S = []


def scenario(key, title, req_min, write_min, why_min, dep, indep, why_crit, targets_extra=None):
    r = runs[key]
    crit = (dep + ceil(indep, C)) * L if dep or indep else 0
    best = min(r, key=lambda x: x["wall_ms"])
    walls = sorted(x["wall_ms"] for x in r)
    med = walls[len(walls) // 2]
    req = max(x["requests"] for x in r)
    wr = max(x["writes"] for x in r)
    s = dict(key=key, title=title, runs=len(r), requests=req, writes=wr, requests_min=req_min,
             writes_min=write_min, requests_allowed=req_min + (LISTS if req_min else 0),
             minimum_reason=why_min, wall_ms_best=best["wall_ms"], wall_ms_median=med,
             wall_ms_all=walls, critical_path_ms=crit, critical_path_rounds=dict(dependent=dep, independent=indep,
                                                                                 concurrency=C, latency_ms=L),
             critical_path_reason=why_crit, cpu_ms=min(x["cpu_ms"] for x in r),
             peak_rss_kb=max(x["rss_kb"] for x in r), targets={})
    s["targets"]["requests"] = req <= s["requests_allowed"]
    if crit:
        s["wall_vs_critical"] = round(med / crit, 2)
        s["targets"]["wall_1.5x"] = med <= 1.5 * crit
    if targets_extra:
        targets_extra(s)
    S.append(s)


def zero_writes(s):
    s["targets"]["zero_writes"] = s["writes"] == 0


scenario("a", "first sync into an empty project", 1 + 6 + 1 + NB + 1 + 2 * NT + NA,
         1 + NB + 1 + 2 * NT + NA,
         f"project look-up 1, one page of each of the 6 lists (all empty but the {BUILTIN_TOOLS} built-in tools), "
         f"project create 1, one POST per shared block ({NB}) and the inventory (1), PUT + PATCH per tool "
         f"({2 * NT}: ToolCreate has no metadata_ for the markers), one POST per agent ({NA}: it carries the "
         f"{NP} private blocks, the shared block and tool ids and the tags)",
         4, NB + 2 * NT + NA,
         "dependent: look-up -> project create -> the lists (in parallel) -> the inventory (it records every id); "
         "independent: every block, tool and agent write")
scenario("b", "no-op re-sync", read_min_full, 0,
         f"project look-up 1 and every page of the lists at page limit {P}: " +
         ", ".join(f"{k} {v}" for k, v in pages.items()) + f" ({blocks_remote} blocks include the {NA * NP} private ones); no write",
         1 + chain, 0,
         f"look-up, then the longest list page by page (cursor paging): {chain} pages of blocks including the empty last one",
         zero_writes)
scenario("b1000", "no-op re-sync, LETTA_SYNC_PAGE_LIMIT=1000", 1 + sum(pages1k.values()), 0,
         "as (b) with pages of 1,000: " + ", ".join(f"{k} {v}" for k, v in pages1k.items()),
         1 + chain1k, 0, f"look-up, then {chain1k} pages of blocks", zero_writes)
scenario("c", f"10 % drift in git ({ND} objects)", read_min_full + ND + 2, ND + 2,
         f"the reads of (b), one PATCH per edited object ({ceil(NB * 10, 100)} blocks, {ceil(NT * 10, 100)} tools, "
         f"{ceil(NA * 10, 100)} agents: every changed section of an agent in one PATCH), the lease taken in the "
         "inventory's metadata (1) and the inventory update that also releases it (1)",
         1 + chain + 2, ND,
         "dependent: look-up, the block pages, the lease, the inventory; independent: the edits")
scenario("c2", "no-op re-sync after the drift", read_min_full, 0, "as (b)", 1 + chain, 0, "as (b)", zero_writes)


def validate_t(s):
    s["targets"]["wall_0.5s"] = s["wall_ms_median"] <= 500
    s["targets"]["rss_50MB"] = s["peak_rss_kb"] <= 50 * 1024


scenario("d", "validate, 10,000 resources", 0, 0, "validate sends no request", 0, 0,
         "no network: local work only (target 0.5 s, 50 MB from docs/performance.md)", validate_t)
for key, title in (("e1", "--version start-up"), ("e2", "context start-up")):
    def st(s, key=key):
        s["startup_ms_median"], s["startup_ms_min"] = startup[key]
        s["spawn_baseline_ms_median"] = startup["true"][0]
        s["targets"]["startup_2ms"] = startup[key][0] < 2.0
    scenario(key, title, 0, 0, "no request (context works offline)", 0, 0, "no network", st)

hdr = ["scenario", "requests (writes)", "minimum (+probes)", "wall ms (median/best)", "critical path", "CPU ms",
       "peak RSS", "targets"]
rows = []
for s in S:
    if s["key"].startswith("e"):
        wall = f"{s['startup_ms_median']:.1f}/{s['startup_ms_min']:.1f}"
        crit = f"< 2 ms (spawn {s['spawn_baseline_ms_median']:.1f})"
    else:
        wall = f"{s['wall_ms_median']}/{s['wall_ms_best']}"
        crit = f"{s['critical_path_ms']} ms ({s['wall_vs_critical']}x)" if s["critical_path_ms"] else "-"
    rows.append([f"({s['key']}) {s['title']}", f"{s['requests']} ({s['writes']})",
                 f"{s['requests_min']} ({s['writes_min']}) +{s['requests_allowed'] - s['requests_min']}", wall, crit,
                 str(s["cpu_ms"]), f"{s['peak_rss_kb'] / 1024:.1f} MB",
                 " ".join(("ok " if v else "MISS ") + k for k, v in s["targets"].items())])
w = [max(len(r[i]) for r in rows + [hdr]) for i in range(len(hdr))]
print(f"letta-sync bench: latency {L} ms, concurrency {C}, page limit {P}, {NB} blocks, {NT} tools, "
      f"{NA} agents x {NP} private blocks; {RUNS} runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
for r in [hdr] + rows:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))
for s in S:
    if s["requests_min"]:
        print(f"({s['key']}) minimum: {s['minimum_reason']}")
    if s["critical_path_ms"]:
        print(f"    critical path: {s['critical_path_reason']}")
missed = [f"({s['key']}) {k}" for s in S for k, v in s["targets"].items() if not v]
print("targets missed: " + (", ".join(missed) if missed else "none"))
doc = dict(date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), machine=dict(
    cpus=os.cpu_count(), loadavg=os.getloadavg()[0], kernel=platform.release()),
    parameters=dict(latency_ms=L, concurrency=C, page_limit=P, blocks=NB, tools=NT, agents=NA,
                    private_blocks=NP, runs=RUNS), scenarios=S, missed=missed)
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print(f"written: {out}")
if missed and os.environ.get("BENCH_STRICT") == "1":
    sys.exit(1)
