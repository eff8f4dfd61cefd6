#!/usr/bin/env bash
# sync (agents): a declared Agent is created once with its template's blocks and tools, the
# matching policy's block and its own override of the system prompt; --only limits the
# sections; an unknown section is a usage error listing the valid ones; pinned agents are
# left alone without --force.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

fleet() {
	{
		policy_yaml
		cat <<YAML
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: extra}
spec: {layer: project, label: extra, value: "from the policy"}
---
YAML
		helper_yaml "$1"
		cat <<YAML
    blocks: [{name: policy}, {label: persona, value: "I help"}]
    tags: [team:core]
---
apiVersion: letta.ai/v1
kind: AgentPolicy
metadata: {name: core-extra}
spec: {layer: project, selector: {matchTags: ["team:core"]}, blocks: [{name: extra}]}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: helper, channel: stable, system: "$2"}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: pat}
spec: {layer: project, template: helper, channel: pinned}
YAML
	} | manifest fleet.yaml
}
fleet "You help." "You are Bob."

run sync --only memory
expect_rc 64
expect_err "unknown section 'memory'"
expect_err 'system_prompt, memory_blocks, tools, folders, tags, model, identities, mcp_servers'
expect_err "did you mean 'memory_blocks'"

run sync
expect_rc 0
expect_out 'created Agent/bob'
expect_out 'created Agent/pat'
sim_get "/v1/agents/?name=bob&include=agent.blocks&include=agent.tags" >"$TMP/bob.json"
jq -e 'length == 1 and .[0].system == "You are Bob."
	and ([.[0].blocks[].label] | sort) == ["extra","persona","policy"]
	and (.[0].tags | index("managed:letta-sync")) and (.[0].tags | index("template:helper"))
	and (.[0].tags | index("version:0.0.0")) and (.[0].tags | index("channel:stable"))' \
	"$TMP/bob.json" >/dev/null || fail "bob not as declared: $(cat "$TMP/bob.json")"

# Created once: a second sync writes nothing and makes no duplicate.
expect_writes 0 sync
sim_get "/v1/agents/?name=bob" | jq -e 'length == 1' >/dev/null || fail "bob duplicated"

# The template's prompt changes: bob keeps his override, pat is pinned and left alone.
fleet "You help a lot." "You are Bob."
[ "$(changes)" -eq 0 ] || fail "bob overrides the prompt and pat is pinned: $(cat "$TMP/diff.json")"
run diff --json
expect_jq '.warnings | map(test("pinned")) | any'
fleet "You help a lot." "You are Robert."
[ "$(changes)" -eq 1 ] || fail "one section should change: $(cat "$TMP/diff.json")"
jq -e '.data[0] | .kind == "Agent" and .name == "bob" and .section == "system_prompt"
	and (.agent | startswith("agent-"))' "$TMP/diff.json" >/dev/null ||
	fail "unexpected change: $(cat "$TMP/diff.json")"

# --only tags: the prompt is not touched.
expect_writes 0 sync --only tags
# the lease, the agent, the lease's release, and the recompile that lets the running agent
# see its new prompt (issue 25, docs/memory-files.md "Recompile")
expect_writes 4 sync --only system_prompt
sim_get "/v1/agents/?name=bob" | jq -e '.[0].system == "You are Robert."' >/dev/null ||
	fail "prompt not synced"

# --force moves the pinned agent.
run diff --force --json
expect_jq '[.data[] | select(.name == "pat" and .section == "system_prompt")] | length == 1'
