#!/usr/bin/env bash
# Faults around memory snapshots and restore (issue 27): a backup whose memory fetch fails
# saves nothing (exit 1, no snapshot, no stage directory left) and names the agent; a restore
# push whose reply is lost lands once (found again by its trailer, no second push); a restore
# whose push is refused every time stops after 3 pushes (exit 1, main unchanged), and once the
# fault is gone the restore converges and a further one pushes nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

# A backup that cannot fetch the memory: nothing saved.
sim_admin PUT /_sim/faults "{\"routes\":[\"$IR\"],\"error_rate\":1}" >/dev/null
run backup
expect_rc 1
expect_err "Agent 'mem' \\($A\\): memory repository"
[ -z "$(ls .letta/snapshots 2>/dev/null)" ] || fail "a snapshot without the memory: $(ls -a .letta/snapshots)"
[ -z "$(find .letta/snapshots -maxdepth 1 -name '.tmp-*' 2>/dev/null)" ] || fail "left-over: $(ls -a .letta/snapshots)"
sim_admin PUT /_sim/faults '{"error_rate":0,"routes":[]}' >/dev/null

sed -i 's/^a$/A (agent)/' "$TMP/c/reference/notes.md"
agent_commit "agent: a"
run backup --json
expect_rc 0
id=$(jq -r .data.id "$TMP/out")
sed -i 's/^a$/A (git)/' memory/mem/reference/notes.md
git commit -qam "git: a"
run sync --force
expect_rc 0

# The restore's push lands, its reply is lost.
before=$(remote_main "$A")
sim_admin PUT /_sim/faults "{\"routes\":[\"$RP\"],\"lost_reply_rate\":1}" >/dev/null
sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id"
expect_rc 0
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes after a lost reply: $(sim_stats)"
sim_admin PUT /_sim/faults '{"lost_reply_rate":0,"routes":[]}' >/dev/null
git -C "$TMP/c" pull -q --ff-only
[ "$(git -C "$TMP/c" rev-parse HEAD~1)" = "$before" ] || fail "not one restore commit: $(git -C "$TMP/c" log --oneline -3)"
grep -qx 'A (agent)' "$TMP/c/reference/notes.md" || fail "not restored"
sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id"
expect_rc 0
expect_out 'Nothing to restore'
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed again: $(sim_stats)"

# git overwrites again; every restore push is refused.
sed -i 's/^A (git)$/A (git, again)/' memory/mem/reference/notes.md
git commit -qam "git: a again"
run sync --force
expect_rc 0
run backup --json
expect_rc 0
id2=$(jq -r .data.id "$TMP/out")
sed -i 's/^b$/B (git)/' memory/mem/reference/notes.md
git commit -qam "git: b"
run sync
expect_rc 0
before=$(remote_main "$A")
sim_admin PUT /_sim/faults "{\"routes\":[\"$RP\"],\"conflict_rate\":1}" >/dev/null
sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id2" --json
expect_rc 1
expect_jq '.ok == false and ([.error.details.changes[] | select(.section == "memory_files" and .status == "failed")] | length == 1)'
expect_err "Agent/mem \\($A\\): memory: pushing the agent's memory"
[ "$(stat_count "$RP")" -eq 3 ] || fail "pushes: $(sim_stats)"
[ "$(remote_main "$A")" = "$before" ] || fail "main moved"
sim_admin PUT /_sim/faults '{"conflict_rate":0,"routes":[]}' >/dev/null
run restore "$id2"
expect_rc 0
git -C "$TMP/c" pull -q --ff-only
grep -qx 'b' "$TMP/c/reference/notes.md" || fail "b is not back: $(cat "$TMP/c/reference/notes.md")"
grep -qx 'A (git, again)' "$TMP/c/reference/notes.md" || fail "a is not as in the second snapshot"
sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id2"
expect_rc 0
[ "$(stat_count "$UP")" -eq 0 ] && [ "$(stat_count "$RP")" -eq 0 ] || fail "git POSTs: $(sim_stats)"
echo ok
