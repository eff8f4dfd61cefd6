#!/usr/bin/env bash
# A rollout's gates and waits renew the project's lease (issue 28): with a 3-second lease
# (LETTA_SYNC_LEASE_SECONDS), a 4-second gate and a 5-second --wait, the lease read from the
# server inside each gate has not expired, and a second run started from the last gate (which
# would move the agents back) is still refused with LEASE_HELD. No lease is left at the end.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable
export CI=true
cat >gate.sh <<SH
#!/bin/sh
[ "\$LETTA_SYNC_WAVE" = 1 ] && sleep 4
exp=\$(curl -fsS -H "Authorization: Bearer \$LETTA_API_KEY" "\$LETTA_BASE_URL/v1/blocks/?label=letta_sync_inventory" | jq '.[0].metadata.lease.expires // 0')
echo "\$LETTA_SYNC_WAVE \$exp \$(date +%s)" >>lease.log
if [ "\$LETTA_SYNC_WAVE" = 2 ]; then
	"$LS_BIN" upgrade --all --target v1.0.0 --yes --json >second.json 2>second.err
	echo \$? >second.rc
fi
exit 0
SH
chmod +x gate.sh

LETTA_SYNC_LEASE_SECONDS=3 run upgrade --all --waves 1,100% --gate ./gate.sh --wait 5s
expect_rc 0
expect_err 'renewed the lease until'
[ "$(wc -l <lease.log)" = 2 ] || fail "gate runs: $(cat lease.log)"
while read -r w exp now; do
	[ "$exp" -gt "$now" ] || fail "wave $w's gate saw an expired lease ($exp <= $now): $(cat lease.log)"
done <lease.log
[ "$(cat second.rc)" = 1 ] || fail "the second run: rc $(cat second.rc): $(cat second.err)"
jq -e '.error.code == "LEASE_HELD"' second.json >/dev/null || fail "the second run: $(cat second.json)"
for a in a1 a2 a3; do expect_agent "$a" '(.tags | index("version:1.1.0"))'; done
lease=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -c '.[0].metadata.lease // empty')
[ -z "$lease" ] || fail "a lease was left: $lease"
echo ok
