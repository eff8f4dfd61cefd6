#!/usr/bin/env bash
# upgrade --all --waves (issue 28): eight agents on stable move 1.0.0 -> 1.1.0 in three waves
# (1, 25%, 100%), the canary-tagged agent first; the gate runs after each wave with that
# wave's agent ids and the base URL in its environment (never the key), and each wave takes a
# snapshot first. --dry-run writes nothing and shows the waves; the assignment is stable.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable a4:stable a5:stable a6:stable a7:stable a8:stable
export CI=true
# The canary: a hand-added tag on a5.
a5=$(agent_id a5)
tags=$(agent_json a5 | jq -c '.tags + ["canary"]')
sim_call PATCH "/v1/agents/$a5" "{\"tags\": $tags}"
expect_status 200

cat >gate.sh <<'SH'
#!/bin/sh
# Records what the gate saw; the key must not be in its arguments.
echo "wave=$LETTA_SYNC_WAVE of=$LETTA_SYNC_WAVES agents=$LETTA_SYNC_WAVE_AGENTS url=$LETTA_BASE_URL args=$*" >>gate.log
echo "gate output goes to stderr"
SH
chmod +x gate.sh

# A dry run: no write, the waves shown, the canary in wave 1.
expect_writes 0 upgrade --all --waves 1,25%,100% --canary-tag canary --gate ./gate.sh --dry-run --json
expect_rc 0
expect_jq '[.data[] | select(.wave == 1) | .name] == ["a5"]'
expect_jq '[.data[] | select(.wave == 2)] | length == 1'
expect_jq '[.data[] | select(.wave == 3)] | length == 6'
WAVE2=$(jq -r '.data[] | select(.wave == 2) | .agent' "$TMP/out")
[ ! -f gate.log ] || fail "the dry run ran the gate"
[ ! -d .letta/snapshots ] || [ -z "$(ls .letta/snapshots)" ] || fail "the dry run took a snapshot"
# The same assignment on a second dry run.
run upgrade --all --waves 1,25%,100% --canary-tag canary --dry-run --json
expect_jq "[.data[] | select(.wave == 2) | .agent] == [\"$WAVE2\"]"

# Usage errors.
run upgrade --all --waves 1,50%
expect_rc 64
expect_err 'the last wave must be 100%'
run upgrade --agent a1 --waves 1,100%
expect_rc 64
run upgrade --all --gate ./gate.sh
expect_rc 64
expect_err "need '--waves'"
# --gate-timeout too, as for sync (one parser of the rollout options, cli/rollout.c).
run upgrade --all --gate-timeout 5m
expect_rc 64
expect_err "need '--waves'"

# The rollout.
run upgrade --all --waves 1,25%,100% --canary-tag canary --gate ./gate.sh --json
expect_rc 0
expect_jq '.ok and ([.data[] | select(.status == "upgraded")] | length == 8)'
for a in a1 a2 a3 a4 a5 a6 a7 a8; do expect_agent "$a" '(.tags | index("version:1.1.0"))'; done
[ "$(wc -l <gate.log)" = 3 ] || fail "the gate ran $(wc -l <gate.log) times: $(cat gate.log)"
grep -qx "wave=1 of=3 agents=$a5 url=$SIM_URL args=" gate.log || fail "wave 1's gate: $(cat gate.log)"
grep -qx "wave=2 of=3 agents=$WAVE2 url=$SIM_URL args=" gate.log || fail "wave 2's gate: $(cat gate.log)"
[ "$(sed -n 3p gate.log | sed 's/.*agents=//; s/ url=.*//' | tr , '\n' | wc -l)" = 6 ] ||
	fail "wave 3's gate: $(cat gate.log)"
! grep -qF "$SIM_KEY" gate.log || fail "the key reached the gate"
grep -q 'gate output goes to stderr' "$TMP/err" || fail "the gate's output is not on stderr"
jq -e . "$TMP/out" >/dev/null || fail "stdout is not one JSON document"
[ "$(ls .letta/snapshots | wc -l)" = 3 ] || fail "expected a snapshot per wave: $(ls .letta/snapshots)"
expect_err 'wave 1 of 3: a5'

# Converged: a second rollout moves nothing and writes nothing.
expect_writes 0 upgrade --all --waves 1,25%,100% --gate ./gate.sh
expect_rc 0
echo ok
