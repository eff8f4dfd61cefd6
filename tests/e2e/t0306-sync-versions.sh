#!/usr/bin/env bash
# sync (agents): the version tag follows the newest semver tag reachable from HEAD; an agent
# whose applied version is newer is a downgrade, left alone without --force; --agent limits
# diff to one agent.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

agents() {
	manifest agents.yaml <<YAML
apiVersion: letta.ai/v1
kind: Template
metadata: {name: t}
spec:
  layer: project
  default: true
  agent: {name: t, system: "$1", modelConfig: {model: openai/gpt-4o-mini}}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: ann}
spec: {layer: project}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: ben}
spec: {layer: project}
YAML
}
agents "v1 prompt"
git tag v1.1.0
run sync
expect_rc 0
sim_get "/v1/agents/?name=ann&include=agent.tags" | jq -e '.[0].tags | index("version:1.1.0")' >/dev/null ||
	fail "version tag not 1.1.0: $(sim_get "/v1/agents/?name=ann&include=agent.tags")"

# Commits after the tag do not change the version; a new tag does (a tags change per agent).
git commit -q --allow-empty -m later
expect_writes 0 sync
git tag v1.2.0
run diff --json
expect_jq '[.data[] | select(.section == "tags")] | length == 2'
expect_writes 2 sync

# --agent: only ann's changes (shared resources would still show).
agents "v2 prompt"
run diff --agent ann --json
expect_jq '[.data[] | .name] == ["ann"]'

# ann was moved to a newer version by someone else: a downgrade, left alone.
id=$(sim_get "/v1/agents/?name=ann" | jq -r '.[0].id')
sim_call PATCH "/v1/agents/$id" '{"tags":["managed:letta-sync","template:t","version:9.0.0"]}'
expect_status 200
run diff --json
expect_jq '[.data[] | select(.name == "ann")] | length == 1 and (.[0].action == "downgrade") and .[0].breaking'
expect_jq '[.data[] | select(.name == "ann")][0].action == "downgrade"'
run sync
expect_rc 1
expect_err 'downgrade Agent/ann'
sim_get "/v1/agents/$id" | jq -e '.system == "v1 prompt"' >/dev/null || fail "a downgrade was applied"
run sync --force
expect_rc 0
sim_get "/v1/agents/$id?include=agent.tags" | jq -e '.system == "v2 prompt" and (.tags | index("version:1.2.0"))' >/dev/null ||
	fail "--force did not move ann"
