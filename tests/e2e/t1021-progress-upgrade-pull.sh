#!/usr/bin/env bash
# Progress display of `upgrade --all` and `pull` on a terminal (a pseudo-terminal from
# script(1)): with letta-sim slowed down (latency_ms), each shows its line
# ("upgrade: N/M changes, ...s", "pull: 1/1 folders read, ...s"), cleared before the results;
# --quiet and a non-terminal stderr show none.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
command -v script >/dev/null || fail "no script(1) (util-linux)"
upgrade_setup a1:stable a2:stable a3:stable a4:stable a5:stable a6:stable
export CI=true

in_tty() {
	local file=$1
	shift
	script -qefc "$(printf '%q ' "$@")" /dev/null </dev/null >"$file" 2>&1
}
slow() { sim_admin PUT /_sim/faults "{\"latency_ms\":$1}" >/dev/null; }

# upgrade --all, one request at a time, 300 ms each: well over a second.
slow 300
TERM=xterm in_tty "$TMP/tty" "$LS_BIN" upgrade --all --concurrency 1 ||
	fail "upgrade failed: $(cat -v "$TMP/tty" | tail -c 600)"
grep -qaE "upgrade:.{0,8} [0-9]+/[0-9]+ changes, [0-9.]+s" "$TMP/tty" ||
	fail "no progress line: $(cat -v "$TMP/tty" | head -c 600)"
grep -qaF "$(printf '\r\033[K')" "$TMP/tty" || fail "the line is not redrawn in place"
grep -qa 'upgraded' "$TMP/tty" || fail "no result: $(cat -v "$TMP/tty" | tail -c 400)"
for a in a1 a2 a3 a4 a5 a6; do expect_agent "$a" '(.tags | index("version:1.1.0"))'; done

# pull: the example repository's folder, its files read at 0.6 s a request (the lists, then the folder: over a second).
start_sim
repo2=$TMP/pull
cp -r "$LS_SOURCE_DIR/examples" "$repo2"
rm -f "$repo2/.letta/settings.local.json"
cd "$repo2"
git init -q -b main && git add -A && git commit -qm examples
export LETTA_SYNC_PROJECT=pull-progress GITHUB_TOKEN=ghp_x_$RANDOM
"$LS_BIN" sync >/dev/null 2>&1 || fail "sync of the examples failed"
slow 600
TERM=xterm in_tty "$TMP/tty" "$LS_BIN" pull ||
	fail "pull failed: $(cat -v "$TMP/tty" | tail -c 600)"
grep -qaE "pull:.{0,8} 1/1 folders read, [0-9.]+s" "$TMP/tty" ||
	fail "no pull progress line: $(cat -v "$TMP/tty" | head -c 600)"
TERM=xterm in_tty "$TMP/tty" "$LS_BIN" pull --quiet || fail "pull --quiet failed"
! grep -qa 'folders read' "$TMP/tty" || fail "a progress line with --quiet"
TERM=xterm "$LS_BIN" pull >"$TMP/out" 2>"$TMP/err" || fail "pull failed: $(cat "$TMP/err")"
! grep -qa 'folders read' "$TMP/err" || fail "a progress line on a pipe"
echo ok
