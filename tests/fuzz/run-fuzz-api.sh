#!/usr/bin/env bash
# run-fuzz-api.sh FUZZER SECONDS SOURCE_DIR [CORPUS_DIR]: runs the API-response fuzzer
# (fuzz_api.c) for SECONDS, seeded with tests/fuzz/api-seeds/ (the lists letta-sim answered
# for a synced examples/ project). Exits non-zero on any crash, leak or sanitizer report.
set -euo pipefail
fuzzer=$1 seconds=$2 src=$3
corpus=${4:-$(mktemp -d "${TMPDIR:-/tmp}/ls-fuzz-api.XXXXXX")}
mkdir -p "$corpus"
cp "$src"/tests/fuzz/api-seeds/*.json "$corpus/"
artifacts=$(mktemp -d "${TMPDIR:-/tmp}/ls-fuzz-api-art.XXXXXX")
rc=0
"$fuzzer" -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" || rc=$?
if [ $rc -ne 0 ]; then
	echo "fuzzer failed (rc=$rc); reproducers in $artifacts" >&2
	exit $rc
fi
rm -rf "$artifacts"
[ -n "${4:-}" ] || rm -rf "$corpus"
