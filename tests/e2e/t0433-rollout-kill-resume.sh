#!/usr/bin/env bash
# A rollout killed mid-way (issue 28) is recorded in the inventory and 'upgrade --resume'
# continues it: the same waves and agents, the interrupted wave's gate run again, every agent
# on the target version exactly once (one move each, counted at the server), no duplicate
# object, and 'status' shows the rollout in progress until it is done. kill -KILL during
# wave 2's gate; then kill -TERM during --wait (the lease is released, no --break-lease).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable a4:stable a5:stable a6:stable
export CI=true
cat >gate.sh <<'SH'
#!/bin/sh
echo "$LETTA_SYNC_WAVE $LETTA_SYNC_WAVE_AGENTS" >>gate.log
if [ -f hang ] && [ "$LETTA_SYNC_WAVE" = 2 ]; then
	echo $$ >gate.pid
	touch hung
	exec sleep 120
fi
SH
chmod +x gate.sh
# Writes to agent routes (POST/PATCH/DELETE /v1/agents/{agent_id}...): an agent's move.
agent_writes() {
	sim_stats | jq '[.requests | to_entries[] | select(.key | test("^(POST|PATCH|PUT|DELETE) /v1/agents/\\{agent_id\\}")) | .value] | add // 0'
}
# wait_for FILE: up to 60 s.
wait_for() {
	local i
	for i in $(seq 1 600); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	fail "$1 did not appear: $(cat "$TMP/err" run1.err 2>/dev/null)"
}

run upgrade --all --waves 1,50%,100% --dry-run --json
expect_rc 0
W2=$(jq -r '[.data[] | select(.wave == 2) | .agent] | sort | join(",")' "$TMP/out")
W3=$(jq -r '[.data[] | select(.wave == 3) | .agent] | sort | join(",")' "$TMP/out")

# 1. kill -KILL while wave 2's gate runs: waves 1 and 2 moved, wave 3 not.
touch hang
sim_admin POST /_sim/stats/reset >/dev/null
"$LS_BIN" upgrade --all --waves 1,50%,100% --gate ./gate.sh >run1.out 2>run1.err &
pid=$!
wait_for hung
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
kill -TERM "$(cat gate.pid)" 2>/dev/null || true
rm -f hang
moved1=$(agent_writes)
[ "$(sim_get /v1/agents/?limit=100 | jq '[.[] | select(.tags | index("version:1.1.0"))] | length')" = 3 ] ||
	fail "expected 3 agents moved before the kill"
PER=$((moved1 / 3))
[ $((PER * 3)) = "$moved1" ] && [ "$PER" -gt 0 ] || fail "agent writes before the kill: $moved1"

# status shows the rollout, stopped in wave 2 (moved, its gate not passed).
run status --json
expect_rc 0
expect_jq '.info.rollout.status == "running" and ([.info.rollout.wave[].status] == ["passed", "moved", "pending"])'
expect_jq '.info.rollout.wave[1].gate == null and (.info.rollout.wave[0].gate == "passed")'
RID=$(jq -r .info.rollout.id "$TMP/out")
run status
expect_out "^Rollout in progress: rollout $RID: running at wave 2 of 3"
# A new rollout is refused while this one is recorded (the dead run's lease is broken).
run upgrade --all --waves 1,100% --break-lease
expect_rc 1
expect_err "a rollout is unfinished: rollout $RID"

# 2. --resume: wave 2's gate again, then wave 3; nothing moved twice.
sim_admin POST /_sim/stats/reset >/dev/null
run upgrade --resume --break-lease --json
expect_rc 0
expect_err "resuming rollout $RID at wave 2 of 3"
expect_jq '.info.rollout.status == "done" and ([.info.rollout.wave[].status] == ["passed", "passed", "passed"])'
expect_jq '[.data[] | select(.status == "upgraded") | .agent] | sort | join(",") == "'"$W3"'"'
expect_jq '[.data[] | select(.status == "up_to_date")] | length == 3'
moved2=$(agent_writes)
[ "$moved2" = $((PER * 3)) ] || fail "the resume wrote $moved2 times to agents, expected $((PER * 3)) (3 agents)"
# The gate: wave 1, wave 2 (killed), wave 2 again with the same agents, wave 3.
[ "$(cut -d' ' -f1 gate.log | tr '\n' ' ')" = "1 2 2 3 " ] || fail "gate runs: $(cat gate.log)"
[ "$(sed -n 2p gate.log | cut -d' ' -f2 | tr , '\n' | sort | paste -sd,)" = "$W2" ] || fail "wave 2 in the first run: $(cat gate.log)"
[ "$(sed -n 3p gate.log | cut -d' ' -f2 | tr , '\n' | sort | paste -sd,)" = "$W2" ] || fail "wave 2 on resume: $(cat gate.log)"
[ "$(sed -n 4p gate.log | cut -d' ' -f2 | tr , '\n' | sort | paste -sd,)" = "$W3" ] || fail "wave 3: $(cat gate.log)"
for a in a1 a2 a3 a4 a5 a6; do
	expect_agent "$a" '(.tags | index("version:1.1.0")) and ([.tags[] | select(startswith("version:"))] | length == 1)'
	expect_agent "$a" '[.memory.blocks[]? // .blocks[]? | select(.label == "guide")] | length == 1'
done
[ "$(sim_get '/v1/blocks/?label=guide' | jq length)" = 1 ] || fail "duplicate guide blocks"
[ "$(ls .letta/snapshots | wc -l)" = 3 ] || fail "snapshots: $(ls .letta/snapshots)"
run status --json
expect_jq '.info == null or .info.rollout == null'
# Done: nothing left to resume, and converged.
run upgrade --resume
expect_rc 1
expect_err 'no rollout in progress'
expect_writes 0 upgrade --all --waves 1,50%,100% --gate ./gate.sh

# 3. kill -TERM during --wait: the run stops (130), wave 1 passed, the lease released.
: >gate.log
"$LS_BIN" upgrade --all --waves 2,100% --target v2.0.0-beta.1 --yes --wait 1h --gate ./gate.sh >run2.out 2>run2.err &
pid=$!
for _ in $(seq 1 600); do
	grep -q 'waiting 3600s' run2.err && break
	sleep 0.1
done
grep -q 'waiting 3600s' run2.err || fail "no wait: $(cat run2.err)"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 130 ] || fail "rc $rc after SIGTERM: $(cat run2.err)"
grep -q "upgrade --resume' continues the rollout" run2.err || fail "no resume hint: $(cat run2.err)"
lease=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -c '.[0].metadata.lease // empty')
[ -z "$lease" ] || fail "a lease was left: $lease"
[ "$(sim_get /v1/agents/?limit=100 | jq '[.[] | select(.tags | index("version:2.0.0-beta.1"))] | length')" = 2 ] ||
	fail "expected 2 agents on 2.0.0-beta.1"
run upgrade --resume --yes --json
expect_rc 0
expect_jq '.info.rollout.status == "done" and .info.rollout.target == "v2.0.0-beta.1"'
expect_jq '[.data[] | select(.status == "upgraded")] | length == 4'
[ "$(cut -d' ' -f1 gate.log | tr '\n' ' ')" = "1 2 " ] || fail "gate runs: $(cat gate.log)"
for a in a1 a2 a3 a4 a5 a6; do expect_agent "$a" '(.tags | index("version:2.0.0-beta.1"))'; done
echo ok
