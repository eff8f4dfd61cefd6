#!/usr/bin/env bash
# Two syncs of one project at once (a slow server keeps the first one writing while the second
# starts): the second is refused with LEASE_HELD naming the first (exit 1, no write), the first
# converges, and nothing is created twice.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup --latency-ms 150

blocks() {
	local i
	{
		for i in $(seq 1 20); do
			printf -- '---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b%d}\n' "$i"
			printf 'spec: {layer: project, label: b%d, value: "%s %d"}\n' "$i" "$1" "$i"
		done
	} | manifest blocks.yaml
}
blocks v1
run sync --concurrency 8
expect_rc 0
inv=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -r '.[0].id')

blocks v2
# The first sync, one request at a time: about three seconds of writes under its lease,
# while the second needs about one to read.
"$LS_BIN" sync --concurrency 1 >"$TMP/first.out" 2>"$TMP/first.err" &
first=$!
for _ in $(seq 1 100); do
	sim_get "/v1/blocks/$inv" | jq -e '.metadata.lease.holder' >/dev/null && break
	sleep 0.05
done
sim_get "/v1/blocks/$inv" | jq -e '.metadata.lease.holder' >/dev/null || fail "the first sync never took the lease"
run -v sync --json
set +e
wait "$first"
first_rc=$?
set -e
expect_rc 1
expect_jq ".ok == false and .error.code == \"LEASE_HELD\" and (.error.message | test(\"pid $first\"))"
[ "$first_rc" -eq 0 ] || fail "the first sync failed ($first_rc): $(cat "$TMP/first.err")"
grep -q 'updated Block/b20' "$TMP/first.out" || fail "the first sync did not write: $(cat "$TMP/first.out")"
# The second sync read while the first wrote, and sent no write request.
grep -q 'http: GET /v1/blocks/' "$TMP/err" || fail "no request trace: $(cat "$TMP/err")"
! grep -E 'http: (POST|PATCH|PUT|DELETE) ' "$TMP/err" || fail "the refused sync wrote"

# Converged, nothing twice, no lease left.
sim_get "/v1/blocks/?limit=1000" >"$TMP/blocks.json"
jq -e '[.[] | select(.label | test("^b[0-9]+$"))] | length == 20 and all(.value | startswith("v2"))' "$TMP/blocks.json" >/dev/null ||
	fail "blocks: $(jq -c '[.[] | {label, value}]' "$TMP/blocks.json")"
jq -e '[.[] | select(.label == "letta_sync_inventory")] | length == 1' "$TMP/blocks.json" >/dev/null || fail "two inventories"
sim_get "/v1/blocks/$inv" | jq -e '.metadata | has("lease") | not' >/dev/null || fail "lease left behind"
[ "$(changes)" -eq 0 ] || fail "not converged: $(cat "$TMP/diff.json")"
expect_writes 0 sync
expect_rc 0
