#!/usr/bin/env bash
# backup saves every managed object and agent (--all) or one agent (--agent X) with its agent
# file; an agent deleted outside letta-sync is re-created by restore by importing that file
# into the same project (same name, tags, system prompt and memory); a second restore finds it
# and writes nothing; backup --agent of an unknown agent fails naming it.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

{
	policy_yaml
	echo ---
	helper_yaml "You help."
	cat <<'YAML'
    blocks: [{name: policy}, {label: persona, value: "I am Bob's persona"}]
    tags: [team:core]
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: helper}
YAML
} | manifest fleet.yaml
run sync
expect_rc 0
bob=$(sim_get "/v1/agents/?name=bob" | jq -r '.[0].id')
pid=$(sim_get "/v1/agents/$bob" | jq -r .project_id)
view='{name: .name, system: .system, project_id: .project_id, tags: (.tags | sort), blocks: ([.blocks[] | {label: .label, value: .value}] | sort_by(.label))}'
before=$(sim_get "/v1/agents/$bob" | jq -cS "$view")

run backup --all --json
expect_rc 0
expect_jq '.ok and (.data.id | test("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$")) and .data.contents.agents == 1
	and .data.contents.blocks == 1'
all=$(jq -r .data.id "$TMP/out")
expect_writes 0 backup --agent bob
expect_rc 0
expect_out "snapshot .* saved"
one=$(sed -nE 's/^snapshot ([^ ]+) saved.*/\1/p' "$TMP/out")
[ -f ".letta/snapshots/$one/agents/$bob.af" ] || fail "no agent file in the --agent backup"
jq -e '.objects == [] and (.agents | length) == 1' ".letta/snapshots/$one/content.json" >/dev/null ||
	fail "--agent backup holds more than the agent"
run backup --agent nobody
expect_rc 1
expect_err "no managed agent 'nobody'"
run snapshots --json
expect_jq '[.data[].command] == ["backup","backup"]'

policy=$(sim_get "/v1/blocks/?label=policy" | jq -r '.[0].id')
persona=$(sim_get "/v1/agents/$bob" | jq -r '.blocks[] | select(.label == "persona") | .id')

# Deleted by hand: restore imports it into the same project (the lease, the import, bob's
# PATCH pointing him at his blocks again (letta-sim keeps a deleted agent's blocks), the two
# copies the import made deleted, the lease released).
sim_call DELETE "/v1/agents/$bob"
expect_status 200
expect_writes 6 restore "$one"
expect_rc 0
expect_out 're-created Agent/bob \(import'
expect_out 'removed Block/policy \(a copy the import made'
stats=$(sim_stats)
echo "$stats" | jq -e '.requests["POST /v1/agents/import"] == 1' >/dev/null ||
	fail "not one import: $(echo "$stats" | jq -c .requests)"
new=$(sim_get "/v1/agents/?name=bob" | jq -r '.[0].id')
[ -n "$new" ] && [ "$new" != null ] && [ "$new" != "$bob" ] || fail "bob not re-created"
after=$(sim_get "/v1/agents/$new" | jq -cS "$view")
[ "$before" = "$after" ] || fail "re-created bob differs: $before vs $after"
[ "$(sim_get "/v1/agents/?name=bob" | jq length)" = 1 ] || fail "two bobs"
# The blocks are the ones bob used, not copies.
sim_get "/v1/agents/$new" | jq -e --arg p "$policy" --arg q "$persona" '[.blocks[] | .id] | sort == ([$p, $q] | sort)' \
	>/dev/null || fail "bob does not use the shared policy block: $(sim_get "/v1/agents/$new" | jq -c '[.blocks[] | [.label, .id]]')"
[ "$(sim_get "/v1/blocks/?label=policy" | jq length)" = 1 ] || fail "the import's copy of policy was left"
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.action == "conflict")] | length == 0'

# Twice: found by name, nothing written.
expect_writes 0 restore "$one"
expect_rc 0
[ "$(sim_get "/v1/agents/?name=bob" | jq length)" = 1 ] || fail "a second restore imported again"
# The full backup finds everything in place too.
expect_writes 0 restore "$all"
expect_rc 0
echo ok
