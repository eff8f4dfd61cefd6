#!/usr/bin/env bash
# Recompile after sync (issue 25; docs/contract/memfs.md "Running agents see memory changes only
# after a recompile"): a sync that pushes memory files or writes the system prompt recompiles
# each such agent once (POST /v1/agents/{id}/recompile), after the push, so the server's
# compiled prompt holds the new memory; a no-op sync, a dry run and --no-recompile send none;
# a failed recompile is a warning (stderr and --json warnings), not a failed sync.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
RC="POST /v1/agents/{agent_id}/recompile"
compiled() { sim_admin GET /_sim/state | jq -r --arg a "$A" '.agents[] | select(.id == $a) | ._compiled_system // ""'; }

mem_setup
[ "$(stat_count "$RC")" -eq 1 ] || fail "recompiles after the first sync: $(sim_stats)"
compiled | grep -qx 'seven' || fail "compiled prompt lacks the pushed memory: $(compiled)"

# No-op: no recompile.
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(stat_count "$RC")" -eq 0 ] || fail "recompiled on a no-op: $(sim_stats)"

# A git edit of a memory file: pushed, then one recompile; --json names the agent.
sed -i 's/^seven$/SEVEN (git)/' memory/mem/system/persona.md
git commit -qam "git edit"
sim_admin POST /_sim/stats/reset >/dev/null
run sync --json
expect_rc 0
expect_jq ".data.recompiled == [\"$A\"]"
[ "$(stat_count "$RP")" -eq 1 ] && [ "$(stat_count "$RC")" -eq 1 ] || fail "push/recompile: $(sim_stats)"
compiled | grep -qx 'SEVEN (git)' || fail "compiled prompt is stale: $(compiled)"

# A dry run recompiles nothing.
sed -i 's/^six$/SIX (git)/' memory/mem/system/persona.md
git commit -qam "git edit 2"
sim_admin POST /_sim/stats/reset >/dev/null
run sync --dry-run
expect_rc 0
[ "$(stat_count "$RC")" -eq 0 ] || fail "a dry run recompiled: $(sim_stats)"

# --no-recompile: pushed, not recompiled (the compiled prompt keeps the old memory).
run sync --no-recompile --json
expect_rc 0
expect_jq '.data.recompiled == null'
[ "$(stat_count "$RP")" -eq 1 ] && [ "$(stat_count "$RC")" -eq 0 ] || fail "--no-recompile: $(sim_stats)"
compiled | grep -qx 'six' || fail "recompiled despite --no-recompile: $(compiled)"

# A system prompt change alone (no memory change) recompiles too.
sed -i 's/system: "You help."/system: "You help a lot."/' .letta/manifests/project/agents.yaml
git commit -qam "system"
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
[ "$(stat_count "$RC")" -eq 1 ] && [ "$(stat_count "$RP")" -eq 0 ] || fail "system change: $(sim_stats)"
compiled | grep -q '^You help a lot\.' || fail "compiled prompt lacks the system: $(compiled)"
compiled | grep -qx 'SIX (git)' || fail "compiled prompt lacks memory pushed earlier: $(compiled)"

# The recompile fails: the memory landed, the sync succeeds with a warning.
sim_admin PUT /_sim/faults "{\"routes\":[\"$RC\"],\"error_rate\":1}" >/dev/null
sed -i 's/^five$/FIVE (git)/' memory/mem/system/persona.md
git commit -qam "git edit 3"
run sync --json
expect_rc 0
expect_jq '.data.recompiled == [] and ([.warnings[] | select(test("recompile failed"))] | length == 1)'
expect_err "agent $A: the recompile failed"
git -C "$TMP/c" pull -q --ff-only
grep -qx 'FIVE (git)' "$TMP/c/system/persona.md" || fail "the push did not land"
