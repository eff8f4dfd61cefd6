#!/usr/bin/env bash
# Progress display: on a terminal (a pseudo-terminal from script(1)), a sync of 40 blocks that
# lasts over a second (letta-sim adds 100 ms to each request, 2 in flight) shows one line on
# stderr, redrawn in place ("\r\e[K"), "sync: N/40 changes, ...s", cleared at the end, bold
# unless NO_COLOR; nothing when stderr is not a terminal, with --json, --quiet or TERM=dumb.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
command -v script >/dev/null || fail "no script(1) (util-linux)"

repo=$TMP/repo
new_repo "$repo"
cd "$repo"
"$LS_BIN" init --project progress >/dev/null
for i in $(seq 1 40); do
	printf -- '---\napiVersion: letta.ai/v1\nkind: Block\nmetadata:\n  name: b%02d\nspec:\n  label: b%02d\n  value: v\n' \
		"$i" "$i"
done >.letta/manifests/base/many.yaml
"$LS_BIN" validate >/dev/null || fail "the 40 blocks do not validate"

# in_tty FILE CMD...: runs CMD with stdin, stdout and stderr on a pseudo-terminal; the
# terminal's bytes go to FILE.
in_tty() {
	local file=$1
	shift
	script -qefc "$(printf '%q ' "$@")" /dev/null </dev/null >"$file" 2>&1
}
fresh() { start_sim --latency-ms 100; export LETTA_SYNC_PROJECT=progress; }
has_line() { grep -qaF "$(printf '\r\033[K')" "$1" && grep -qaE "sync:.{0,8} [0-9]+/4[0-9] changes, [0-9.]+s" "$1"; }

fresh
TERM=xterm in_tty "$TMP/tty" "$LS_BIN" sync --concurrency 2 || fail "sync failed: $(cat -v "$TMP/tty")"
has_line "$TMP/tty" || fail "no progress line on a terminal: $(cat -v "$TMP/tty" | head -c 600)"
grep -qaF "$(printf '\033[1msync:\033[0m')" "$TMP/tty" || fail "the progress line is not bold: $(cat -v "$TMP/tty" | head -c 300)"
# The last redraw is cleared before the outcomes, which start on a clean line.
grep -qaF "$(printf '\r\033[K\033[32mcreated')" "$TMP/tty" ||
	fail "the line is not cleared before the outcomes: $(cat -v "$TMP/tty" | head -c 600)"
[ "$(grep -ac 'changes, [0-9.]*s' "$TMP/tty")" -eq 1 ] || fail "the progress took more than one line"

fresh
NO_COLOR=1 TERM=xterm in_tty "$TMP/tty" "$LS_BIN" sync --concurrency 2 || fail "sync failed"
has_line "$TMP/tty" || fail "NO_COLOR removed the progress line"
! grep -qaF "$(printf '\033[1m')" "$TMP/tty" || fail "colour with NO_COLOR: $(cat -v "$TMP/tty" | head -c 300)"

for mode in dumb json quiet pipe; do
	fresh
	case $mode in
	dumb) TERM=dumb in_tty "$TMP/tty" "$LS_BIN" sync --concurrency 2 ;;
	json) TERM=xterm in_tty "$TMP/tty" "$LS_BIN" sync --concurrency 2 --json ;;
	quiet) TERM=xterm in_tty "$TMP/tty" "$LS_BIN" sync --concurrency 2 --quiet ;;
	pipe) TERM=xterm "$LS_BIN" sync --concurrency 2 >"$TMP/out" 2>"$TMP/tty" ;;
	esac || fail "sync ($mode) failed: $(cat -v "$TMP/tty")"
	[ "$(sim_stats | jq .writes)" -ge 40 ] || fail "sync ($mode) did not write"
	! grep -qa 'changes, [0-9.]*s' "$TMP/tty" || fail "a progress line with $mode: $(cat -v "$TMP/tty" | head -c 300)"
	! grep -qaF "$(printf '\033[K')" "$TMP/tty" || fail "line redraws with $mode"
done
echo ok
