#!/usr/bin/env bash
# Connection reuse (issue 26): over HTTPS, a first sync of 60 blocks at concurrency 4 opens at
# most concurrency + 2 connections, writes included (it used to open one per create); under
# dropped connections and lost replies on kept-alive connections a sync converges with no
# duplicate, and a re-sync writes nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
needs_sim
command -v openssl >/dev/null || skip "openssl is not installed"
bash "$LS_SOURCE_DIR/tests/tools/make-tls-cert.sh" "$TMP/tls"
export LETTA_CA_BUNDLE=$TMP/tls/ca.pem CURL_CA_BUNDLE=$TMP/tls/ca.pem
sync_setup --seed 26 --tls-cert "$TMP/tls/server.pem" --tls-key "$TMP/tls/server.key"

blocks() { # N FIRST: N Block manifests shared_FIRST.. into blocks.yaml
	for i in $(seq "$2" $(($2 + $1 - 1))); do
		printf -- '---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b%d}\nspec: {layer: project, label: b%d, value: "v%d"}\n' "$i" "$i" "$i"
	done
}
blocks 60 1 | manifest blocks.yaml
sim_admin POST /_sim/stats/reset >/dev/null
run sync --concurrency 4
expect_rc 0
expect_out 'Sync complete: 60 created'
conns=$(sim_stats | jq .connections)
writes=$(sim_stats | jq .writes)
[ "$writes" -ge 62 ] || fail "expected at least 62 writes: $(sim_stats)"
[ "$conns" -le 6 ] || fail "$writes writes over $conns connections: want <= 6 (concurrency 4 + 2)"

# Drops and lost replies (on reused connections: libcurl would re-send those by itself).
sim_admin PUT /_sim/faults '{"drop_rate":0.15,"lost_reply_rate":0.15}' >/dev/null
export LETTA_SYNC_RETRY_BASE_MS=1 LETTA_SYNC_RETRY_MAX_MS=10 LETTA_SYNC_MAX_RETRIES=12
blocks 100 1 | manifest blocks.yaml
for n in 1 2 3 4 5 6; do
	run sync --concurrency 4
	[ "$rc" -eq 0 ] && break
	[ "$rc" -eq 1 ] || fail "sync exited $rc"
done
expect_rc 0
sim_admin PUT /_sim/faults '{"drop_rate":0,"lost_reply_rate":0}' >/dev/null
sim_get "/v1/blocks/?limit=1000" >"$TMP/b.json"
jq -e '[.[] | select(.label | test("^b[0-9]+$"))] | (length == 100) and
	((map(.label) | unique | length) == 100)' "$TMP/b.json" >/dev/null ||
	fail "duplicates or missing blocks: $(jq -c '[.[].label] | group_by(.) | map(select(length > 1))' "$TMP/b.json")"
jq -e '[.[] | select(.label == "letta_sync_inventory")] | length == 1' "$TMP/b.json" >/dev/null ||
	fail "not exactly one inventory"
expect_writes 0 sync
expect_out 'Already in sync'
