#!/usr/bin/env bash
# A wave whose agents fail to upgrade (issue 28) stops the rollout, recorded as stopped with the
# wave failed; later waves are not started. Once the cause is gone, 'upgrade --resume' retries
# that wave's agents (the same ones), runs its gate, then the last wave: every agent ends on
# 1.1.0, each version tag once. The server refuses every agent PATCH from wave 2 on (the gate of
# wave 1 turns the fault on: PUT /_sim/faults, error_rate 1 on that route).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable a4:stable a5:stable a6:stable
export CI=true LETTA_SYNC_MAX_RETRIES=0
cat >gate.sh <<SH
#!/bin/sh
echo "\$LETTA_SYNC_WAVE \$LETTA_SYNC_WAVE_AGENTS" >>gate.log
if [ "\$LETTA_SYNC_WAVE" = 1 ] && [ ! -f faulted ]; then
	touch faulted
	curl -fsS -X PUT -H 'Content-Type: application/json' \\
		--data-binary '{"routes": ["PATCH /v1/agents/{agent_id}"], "error_rate": 1}' \\
		"$SIM_URL/_sim/faults" >/dev/null
fi
SH
chmod +x gate.sh
run upgrade --all --waves 1,50%,100% --dry-run --json
W2=$(jq -r '[.data[] | select(.wave == 2) | .agent] | sort | join(",")' "$TMP/out")

run upgrade --all --waves 1,50%,100% --gate ./gate.sh --json
expect_rc 1
expect_jq '.error.details.rollout.status == "stopped" and ([.error.details.rollout.wave[].status] == ["passed", "failed", "pending"])'
expect_jq '[.error.details.agents[] | select(.status == "failed") | .agent] | sort | join(",") == "'"$W2"'"'
expect_jq '[.error.details.agents[] | select(.status == "waiting")] | length == 3'
expect_err 'wave 2 of 3: 2 agent\(s\) failed; the rollout stopped'
[ "$(wc -l <gate.log)" = 1 ] || fail "the gate ran after the failed wave: $(cat gate.log)"
run status
expect_out '^Rollout in progress: rollout [0-9A-Za-z-]+: stopped at wave 2 of 3'

sim_admin PUT /_sim/faults '{"routes": [], "error_rate": 0}' >/dev/null
run upgrade --resume --json
expect_rc 0
expect_jq '.info.rollout.status == "done"'
expect_jq '[.data[] | select(.status == "upgraded")] | length == 5'
[ "$(sed -n 2p gate.log | cut -d' ' -f2 | tr , '\n' | sort | paste -sd,)" = "$W2" ] || fail "wave 2 on resume: $(cat gate.log)"
[ "$(cut -d' ' -f1 gate.log | tr '\n' ' ')" = "1 2 3 " ] || fail "gate runs: $(cat gate.log)"
for a in a1 a2 a3 a4 a5 a6; do
	expect_agent "$a" '(.tags | index("version:1.1.0")) and ([.tags[] | select(startswith("version:"))] | length == 1)'
done
[ "$(sim_get '/v1/blocks/?label=guide' | jq length)" = 1 ] || fail "duplicate guide blocks"
echo ok
