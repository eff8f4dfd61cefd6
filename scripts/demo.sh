#!/usr/bin/env bash
# make demo: runs letta-sync's main job against the example config repo in examples/.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
ls="$root/$build/letta-sync"

echo "== letta-sync context (examples/)"
"$ls" -C "$root/examples" context
