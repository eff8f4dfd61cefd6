#!/usr/bin/env bash
# Drill 2 (issue 15, issue 20 item 5): sync stopped at DRILL_KILLS seeded random points, half
# of them during a first sync into an empty project, half during a 10 % drift sync, by SIGKILL
# and by SIGINT (Ctrl-C) in turn (KILL, KILL, INT, INT, ...); the fleet has folders and MCP
# servers. After each: a re-run converges with no conflict (a lease the dead run left is
# reported, then broken with --break-lease, as docs/reliability.md tells users to), nothing is
# duplicated, every folder and MCP server is in the inventory (no unmanaged leftover) and no
# write-ahead intent is left, the work tree is as it was (sync writes no local file; no
# temporary file is left behind), and a second run sends zero writes. Then pull and bootstrap, which write local files, killed at DRILL_KILLS / 4 points
# each: the manifests and settings.local.json they leave are whole and the re-run converges.
#   DRILL_SIZE=quick|full  DRILL_KILLS=3|20  DRILL_SEED=N
. "$(dirname "$0")/../e2e/lib-e2e.sh"
. "$(dirname "$0")/../e2e/lib-sync.sh"
. "$(dirname "$0")/lib-drill.sh"
SEED=${DRILL_SEED:-15}
KILLS=${DRILL_KILLS:-4}
sync_setup --seed "$SEED" --latency-ms "${DRILL_LATENCY_MS:-5}"
drill_fleet
git -C "$REPO" branch -q base

# The duration of each kind of run, unkilled, and the synced state a drift run starts from.
t0=$(drill_now_ms)
run sync
expect_rc 0
t1=$(drill_now_ms)
sim_admin GET /_sim/state >"$TMP/synced.json"
drill_fleet --drift 10
git -C "$REPO" branch -q drifted
t2=$(drill_now_ms)
run sync
expect_rc 0
t3=$(drill_now_ms)
dur_first=$((t1 - t0)) dur_drift=$((t3 - t2))
echo "drill-kill: unkilled first sync $dur_first ms, drift sync $dur_drift ms"

RANDOM=$SEED
leases=0 ints=0
for k in $(seq 1 "$KILLS"); do
	sig=KILL
	[ $(((k - 1) / 2 % 2)) -eq 1 ] && sig=INT
	if [ $((k % 2)) -eq 1 ]; then
		kind=first dur=$dur_first drift=0
		sim_admin POST /_sim/reset >/dev/null
		git -C "$REPO" checkout -q base
	else
		kind=drift dur=$dur_drift drift=1
		sim_admin PUT /_sim/state @"$TMP/synced.json" >/dev/null 2>&1 ||
			curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @"$TMP/synced.json" \
				"$SIM_URL/_sim/state" >/dev/null
		git -C "$REPO" checkout -q drifted
	fi
	before=$(git -C "$REPO" status --porcelain --ignored | sort | md5sum)
	at=$(((RANDOM * 32768 + RANDOM) % (dur > 0 ? dur : 1)))
	"$LS_BIN" sync >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
	kill -"$sig" "$pid" 2>/dev/null || true
	if [ "$sig" = INT ]; then
		# Ctrl-C: sync stops by itself, after the requests under way (3 s of grace).
		for _ in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && fail "kill $k: sync did not stop within 30 s of SIGINT"
		ints=$((ints + 1))
	fi
	wait "$pid" 2>/dev/null || true
	capture "kill$k"
	run sync
	capture "rerun$k"
	if [ "$rc" -eq 1 ] && grep -q 'holds the lease' "$TMP/err"; then
		leases=$((leases + 1))
		run sync --break-lease
		capture "break$k"
	fi
	[ "$rc" -eq 0 ] || fail "kill $k ($kind sync, SIG$sig at $at ms): the re-run exited $rc: $(tail -5 "$TMP/err")"
	grep -q 'conflict' "$TMP/err" && fail "kill $k ($kind sync, SIG$sig at $at ms): the re-run reported a conflict: $(grep conflict "$TMP/err" | head -3)"
	check_fleet "$drift"
	after=$(git -C "$REPO" status --porcelain --ignored | sort | md5sum)
	[ "$before" = "$after" ] || fail "kill $k: the work tree changed: $(git -C "$REPO" status --porcelain --ignored)"
	expect_writes 0 sync
	echo "drill-kill: kill $k: $kind sync stopped by SIG$sig at $at ms of $dur ms; re-run converged, no conflict, no duplicate, no unmanaged leftover, second run 0 writes"
