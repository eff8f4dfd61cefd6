#!/usr/bin/env python3
"""Fails when files of src/ or sim/ depend on each other in a circle (issue 22 item 6).

The graph is one of files: a node is a module (foo.c with its foo.h), and there is an edge
A -> B when A.c calls a function (or uses a variable) defined in B.c, or when A.c includes
B.h. Calls come from the object files of a build (`nm`): the symbols B.o defines (global text
and data) against the ones A.o leaves undefined, so macros, inline wrappers and function
pointers in tables all count as the linker sees them; a file of sim/ links with sim/ and
src/util/ only (sim/CMakeLists.txt). Includes come from the `#include "..."` lines, resolved
as the compiler does for this tree (the file's own folder, then src/, then sim/). Headers
that include each other in a circle are a cycle too (a second graph, of headers alone).

One rule more, for letta-sim: a resource file (one that defines a route array, `<file>_routes`)
calls no other resource file, only the shared files (docs/architecture.md, "letta-sim").

Every strongly connected set of two or more files is a cycle. It is reported as a chain
(a.c -> b.c -> a.c, with what each step calls or includes) unless the allow-list names
exactly that set; an allow-list line that matches no cycle any more is an error too, so
that it is removed when the cycle is gone.

Usage: check-cycles.py [--root DIR] [--build DIR] [--allow FILE] [--graph]
  --root   the source tree (default: the parent of this script's folder)
  --build  the build folder holding the object files (default: ROOT/build)
  --allow  the allow-list (default: ROOT/scripts/cycles-allow.txt; "" = none): one known
           cycle a line, its files separated by spaces; '#' starts a comment
  --graph  print every edge (A -> B: why) and exit 0
"""

import argparse
import os
import re
import subprocess
import sys

TOPS = ("src", "sim")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def module_of(rel):
    """src/core/plan.c and src/core/plan.h -> src/core/plan."""
    return os.path.splitext(rel)[0]


def source_files(root):
    out = []
    for top in TOPS:
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def object_files(root, build):
    """(source path relative to root, object path) for every object of a src/ or sim/ file.

    CMake puts the object of <dir>/<rel>.c at <build>/<dir>/CMakeFiles/<target>.dir/<rel>.c.o
    (<rel> may hold folders, e.g. src/lazy/lazy.c of a top-level target).
    """
    seen = {}
    for d, _, files in os.walk(build):
        for f in files:
            if not f.endswith(".c.o"):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, build)
            parts = rel.split(os.sep)
            try:
                i = next(k for k, p in enumerate(parts) if p == "CMakeFiles")
            except StopIteration:
                continue
            if i + 1 >= len(parts) or not parts[i + 1].endswith(".dir"):
                continue
            src = os.path.join(*(parts[:i] + parts[i + 2:]))[: -len(".o")]
            if src.split(os.sep)[0] not in TOPS or not os.path.isfile(os.path.join(root, src)):
                continue
            seen.setdefault(src, []).append(path)
    return seen


def nm_symbols(objs_of):
    """{source: ({defined global: 'T' text or 'D' data}, undefined)}, from one nm run over the
    object files of every source (objs_of: {source: [object, ...]})."""
    src_of = {o: src for src, objs in objs_of.items() for o in objs}
    res = subprocess.run(["nm", "-P", "-A"] + sorted(src_of), capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("check-cycles: nm failed: %s" % res.stderr.strip())
    defined = {src: {} for src in objs_of}
    undefined = {src: set() for src in objs_of}
    for line in res.stdout.splitlines():
        obj, _, rest = line.partition(": ")
        f = rest.split()
        if obj not in src_of or len(f) < 2:
            continue
        src, name, kind = src_of[obj], f[0], f[1]
        if kind == "U":
            undefined[src].add(name)
        elif kind in "TW":
            defined[src][name] = "T"
        elif kind in "DBRGSCV":
            defined[src][name] = "D"
    return {src: (defined[src], undefined[src] - set(defined[src])) for src in objs_of}


# Which trees a file of each top folder links with (sim/CMakeLists.txt, src/*/CMakeLists.txt).
LINKS = {"sim": ("sim/", "src/util/"), "src": ("src/",)}


def build_graph(root, build):
    """(module graph, header graph, nodes): each graph is {node: {node: [reasons]}}."""
    edges = {}  # module -> {module: [reasons]}
    hedges = {}  # header -> {header: [reasons]}
    files = source_files(root)
    modules = {module_of(f) for f in files}

    def add(a, b, why, graph=edges):
        if a != b:
            graph.setdefault(a, {}).setdefault(b, []).append(why)

    # Includes.
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for inc in INCLUDE_RE.findall(text):
            for base in (os.path.dirname(f),) + TOPS:
                cand = os.path.normpath(os.path.join(base, inc))
                if os.path.isfile(os.path.join(root, cand)):
                    if f.endswith(".c"):
                        add(module_of(f), module_of(cand), "includes " + cand)
                    elif cand.endswith(".h"):
                        add(f, cand, "includes " + cand, hedges)
                    break

    # Calls and variables, as the linker resolves them.
    objs = object_files(root, build)
    if not objs:
        sys.exit("check-cycles: no object files of src/ or sim/ under %s (build first)" % build)
    syms = nm_symbols(objs)
    where = {}
    for src, (defined, _) in syms.items():
        for s, kind in defined.items():
            where.setdefault(s, []).append((src, kind))
    for src, (_, undefined) in sorted(syms.items()):
        links = LINKS[src.split(os.sep)[0]]
        for s in sorted(undefined):
            for d, kind in where.get(s, []):
                if d.startswith(links):
                    add(module_of(src), module_of(d), ("calls %s()" if kind == "T" else "uses %s") % s)
    # letta-sim's resource files: the ones that define a route array (`<file>_routes`).
    resources = {module_of(src) for src, (defined, _) in syms.items()
                 if src.startswith("sim/") and any(n.endswith("_routes") and k == "D"
                                                   for n, k in defined.items())}
    return edges, hedges, modules | {module_of(s) for s in objs}, resources


def display(root, mod):
    if mod.endswith((".c", ".h")):
        return mod
    return mod + ".c" if os.path.isfile(os.path.join(root, mod + ".c")) else mod + ".h"


def sccs(nodes, edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, {})))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def shortest_cycle(start, comp, edges):
    """The shortest path start -> ... -> start inside comp (a list of modules)."""
    members = set(comp)
    prev = {start: None}
    queue = [start]
    for v in queue:
        for w in sorted(edges.get(v, {})):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return None


