#!/usr/bin/env bash
# issue 23: a private block removed from a template between versions. Git is the truth
# (blockReconciliationStrategy: reconcile-all, the default): upgrade --check reports it as
# breaking (detaches memory_blocks 'notes'); upgrade refuses it without a terminal or --yes and
# applies it with --yes; diff shows and sync applies it for an agent that sync manages. The
# block is detached, not deleted. With preserve-deleted, a dropped private block stays
# attached and nothing is reported. A block the agent got by hand (no marker) is never touched.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
sync_setup
export CI=true
fleet() { # BLOCKS [STRATEGY]
	{
		helper_yaml "You help."
		echo "    blocks: [$1]"
		[ -z "${2:-}" ] || echo "  blockReconciliationStrategy: $2"
		for a in bob carol; do
			printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: %s}\nspec: {layer: project, template: helper}\n' "$a"
		done
	} | manifest fleet.yaml
}
labels() { agent_json "$1" | jq -c '[.blocks[].label] | sort'; }
fleet '{label: persona, value: "I help"}, {label: notes, value: "n"}'
git tag v1.0.0
run sync
expect_rc 0
[ "$(labels bob)" = '["notes","persona"]' ] || fail "bob: $(labels bob)"
NOTES=$(agent_json bob | jq -r '.blocks[] | select(.label == "notes") | .id')
# A block bob got by hand: his own, whatever the template says.
sim_call POST /v1/blocks/ '{"label": "scratch", "value": "mine"}'
expect_status 200
sim_call PATCH "/v1/agents/$(agent_id bob)/core-memory/blocks/attach/$(body_get .id)"
expect_status 200

fleet '{label: persona, value: "I help"}'
git tag v1.1.0

run upgrade --agent bob --check --json
expect_rc 0
expect_jq '.data[0].breaking == true and ([.data[0].changes[] | select(.section == "memory_blocks" and .breaking)] | length == 1)'
run upgrade --agent bob --check
expect_out 'BREAKING'
expect_out 'breaking: detaches memory_blocks .notes.'

# No terminal and no --yes: refused, nothing changed.
expect_writes 0 upgrade --agent bob
expect_rc 1
expect_err 'breaking changes need confirmation'
[ "$(labels bob)" = '["notes","persona","scratch"]' ] || fail "bob changed without --yes: $(labels bob)"

run upgrade --agent bob --yes
expect_rc 0
[ "$(labels bob)" = '["persona","scratch"]' ] || fail "bob after upgrade --yes: $(labels bob)"
expect_agent bob '(.tags | index("version:1.1.0"))'
sim_call GET "/v1/blocks/$NOTES"
expect_status 200 # detached, not deleted: the agent's memory is kept on the server

# diff and sync do the same for carol.
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.name == "carol" and .section == "memory_blocks") | .fields[0].from] == [["notes","persona"]]'
run sync
expect_rc 0
[ "$(labels carol)" = '["persona"]' ] || fail "carol after sync: $(labels carol)"
expect_writes 0 sync

# preserve-deleted: persona leaves the template but stays attached, and nothing is reported.
fleet '{label: notes2, value: "x"}' preserve-deleted
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.section == "memory_blocks")] | length == 2 and ([.[].fields[0] | (.from - .to) == [] and .to == ["notes2"]] | all) and ([.[].breaking] | any | not)'
run sync
expect_rc 0
[ "$(labels carol)" = '["notes2","persona"]' ] || fail "carol with preserve-deleted: $(labels carol)"
[ "$(labels bob)" = '["notes2","persona","scratch"]' ] || fail "bob with preserve-deleted: $(labels bob)"
expect_writes 0 sync

# A bad strategy is a validation error with did-you-mean.
fleet '{label: notes2, value: "x"}' preserve-delete
run validate
expect_rc 1
expect_out 'blockReconciliationStrategy'
