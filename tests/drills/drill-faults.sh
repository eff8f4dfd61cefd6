#!/usr/bin/env bash
# Drill 1 (issue 15): sync under 20 % errors, 10 % throttling, 5 % dropped connections and 5 %
# lost replies (seeded; Retry-After 0; short backoffs) converges, re-runs included, with no
# duplicate on the server, and a sync after it (faults off) sends zero writes.
#   DRILL_SIZE=quick|full  DRILL_SEED=N  DRILL_MAX_RUNS=8
. "$(dirname "$0")/../e2e/lib-e2e.sh"
. "$(dirname "$0")/../e2e/lib-sync.sh"
. "$(dirname "$0")/lib-drill.sh"
SEED=${DRILL_SEED:-15}
sync_setup --seed "$SEED" --error-rate 0.2 --throttle-rate 0.1 --drop-rate 0.05 \
	--lost-reply-rate 0.05 --retry-after-s 0
export LETTA_SYNC_RETRY_BASE_MS=2 LETTA_SYNC_RETRY_MAX_MS=20 LETTA_SYNC_TEST_SEED=$SEED
drill_fleet

converge() { # what: runs sync until it exits 0
	local n
	for n in $(seq 1 "${DRILL_MAX_RUNS:-8}"); do
		run sync
		capture "$1.$n"
		[ "$rc" -eq 0 ] && { echo "drill-faults: $1 converged in $n run(s)"; return 0; }
		[ "$rc" -eq 1 ] || fail "$1: sync exited $rc: $(tail -5 "$TMP/err")"
	done
	fail "$1: no convergence in $n runs: $(tail -5 "$TMP/err")"
}

converge "first sync"
sim_admin PUT /_sim/faults '{"error_rate":0,"throttle_rate":0,"drop_rate":0,"lost_reply_rate":0}' >/dev/null
check_fleet 0
total1=$(sim_stats | jq .total)
expect_writes 0 sync
capture resync

# The same under faults for a 10 % drift made in git.
sim_admin PUT /_sim/faults '{"error_rate":0.2,"throttle_rate":0.1,"drop_rate":0.05,"lost_reply_rate":0.05}' >/dev/null
drill_fleet --drift 10
converge "drift sync"
sim_admin PUT /_sim/faults '{"error_rate":0,"throttle_rate":0,"drop_rate":0,"lost_reply_rate":0}' >/dev/null
check_fleet 1
expect_writes 0 sync
capture resync2
echo "drill-faults: ok ($NB blocks, $NT tools, $NA agents x $NP private blocks; $total1 requests for the first sync under faults; $(sim_stats | jq .total) in all)"
