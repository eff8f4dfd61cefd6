#!/usr/bin/env bash
# sync: a Block is created, updated and left unchanged; --dry-run sends no write; a second
# sync and a new empty commit send none; the README's diff --json recipe counts changes.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

manifest blocks.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy, description: Rules}
spec: {layer: project, label: policy, value: "be kind", limit: 5000}
YAML

# diff before anything exists: one change, --exit-code gives 2.
[ "$(changes)" -eq 1 ] || fail "diff should report 1 change"
run diff --exit-code
expect_rc 2
expect_out '^\+ Block/policy: create'
expect_out '\+ value: "be kind"'

# --dry-run sends zero write requests.
expect_writes 0 sync --dry-run
expect_rc 0
expect_out 'Dry run summary: 1 to create'

# the project, the inventory with its write-ahead intent, the block, the inventory
expect_writes 4 sync
expect_rc 0
expect_out 'created Block/policy'
sim_get "/v1/blocks/?label=policy" >"$TMP/b.json"
jq -e 'length == 1 and .[0].value == "be kind" and .[0].metadata.managed_by == "letta-sync"
	and .[0].metadata.source == "Block/policy" and (.[0].metadata.hash | length) == 64' \
	"$TMP/b.json" >/dev/null || fail "block not created as expected: $(cat "$TMP/b.json")"
sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -e 'length == 1' >/dev/null ||
	fail "no inventory block"

# Unchanged: a second sync and a new empty commit write nothing; diff shows nothing.
expect_writes 0 sync
expect_out 'Already in sync'
git commit -q --allow-empty -m "nothing"
expect_writes 0 sync
[ "$(changes)" -eq 0 ] || fail "diff after sync should report 0 changes"
run diff --exit-code
expect_rc 0
expect_out '^No changes: 1 object'
run diff --full
expect_rc 0
expect_out 'Block/policy: unchanged'
expect_out '^      value: "be kind"'

# Update: one field changes; the lease, one PATCH for the block, one for the inventory (which
# releases the lease).
sed -i 's/be kind/be very kind/' .letta/manifests/project/blocks.yaml
git commit -q -am "kinder"
[ "$(changes)" -eq 1 ] || fail "diff should report 1 change after an edit"
jq -e '.data[0] | .kind == "Block" and .name == "policy" and .action == "update"
	and .agent == null and .section == null and .breaking == false
	and .fields == [{"path":"value","from":"be kind","to":"be very kind"}]' "$TMP/diff.json" \
	>/dev/null || fail "unexpected diff: $(cat "$TMP/diff.json")"
run diff --format markdown
expect_rc 0
expect_out '^\*\*1 change\(s\)\*\*'
expect_out '^\| `~` \| Block \| policy \|'
run diff --format html
expect_rc 64
expect_writes 3 sync
expect_out 'updated Block/policy'
sim_get "/v1/blocks/?label=policy" | jq -e '.[0].value == "be very kind"' >/dev/null ||
	fail "block not updated"
expect_writes 0 sync

# sync --json: the summary.
run sync --json
expect_rc 0
expect_jq '.ok and .command == "sync" and .data.summary.unchanged == 1 and .data.summary.created == 0'
