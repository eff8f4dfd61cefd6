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
