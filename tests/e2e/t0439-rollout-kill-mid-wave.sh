#!/usr/bin/env bash
# kill -KILL in the middle of a wave's writes (issue 28): the record says the wave is "moving"
# (written before its first write, with its snapshot), and 'upgrade --resume' finishes it: every
# agent ends on 1.1.0 with one version tag, no duplicate block, and the agents' writes of both
# runs add up to exactly those of the same rollout run without a kill (nothing written twice).
# The server answers each request after 150 ms, so the kill lands while wave 2's requests run;
# wherever it lands, the checks hold. (Each agent's move is one PATCH here, so the reference is 6.)
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable a4:stable a5:stable a6:stable
export CI=true
agent_writes() {
	sim_stats | jq '[.requests | to_entries[] | select(.key | test("^(POST|PATCH|PUT|DELETE) /v1/agents/\\{agent_id\\}")) | .value] | add // 0'
}
wave_status() { # N (0-based)
	curl -fsS -H "Authorization: Bearer $SIM_KEY" "$SIM_URL/v1/blocks/?label=letta_sync_inventory" |
		jq -r ".[0].metadata.rollout.wave[$1].status // empty"
}

# The reference: the same rollout, not interrupted; then every agent back at 1.0.0.
sim_admin POST /_sim/stats/reset >/dev/null
run upgrade --all --waves 1,50%,100%
expect_rc 0
REF=$(agent_writes)
[ "$REF" -ge 6 ] || fail "reference agent writes: $REF"
run rollback --to v1.0.0 --all --yes
expect_rc 0
for a in a1 a2 a3 a4 a5 a6; do expect_agent "$a" '(.tags | index("version:1.0.0"))'; done

sim_admin PUT /_sim/faults '{"latency_ms": 150}' >/dev/null
sim_admin POST /_sim/stats/reset >/dev/null
"$LS_BIN" upgrade --all --waves 1,50%,100% >run1.out 2>run1.err &
pid=$!
for _ in $(seq 1 600); do
	[ "$(wave_status 1)" = moving ] && break
	sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
[ "$(wave_status 1)" = moving ] || fail "wave 2 was not moving when killed: $(wave_status 1); $(cat run1.err)"
[ "$(wave_status 0)" = passed ] || fail "wave 1: $(wave_status 0)"
sim_admin PUT /_sim/faults '{"latency_ms": 0}' >/dev/null
run status --json
expect_jq '.info.rollout.wave[1].snapshots | length == 1'

run upgrade --resume --break-lease --json
expect_rc 0
expect_jq '.info.rollout.status == "done"'
expect_err 'resuming rollout [0-9A-Za-z-]+ at wave 2 of 3'
for a in a1 a2 a3 a4 a5 a6; do
	expect_agent "$a" '(.tags | index("version:1.1.0")) and ([.tags[] | select(startswith("version:"))] | length == 1)'
	expect_agent "$a" '[.memory.blocks[]? // .blocks[]? | select(.label == "guide")] | length == 1'
done
[ "$(sim_get '/v1/blocks/?label=guide' | jq length)" = 1 ] || fail "duplicate guide blocks"
[ "$(agent_writes)" = "$REF" ] || fail "agent writes of the killed run and the resume: $(agent_writes), without a kill: $REF"
expect_writes 0 upgrade --all --waves 1,50%,100%
echo ok
