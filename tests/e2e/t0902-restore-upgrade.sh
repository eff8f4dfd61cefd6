#!/usr/bin/env bash
# A breaking upgrade (a block detached, the model changed) takes a snapshot first (the agent,
# its agent file); restore puts the agent back as it was (its version tag, model, prompt and
# blocks) in one PATCH; the next diff has no conflict; a second restore writes nothing. A safe
# upgrade takes none; --no-snapshot says so.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup bob:stable carol:beta
export CI=true

# A safe step takes no snapshot.
run upgrade --agent bob
expect_rc 0
[ ! -d .letta/snapshots ] || [ -z "$(ls .letta/snapshots)" ] || fail "a safe upgrade took a snapshot"

expect_agent carol '(.tags | index("version:1.0.0")) and .model == "openai/gpt-4o-mini"
	and ([.blocks[].label] | sort) == ["policy"]'
before=$(agent_json carol | jq -cS '{system, tags: (.tags | sort), model, blocks: ([.blocks[].id] | sort)}')
carol=$(agent_id carol)

run upgrade --agent carol --yes
expect_rc 0
expect_err "snapshot [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6} saved: 'letta-sync restore .*' undoes this upgrade"
id=$(sed -nE 's/.*snapshot ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}) saved.*/\1/p' "$TMP/err")
[ -f ".letta/snapshots/$id/agents/$carol.af" ] || fail "no agent file for carol"
jq -e '.command == "upgrade"' ".letta/snapshots/$id/snapshot.json" >/dev/null || fail "command"
expect_agent carol '.model == "openai/gpt-4o" and ([.blocks[].label] | sort) == ["guide"]'

run restore "$id" --dry-run --json
expect_rc 0
expect_jq '.data.dry_run and (.data.changes | length) == 1 and .data.changes[0].kind == "Agent"'

expect_writes 3 restore "$id" # the lease, carol's PATCH, the lease released
expect_rc 0
expect_out 'restored Agent/carol'
after=$(agent_json carol | jq -cS '{system, tags: (.tags | sort), model, blocks: ([.blocks[].id] | sort)}')
[ "$before" = "$after" ] || fail "carol not restored: $before vs $after"

run diff --json
expect_rc 0
expect_jq '[.data[] | select(.action == "conflict")] | length == 0'

expect_writes 0 restore "$id"
expect_out 'Nothing to restore'

# Again, without a snapshot.
run upgrade --agent carol --yes --no-snapshot
expect_rc 0
expect_err 'no snapshot taken \(--no-snapshot\)'
[ "$(ls .letta/snapshots | wc -l)" = 1 ] || fail "--no-snapshot saved one"
echo ok
