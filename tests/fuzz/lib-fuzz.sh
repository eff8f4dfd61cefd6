# Sourced by run-fuzz.sh and run-fuzz-api.sh: the libFuzzer run they share.
# fuzz_run FUZZER SECONDS CORPUS KEEP_CORPUS MAX_LEN RSS_LIMIT_MB: runs FUZZER on CORPUS for
# SECONDS; on a crash, leak or sanitizer report it names the reproducers' folder and exits with
# the fuzzer's code; otherwise it removes its artifacts (and CORPUS unless KEEP_CORPUS is set).
fuzz_run() {
	local fuzzer=$1 seconds=$2 corpus=$3 keep=$4 max_len=$5 rss=$6 artifacts rc=0
	artifacts=$(mktemp -d "${TMPDIR:-/tmp}/ls-fuzz-art.XXXXXX")
	"$fuzzer" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb="$rss" \
		-artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" || rc=$?
	if [ $rc -ne 0 ]; then
		echo "fuzzer failed (rc=$rc); reproducers in $artifacts" >&2
		exit $rc
	fi
	rm -rf "$artifacts"
	[ -n "$keep" ] || rm -rf "$corpus"
}
