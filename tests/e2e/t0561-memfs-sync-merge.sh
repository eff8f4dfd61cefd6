#!/usr/bin/env bash
# Three-way merge (issue 25): the agent edits a file git does not touch and another one in a
# place git does not touch; git edits two files. One sync keeps the agent's edits, writes
# git's, merges the shared file with libgit2, and pushes one commit on top of the agent's.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

# The agent: its own new file, the first line of persona, notes.
write_md "$TMP/c/system/learned.md" "What I learned" $'tabs over spaces\n'
sed -i 's/^one$/ONE (agent)/' "$TMP/c/system/persona.md"
printf 'c (agent)\n' >>"$TMP/c/reference/notes.md"
agent_commit "agent edits"
agent_head=$(remote_main "$A")

# git: the last line of persona (far from the agent's edit), a new file.
sed -i 's/^seven$/SEVEN (git)/' memory/mem/system/persona.md
write_md memory/mem/system/rules.md "Rules" $'be kind\n'
git add -A && git commit -qm "git edits"

run diff
expect_rc 0
expect_out 'memory_files'
expect_out '^    \+SEVEN \(git\)'
expect_out 'create system/rules.md'
run sync --json
expect_rc 0
expect_jq '[.data.changes[] | select(.section == "memory_files")] | length == 1'
git -C "$TMP/c" pull -q --ff-only 2>"$TMP/git.err" || fail "not a fast-forward for the agent: $(cat "$TMP/git.err")"
[ "$(git -C "$TMP/c" rev-parse HEAD~1)" = "$agent_head" ] || fail "the sync commit is not on the agent's head"
grep -qx 'ONE (agent)' "$TMP/c/system/persona.md" || fail "agent's line lost: $(cat "$TMP/c/system/persona.md")"
grep -qx 'SEVEN (git)' "$TMP/c/system/persona.md" || fail "git's line missing: $(cat "$TMP/c/system/persona.md")"
grep -qx 'c (agent)' "$TMP/c/reference/notes.md" || fail "agent's notes edit lost"
[ -f "$TMP/c/system/learned.md" ] || fail "the agent's own file was removed"
[ -f "$TMP/c/system/rules.md" ] || fail "git's new file missing"
blocks_of "$A"
expect_blocks '.rules.value == "be kind\n" and .learned.value == "tabs over spaces\n"'
expect_blocks '.persona.value | test("ONE \\(agent\\)") and test("SEVEN \\(git\\)")'

# Again: nothing to do (the agent's edits are not undone by the next sync).
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(stat_count "POST /v1/git/{agent_id}/state.git/git-receive-pack")" -eq 0 ] || fail "pushed again: $(sim_stats)"
