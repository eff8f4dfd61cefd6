#!/usr/bin/env bash
# prune (issue 25): a file letta-sync shipped (listed in its last record on the server, the
# tree of its config-side commit) that no manifest declares now is an orphan: diff and sync
# report it and leave it; sync --prune removes it in one push. A file the agent created is
# never an orphan, and a shipped file the agent changed since is kept by --prune (a warning).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

# The agent's own file; git stops declaring reference/notes.md.
write_md "$TMP/c/system/learned.md" "What I learned" $'tabs\n'
agent_commit "agent file"
git rm -q memory/mem/reference/notes.md && git commit -qm "drop notes"

run diff
expect_rc 0
expect_out '^\? Agent mem: memory_files: 1 file\(s\) no manifest declares \(sync --prune removes them\)$'
expect_out '^  orphan reference/notes.md$'
! grep -q 'learned.md' "$TMP/out" || fail "the agent's file is reported: $(cat "$TMP/out")"
run diff --json
expect_jq '[.data[] | select(.section == "memory_files" and .action == "orphan" and .orphans == ["reference/notes.md"])] | length == 1'
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
[ "$(stat_count "$RP")" -eq 0 ] || fail "sync without --prune pushed: $(sim_stats)"
git -C "$TMP/c" pull -q
[ -f "$TMP/c/reference/notes.md" ] || fail "removed without --prune"

run diff --prune
expect_out '^  delete reference/notes.md$'
sim_admin POST /_sim/stats/reset >/dev/null
run sync --prune
expect_rc 0
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes: $(sim_stats)"
# The files it removes were saved first (issue 27): a snapshot with the agent's memory bundle.
id=$(sed -nE 's/.*snapshot ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}) saved.*/\1/p' "$TMP/err")
[ -n "$id" ] || fail "no snapshot before --prune removed memory files: $(cat "$TMP/err")"
jq -e '.contents.memory_bundles == 1' ".letta/snapshots/$id/snapshot.json" >/dev/null ||
	fail "the snapshot lacks the memory bundle: $(cat ".letta/snapshots/$id/snapshot.json")"
git bundle list-heads .letta/snapshots/"$id"/memory/*.bundle | grep -q ' refs/heads/main$' ||
	fail "the bundle has no main"
git -C "$TMP/c" pull -q
[ ! -e "$TMP/c/reference/notes.md" ] || fail "not pruned"
[ -f "$TMP/c/system/learned.md" ] || fail "the agent's own file was pruned"
[ -f "$TMP/c/system/persona.md" ] || fail "a declared file was pruned"
run diff --prune --exit-code
expect_rc 0

# A shipped file the agent changed since: --prune keeps it and says so.
sed -i 's/^one$/ONE (agent)/' "$TMP/c/system/persona.md"
agent_commit "agent edits persona"
git rm -q memory/mem/system/persona.md
write_md memory/mem/system/other.md "Other" $'x\n'
git add -A && git commit -qm "persona gone"
run sync --prune
expect_rc 0
expect_err "memory file system/persona.md is no longer declared but the agent changed it"
git -C "$TMP/c" pull -q
grep -qx 'ONE (agent)' "$TMP/c/system/persona.md" || fail "the agent's edited file was pruned"
[ -f "$TMP/c/system/other.md" ] || fail "other.md not written"
blocks_of "$A"
expect_blocks 'has("persona") and has("learned") and has("other")'
