#!/usr/bin/env bash
# Overlapping edits (issue 25): the agent and git change the same line: sync is a conflict
# (exit 1, the hunks shown, nothing pushed), diff --json says action conflict; sync --force
# makes git win for that file and keeps the agent's other edits.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

sed -i 's/^four$/FOUR (agent)/' "$TMP/c/system/persona.md"
printf 'c (agent)\n' >>"$TMP/c/reference/notes.md"
agent_commit "agent edits"
agent_head=$(remote_main "$A")
sed -i 's/^four$/FOUR (git)/' memory/mem/system/persona.md
git commit -qam "git edit"

run diff --json
expect_rc 0
expect_jq '[.data[] | select(.section == "memory_files" and .action == "conflict")] | length == 1'
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 1
expect_err 'memory_files conflict'
expect_err '^    -FOUR \(agent\)'
expect_err '^    \+FOUR \(git\)'
expect_err 'in conflict'
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed in a conflict: $(sim_stats)"
[ "$(remote_main "$A")" = "$agent_head" ] || fail "main moved in a conflict"

run sync --force
expect_rc 0
git -C "$TMP/c" pull -q --ff-only
grep -qx 'FOUR (git)' "$TMP/c/system/persona.md" || fail "--force: git did not win"
grep -qx 'c (agent)' "$TMP/c/reference/notes.md" || fail "--force dropped the agent's other edit"
run sync
expect_rc 0
expect_out 'Already in sync'
