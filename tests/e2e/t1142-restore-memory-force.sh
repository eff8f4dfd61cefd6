#!/usr/bin/env bash
# Memory files overwritten by sync --force, then restored while the agent committed meanwhile
# (issue 27): sync --force over overlapping edits saves a snapshot first, with the agent's
# memory bundle at its main before the push; the agent commits on top of the sync's commit;
# restore brings the agent's overwritten line back as a new commit on the agent's commit and
# keeps the agent's later edit (merged, nothing of the agent's lost), exit 0; restoring twice
# pushes nothing. A sync --force whose memory merge overwrites nothing takes no snapshot.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

# git adds a file and the agent changed nothing: --force overwrites nothing, no snapshot.
write_md memory/mem/reference/rules.md "Rules" $'be kind\n'
git add -A && git commit -qm "git: rules"
run sync --force
expect_rc 0
[ ! -d .letta/snapshots ] || [ -z "$(ls .letta/snapshots)" ] || fail "a snapshot for an addition: $(ls .letta/snapshots)"
git -C "$TMP/c" pull -q --ff-only

# Overlapping edits: the agent's line and git's (persona), and an agent edit git leaves alone.
sed -i 's/^two$/TWO (agent)/' "$TMP/c/system/persona.md"
sed -i 's/^b$/B (agent)/' "$TMP/c/reference/notes.md"
agent_commit "agent: two, b"
before=$(remote_main "$A")
sed -i 's/^two$/TWO (git)/' memory/mem/system/persona.md
git commit -qam "git: two"
run sync
expect_rc 1
[ ! -d .letta/snapshots ] || [ -z "$(ls .letta/snapshots)" ] || fail "a snapshot for a sync that left the conflict alone"

run sync --force --json
expect_rc 0
id=$(sed -nE 's/.*snapshot ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}) saved.*/\1/p' "$TMP/err")
[ -n "$id" ] || fail "no snapshot before --force overwrote memory: $(cat "$TMP/err")"
expect_jq ".data.snapshots == [\"$id\"]"
b=.letta/snapshots/$id/memory/$A.bundle
git bundle list-heads "$b" | grep -q "^$before refs/heads/main" || fail "the bundle is not the agent's main before the push: $(git bundle list-heads "$b")"
jq -e --arg a "$A" '.contents.memory_bundles == 1 and (.memory | map(.agent)) == [$a]' .letta/snapshots/$id/snapshot.json >/dev/null ||
	fail "snapshot.json: $(cat .letta/snapshots/$id/snapshot.json)"
git -C "$TMP/c" pull -q --ff-only
grep -qx 'TWO (git)' "$TMP/c/system/persona.md" || fail "--force: git did not win"

# The agent commits meanwhile (a line away from the overwritten one: git merges them).
sed -i 's/^six$/SIX (agent, later)/' "$TMP/c/system/persona.md"
agent_commit "agent: later"
agent_head=$(remote_main "$A")

run snapshots
expect_rc 0
expect_out "$id .*1 memory_bundles"
sim_admin POST /_sim/stats/reset >/dev/null
run restore "$id"
expect_rc 0
expect_out 'restored memory of Agent/mem'
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes: $(sim_stats)"
git -C "$TMP/c" pull -q --ff-only 2>"$TMP/git.err" || fail "not a fast-forward: $(cat "$TMP/git.err")"
[ "$(git -C "$TMP/c" rev-parse HEAD~1)" = "$agent_head" ] || fail "the restore is not on top of the agent's commit"
p=$TMP/c/system/persona.md
grep -qx 'TWO (agent)' "$p" || fail "the overwritten line is not back: $(cat "$p")"
grep -qx 'SIX (agent, later)' "$p" || fail "the agent's later line was lost: $(cat "$p")"
grep -qx 'TWO (git)' "$p" && fail "git's line is still there: $(cat "$p")"
grep -qx 'B (agent)' "$TMP/c/reference/notes.md" || fail "the agent's other edit was lost"
blocks_of "$A"
expect_blocks '.persona.value | test("TWO \\(agent\\)") and test("SIX \\(agent, later\\)")'
grep -qx 'be kind' "$TMP/c/reference/rules.md" || fail "git's earlier file was removed"

run restore "$id" --dry-run
expect_rc 0
cp "$TMP/out" "$TMP/dry-after"
# The next diff leaves the restored memory alone (the agent's side is the newer edit).
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.section == "memory_files")] | length == 0'
sim_admin POST /_sim/stats/reset >/dev/null
expect_writes 0 restore "$id"
expect_rc 0
[ "$(stat_count "$UP")" -eq 0 ] && [ "$(stat_count "$RP")" -eq 0 ] || fail "git POSTs on a second restore: $(sim_stats)"

# The agent loses its tag (so its repository); the snapshot only saved its memory (the run
# did not change the agent itself), so restore does not give the tag back: it says what to do.
tags=$(sim_get "/v1/agents/$A" | jq -c '[.tags[] | select(. != "git-memory-enabled")]')
sim_call PATCH "/v1/agents/$A" "{\"tags\":$tags}"
expect_status 200
run restore "$id"
expect_rc 1
expect_err "Agent/mem has no tag 'git-memory-enabled' now"
run sync
expect_rc 0
run restore "$id"
expect_rc 0
echo ok
