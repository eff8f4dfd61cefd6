#!/usr/bin/env bash
# upgrade on a terminal (issue 11): breaking changes are put to the user as a [y/N] question
# naming the agent and the breaking changes; "n" refuses (exit 1, agent untouched), "y"
# applies. Under CI no question is asked. Runs letta-sync under script(1) for a terminal.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
command -v script >/dev/null || skip "needs script(1)"
upgrade_setup carol:beta
unset CI

# on_tty ANSWER ARGS...: runs letta-sync ARGS on a pseudo-terminal, typing ANSWER.
on_tty() {
	local answer=$1
	shift
	(sleep 1; printf '%s\n' "$answer") | script -qec "$LS_BIN $*" /dev/null >"$TMP/tty.out" 2>&1 && rc=0 || rc=$?
}

on_tty n upgrade --agent carol
[ "$rc" -eq 1 ] || fail "declined upgrade exited $rc: $(cat "$TMP/tty.out")"
grep -q "Agent 'carol' (agent-.*): 1.0.0 -> 2.0.0-beta.1 has breaking changes: detaches memory_blocks 'policy'; model change. Apply them? \[y/N\]" "$TMP/tty.out" ||
	fail "no question: $(cat "$TMP/tty.out")"
expect_agent carol '(.tags | index("version:1.0.0"))'

# CI set: no question, refused.
CI=1 on_tty y upgrade --agent carol
[ "$rc" -eq 1 ] || fail "upgrade under CI exited $rc"
grep -q 'Apply them?' "$TMP/tty.out" && fail "asked under CI: $(cat "$TMP/tty.out")"
expect_agent carol '(.tags | index("version:1.0.0"))'

on_tty y upgrade --agent carol
[ "$rc" -eq 0 ] || fail "confirmed upgrade exited $rc: $(cat "$TMP/tty.out")"
expect_agent carol '(.tags | index("version:2.0.0-beta.1")) and .model == "openai/gpt-4o"'
