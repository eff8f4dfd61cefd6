#!/usr/bin/env bash
# restore puts an agent's memory back as a NEW commit on top of its current main (never a
# force-push): a backup, then sync --force overwrites the agent's line, then the agent commits
# again; restore --dry-run shows the file-level diff and pushes nothing; restore lands one
# commit (author letta-sync, the snapshot named) whose parent is the agent's commit, brings
# back the agent's line, keeps the agent's later file, exit 0; a second restore is a no-op
# (0 git POSTs, 0 writes).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

# reference/ is memory outside the prompt (no block): only the memory restore brings it back.
sed -i 's/^a$/A (agent)/' "$TMP/c/reference/notes.md"
agent_commit "agent: a"
run backup --json
expect_rc 0
id=$(jq -r .data.id "$TMP/out")
snap_head=$(remote_main "$A")
cp "$TMP/c/reference/notes.md" "$TMP/notes-at-snapshot"

# git overwrites the agent's line (--force), then the agent commits meanwhile.
sed -i 's/^a$/A (git)/' memory/mem/reference/notes.md
git commit -qam "git: a"
run sync --force
expect_rc 0
git -C "$TMP/c" pull -q --ff-only
grep -qx 'A (git)' "$TMP/c/reference/notes.md" || fail "--force did not overwrite"
write_md "$TMP/c/reference/diary.md" "Diary" $'met Ada\n'
agent_commit "agent: diary"
agent_head=$(remote_main "$A")

sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id" --dry-run
expect_rc 0
expect_out 'Agent mem: memory_files'
expect_out '^  update reference/notes.md$'
expect_out '^    -A \(git\)$'
expect_out '^    \+A \(agent\)$'
grep -q 'diary' "$TMP/out" && fail "the dry run would touch the agent's later file: $(cat "$TMP/out")"
[ "$(stat_count "$RP")" -eq 0 ] || fail "--dry-run pushed: $(sim_stats)"
[ "$(remote_main "$A")" = "$agent_head" ] || fail "--dry-run moved main"
run restore "$id" --dry-run --json
expect_rc 0
expect_jq '[.data.changes[] | select(.section == "memory_files")] | length == 1'
expect_jq '[.data.changes[] | select(.section == "memory_files") | .files[].path] == ["reference/notes.md"]'

sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id"
expect_rc 0
expect_out 'restored memory of Agent/mem'
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes: $(sim_stats)"
git -C "$TMP/c" pull -q --ff-only 2>"$TMP/git.err" || fail "not a fast-forward for the agent: $(cat "$TMP/git.err")"
new=$(remote_main "$A")
[ "$new" != "$agent_head" ] || fail "no new commit"
[ "$(git -C "$TMP/c" rev-parse HEAD~1)" = "$agent_head" ] || fail "the restore is not on top of the agent's commit"
[ "$(git -C "$TMP/c" log -1 --format=%an HEAD)" = letta-sync ] || fail "author: $(git -C "$TMP/c" log -1 --format=%an)"
git -C "$TMP/c" log -1 --format=%B HEAD | grep -q "snapshot $id" || fail "message does not name the snapshot: $(git -C "$TMP/c" log -1 --format=%B)"
git -C "$TMP/c" merge-base --is-ancestor "$snap_head" HEAD || fail "history rewritten"
cmp -s "$TMP/c/reference/notes.md" "$TMP/notes-at-snapshot" || fail "notes are not back: $(cat "$TMP/c/reference/notes.md")"
grep -qx 'met Ada' "$TMP/c/reference/diary.md" || fail "the agent's later file was lost"

sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id"
expect_rc 0
expect_out 'Nothing to restore'
[ "$(stat_count "$UP")" -eq 0 ] && [ "$(stat_count "$RP")" -eq 0 ] || fail "git POSTs on a second restore: $(sim_stats)"
[ "$(sim_stats | jq .writes)" -eq 0 ] || fail "writes on a second restore: $(sim_stats)"
[ "$(remote_main "$A")" = "$new" ] || fail "a second restore moved main"
echo ok
