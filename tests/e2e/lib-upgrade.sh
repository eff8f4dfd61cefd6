# Helpers for the upgrade e2e tests (t04NN-upgrade-*.sh); sourced after lib-e2e.sh and
# lib-sync.sh.
#
# upgrade_setup [AGENT:CHANNEL...]: a simulator and a config repository whose tags are
#   v1.0.0        Block policy, Template helper (policy, gpt-4o-mini), the declared agents;
#                 synced, so every agent is on version:1.0.0
#   v1.1.0        a safe step: a new Block guide attached, the prompt edited, and policy's
#                 value edited (a shared object: only sync may change it)
#   v2.0.0-beta.1 a breaking pre-release: policy detached, the model changed
# The work tree stays at v2.0.0-beta.1's commit, with one more untagged commit.
upgrade_setup() {
	sync_setup
	local agents=("$@") a
	[ ${#agents[@]} -gt 0 ] || agents=(bob:stable carol:beta pat:pinned)
	{
		policy_yaml
		echo ---
		helper_yaml "You help."
		echo "    blocks: [{name: policy}]"
		for a in "${agents[@]}"; do
			printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: %s}\nspec: {layer: project, template: helper, channel: %s}\n' "${a%%:*}" "${a#*:}"
		done
	} | manifest fleet.yaml
	git tag v1.0.0
	run sync
	expect_rc 0
	UPGRADE_AGENTS=$(for a in "${agents[@]}"; do printf '%s ' "${a%%:*}"; done)

	sed -i -e 's/value: "be kind"/value: "be very kind"/' -e 's/You help\./You help a lot./' \
		-e 's/blocks: \[{name: policy}\]/blocks: [{name: policy}, {name: guide}]/' \
		.letta/manifests/project/fleet.yaml
	cat >>.letta/manifests/project/fleet.yaml <<YAML
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: guide}
spec: {layer: project, label: guide, value: "read the guide"}
YAML
	git add -A && git commit -q -m "v1.1.0: safe" && git tag v1.1.0

	sed -i -e 's/blocks: \[{name: policy}, {name: guide}\]/blocks: [{name: guide}]/' \
		-e 's|model: openai/gpt-4o-mini|model: openai/gpt-4o|' \
		.letta/manifests/project/fleet.yaml
	git add -A && git commit -q -m "v2.0.0-beta.1: breaking" && git tag -a v2.0.0-beta.1 -m beta
	echo "# later" >>.letta/manifests/project/fleet.yaml
	git add -A && git commit -q -m "untagged"
}

# agent_id NAME
agent_id() {
	sim_get "/v1/agents/?name=$1" | jq -r '.[0].id'
}

# agent_json NAME: the agent with blocks and tags.
agent_json() {
	sim_get "/v1/agents/?name=$1&include=agent.blocks&include=agent.tags" | jq '.[0]'
}

# expect_agent NAME JQ: a jq expression over the agent's server state.
expect_agent() {
	agent_json "$1" >"$TMP/agent.json"
	jq -e "$2" "$TMP/agent.json" >/dev/null || fail "agent $1: '$2' is not true on: $(cat "$TMP/agent.json")"
}
