#!/usr/bin/env bash
# A rollout holds the project's lease from its first write to its end, gates included (issue
# 28: two rollouts on one project at once are refused): a second rollout started from the gate
# of waves 1 and 2 is refused (LEASE_HELD, the holder named, nothing moved by it); from the
# last gate it has nothing left to move (no write, so no lease needed). No lease is left.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable a4:stable
export CI=true
cat >gate.sh <<SH
#!/bin/sh
"$LS_BIN" upgrade --all --waves 1,100% --json >second.\$LETTA_SYNC_WAVE.json 2>second.\$LETTA_SYNC_WAVE.err
echo \$? >>second.rc
exit 0
SH
chmod +x gate.sh

run upgrade --all --waves 1,50%,100% --gate ./gate.sh
expect_rc 0
[ "$(tr '\n' ' ' <second.rc)" = "1 1 0 " ] || fail "the second rollout: $(cat second.rc) $(cat second.*.err)"
for w in 1 2; do
	jq -e '.ok == false and .error.code == "LEASE_HELD"' second.$w.json >/dev/null ||
		fail "the second rollout at wave $w: $(cat second.$w.json)"
	jq -e ".error.message | test(\"holds the lease\")" second.$w.json >/dev/null || fail "no lease named: $(cat second.$w.json)"
done
jq -e '[.data[] | select(.status == "upgraded")] | length == 0' second.3.json >/dev/null ||
	fail "the second rollout moved agents: $(cat second.3.json)"
for a in a1 a2 a3 a4; do expect_agent "$a" '(.tags | index("version:1.1.0"))'; done
lease=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -c '.[0].metadata.lease // empty')
[ -z "$lease" ] || fail "a lease was left: $lease"
echo ok
