#!/usr/bin/env bash
# An agent with git-backed memory deleted by hand (issue 27): restore re-creates it by import
# (its tags, so git-memory-enabled, come back with it) and then pushes the snapshot's memory
# files to the new agent's repository as one new commit on its main (no force-push); the files
# the agent had, reference/ ones included, are back; a second restore changes nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

write_md "$TMP/c/reference/diary.md" "Diary" $'met Ada\n'
agent_commit "agent: diary"
run backup --json
expect_rc 0
id=$(jq -r .data.id "$TMP/out")
rm -rf "$TMP/snapfiles" && git clone -q ".letta/snapshots/$id/memory/$A.bundle" "$TMP/snapfiles"

sim_call DELETE "/v1/agents/$A"
expect_status 200
run restore "$id" --dry-run
expect_rc 0
expect_out 'Agent mem: memory_files \(pushed as in snapshot .* once the agent is re-created\)'
run restore "$id" --dry-run --json
expect_rc 0
expect_jq '[.data.changes[] | select(.section == "memory_files")] == [{"kind": "Agent", "name": "mem", "section": "memory_files", "action": "create", "reason": "pushed once the agent is re-created"}]'
sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id"
expect_rc 0
expect_out 're-created Agent/mem'
expect_out 'restored memory of Agent/mem'
new=$(sim_get "/v1/agents/?name=mem" | jq -r '.[0].id')
[ -n "$new" ] && [ "$new" != null ] && [ "$new" != "$A" ] || fail "mem not re-created"
sim_get "/v1/agents/$new" | jq -e '.tags | index("git-memory-enabled")' >/dev/null || fail "no memory tag after import"
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes: $(sim_stats)"
memfs_clone "$new" "$TMP/n"
[ "$(git -C "$TMP/n" log -1 --format=%an)" = letta-sync ] || fail "the last commit is not the restore"
[ "$(git -C "$TMP/n" rev-list --count HEAD)" -ge 2 ] || fail "the restore replaced the new repository's history"
diff -r -x .git "$TMP/snapfiles" "$TMP/n" >"$TMP/d" || fail "memory differs from the snapshot: $(cat "$TMP/d")"
blocks_of "$new"
expect_blocks '.persona.value | test("seven")'

sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id"
expect_rc 0
expect_out 'Nothing to restore'
[ "$(stat_count "$UP")" -eq 0 ] && [ "$(stat_count "$RP")" -eq 0 ] || fail "git POSTs: $(sim_stats)"
echo ok
