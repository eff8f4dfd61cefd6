#!/usr/bin/env bash
# The example memory-managed agent (issue 25): examples/ declares notes-bot with memory: {dir:
# memory/notes-bot} (two .md files with frontmatter and a skill). `make demo`'s script shows its
# memory diff (the files' lines), syncs, and ends with no change left, counting the agent once
# (14 created, 0 updated); it works on a copy (no cache left in examples/). A sync of a copy
# pushes exactly the folder's files to the agent's memory repository, and a second sync sends one
# ref advertisement and no POST to any git route.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
command -v curl >/dev/null || skip "no curl (the demo script reads /_sim/stats with it)"

set +e
bash "$LS_SOURCE_DIR/scripts/demo.sh" "$LS_BUILD_DIR" >"$TMP/out" 2>"$TMP/err"
rc=$?
set -e
expect_rc 0
expect_out '^\+ Agent notes-bot: memory_files \(9 file\(s\); the agent does not exist yet\)$'
expect_out '^  create system/conventions.md$'
expect_out '^    \+description: How this project writes code and commit messages$'
expect_out '^  create skills/changelog/SKILL.md$'
expect_out '^  create reference/release-process.md$'
expect_out '^Sync complete: 14 created, 0 updated, 0 deleted, 0 unchanged$'
tail -n 4 "$TMP/out" | grep -qx 'No changes: 14 object(s) up to date.' || fail "the demo does not end with no change left: $(tail -n 6 "$TMP/out")"
! grep -q 'drift' "$TMP/out" || fail "the memory agent shows drift after its sync: $(grep -A1 drift "$TMP/out")"
[ ! -e "$LS_SOURCE_DIR/examples/.letta/cache" ] || fail "the demo left a cache in examples/"

# The same example, synced here: the server's memory repository holds the folder's files.
start_sim
export GITHUB_TOKEN=ghp_demo_$RANDOM
cp -r "$LS_SOURCE_DIR/examples" "$TMP/examples"
cd "$TMP/examples"
run sync
expect_rc 0
A=$(sim_get "/v1/agents/?name=notes-bot" | jq -r '.[0].id')
memfs_clone "$A" "$TMP/c"
(cd memory/notes-bot && find . -type f | sort) >"$TMP/want"
for f in $(cat "$TMP/want"); do
	cmp -s "memory/notes-bot/$f" "$TMP/c/$f" || fail "$f differs on the server: $(cat "$TMP/c/$f" 2>&1)"
done
[ "$(git -C "$TMP/c" log -1 --format=%an)" = letta-sync ] || fail "last commit not letta-sync's"
blocks_of "$A"
expect_blocks '.conventions.limit == 3000 and (.conventions.value | test("C11"))'
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(stat_count "GET /v1/git/{agent_id}/state.git/info/refs")" -eq 1 ] || fail "ref advertisements: $(sim_stats)"
[ "$(stat_count "POST /v1/git/{agent_id}/state.git/git-upload-pack")" -eq 0 ] &&
	[ "$(stat_count "POST /v1/git/{agent_id}/state.git/git-receive-pack")" -eq 0 ] || fail "git POSTs on a no-op: $(sim_stats)"
