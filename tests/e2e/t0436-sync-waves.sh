#!/usr/bin/env bash
# sync --waves (issue 28): a template change that touches six agents is applied in waves
# (1, 50%, 100%), the shared change and the inventory with the first; the gate runs after each
# wave with its agents, and each wave takes a snapshot first. --dry-run and diff --waves show
# the same waves (diff's markdown report has a "Rollout waves" table) and write nothing. A gate
# that fails in wave 2 with --auto-rollback puts the agents of waves 1-2 back; wave 3 is
# untouched.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup
export CI=true
fleet() { # SYSTEM POLICY
	{
		policy_yaml | sed "s/be kind/$2/"
		echo ---
		helper_yaml "$1"
		echo "    blocks: [{name: policy}]"
		for a in a1 a2 a3 a4 a5 a6; do
			printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: %s}\nspec: {layer: project, template: helper}\n' "$a"
		done
	} | manifest fleet.yaml
}
system_of() {
	sim_get "/v1/agents/?name=$1" | jq -r '.[0].system'
}
fleet "You help." "be kind"
run sync
expect_rc 0
cat >gate.sh <<'SH'
#!/bin/sh
echo "$LETTA_SYNC_WAVE $LETTA_SYNC_WAVE_AGENTS" >>gate.log
[ ! -f fail-at ] || [ "$LETTA_SYNC_WAVE" -lt "$(cat fail-at)" ]
SH
chmod +x gate.sh

fleet "You help a lot." "be very kind"
# The dry run and diff show the waves, write nothing.
expect_writes 0 sync --waves 1,50%,100% --gate ./gate.sh --dry-run --json
expect_rc 0
expect_jq '[.data.waves[] | .agents | length] == [1, 2, 3]'
W1=$(jq -r '.data.waves[0].agents[0].name' "$TMP/out")
W3=$(jq -r '[.data.waves[2].agents[].name] | sort | join(" ")' "$TMP/out")
expect_err "wave 1 of 3: $W1\$"
[ ! -f gate.log ] || fail "the dry run ran the gate"
expect_writes 0 diff --format markdown --waves 1,50%,100%
expect_out '^### Rollout waves'
expect_out "^\\| 1 \\| \`$W1\` \\|"
expect_writes 0 diff --json --waves 1,50%,100%
expect_jq "[.data[] | select(.wave == 3) | .name] | unique | join(\" \") == \"$W3\""
expect_jq '[.data[] | select(.kind == "Block") | has("wave")] == [false]'
run diff --canary-tag x
expect_rc 64
run sync --gate ./gate.sh
expect_rc 64
expect_err "need '--waves'"

# The rollout: every agent updated, the shared block with wave 1, a gate and a snapshot per wave.
run sync --waves 1,50%,100% --gate ./gate.sh --json
expect_rc 0
expect_jq '[.data.changes[] | select(.kind == "Block" and .name == "policy") | .wave] == [1]'
expect_jq '[.data.changes[] | select(.kind == "Agent") | .agent] | unique | length == 6'
expect_jq '.data.snapshots | length == 3'
# Each wave's agents are recompiled (their system prompt changed) before its gate.
expect_jq '.data.recompiled | length == 6'
[ "$(cut -d' ' -f1 gate.log | tr '\n' ' ')" = "1 2 3 " ] || fail "gate runs: $(cat gate.log)"
for a in a1 a2 a3 a4 a5 a6; do [ "$(system_of $a)" = "You help a lot." ] || fail "$a: $(system_of $a)"; done
[ "$(changes)" = 0 ] || fail "not converged: $(cat "$TMP/diff.json")"
[ "$(sim_get '/v1/blocks/?label=policy' | jq length)" = 1 ] || fail "duplicate policy blocks"
expect_writes 0 sync --waves 1,50%,100% --gate ./gate.sh

# A gate failing in wave 2 with --auto-rollback: waves 1-2 restored, wave 3 untouched.
rm -f gate.log
echo 2 >fail-at
fleet "You help even more." "be very kind"
run sync --waves 1,50%,100% --gate ./gate.sh --auto-rollback
expect_rc 1
expect_err 'wave 2 of 3: the gate failed \(exit status 1\)'
expect_err 'rolling back: letta-sync restore'
[ "$(cut -d' ' -f1 gate.log | tr '\n' ' ')" = "1 2 " ] || fail "gate runs: $(cat gate.log)"
for a in a1 a2 a3 a4 a5 a6; do [ "$(system_of $a)" = "You help a lot." ] || fail "$a after the rollback: $(system_of $a)"; done
lease=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -c '.[0].metadata.lease // empty')
[ -z "$lease" ] || fail "a lease was left: $lease"
echo ok
