#!/usr/bin/env bash
# make drills (issue 15): every reliability drill at full size, with a summary table.
#   run-drills.sh BUILD_DIR   env: DRILLS="faults kill asan valgrind fuzz secrets"
#                                  DRILL_SEED=15 DRILL_KILLS=20 FUZZ_SECONDS=300 JOBS=2
# (1) faults: sync of the bench fleet (500 blocks, 50 tools, 100 agents x 10 private blocks)
#     under 20 % errors, 10 % throttling, 5 % drops, 5 % lost replies converges, no duplicate
# (2) kill: sync killed with SIGKILL at DRILL_KILLS seeded points; each re-run converges
# (3) asan / valgrind: every e2e test under ASan+UBSan (make test-asan's build) and with
#     letta-sync under valgrind memcheck
# (4) fuzz: the manifest and API-response fuzzers, FUZZ_SECONDS each
# (5) secrets: every captured output of the drills above and of every command, scanned for
#     the API key
# Figures go to docs/reliability.md by hand; this prints them.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
DRILLS=${DRILLS:-faults kill asan valgrind fuzz secrets}
export DRILL_SEED=${DRILL_SEED:-15} DRILL_KILLS=${DRILL_KILLS:-20} DRILL_SIZE=full
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
JOBS=${JOBS:-2}
export LS_BIN=$BUILD/letta-sync SIM_BIN=$BUILD/letta-sim LS_SOURCE_DIR=$SRC LS_BUILD_DIR=$BUILD
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/ls-drills.XXXXXX")
export DRILL_CAPTURE=$LOGS/captures
summary=()
failed=0

# drill NAME CMD...: runs one drill, its output in $LOGS/NAME.log; the last line is its figure.
drill() {
	local name=$1 t0 t1 rc
	shift
	echo "drills: $name ..." >&2
	t0=$(date +%s)
	"$@" >"$LOGS/$name.log" 2>&1
	rc=$?
	t1=$(date +%s)
	if [ $rc -eq 0 ]; then
		summary+=("$(printf '%-9s %-5s %5ss  %s' "$name" ok $((t1 - t0)) "$(grep -v '^$' "$LOGS/$name.log" | tail -1 | cut -c1-160)")")
	else
		failed=1
		summary+=("$(printf '%-9s %-5s %5ss  see %s' "$name" FAIL $((t1 - t0)) "$LOGS/$name.log")")
		tail -30 "$LOGS/$name.log" >&2
	fi
}

asan() {
	make -C "$SRC" --no-print-directory build-asan JOBS="$JOBS" >"$LOGS/asan-build.log" 2>&1 || return 1
	cd "$SRC/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		LSAN_OPTIONS=suppressions=$SRC/tests/lsan.supp \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest -j "$JOBS" --output-on-failure --timeout 600 -L 'e2e|drill' >"$LOGS/asan-ctest.log" 2>&1
	local rc=$?
	tail -20 "$LOGS/asan-ctest.log"
	echo "asan: $(grep -E 'tests passed' "$LOGS/asan-ctest.log") (e2e and drills, ASan + UBSan)"
	return $rc
}

fuzz() {
	make -C "$SRC" --no-print-directory build-fuzz JOBS="$JOBS" >"$LOGS/fuzz-build.log" 2>&1 || return 1
	local m a
	bash "$SRC/tests/fuzz/run-fuzz.sh" "$SRC/build-fuzz/tests/fuzz_manifest" "$FUZZ_SECONDS" "$SRC" \
		>"$LOGS/fuzz-manifest.log" 2>&1 || { tail -40 "$LOGS/fuzz-manifest.log"; return 1; }
	bash "$SRC/tests/fuzz/run-fuzz-api.sh" "$SRC/build-fuzz/tests/fuzz_api" "$FUZZ_SECONDS" "$SRC" \
		>"$LOGS/fuzz-api.log" 2>&1 || { tail -40 "$LOGS/fuzz-api.log"; return 1; }
	m=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/fuzz-manifest.log")
	a=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/fuzz-api.log")
	echo "fuzz: ${FUZZ_SECONDS}s each, 0 crashes: manifest loader $m inputs, API responses $a inputs"
}

for d in $DRILLS; do
	case $d in
	faults) drill faults bash "$SRC/tests/drills/drill-faults.sh" ;;
	kill) drill kill bash "$SRC/tests/drills/drill-kill.sh" ;;
	asan) drill asan asan ;;
	valgrind) drill valgrind env JOBS="$JOBS" bash "$SRC/tests/drills/drill-valgrind.sh" "$BUILD" ;;
	fuzz) drill fuzz fuzz ;;
	secrets) drill secrets bash "$SRC/tests/drills/drill-secrets.sh" ;;
	*) echo "drills: unknown drill '$d' (faults kill asan valgrind fuzz secrets)" >&2; exit 64 ;;
	esac
done
echo "drill     result  time  figures"
printf '%s\n' "${summary[@]}"
echo "logs: $LOGS"
exit $failed
