#!/usr/bin/env bash
# issue 23: living beside Letta Code. Do to a managed agent what Letta Code does when it opens
# it (docs/contract/memfs.md): add the tags git-memory-enabled and origin:letta-code, detach the server
# memory tools, rewrite the system prompt (its preset). Then sync makes 0 writes and diff
# shows no change, and says under info what it left alone: the built-in ignore lists (tags,
# tools) and the Template's ignore: {tags, tools, system: preset}. A tag the config adds to
# the list (an AgentPolicy's ignore) is left alone too.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
sync_setup
cat >.letta/manifests/project/all.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Template
metadata: {name: helper}
spec:
  layer: project
  default: true
  ignore: {system: preset}
  agent:
    name: helper
    system: "You help."
    modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}
    tools: [memory_insert, memory_rethink]
    tags: [team:core]
---
apiVersion: letta.ai/v1
kind: AgentPolicy
metadata: {name: ours}
spec: {layer: project, selector: {matchTemplate: helper}, ignore: {tags: ["ide:cursor"]}}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: helper}
YAML
git add -A && git commit -qm config
run sync
expect_rc 0
if grep -q "memory_insert" "$TMP/err"; then fail "the ignored tool was looked for: $(cat "$TMP/err")"; fi
BOB=$(agent_id bob)
expect_writes 0 sync

# What Letta Code does (through the API): its tags, its preset prompt, the memory tools
# (made here, attached, then detached as Letta Code does).
for t in memory memory_insert; do
	sim_call POST /v1/tools/ "{\"source_code\": \"def $t(x: str) -> str:\\n    \\\"\\\"\\\"M.\\n\\n    Args:\\n        x: x\\n    \\\"\\\"\\\"\\n    return x\\n\"}"
	expect_status 200
	tid=$(body_get .id)
	sim_call PATCH "/v1/agents/$BOB/tools/attach/$tid"
	expect_status 200
done
expect_writes 0 sync # attached by someone else: never detached either
tags=$(agent_json bob | jq -c '.tags + ["git-memory-enabled", "origin:letta-code", "ide:cursor"]')
sim_call PATCH "/v1/agents/$BOB" "{\"tags\": $tags, \"system\": \"You are Letta Code, a memory-first coding agent.\"}"
expect_status 200
for tid in $(agent_json bob | jq -r '.tools[] | select(.name | startswith("memory")) | .id'); do
	sim_call PATCH "/v1/agents/$BOB/tools/detach/$tid"
	expect_status 200
done

run diff --json
expect_rc 0
expect_jq '.data == []'
expect_jq '[.info[] | select(.name == "bob") | .reason] | length == 1 and (.[0] |
	test("git-memory-enabled") and test("origin:letta-code") and test("ide:cursor")
	and test("memory_insert") and test("system prompt"))'
run diff
expect_rc 0
expect_writes 0 sync
expect_agent bob '(.tags | index("git-memory-enabled")) and (.tags | index("origin:letta-code"))
	and .system == "You are Letta Code, a memory-first coding agent."'

# Without ignore.system: preset the prompt is git's again.
sed -i '/ignore: {system: preset}/d' .letta/manifests/project/all.yaml
git commit -qam "manage the prompt"
run sync
expect_rc 0
expect_agent bob '.system == "You help." and (.tags | index("git-memory-enabled"))'

# A typo in ignore: did you mean.
sed -i 's/ignore: {tags:/ignore: {tag:/' .letta/manifests/project/all.yaml
git commit -qam typo
run validate
expect_rc 1
expect_out "did you mean 'tags'"
