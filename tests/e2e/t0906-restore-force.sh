#!/usr/bin/env bash
# sync --force over a block edited outside git saves the edited block first; restore puts the
# edit back and records it, so that the next diff shows the manifest's change (an update), not
# a conflict; a plain sync over a conflict (nothing overwritten) takes no snapshot.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

policy_yaml | manifest blocks.yaml
run sync
expect_rc 0
b=$(sim_get "/v1/blocks/?label=policy" | jq -r '.[0].id')
# Someone edits the block in the ADE.
sim_call PATCH "/v1/blocks/$b" '{"value":"be kind, and write it down"}'
expect_status 200
run diff --json
expect_jq '.data[0].action == "conflict"'

run sync
expect_rc 1
[ ! -d .letta/snapshots ] || [ -z "$(ls .letta/snapshots)" ] || fail "a sync that overwrote nothing took a snapshot"

run sync --force
expect_rc 0
id=$(sed -nE 's/.*snapshot ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}) saved.*/\1/p' "$TMP/err")
[ -n "$id" ] || fail "no snapshot before --force: $(cat "$TMP/err")"
sim_get "/v1/blocks/$b" | jq -e '.value == "be kind"' >/dev/null || fail "--force did not overwrite"

run restore "$id"
expect_rc 0
expect_out 'put back Block/policy'
sim_get "/v1/blocks/$b" | jq -e '.value == "be kind, and write it down"' >/dev/null ||
	fail "the edit is not back: $(sim_get "/v1/blocks/$b" | jq -c .)"
# Recorded: the manifest's change is an update again, not a conflict.
run diff --json
expect_rc 0
expect_jq '(.data | length) == 1 and .data[0].action == "update" and .data[0].name == "policy"'
expect_writes 0 restore "$id"
echo ok
