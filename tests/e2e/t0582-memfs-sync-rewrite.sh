#!/usr/bin/env bash
# The server rewrites an agent's memory history (letta-code#2203; issue 25): diff, sync and
# status report it (stderr and --json warnings), sync never force-pushes (the rewritten main
# stays an ancestor, the old history is not sent back), and the base is re-established only
# where the content matches: a file only one side changed since the last sync takes that
# side's change, a file both changed is a conflict (even apart), --force makes git win.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup
old=$(remote_main "$A")

# Rewritten, with nothing to change: reported, nothing pushed, main unchanged.
sim_admin POST "/_sim/git/$A/rewrite" >/dev/null
rewritten=$(remote_main "$A")
[ "$rewritten" != "$old" ] || fail "the simulator did not rewrite"
run diff --json
expect_rc 0
expect_jq '[.warnings[] | select(test("rewrote its memory history"))] | length == 1'
run status --json
expect_jq '.data[0].memory.history_rewritten == true and .data[0].memory.state == "in_step"'
sim_admin POST /_sim/stats/reset >/dev/null
run sync --json
expect_rc 0
expect_jq '[.warnings[] | select(test("server rewrote its memory history .*nothing is force-pushed"))] | length == 1'
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed: $(sim_stats)"
[ "$(remote_main "$A")" = "$rewritten" ] || fail "main moved"
# The base is re-established from the matching files: the next sync is quiet.
run sync
expect_rc 0
expect_out 'Already in sync'
! grep -q 'rewrote' "$TMP/err" || fail "warned again: $(cat "$TMP/err")"

# Rewritten again; since the last sync the agent edits notes and git edits persona: each
# side's change is taken, on top of the rewritten main.
sim_admin POST "/_sim/git/$A/rewrite" >/dev/null
rewritten=$(remote_main "$A")
rm -rf "$TMP/c" && memfs_clone "$A" "$TMP/c"
git -C "$TMP/c" config user.name agent && git -C "$TMP/c" config user.email agent@example.com
printf 'c (agent)\n' >>"$TMP/c/reference/notes.md"
agent_commit "agent notes"
agent_head=$(remote_main "$A")
sed -i 's/^seven$/SEVEN (git)/' memory/mem/system/persona.md
git commit -qam "git persona"
run sync
expect_rc 0
expect_err 'rewrote its memory history'
git -C "$TMP/c" pull -q --ff-only 2>"$TMP/git.err" || fail "not a fast-forward: $(cat "$TMP/git.err")"
grep -qx 'c (agent)' "$TMP/c/reference/notes.md" || fail "the agent's edit was lost: $(cat "$TMP/c/reference/notes.md")"
grep -qx 'SEVEN (git)' "$TMP/c/system/persona.md" || fail "git's edit missing"
git -C "$TMP/c" merge-base --is-ancestor "$agent_head" HEAD || fail "force-pushed over the agent's head"
! git -C "$TMP/c" merge-base --is-ancestor "$old" HEAD 2>/dev/null || fail "the old history was sent back"
! git -C "$TMP/c" cat-file -e "$old" 2>/dev/null || fail "the old history's commits are on the server"

# Rewritten again; both edit persona since the last sync (apart): a conflict, nothing pushed.
sim_admin POST "/_sim/git/$A/rewrite" >/dev/null
rm -rf "$TMP/c" && memfs_clone "$A" "$TMP/c"
git -C "$TMP/c" config user.name agent && git -C "$TMP/c" config user.email agent@example.com
sed -i 's/^one$/ONE (agent)/' "$TMP/c/system/persona.md"
agent_commit "agent persona"
before=$(remote_main "$A")
sed -i 's/^three$/THREE (git)/' memory/mem/system/persona.md
git commit -qam "git persona 2"
sim_admin POST /_sim/stats/reset >/dev/null
run sync --json
expect_rc 1
expect_jq '.error.code == "CONFLICT"'
expect_jq '[.error.details.changes[] | select(.section == "memory_files" and .action == "conflict" and (.reason | test("rewrote")))] | length == 1'
[ "$(stat_count "$RP")" -eq 0 ] && [ "$(remote_main "$A")" = "$before" ] || fail "pushed a conflict: $(sim_stats)"
# --force: git wins for that file; still a fast-forward.
run sync --force
expect_rc 0
git -C "$TMP/c" pull -q --ff-only 2>"$TMP/git.err" || fail "not a fast-forward: $(cat "$TMP/git.err")"
cmp -s memory/mem/system/persona.md "$TMP/c/system/persona.md" || fail "git did not win: $(cat "$TMP/c/system/persona.md")"
