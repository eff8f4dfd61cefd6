#!/usr/bin/env bash
# Migration from the original (issue 13): tests/fixtures/original-layout (packages/examples,
# unchanged) synced against letta-sim seeded with what the original created: blocks marked
# managed_by: smarty-admin with a bare source (persona twice: a duplicate copy), an agent
# tagged managed:smarty-admin with applied:<layer>@<sha> tags and no template: tag, and an
# unrelated block. diff reports the duplicate; sync --prune adopts everything (markers and tags
# become letta-sync's), keeps the copy the agent uses, removes the other, leaves the unrelated
# block alone; a second sync sends no write.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim
export LETTA_SYNC_PROJECT=migrate-$$

run projects create "$LETTA_SYNC_PROJECT"
expect_rc 0
pid=$(sim_get "/v1/projects?name=$LETTA_SYNC_PROJECT" | jq -r '.projects[0].id')

# What the original's sync and bootstrap left on the server.
legacy_block() { # label source value -> id
	sim_call POST /v1/blocks/ "$(jq -nc --arg l "$1" --arg s "$2" --arg v "$3" --arg p "$pid" \
		'{label: $l, value: $v, limit: 2000, description: "old", project_id: $p,
		  metadata: {managed_by: "smarty-admin", layer: "base", source: $s}}')"
	expect_status 200
	jq -r .id "$TMP/body"
}
dup=$(legacy_block persona persona "old persona")
kept=$(legacy_block persona persona "old persona")
safety=$(legacy_block safety_policy safety_policy "- Never print secrets.")
sim_call POST /v1/blocks/ "{\"label\":\"notes\",\"value\":\"mine\",\"project_id\":\"$pid\"}"
expect_status 200
notes=$(jq -r .id "$TMP/body")
sim_call POST /v1/agents/ "$(jq -nc --arg b "$kept" --arg s "$safety" \
	'{name: "smarty-lane", model: "openai/gpt-4o-mini", include_base_tools: false,
	  block_ids: [$b, $s],
	  tags: ["managed:smarty-admin", "role:lane-dev", "channel:stable", "applied:base@abc1234",
	         "applied:project@abc1234"]}')" -H "X-Project: $LETTA_SYNC_PROJECT"
expect_status 200
agent=$(jq -r .id "$TMP/body")

cp -r "$LS_SOURCE_DIR/tests/fixtures/original-layout" "$TMP/repo"
new_repo "$TMP/repo"
cd "$TMP/repo"
git add -A && git commit -qm "the original's layout"

run validate
expect_rc 0
expect_out 'deprecated manifest location: packages/examples'

# diff: the blocks are adopted, the duplicate is reported, the agent is taken over.
run diff --json
expect_rc 0
expect_jq "[.data[] | select(.kind == \"Block\" and .name == \"persona\" and .action == \"orphan\")] | length == 1"
expect_jq '[.data[] | select(.kind == "Block" and .name == "safety_policy" and .action == "update")] | length == 1'
expect_jq '[.data[] | select(.kind == "Agent" and .section == "tags")] | length == 1'

run sync --prune
expect_rc 0

sim_get "/v1/blocks/?label=persona" >"$TMP/persona.json"
jq -e --arg k "$kept" 'length == 1 and .[0].id == $k' "$TMP/persona.json" >/dev/null ||
	fail "the duplicate was not removed, or the used copy was: $(cat "$TMP/persona.json")"
sim_get "/v1/blocks/?project_id=$pid" >"$TMP/blocks.json"
jq -e '[.[] | select(.metadata.managed_by == "smarty-admin")] | length == 0' "$TMP/blocks.json" >/dev/null ||
	fail "smarty-admin markers left: $(cat "$TMP/blocks.json")"
jq -e '[.[] | select(.label == "persona" or .label == "safety_policy") | .metadata
	| select(.managed_by == "letta-sync" and (.source | startswith("Block/")) and (has("layer") | not))]
	| length == 2' "$TMP/blocks.json" >/dev/null || fail "markers not migrated: $(cat "$TMP/blocks.json")"
jq -e --arg n "$notes" '[.[] | select(.id == $n and .value == "mine" and (.metadata.managed_by == null))] | length == 1' \
	"$TMP/blocks.json" >/dev/null || fail "the unrelated block was touched: $(cat "$TMP/blocks.json")"

sim_get "/v1/agents/$agent?include=agent.tags&include=agent.blocks" >"$TMP/agent.json"
jq -e '(.tags | index("managed:letta-sync")) and (.tags | index("managed:smarty-admin") | not)
	and (.tags | index("template:lane-dev")) and (.tags | index("role:lane-dev"))
	and (.tags | index("channel:stable")) and ([.tags[] | select(startswith("applied:"))] | length == 0)
	and ([.blocks[].label] | sort) == ["persona", "project", "safety_policy"]' "$TMP/agent.json" >/dev/null ||
	fail "agent not migrated: $(jq -c '{tags, blocks: [.blocks[].label]}' "$TMP/agent.json")"
sim_get "/v1/agents/?project_id=$pid" | jq -e 'length == 1' >/dev/null || fail "the agent was duplicated"

# The second run: nothing to do.
. "$(dirname "$0")/lib-sync.sh"
expect_writes 0 sync --prune
expect_out 'up to date|No changes|Already'
run diff --exit-code
expect_rc 0

# pull moves the legacy repository to .letta/manifests/ (everything, since packages/examples is
# no longer read once it exists), and the result still matches the server.
run pull
expect_rc 0
expect_err 'packages/examples'
expect_out 'wrote \.letta/manifests/project/blocks\.yaml \(3 documents\)'
expect_out 'wrote \.letta/manifests/project/templates\.yaml \(1 document\)'
run validate
expect_rc 0
if grep -q 'deprecated' "$TMP/out" "$TMP/err"; then fail "still reading packages/examples"; fi
run diff --exit-code
expect_rc 0
