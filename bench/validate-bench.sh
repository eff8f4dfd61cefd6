#!/usr/bin/env bash
# validate-bench.sh [BUILD_DIR]: generates a config repository of 10,000 resources in 200 files
# (three layers; blocks, tools, templates and agents that reference them; a third of the blocks
# overridden in a higher layer) and times `letta-sync validate` on it with /usr/bin/time -v.
# Targets (docs/performance.md, "validate"): under 0.5 s and under 50 MB peak RSS.
set -euo pipefail
build=${1:-build}
bin=$(cd "$build" && pwd)/letta-sync
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/ls-bench.XXXXXX")
[ -n "${BENCH_KEEP:-}" ] && echo "repository kept in $dir" >&2 || trap 'rm -rf "$dir"' EXIT
m=$dir/.letta/manifests
mkdir -p "$m/base" "$m/org" "$m/project"

files=200 per=50 # 10,000 resources
python3 - "$m" "$files" "$per" <<'PY'
import sys
m, files, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
layers = ["base", "org", "project"]
n = 0
for f in range(files):
    # 120 files of blocks (base), 40 of tools (org), 20 of templates, 20 of agents (project).
    if f < 120:
        layer, kind = "base", "Block"
    elif f < 160:
        layer, kind = "org", "Tool"
    elif f < 180:
        layer, kind = "project", "Template"
    else:
        layer, kind = "project", "Agent"
    out = []
    for i in range(per):
        k = f * per + i
        name = f"{kind.lower()}_{k}"
        if kind == "Block":
            spec = f"  label: label_{k}\n  value: |\n    Block {k}: some memory text that an agent keeps.\n    A second line.\n  limit: 5000\n  description: Block number {k}"
        elif kind == "Tool":
            spec = (f"  sourceType: python\n  sourceCode: |\n    def {name}(q: str) -> str:\n        return q\n"
                    f"  tags: [bench, t{k % 7}]\n  jsonSchema:\n    type: function\n    function:\n      name: {name}\n"
                    f"      description: Tool {k}\n      parameters:\n        type: object\n        properties:\n          q: {{type: string}}\n        required: [q]")
        elif kind == "Template":
            b = [f"block_{(k * 3 + j) % 6000}" for j in range(3)]
            t = [f"tool_{6000 + (k + j) % 2000}" for j in range(2)]
            spec = (f"  agent:\n    name: agent_{k}\n    system: You are template {k}.\n    modelConfig: {{model: openai/gpt-4o-mini}}\n"
                    f"    blocks:\n" + "".join(f"      - name: {x}\n" for x in b) +
                    f"      - {{label: scratch_{k}, value: ''}}\n    tools: [{', '.join(t)}]\n    tags: [bench]")
        else:
            spec = f"  template: template_{8000 + k % 1000}\n  channel: stable\n  tags: [bench, a{k % 10}]"
        out.append(f"apiVersion: letta.ai/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}\n")
        n += 1
    with open(f"{m}/{layer}/{kind.lower()}s-{f:03d}.yaml", "w") as fh:
        fh.write("---\n".join(out))
print(f"{n} resources in {files} files", file=sys.stderr)
PY

cd "$dir"
"$bin" validate >/dev/null # warm the page cache
/usr/bin/time -v "$bin" validate >"$dir/out" 2>"$dir/time" || { cat "$dir/out" | tail -5; exit 1; }
tail -1 "$dir/out"
elapsed=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time")
echo "elapsed: $elapsed (m:ss)"
echo "peak RSS: $((rss / 1024)) MB ($rss kB)"
