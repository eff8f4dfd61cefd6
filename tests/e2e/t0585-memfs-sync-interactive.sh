#!/usr/bin/env bash
# sync --interactive for memory files (issue 25): each file the agent and git changed on the
# same lines is asked about on the terminal: [d]iff shows the hunks, [g]it wins (its side of
# the overlapping hunks; the agent's other edits in the file stay), [k]eep the agent's file;
# the agent's memory is then pushed as one commit. [s]kip leaves the conflict: nothing is
# pushed for that agent, exit 1.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
command -v script >/dev/null || skip "needs script(1) for a terminal"
mem_setup

# persona: both change line two (the agent also line six); notes: both change line b.
sed -i -e 's/^two$/TWO (agent)/' -e 's/^six$/SIX (agent)/' "$TMP/c/system/persona.md"
sed -i 's/^b$/B (agent)/' "$TMP/c/reference/notes.md"
agent_commit "agent edits"
sed -i 's/^two$/TWO (git)/' memory/mem/system/persona.md
sed -i 's/^b$/B (git)/' memory/mem/reference/notes.md
git commit -qam "git edits"

# Answers in path order: reference/notes.md (diff, then keep the agent's), system/persona.md (git).
printf 'd\nk\ng\n' >"$TMP/answers"
sim_admin POST /_sim/stats/reset >/dev/null
set +e
script -qec "'$LS_BIN' sync --interactive" /dev/null <"$TMP/answers" >"$TMP/out" 2>&1
irc=$?
set -e
[ "$irc" -eq 0 ] || fail "exit $irc: $(cat "$TMP/out")"
grep -q 'Agent mem: memory file system/persona.md: the agent and git changed the same lines' "$TMP/out" || fail "not asked about persona: $(cat "$TMP/out")"
grep -q 'Agent mem: memory file reference/notes.md' "$TMP/out" || fail "not asked about notes: $(cat "$TMP/out")"
grep -q '^+B (git)' "$TMP/out" || fail "the diff was not shown: $(cat "$TMP/out")"
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes: $(sim_stats)"
git -C "$TMP/c" pull -q --ff-only
grep -qx 'TWO (git)' "$TMP/c/system/persona.md" || fail "git did not win persona: $(cat "$TMP/c/system/persona.md")"
grep -qx 'SIX (agent)' "$TMP/c/system/persona.md" || fail "the agent's other edit in persona was lost"
grep -qx 'B (agent)' "$TMP/c/reference/notes.md" || fail "the agent's notes were not kept: $(cat "$TMP/c/reference/notes.md")"
# Settled: the next sync has nothing to do.
run sync
expect_rc 0
expect_out 'Already in sync'

# skip: the conflict stays, nothing is pushed, exit 1.
sed -i 's/^three$/THREE (agent)/' "$TMP/c/system/persona.md"
agent_commit "agent edit 2"
before=$(remote_main "$A")
sed -i 's/^three$/THREE (git)/' memory/mem/system/persona.md
git commit -qam "git edit 2"
printf 's\n' >"$TMP/answers"
sim_admin POST /_sim/stats/reset >/dev/null
set +e
script -qec "'$LS_BIN' sync --interactive" /dev/null <"$TMP/answers" >"$TMP/out" 2>&1
irc=$?
set -e
[ "$irc" -eq 1 ] || fail "a skipped conflict exits 1, got $irc: $(cat "$TMP/out")"
[ "$(stat_count "$RP")" -eq 0 ] && [ "$(remote_main "$A")" = "$before" ] || fail "pushed a skipped conflict: $(sim_stats)"