done

# The commands that write local files: pull (manifests) and bootstrap (settings.local.json),
# killed at KILLS / 4 seeded points each (at least one). The files they leave must be whole:
# every manifest loads, settings.local.json is JSON; a temporary file a kill leaves behind is
# counted (a kill cannot clean up), and the re-run converges.
LOCAL_KILLS=$(((KILLS + 3) / 4))
leftovers=0 refused=0
git -C "$REPO" checkout -q base
sim_admin POST /_sim/reset >/dev/null
run sync
expect_rc 0
PULL=$TMP/pull
for k in $(seq 1 "$LOCAL_KILLS"); do
	rm -rf "$PULL"
	new_repo "$PULL"
	t0=$(drill_now_ms)
	run -C "$PULL" pull --all
	expect_rc 0
	dur=$(($(drill_now_ms) - t0))
	rm -rf "$PULL"
	new_repo "$PULL"
	at=$(((RANDOM * 32768 + RANDOM) % (dur > 0 ? dur : 1)))
	"$LS_BIN" -C "$PULL" pull --all >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	capture "pullkill$k"
	n=$( (find "$PULL/.letta" -name '*.tmp.*' 2>/dev/null || true) | wc -l)
	leftovers=$((leftovers + n))
	find "$PULL/.letta" -name '*.tmp.*' -delete 2>/dev/null || true
	if [ -d "$PULL/.letta/manifests" ]; then
		run -C "$PULL" validate
		[ "$rc" -eq 0 ] || fail "pull killed at $at ms left manifests that do not load: $(head -5 "$TMP/out")"
	fi
	run -C "$PULL" pull --all
	capture "pullrerun$k"
	expect_rc 0
	run -C "$PULL" validate
	expect_rc 0
	echo "drill-kill: pull killed at $at ms of $dur ms: manifests whole, $n temporary file(s) left, re-run converged"
done
for k in $(seq 1 "$LOCAL_KILLS"); do
	name=drill-boot-$k
	t0=$(drill_now_ms)
	run bootstrap --name "$name-probe" --skip-scope-sync --skip-upgrade
	expect_rc 0
	dur=$(($(drill_now_ms) - t0))
	at=$(((RANDOM * 32768 + RANDOM) % (dur > 0 ? dur : 1)))
	"$LS_BIN" bootstrap --name "$name" --skip-scope-sync --skip-upgrade >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	capture "bootkill$k"
	n=$(find "$REPO/.letta" -name '*.tmp.*' | wc -l)
	leftovers=$((leftovers + n))
	find "$REPO/.letta" -name '*.tmp.*' -delete
	if [ -f "$REPO/.letta/settings.local.json" ]; then
		jq -e 'type == "object"' "$REPO/.letta/settings.local.json" >/dev/null ||
			fail "bootstrap killed at $at ms left a settings.local.json that is not JSON"
	fi
	run bootstrap --name "$name" --skip-scope-sync --skip-upgrade
	capture "bootrerun$k"
	# The re-run makes the agent, or refuses a second one because the killed run made it
	# (then the agent is not pinned: docs/reliability.md).
	if [ "$rc" -ne 0 ]; then
		grep -q 'already exists' "$TMP/err" ||
			fail "bootstrap re-run after a kill at $at ms exited $rc: $(tail -3 "$TMP/err")"
		refused=$((refused + 1))
	fi
	count=$(sim_get "/v1/agents/?name=$name" | jq length)
	[ "$count" -eq 1 ] || fail "bootstrap killed at $at ms: $count agents named $name"
	jq -e 'type == "object"' "$REPO/.letta/settings.local.json" >/dev/null ||
		fail "settings.local.json is not JSON after the re-run"
	echo "drill-kill: bootstrap killed at $at ms of $dur ms: settings.local.json whole, $n temporary file(s) left, one agent"
done
echo "drill-kill: ok ($KILLS sync kill points ($ints by SIGINT), $LOCAL_KILLS pull and $LOCAL_KILLS bootstrap kill points, seed $SEED; $leases re-run(s) found the dead run's lease and broke it; $leftovers temporary file(s) left by kills; $refused bootstrap re-run(s) refused: the killed run had made the agent)"
