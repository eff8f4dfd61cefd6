#!/usr/bin/env bash
# Progress display of bootstrap's auto-upgrade on a terminal (script(1)'s pseudo-terminal):
# with letta-sim at 600 ms a request, the upgrade lasts over a second and shows
# "bootstrap: N/M changes, ...s", cleared before "Upgraded to"; --quiet shows none.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
command -v script >/dev/null || fail "no script(1) (util-linux)"
sync_setup

helper_releases v1 v1.0.0 v2 v1.1.0
in_tty() {
	local file=$1
	shift
	script -qefc "$(printf '%q ' "$@")" /dev/null </dev/null >"$file" 2>&1
}
run bootstrap --name warm --skip-upgrade --skip-scope-sync
expect_rc 0
sim_admin PUT /_sim/faults '{"latency_ms":600}' >/dev/null

TERM=xterm in_tty "$TMP/tty" "$LS_BIN" bootstrap --name slow --skip-scope-sync ||
	fail "bootstrap failed: $(cat -v "$TMP/tty" | tail -c 600)"
grep -qaE "bootstrap:.{0,8} [0-9]+/[0-9]+ changes, [0-9.]+s" "$TMP/tty" ||
	fail "no progress line: $(cat -v "$TMP/tty" | head -c 800)"
grep -qaF "$(printf '\r\033[KUpgraded to 1.1.0')" "$TMP/tty" ||
	fail "the line is not cleared before the result: $(cat -v "$TMP/tty" | tail -c 600)"
agents_named slow | jq -e 'length == 1 and .[0].system == "v2"' >/dev/null || fail "not upgraded: $(agents_named slow)"

TERM=xterm in_tty "$TMP/tty" "$LS_BIN" bootstrap --name quiet --skip-scope-sync --quiet ||
	fail "bootstrap --quiet failed"
! grep -qa 'changes, [0-9.]*s' "$TMP/tty" || fail "a progress line with --quiet"
echo ok
