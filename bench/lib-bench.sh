# Sourced by the bench scripts.

# bench_init NAME PREFIX BUILT... [-- TOOL...]: the set-up every bench script shares. Sets SIM
# and LS to $BUILD's letta-sim and letta-sync and KEY to a fresh API key; checks that each BUILT
# (a file name in $BUILD) is built and each TOOL is installed ("time": GNU time at
# /usr/bin/time), exiting 2 naming what is missing; makes $TMP (mktemp PREFIX.XXXXXX) and traps
# EXIT, INT and TERM to stop $SIM_PID and remove $TMP (kept, and said so, with BENCH_KEEP=1).
# NAME prefixes the messages.
bench_init() {
	local b
	BENCH_NAME=$1
	local prefix=$2
	shift 2
	SIM=$BUILD/letta-sim
	LS=$BUILD/letta-sync
	KEY=bench-key-$RANDOM$RANDOM
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		[ -x "$BUILD/$1" ] ||
			{ echo "$BENCH_NAME: $BUILD/$1 is not built (cmake --build $BUILD)" >&2; exit 2; }
		shift
	done
	[ $# -eq 0 ] || shift
	for b in "$@"; do
		if [ "$b" = time ]; then
			[ -x /usr/bin/time ] ||
				{ echo "$BENCH_NAME: needs /usr/bin/time (GNU time; make deps)" >&2; exit 2; }
		else
			command -v "$b" >/dev/null || { echo "$BENCH_NAME: needs $b (make deps)" >&2; exit 2; }
		fi
	done
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$prefix.XXXXXX")
	SIM_PID=
	trap bench_cleanup EXIT INT TERM
}

bench_cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null || true
		wait "$SIM_PID" 2>/dev/null || true
	fi
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "$BENCH_NAME: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}

# bench_start_sim NAME [letta-sim options...] starts $SIM on a free port with $KEY, logging to
# $TMP/sim.log, and sets SIM_PID and URL (bench_init's trap, or the script's own, stops it).
# NAME prefixes the error when it does not start.
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
