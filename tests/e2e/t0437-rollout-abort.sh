#!/usr/bin/env bash
# upgrade --abort (issue 28) undoes an interrupted rollout: after kill -KILL during wave 2's
# gate, --abort --dry-run prints the restore lines and writes nothing; --abort restores every
# agent the rollout moved (waves 1-2) from the snapshots recorded for them, leaves wave 3's
# agents alone, and records the rollout as aborted (status no longer shows it; --resume finds
# nothing). Usage errors: --resume with --abort or with --waves.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable a4:stable a5:stable a6:stable
export CI=true
cat >gate.sh <<'SH'
#!/bin/sh
if [ "$LETTA_SYNC_WAVE" = 2 ]; then
	echo $$ >gate.pid
	touch hung
	exec sleep 120
fi
SH
chmod +x gate.sh

run upgrade --resume --abort
expect_rc 64
run upgrade --resume --waves 1,100%
expect_rc 64
run upgrade --abort
expect_rc 1
expect_err 'no rollout in progress'

"$LS_BIN" upgrade --all --waves 1,50%,100% --gate ./gate.sh >run1.out 2>run1.err &
pid=$!
for _ in $(seq 1 600); do
	[ -e hung ] && break
	sleep 0.1
done
[ -e hung ] || fail "the gate of wave 2 did not start: $(cat run1.err)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
kill -TERM "$(cat gate.pid)" 2>/dev/null || true
moved() { sim_get /v1/agents/?limit=100 | jq "[.[] | select(.tags | index(\"version:$1\"))] | length"; }
[ "$(moved 1.1.0)" = 3 ] || fail "expected 3 agents moved: $(moved 1.1.0)"

# The dry run: the two snapshots' restore lines, nothing written.
expect_writes 0 upgrade --abort --dry-run --break-lease
expect_rc 0
[ "$(grep -cE '^  letta-sync restore [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$' "$TMP/err")" = 2 ] ||
	fail "restore lines: $(cat "$TMP/err")"
expect_out '^Dry run: would abort rollout [0-9A-Za-z-]+: running at wave 2 of 3'

run upgrade --abort --break-lease --json
expect_rc 0
expect_jq '.data.rollout.status == "aborted" and ([.data.rollout.wave[].status] == ["rolled_back", "rolled_back", "pending"])'
[ "$(moved 1.0.0)" = 6 ] || fail "expected every agent back at 1.0.0: $(moved 1.0.0) $(cat "$TMP/err")"
run status --json
expect_rc 0
expect_jq '.info == null or .info.rollout == null'
run upgrade --resume
expect_rc 1
expect_err 'no rollout in progress'
# A new rollout may start again.
run upgrade --all --waves 1,100%
expect_rc 0
[ "$(moved 1.1.0)" = 6 ] || fail "the new rollout: $(moved 1.1.0)"
echo ok
