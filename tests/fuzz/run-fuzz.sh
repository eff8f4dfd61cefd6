#!/usr/bin/env bash
# run-fuzz.sh FUZZER SECONDS SOURCE_DIR [CORPUS_DIR]: runs the manifest fuzzer for SECONDS,
# seeded with every manifest of examples/ (each prefixed with a selector byte). Exits non-zero
# on any crash, leak or sanitizer report.
set -euo pipefail
. "$(dirname "$0")/lib-fuzz.sh"
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
fuzz_run "$fuzzer" "$seconds" "$corpus" "${4:-}" 65536 1024
