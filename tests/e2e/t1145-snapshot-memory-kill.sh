#!/usr/bin/env bash
# kill -9 during a snapshot with memory bundles leaves either no snapshot or a complete one
# (issue 27): backup of four memory-managed agents (every request slowed down) is killed at
# points spread over its run; after each, every snapshot directory has its agent files and
# memory bundles (each one `git bundle verify` accepts), `snapshots` lists exactly those, and a
# stage directory a killed run left is never listed; the next backup is complete.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
sync_setup --latency-ms 20

{
	helper_yaml "You help."
	for n in 1 2 3 4; do
		printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: m%s}\nspec: {layer: project, template: helper, memory: {dir: memory/m%s}}\n' "$n" "$n"
	done
} | manifest fleet.yaml
for n in 1 2 3 4; do
	write_md memory/m$n/system/persona.md "Who I am" "I am m$n."$'\n'
	write_md memory/m$n/reference/notes.md "Notes" $'a\nb\n'
done
git add -A && git commit -qm memory
run sync
expect_rc 0
now_ms() { date +%s%3N; }

check() {
	local what=$1 complete=0 d n want have b
	for d in .letta/snapshots/*/; do
		[ -d "$d" ] || continue
		n=$(basename "$d")
		[[ "$n" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$ ]] || fail "$what: odd directory $n"
		jq -e . "$d/snapshot.json" >/dev/null 2>&1 || fail "$what: $n/snapshot.json missing"
		want=$(jq .contents.memory_bundles "$d/snapshot.json")
		have=$(find "$d/memory" -name '*.bundle' 2>/dev/null | wc -l)
		[ "$want" = 4 ] && [ "$have" = 4 ] || fail "$what: $n has $have memory bundles, says $want"
		for b in "$d"/memory/*.bundle; do
			git bundle verify -q "$b" >/dev/null 2>"$TMP/v" || fail "$what: $b: $(cat "$TMP/v")"
		done
		[ "$(find "$d/agents" -name '*.af' | wc -l)" = 4 ] || fail "$what: $n lacks agent files"
		complete=$((complete + 1))
	done
	"$LS_BIN" snapshots --json >"$TMP/list.json" 2>/dev/null || fail "$what: snapshots failed"
	[ "$(jq '.data | length' "$TMP/list.json")" = "$complete" ] ||
		fail "$what: snapshots lists $(jq '.data | length' "$TMP/list.json"), $complete are complete"
	echo "$what: $complete complete snapshot(s)"
}

t0=$(now_ms)
run backup
t1=$(now_ms)
expect_rc 0
check unkilled
dur=$((t1 - t0))
rm -rf .letta/snapshots

kills=6
for k in $(seq 1 $kills); do
	at=$((dur * k / (kills + 1)))
	"$LS_BIN" backup >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	check "kill at ${at}ms"
done
run backup
expect_rc 0
check "after the kills"
echo ok