def chains(comp, edges):
    """Enough elementary cycles to cover every file of a component, each once."""
    out, seen = [], set()
    for start in comp:
        cyc = shortest_cycle(start, comp, edges)
        if not cyc:
            continue
        key = frozenset(zip(cyc, cyc[1:]))
        if key in seen:
            continue
        seen.add(key)
        out.append(cyc)
    return out


def read_allow(path):
    entries = []
    if not path or not os.path.isfile(path):
        return entries
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                entries.append((n, frozenset(f if f.endswith(".h") else module_of(f)
                                             for f in line.split())))
    return entries


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.dirname(here))
    ap.add_argument("--build")
    ap.add_argument("--allow")
    ap.add_argument("--graph", action="store_true")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    build = os.path.abspath(a.build or os.path.join(root, "build"))
    allow_path = os.path.join(root, "scripts", "cycles-allow.txt") if a.allow is None else a.allow

    edges, hedges, nodes, resources = build_graph(root, build)
    if a.graph:
        for g in (edges, hedges):
            for v in sorted(g):
                for w in sorted(g[v]):
                    print("%s -> %s: %s" % (display(root, v), display(root, w),
                                            ", ".join(sorted(set(g[v][w])))))
        return 0

    allow = read_allow(allow_path)
    used = set()
    fail = 0
    comps = [(c, edges) for c in sccs(nodes, edges)]
    comps += [(c, hedges) for c in sccs(set(hedges) | {w for v in hedges for w in hedges[v]}, hedges)]
    for comp, g in comps:
        names = " ".join(display(root, m) for m in comp)
        hit = [n for n, s in allow if s == frozenset(comp)]
        if hit:
            used.update(hit)
            print("known cycle (%s:%d): %s" % (os.path.relpath(allow_path, root), hit[0], names))
            continue
        fail = 1
        print("cycle: %s depend on each other in a circle:" % names)
        for cyc in chains(comp, g):
            print("  " + " -> ".join(display(root, m) for m in cyc))
            for v, w in zip(cyc, cyc[1:]):
                why = sorted(set(g[v][w]))
                more = " (+%d more)" % (len(why) - 3) if len(why) > 3 else ""
                print("    %s -> %s: %s%s" % (display(root, v), display(root, w),
                                            ", ".join(why[:3]), more))
    # letta-sim: a resource file calls only the shared files, never another resource file
    # (issue 22 item 5), so that resources cannot grow into a circle again.
    for v in sorted(resources):
        for w in sorted(edges.get(v, {})):
            why = sorted(r for r in set(edges[v][w]) if not r.startswith("includes "))
            if w in resources and why:
                fail = 1
                print("%s calls the resource file %s (%s): a resource file calls only the shared "
                      "files (sim/sim.h); move what both need into one of them" %
                      (display(root, v), display(root, w), ", ".join(why[:3])))
    for n, s in allow:
        if n not in used:
            fail = 1
            print("%s:%d: no cycle %s any more: remove the line" %
                  (os.path.relpath(allow_path, root), n,
                   " ".join(display(root, m) for m in sorted(s))))
    if fail:
        print("Break a cycle by moving what both sides need into a file of its own (or into the "
              "lower one), so that the calls and includes run one way (docs/architecture.md).")
        return 1
    print("cycles: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
