#!/usr/bin/env bash
# status shows where each memory-managed agent's memory stands (issue 25): in step, ahead (the
# agent edited since the last sync), behind (git has changes to push), conflicting (both changed
# the same lines); human and --json; status only reads: at most one ref advertisement per agent,
# no push, no write.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
R1="GET /v1/git/{agent_id}/state.git/info/refs"
mem_setup

# status_is STATE [JQ]: status --json says STATE for mem (and JQ holds on its memory object),
# reading the repository once and writing nothing.
status_is() {
	sim_admin POST /_sim/stats/reset >/dev/null
	run status --json
	expect_rc 0
	expect_jq ".data[] | select(.name == \"mem\") | .memory.state == \"$1\" ${2:+and ($2)}"
	[ "$(stat_count "$R1")" -le 1 ] || fail "ref advertisements: $(sim_stats)"
	# A fetch (POST git-upload-pack, only when main moved) is the one POST, and reads.
	[ "$(stat_count "$RP")" -eq 0 ] && [ "$(stat_count "$UP")" -le 1 ] &&
		[ "$(sim_stats | jq .writes)" -eq "$(stat_count "$UP")" ] || fail "status wrote: $(sim_stats)"
}

status_is in_step '.memory.agent_edits == false and .memory.pending == 0'
run status
expect_rc 0
expect_out '^  Memory:      in step$'

# The agent edits its memory: ahead.
sed -i 's/^one$/ONE (agent)/' "$TMP/c/system/persona.md"
agent_commit "agent edit"
status_is ahead '.memory.agent_edits == true and .memory.pending == 0'
run status
expect_out '^  Memory:      ahead '

# git edits another place too: still ahead, with git's change pending.
sed -i 's/^seven$/SEVEN (git)/' memory/mem/system/persona.md
git commit -qam "git edit"
status_is ahead '.memory.pending == 1'

# sync merges both: in step.
run sync
expect_rc 0
status_is in_step

# git alone: behind.
printf 'c (git)\n' >>memory/mem/reference/notes.md
git commit -qam "git notes"
status_is behind '.memory.agent_edits == false and .memory.pending == 1'
run status
expect_out '^  Memory:      behind '

# Both change the same line: conflicting.
git -C "$TMP/c" pull -q --ff-only
sed -i 's/^two$/TWO (agent)/' "$TMP/c/system/persona.md"
agent_commit "agent edit 2"
sed -i 's/^two$/TWO (git)/' memory/mem/system/persona.md
git commit -qam "git edit 2"
status_is conflicting '.memory.conflicts == 1'
run status
expect_out '^  Memory:      conflicting '
