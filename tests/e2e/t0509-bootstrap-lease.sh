#!/usr/bin/env bash
# bootstrap takes the project's lease like sync: another live lease is refused before any
# write (exit 1, LEASE_HELD, naming the holder) unless --break-lease; no lease is left after
# a bootstrap; --dry-run needs none.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
boot_setup
inv=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -r '.[0].id')
meta=$(sim_get "/v1/blocks/$inv" | jq -c '.metadata')
later=$(($(date +%s) + 300))

run bootstrap --name free --skip-scope-sync
expect_rc 0
sim_get "/v1/blocks/$inv" | jq -e '.metadata | has("lease") | not' >/dev/null ||
	fail "lease left behind: $(sim_get "/v1/blocks/$inv" | jq -c .metadata)"

sim_call PATCH "/v1/blocks/$inv" "{\"metadata\": $(jq -c --argjson e $later '. + {lease: {holder: "ci@runner-7 pid 42", expires: $e}}' <<<"$meta")}"
expect_status 200
n=$(agent_count)
expect_writes 0 bootstrap --name held --skip-scope-sync
expect_rc 1
expect_err 'ci@runner-7 pid 42'
run bootstrap --name held --json
expect_rc 1
expect_jq '.ok == false and .error.code == "LEASE_HELD"'
[ "$(agent_count)" -eq "$n" ] || fail "an agent was created under someone else's lease"
expect_writes 0 bootstrap --name held --dry-run
expect_rc 0

run bootstrap --name held --break-lease --skip-scope-sync
expect_rc 0
agents_named held | jq -e 'length == 1' >/dev/null || fail "held not created"
sim_get "/v1/blocks/$inv" | jq -e '.metadata | has("lease") | not' >/dev/null ||
	fail "lease left behind after --break-lease"
