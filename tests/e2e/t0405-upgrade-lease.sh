#!/usr/bin/env bash
# upgrade takes the project's lease before writing, as sync does (issue 11): another live
# lease is refused (exit 1, LEASE_HELD, naming the holder, nothing written) unless
# --break-lease; --check needs none; no lease is left after the run, and the inventory still
# records the block the upgrade created.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup bob:stable
inv=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -r '.[0].id')
meta=$(sim_get "/v1/blocks/$inv" | jq -c '.metadata')
later=$(($(date +%s) + 300))
sim_call PATCH "/v1/blocks/$inv" "{\"metadata\": $(jq -c --argjson e $later '. + {lease: {holder: "ci@runner-7 pid 42", expires: $e}}' <<<"$meta")}"
expect_status 200

run upgrade --agent bob --check
expect_rc 0
expect_writes 0 upgrade --agent bob
expect_rc 1
expect_err 'ci@runner-7 pid 42'
run upgrade --agent bob --json
expect_jq '.ok == false and .error.code == "LEASE_HELD"'
expect_agent bob '(.tags | index("version:1.0.0"))'

run upgrade --agent bob --break-lease
expect_rc 0
expect_agent bob '(.tags | index("version:1.1.0"))'
sim_get "/v1/blocks/$inv" >"$TMP/inv.json"
jq -e '.metadata | has("lease") | not' "$TMP/inv.json" >/dev/null ||
	fail "lease left behind: $(jq -c .metadata "$TMP/inv.json")"
jq -e '.value | fromjson | .objects | map(.name) | index("guide")' "$TMP/inv.json" >/dev/null ||
	fail "the inventory does not record the created block: $(jq -c .value "$TMP/inv.json")"
