# Helpers for the bootstrap/status/scope-sync e2e tests (t05NN-*.sh); sourced after lib-e2e.sh
# and lib-sync.sh.

# templates: a shared block, a tool-less default Template "helper" and a second Template
# "coder" with its own model and a private block.
templates() {
	{
		policy_yaml
		echo ---
		helper_yaml "You help."
		cat <<'YAML'
    blocks: [{name: policy}, {label: persona, value: "I help"}]
    tags: [team:core]
---
apiVersion: letta.ai/v1
kind: Template
metadata: {name: coder}
spec:
  layer: project
  agent:
    name: coder
    system: "You code."
    modelConfig: {model: anthropic/claude-sonnet-4, embedding: openai/text-embedding-3-small}
    blocks: [{label: persona, value: "I write C"}, {label: human, value: ""}]
YAML
	} | manifest templates.yaml
}

# boot_setup: the repository with templates, synced once (the bootstrap tests' start).
boot_setup() {
	sync_setup
	templates
	run sync
	expect_rc 0
}

# agents_named NAME: the project's agents with that name (JSON array, tags and blocks loaded).
agents_named() {
	sim_get "/v1/agents/?name=$1&include=agent.tags&include=agent.blocks&include=agent.identities"
}

# agent_count: every agent on the simulator.
agent_count() {
	sim_admin GET /_sim/state | jq '.agents | length'
}

# tree_sum DIR: a checksum of every file's path, mode and content under DIR (.git included).
tree_sum() {
	(cd "$1" && find . -type f -o -type l | LC_ALL=C sort | while read -r f; do
		printf '%s %s ' "$f" "$(stat -c %a "$f")"
		sha256sum <"$f"
	done) | sha256sum
}

# helper_releases SYSTEM TAG [SYSTEM TAG]...: commits the tool-less default Template "helper"
# (system SYSTEM, a persona block, no embedding) to t.yaml and tags that commit TAG, for each
# pair in turn; then checks out the first TAG (the auto-upgrade tests' work tree).
helper_releases() {
	local first=$2
	while [ $# -ge 2 ]; do
		manifest t.yaml <<YAML
apiVersion: letta.ai/v1
kind: Template
metadata: {name: helper}
spec:
  layer: project
  default: true
  agent:
    name: helper
    system: "$1"
    modelConfig: {model: openai/gpt-4o-mini}
    blocks: [{label: persona, value: "I help"}]
YAML
		git tag "$2"
		shift 2
	done
	git checkout -q "$first"
}
