#!/usr/bin/env bash
# sync and Ctrl-C: no new request is started, the run reports what was done and exits 130;
# the next sync converges without duplicates.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup --latency-ms 150

{
	for i in $(seq 1 60); do
		printf -- '---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b%d}\n' "$i"
		printf 'spec: {layer: project, label: b%d, value: "v%d"}\n' "$i" "$i"
	done
} | manifest blocks.yaml

set +e
"$LS_BIN" sync --concurrency 2 >"$TMP/out" 2>"$TMP/err" &
pid=$!
# Interrupt once the first blocks are in (the run takes seconds at this latency).
for _ in $(seq 1 100); do
	n=$(sim_get "/v1/blocks/?limit=1000" | jq '[.[] | select(.label | test("^b[0-9]+$"))] | length')
	[ "$n" -gt 0 ] && break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
set -e
expect_rc 130
expect_err 'interrupted'
expect_out 'Sync completed with errors'
done1=$(sim_get "/v1/blocks/?limit=1000" | jq '[.[] | select(.label | test("^b[0-9]+$"))] | length')
[ "$done1" -gt 0 ] && [ "$done1" -lt 60 ] || fail "expected a partial sync, got $done1 blocks"

run sync
expect_rc 0
sim_get "/v1/blocks/?limit=1000" | jq -e '[.[] | select(.label | test("^b[0-9]+$"))] | length == 60' >/dev/null ||
	fail "not 60 blocks after the second sync"
expect_writes 0 sync
