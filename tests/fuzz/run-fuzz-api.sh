#!/usr/bin/env bash
# run-fuzz-api.sh FUZZER SECONDS SOURCE_DIR [CORPUS_DIR]: runs the API-response fuzzer
# (fuzz_api.c) for SECONDS, seeded with tests/fuzz/api-seeds/ (the lists letta-sim answered
# for a synced examples/ project). Exits non-zero on any crash, leak or sanitizer report.
set -euo pipefail
. "$(dirname "$0")/lib-fuzz.sh"
fuzzer=$1 seconds=$2 src=$3
corpus=${4:-$(mktemp -d "${TMPDIR:-/tmp}/ls-fuzz-api.XXXXXX")}
mkdir -p "$corpus"
cp "$src"/tests/fuzz/api-seeds/*.json "$corpus/"
fuzz_run "$fuzzer" "$seconds" "$corpus" "${4:-}" 262144 2048
