#!/usr/bin/env bash
# run-fuzz.sh FUZZER SECONDS SOURCE_DIR [CORPUS_DIR]: runs the manifest fuzzer for SECONDS,
# seeded with every manifest of examples/ (each prefixed with a selector byte). Exits non-zero
# on any crash, leak or sanitizer report.
set -euo pipefail
fuzzer=$1 seconds=$2 src=$3
corpus=${4:-$(mktemp -d "${TMPDIR:-/tmp}/ls-fuzz.XXXXXX")}
mkdir -p "$corpus"
i=0
while IFS= read -r -d '' f; do
	for sel in '\x00' '\x01' '\x02' '\x03' '\x04' '\x07'; do
		{ printf "$sel"; cat "$f"; } >"$corpus/seed-$i"
		i=$((i + 1))
	done
done < <(find "$src/examples/.letta" -type f \( -name '*.yaml' -o -name '*.json' \) -print0 | sort -z)
artifacts=$(mktemp -d "${TMPDIR:-/tmp}/ls-fuzz-art.XXXXXX")
rc=0
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" || rc=$?
if [ $rc -ne 0 ]; then
	echo "fuzzer failed (rc=$rc); reproducers in $artifacts" >&2
	exit $rc
fi
rm -rf "$artifacts"
[ -n "${4:-}" ] || rm -rf "$corpus"
