#!/usr/bin/env bash
# kill -9 during a snapshot leaves either no snapshot or a complete one: sync --prune (eight
# agents to export, each request slowed down) is killed at points spread over its run; after
# each, every snapshot directory is complete (snapshot.json, content.json, plan.json and one
# agent file per agent), `snapshots` lists exactly those, and when the run got as far as a
# write, a complete snapshot exists (nothing is written before it is). A directory a writer
# left half-done is never listed and restore refuses it.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup --latency-ms 25

fleet() { # with-block: 1 or 0
	if [ "$1" = 1 ]; then
		cat <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: shared}
spec: {layer: project, label: shared, value: "for everyone"}
---
YAML
	fi
	helper_yaml "You help."
	if [ "$1" = 1 ]; then echo "    blocks: [{name: shared}]"; fi
	for n in 1 2 3 4 5 6 7 8; do
		printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: a%s}\nspec: {layer: project, template: helper}\n' "$n"
	done
}
fleet 1 | manifest fleet.yaml
run sync
expect_rc 0
sim_admin GET /_sim/state >"$TMP/synced.json"
fleet 0 | manifest fleet.yaml
reset_state() {
	curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @"$TMP/synced.json" \
		"$SIM_URL/_sim/state" >/dev/null
	rm -rf .letta/snapshots
}
now_ms() { date +%s%3N; }

# check: the invariant after a run (killed or not) that started with w0 writes on the server.
check() {
	local w0=$1 what=$2 complete=0 d n
	for d in .letta/snapshots/*/; do
		[ -d "$d" ] || continue
		n=$(basename "$d")
		[[ "$n" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$ ]] || fail "$what: odd directory $n"
		for f in snapshot.json content.json plan.json; do
			jq -e . "$d/$f" >/dev/null 2>&1 || fail "$what: $n/$f missing or not JSON"
		done
		want=$(jq .contents.agent_files "$d/snapshot.json")
		have=$(find "$d/agents" -name '*.af' 2>/dev/null | wc -l)
		[ "$want" = "$have" ] || fail "$what: $n has $have agent files of $want"
		for f in "$d"/agents/*.af; do
			jq -e '.agents | length == 1' "$f" >/dev/null || fail "$what: $f is not a whole agent file"
		done
		complete=$((complete + 1))
	done
	"$LS_BIN" snapshots --json >"$TMP/list.json" 2>/dev/null || fail "$what: snapshots failed"
	[ "$(jq '.data | length' "$TMP/list.json")" = "$complete" ] ||
		fail "$what: snapshots lists $(jq '.data | length' "$TMP/list.json"), $complete are complete"
	if [ "$(writes)" -gt "$w0" ] && [ "$complete" -ne 1 ]; then
		fail "$what: the sync wrote with $complete complete snapshot(s)"
	fi
	echo "$what: $complete snapshot(s), $(($(writes) - w0)) write(s)"
}

# The unkilled run: how long it takes, and the invariant holds.
reset_state
w0=$(writes)
t0=$(now_ms)
run sync --prune
t1=$(now_ms)
expect_rc 0
check "$w0" unkilled
dur=$((t1 - t0))
[ "$(ls .letta/snapshots | grep -c .)" = 1 ] || fail "no snapshot from the unkilled run"

kills=6
for k in $(seq 1 $kills); do
	reset_state
	at=$((dur * k / (kills + 1)))
	w0=$(writes)
	"$LS_BIN" sync --prune --break-lease >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	check "$w0" "kill at ${at}ms"
done

# A half-written snapshot (what a kill during the writes leaves) is never listed or restored.
mkdir -p .letta/snapshots/.tmp-20261206T101010Z-abcdef
echo '{"objects":' >.letta/snapshots/.tmp-20261206T101010Z-abcdef/content.json
mkdir -p .letta/snapshots/20261206T101011Z-abcdef
run snapshots --json
expect_rc 0
expect_jq '[.data[].id] | map(test("abcdef")) | any | not'
run restore 20261206T101011Z-abcdef
expect_rc 1
expect_err "20261206T101011Z-abcdef"
echo ok
