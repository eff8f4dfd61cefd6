#!/usr/bin/env bash
# A gate that fails after wave 2 (issue 28) stops the rollout: waves 1-2 moved, wave 3
# untouched, the exact 'letta-sync restore <id>' lines printed (and they undo it); with
# --auto-rollback every agent the rollout moved is back at 1.0.0 (server state checked) and
# a gate that times out fails the same way.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable a4:stable a5:stable a6:stable
export CI=true
cat >gate.sh <<'SH'
#!/bin/sh
echo "$LETTA_SYNC_WAVE" >>gate.log
[ "$LETTA_SYNC_WAVE" -lt 2 ]
SH
chmod +x gate.sh

run upgrade --all --waves 1,50%,100% --dry-run --json
expect_rc 0
MOVED=$(jq -r '[.data[] | select(.wave <= 2) | .name] | join(" ")' "$TMP/out")
REST=$(jq -r '[.data[] | select(.wave == 3) | .name] | join(" ")' "$TMP/out")
[ "$(echo $MOVED | wc -w)" = 3 ] && [ "$(echo $REST | wc -w)" = 3 ] || fail "waves: $MOVED / $REST"
expect_version() { # VERSION NAMES...
	local v=$1 a
	shift
	for a in "$@"; do expect_agent "$a" "(.tags | index(\"version:$v\"))"; done
}

# Without --auto-rollback: stops after wave 2, prints the restore lines.
run upgrade --all --waves 1,50%,100% --gate ./gate.sh --json
expect_rc 1
expect_jq '.ok == false and (.error.message | test("wave 2 of 3: the gate failed \\(exit status 1\\)"))'
expect_jq '[.error.details.agents[] | select(.status == "upgraded")] | length == 3'
expect_jq '[.error.details.agents[] | select(.status == "waiting")] | length == 3'
[ "$(cat gate.log | tr '\n' ' ')" = "1 2 " ] || fail "gate runs: $(cat gate.log)"
# shellcheck disable=SC2086
expect_version 1.1.0 $MOVED
# shellcheck disable=SC2086
expect_version 1.0.0 $REST
mapfile -t LINES < <(grep -oE 'letta-sync restore [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$' "$TMP/err")
[ ${#LINES[@]} -ge 2 ] || fail "no restore lines: $(cat "$TMP/err")"
grep -A2 'to undo the rollout' "$TMP/err" | tail -2 | grep -qxE '  letta-sync restore [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}' || fail "restore lines: $(cat "$TMP/err")"
# The printed lines undo it.
for l in $(grep -A2 'to undo the rollout' "$TMP/err" | tail -2 | awk '{print $3}'); do
	run restore "$l"
	expect_rc 0
done
# shellcheck disable=SC2086
expect_version 1.0.0 $MOVED $REST
# The stopped rollout is recorded: a new one is refused until it is resumed or aborted; the
# abort restores the same snapshots again, which finds everything in place (no agent write).
run upgrade --all --waves 1,50%,100% --gate ./gate.sh
expect_rc 1
expect_err 'a rollout is unfinished: rollout [0-9A-Za-z-]+: stopped at wave 2 of 3'
run upgrade --abort --json
expect_rc 0
expect_jq '.data.rollout.status == "aborted" and ([.data.rollout.wave[].status] == ["rolled_back", "rolled_back", "pending"])'
# shellcheck disable=SC2086
expect_version 1.0.0 $MOVED $REST

# With --auto-rollback: every agent it moved is back at 1.0.0.
rm -f gate.log
before=$(writes)
run upgrade --all --waves 1,50%,100% --gate ./gate.sh --auto-rollback --json
expect_rc 1
expect_jq '.ok == false and (.error.hint | test("restored"))'
expect_jq '[.error.details.agents[] | select(.status == "rolled_back")] | length == 3'
[ "$(cat gate.log | tr '\n' ' ')" = "1 2 " ] || fail "gate runs: $(cat gate.log)"
# shellcheck disable=SC2086
expect_version 1.0.0 $MOVED $REST
[ "$(writes)" -gt "$before" ] || fail "nothing was written"
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.action == "conflict")] | length == 0'

# A gate that times out fails too (and is killed).
cat >slow.sh <<'SH'
#!/bin/sh
sleep 30
SH
chmod +x slow.sh
run upgrade --all --waves 1,100% --gate ./slow.sh --gate-timeout 1 --auto-rollback
expect_rc 1
expect_err 'wave 1 of 2: the gate timed out after 1s'
# shellcheck disable=SC2086
expect_version 1.0.0 $MOVED $REST
echo ok
