#!/usr/bin/env bash
# make demo: runs letta-sync's main job against the example config repo in examples/: a
# letta-sim on a free port with a demo key, then diff, sync, and diff again (no change).
# It works on a copy of examples/ (sync keeps memory repositories' clones in .letta/cache/),
# so the source tree is left as it was. The simulator is stopped on any exit.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$root/$build ;; esac
ls="$build/letta-sync"
sim="$build/letta-sim"
port=${DEMO_PORT:-0}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/letta-sync-demo.XXXXXX")
sim_pid=

cleanup() {
	if [ -n "$sim_pid" ]; then
		kill "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

key=demo-key-$RANDOM$RANDOM
mkfifo "$tmp/sim.fifo"
"$sim" --port "$port" --api-key "$key" >"$tmp/sim.fifo" 2>"$tmp/sim.log" &
sim_pid=$!
exec 9<"$tmp/sim.fifo"
read -r -t 10 line <&9 || { echo "letta-sim did not start:" >&2; cat "$tmp/sim.log" >&2; exit 1; }
url=${line#listening on }
cat <&9 >/dev/null &
cp -r "$root/examples" "$tmp/examples"
ex=$tmp/examples
# A config repository is a git repository: the memory commit names its commit.
if command -v git >/dev/null; then
	git -C "$ex" init -q && git -C "$ex" add -A &&
		git -C "$ex" -c user.name=demo -c user.email=demo@example.com commit -qm examples
fi

export LETTA_BASE_URL=$url LETTA_API_KEY=$key LETTA_SYNC_PROJECT=demo
export GITHUB_TOKEN=${GITHUB_TOKEN:-demo-github-token}
unset NO_COLOR

echo "== letta-sim on $url"
echo "== letta-sync context (examples/)"
"$ls" -C "$ex" context
echo
echo "== letta-sync diff: everything is new"
"$ls" -C "$ex" diff
echo
echo "== letta-sync sync"
"$ls" -C "$ex" sync
echo
echo "== letta-sync diff: nothing left to do"
"$ls" -C "$ex" diff --exit-code
echo
echo "== requests the simulator saw"
curl -fsS "$url/_sim/stats" | (command -v jq >/dev/null && jq -c '{total, writes}' || cat)
