# Sourced by the bench scripts. bench_start_sim NAME [letta-sim options...] starts $SIM on a
# free port with $KEY, logging to $TMP/sim.log, and sets SIM_PID and URL (the scripts' own
# cleanup traps stop it). NAME prefixes the error when it does not start.
bench_start_sim() {
	local name=$1 line
	shift
	rm -f "$TMP/fifo"
	mkfifo "$TMP/fifo"
	"$SIM" --port 0 --api-key "$KEY" "$@" >"$TMP/fifo" 2>"$TMP/sim.log" &
	SIM_PID=$!
	exec 9<"$TMP/fifo"
	read -r -t 10 line <&9 || { echo "$name: letta-sim did not start" >&2; exit 2; }
	cat <&9 >/dev/null &
	URL=${line#listening on }
}

# bench_measure NAME ARGS...: one letta-sync run ($LS) with fresh counters at $URL. Appends
# "NAME wall_ms user_s sys_s rss_kb <BENCH_STATS fields>" to $BENCH_DIR/raw (and prints it when
# BENCH_ECHO=1), and the per-route counts to $BENCH_DIR/NAME.routes. BENCH_STATS is a jq
# expression over /_sim/stats (default: total and writes); BENCH_TAG prefixes errors.
bench_measure() {
	local name=$1 t0 t1 rc=0 row
	shift
	curl -fsS -X POST "$URL/_sim/stats/reset" >/dev/null
	t0=$(date +%s%3N)
	/usr/bin/time -f '%U %S %M' -o "$TMP/time" "$LS" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
	t1=$(date +%s%3N)
	if [ $rc -ne 0 ]; then
		echo "${BENCH_TAG:-bench}: letta-sync $* failed (exit $rc):" >&2
		tail -5 "$TMP/$name.err" >&2
		exit 1
	fi
	curl -fsS "$URL/_sim/stats" >"$TMP/stats.json"
	jq -c .requests "$TMP/stats.json" >"$BENCH_DIR/$name.routes"
	row="$name $((t1 - t0)) $(tail -1 "$TMP/time") $(jq -r "${BENCH_STATS:-"\"\\(.total) \\(.writes)\""}" "$TMP/stats.json")"
	echo "$row" >>"$BENCH_DIR/raw"
	[ "${BENCH_ECHO:-0}" != 1 ] || echo "$row"
}
