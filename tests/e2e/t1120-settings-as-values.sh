#!/usr/bin/env bash
# Settings and the credential are passed down as values (issue 22 item 4), never through the
# environment: --concurrency replaces LETTA_SYNC_CONCURRENCY (an invalid value there is not
# even read), without it the variable is checked and used; a gate command gets an explicit
# environment: ours, plus the server, the project, the --concurrency given and the wave.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable
export CI=true

# The gate's environment: ours (MY_MARK), the target, --concurrency and the wave.
cat >gate.sh <<'SH'
#!/bin/sh
printf '%s|%s|%s|%s|%s|%s\n' "$MY_MARK" "$LETTA_BASE_URL" "$LETTA_SYNC_PROJECT" \
	"${LETTA_SYNC_CONCURRENCY-unset}" "$LETTA_SYNC_WAVE" "$LETTA_SYNC_WAVES" >>gate.log
SH
chmod +x gate.sh
MY_MARK=kept run upgrade --all --waves 1,100% --gate ./gate.sh --concurrency 3 --target 1.1.0 --yes
expect_rc 0
[ "$(wc -l <gate.log)" = 2 ] || fail "gate runs: $(cat gate.log)"
[ "$(head -1 gate.log)" = "kept|$LETTA_BASE_URL|$LETTA_SYNC_PROJECT|3|1|2" ] || fail "gate env: $(cat gate.log)"
# Without --concurrency the gate sees the variable as we have it (here: unset).
rm -f gate.log
run upgrade --all --waves 1,100% --gate ./gate.sh --target 1.0.0 --yes
expect_rc 0
[ "$(head -1 gate.log)" = "|$LETTA_BASE_URL|$LETTA_SYNC_PROJECT|unset|1|2" ] || fail "gate env: $(cat gate.log)"
# Without --concurrency, LETTA_SYNC_CONCURRENCY is read and checked, before any request.
before=$(sim_stats | jq '.total')
LETTA_SYNC_CONCURRENCY=abc run sync -v
expect_rc 64
expect_err 'LETTA_SYNC_CONCURRENCY must be a whole number'
grep -q 'http: ' "$TMP/err" && fail "a request was sent with an invalid setting: $(cat "$TMP/err")"
[ "$(sim_stats | jq '.total')" = "$before" ] || fail "requests were sent"
# --concurrency replaces it: the variable is not read.
LETTA_SYNC_CONCURRENCY=abc run sync --concurrency 2
expect_rc 0
expect_out 'Sync complete'
LETTA_SYNC_CONCURRENCY=abc run upgrade --all --check --concurrency 2
expect_rc 0

echo ok
