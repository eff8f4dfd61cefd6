#!/usr/bin/env bash
# backup saves each managed agent's memory repository (MemFS) as a git bundle of its main,
# memory/<agent id>.bundle (mode 0600): the git program verifies it and clones the agent's
# files and history from it; snapshot.json and snapshots --json name it; no key in any file of
# the snapshot; one fetch per agent (no push); snapshots show names the bundle and its head.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

# The agent's own commit: the bundle must carry it.
write_md "$TMP/c/reference/diary.md" "Diary" $'met Ada\n'
agent_commit "agent: diary"
head=$(remote_main "$A")

sim_admin POST /_sim/stats/reset >/dev/null
run backup --json
expect_rc 0
id=$(jq -r .data.id "$TMP/out")
expect_jq '.data.contents.memory_bundles == 1'
[ "$(stat_count "$RP")" -eq 0 ] || fail "backup pushed: $(sim_stats)"
[ "$(stat_count "$UP")" -le 1 ] || fail "more than one fetch: $(sim_stats)"
# The sim counts every POST as a write: the fetch's is the only one.
[ "$(sim_stats | jq .writes)" -eq "$(stat_count "$UP")" ] || fail "backup wrote to the server: $(sim_stats)"

snap=.letta/snapshots/$id
b=$snap/memory/$A.bundle
[ -f "$b" ] || fail "no bundle: $(find "$snap")"
[ "$(stat -c %a "$b")" = 600 ] || fail "bundle mode $(stat -c %a "$b")"
[ "$(stat -c %a "$snap/memory")" = 700 ] || fail "memory/ mode $(stat -c %a "$snap/memory")"
head -1 "$b" | grep -qx '# v2 git bundle' || fail "not a v2 bundle: $(head -1 "$b")"
git bundle verify "$b" >"$TMP/verify" 2>&1 || fail "git bundle verify: $(cat "$TMP/verify")"
grep -q "$head refs/heads/main" <(git bundle list-heads "$b") || fail "bundle heads: $(git bundle list-heads "$b")"
git clone -q "$b" "$TMP/from-bundle" 2>"$TMP/git.err" || fail "git clone of the bundle: $(cat "$TMP/git.err")"
[ "$(git -C "$TMP/from-bundle" rev-parse HEAD)" = "$head" ] || fail "clone HEAD is not the agent's main"
git -C "$TMP/c" pull -q --ff-only 2>/dev/null || true
diff -r -x .git "$TMP/c" "$TMP/from-bundle" >"$TMP/d" || fail "bundle files differ from the agent's: $(cat "$TMP/d")"
# The whole history, not only the head.
[ "$(git -C "$TMP/from-bundle" rev-list --count HEAD)" = "$(git -C "$TMP/c" rev-list --count "$head")" ] ||
	fail "history not complete"
git -C "$TMP/from-bundle" fsck --full --no-progress >"$TMP/fsck" 2>&1 || fail "fsck: $(cat "$TMP/fsck")"

jq -e --arg a "$A" --arg h "$head" '.memory == [{"agent": $a, "name": "mem", "head": $h, "bundle": ("memory/" + $a + ".bundle")}]' \
	"$snap/snapshot.json" >/dev/null || fail "snapshot.json memory: $(jq -c .memory "$snap/snapshot.json")"
! grep -rqF "$SIM_KEY" "$snap" || fail "the API key is in the snapshot"
# No stage directory is left behind.
[ -z "$(find .letta/snapshots -maxdepth 1 -name '.tmp-*')" ] || fail "left-over: $(ls -a .letta/snapshots)"

run snapshots --json
expect_rc 0
expect_jq '.data[-1].contents.memory_bundles == 1'
run snapshots
expect_rc 0
expect_out '1 memory_bundles'
run snapshots show "$id"
expect_rc 0
expect_out "Agent/mem \($A\): agent file"
expect_out "memory bundle memory/$A.bundle \(main ${head:0:7}\)"
run snapshots show "$id" --json
expect_rc 0
jq -e --arg a "$A" --arg h "$head" '.data.agents == [{"id": $a, "name": "mem", "touched": true, "agent_file": true, "memory": {"head": $h, "bundle": ("memory/" + $a + ".bundle")}}] and .data.contents.memory_bundles == 1 and (.data.size > 0)' \
	"$TMP/out" >/dev/null || fail "show --json: $(cat "$TMP/out")"
run snapshots show
expect_rc 64
echo ok
