#!/usr/bin/env bash
# Drill 3b (issue 15): every e2e test that runs letta-sync, with letta-sync under valgrind
# (memcheck): LS_BIN points at a wrapper that runs `valgrind --error-exitcode=99 ... letta-sync`.
# The drill passes when no valgrind log holds an error or a definite/indirect leak; a test
# that fails only because valgrind makes it slow is reported, not counted as a memory error.
#   drill-valgrind.sh BUILD_DIR [TEST_GLOB]   env: JOBS=2
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
GLOB=${2:-t0[02-9]*.sh}
JOBS=${JOBS:-2}
command -v valgrind >/dev/null || { echo "drill-valgrind: needs valgrind (make deps)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ls-valgrind.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/logs" "$WORK/results"
cat >"$WORK/letta-sync" <<SH
#!/bin/sh
exec valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \\
	--suppressions="$SRC/tests/valgrind.supp" --log-file="$WORK/logs/vg.%p.log" \\
	"$BUILD/letta-sync" "\$@"
SH
chmod +x "$WORK/letta-sync"

# t0003 installs the build directory of LS_BIN with cmake: nothing of letta-sync's own to check.
ls "$SRC"/tests/e2e/$GLOB | grep -v '/t0003-install\.sh$' | xargs -P "$JOBS" -I{} sh -c '
	t=$(basename {} .sh)
	LS_BIN='"$WORK"'/letta-sync SIM_BIN='"$BUILD"'/letta-sim LS_SOURCE_DIR='"$SRC"' \
		LS_BUILD_DIR='"$BUILD"' timeout 900 bash {} >'"$WORK"'/results/$t.log 2>&1
	echo "$t $?" >'"$WORK"'/results/$t.rc'
pass=0 skip=0 failed=()
for f in "$WORK"/results/*.rc; do
	read -r t rc <"$f"
	case $rc in
	0) pass=$((pass + 1)) ;;
	77) skip=$((skip + 1)) ;;
	*) failed+=("$t") ;;
	esac
done
reports=$(grep -lE '^==[0-9]+== (Invalid|Conditional|Syscall|Mismatched|Source and destination|Argument)|definitely lost|indirectly lost' \
	"$WORK"/logs/*.log 2>/dev/null || true)
nlogs=$(ls "$WORK"/logs | wc -l)
echo "drill-valgrind: $pass tests passed, $skip skipped, ${#failed[@]} failed; $nlogs letta-sync runs under memcheck; $(echo -n "$reports" | grep -c . || true) with a report"
if [ ${#failed[@]} -gt 0 ]; then
	for t in "${failed[@]}"; do
		echo "--- $t (a test failure under valgrind; see whether a report explains it)"
		tail -15 "$WORK/results/$t.log"
	done
fi
if [ -n "$reports" ]; then
	for r in $reports; do
		echo "--- $r"
		head -60 "$r"
	done
	exit 1
fi
[ ${#failed[@]} -eq 0 ] || exit 1
