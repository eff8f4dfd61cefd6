#!/usr/bin/env bash
# A fetch of an agent's memory that gets no answer (issue 25; the API's retry budget,
# docs/reliability.md): with every ref advertisement failing, sync tries 1 + LETTA_SYNC_MAX_RETRIES
# times, then reports the agent (exit 1) without pushing; once the route answers, the next sync
# converges. Under ASan (make test-asan) this also guards the failed connect: libgit2 1.5's
# git_remote_fetch() kept a copy of the Authorization header when its connect failed.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
export LETTA_SYNC_MAX_RETRIES=3 LETTA_SYNC_RETRY_BASE_MS=2 LETTA_SYNC_RETRY_MAX_MS=20
mem_setup
R1="GET /v1/git/{agent_id}/state.git/info/refs"

sed -i 's/^seven$/SEVEN (git)/' memory/mem/system/persona.md
git commit -qam "git edit"
sim_admin PUT /_sim/faults "{\"routes\":[\"$R1\"],\"error_rate\":1}" >/dev/null
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 1
expect_err "Agent 'mem'.*memory files: fetching the agent's memory"
[ "$(stat_count "$R1")" -eq 4 ] || fail "ref advertisements: $(sim_stats)"
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed without a fetch: $(sim_stats)"
# A failing run keeps its exit code under LeakSanitizer: look for the report itself.
! grep -q 'LeakSanitizer' "$TMP/err" || fail "leak after failed fetches: $(grep -A6 LeakSanitizer "$TMP/err")"

sim_admin PUT /_sim/faults '{"error_rate":0,"routes":[]}' >/dev/null
run sync
expect_rc 0
git -C "$TMP/c" pull -q --ff-only
grep -qx 'SEVEN (git)' "$TMP/c/system/persona.md" || fail "not converged"
