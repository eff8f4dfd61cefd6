#!/usr/bin/env bash
# Memory files (issue 25): a Template declaring memory gives its agents the files and the tag;
# the root layout (MEMORY.md) is pushed and becomes blocks; after the server rewrites the
# agent's history (letta-code#2203) the next sync does not force-push, keeps the agent's
# files and changes nothing when git's files already match.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
sync_setup

cat <<'YAML' | manifest agents.yaml
apiVersion: letta.ai/v1
kind: Template
metadata: {name: rooted}
spec:
  layer: project
  default: true
  agent:
    name: rooted
    system: "You help."
    modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}
    memory: {dir: memory/rooted}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: r1}
spec: {layer: project, template: rooted}
YAML
mkdir -p memory/rooted
printf '# Index\n- persona.md: who I am\n' >memory/rooted/MEMORY.md
printf -- '---\nname: persona\ndescription: Who I am\n---\nA rooted agent.\n' >memory/rooted/persona.md
git add -A && git commit -qm memory
run sync
expect_rc 0
A=$(sim_get "/v1/agents/?name=r1" | jq -r '.[0].id')
sim_get "/v1/agents/$A" | jq -e '.tags | index("git-memory-enabled")' >/dev/null || fail "no tag from the template"
memfs_clone "$A" "$TMP/c"
cmp -s memory/rooted/MEMORY.md "$TMP/c/MEMORY.md" || fail "MEMORY.md not pushed"
blocks_of "$A"
expect_blocks '.persona.value == "A rooted agent.\n"'

# The server rewrites history: a new root commit with the same files.
sim_admin POST "/_sim/git/$A/rewrite" >/dev/null
after_rewrite=$(remote_main "$A")
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed after a rewrite with nothing to change: $(sim_stats)"
[ "$(remote_main "$A")" = "$after_rewrite" ] || fail "main moved"
# A git edit after the rewrite is a normal commit on the new history (never a force-push).
printf -- '---\nname: persona\ndescription: Who I am\n---\nA rewritten agent.\n' >memory/rooted/persona.md
git commit -qam edit
run sync
expect_rc 0
memfs_clone "$A" "$TMP/c2"
[ "$(git -C "$TMP/c2" rev-parse HEAD~1)" = "$after_rewrite" ] || fail "not on top of the rewritten main"
blocks_of "$A"
expect_blocks '.persona.value == "A rewritten agent.\n"'

# An existing agent without memory declares it: diff lists the files (its repository comes
# with the tag this sync adds), sync tags it and pushes them.
cat <<'YAML' >>.letta/manifests/project/agents.yaml
---
apiVersion: letta.ai/v1
kind: Template
metadata: {name: plain}
spec:
  layer: project
  agent:
    name: plain
    system: "You help."
    modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: p1}
spec: {layer: project, template: plain}
YAML
git add -A && git commit -qm p1
run sync
expect_rc 0
P=$(sim_get "/v1/agents/?name=p1" | jq -r '.[0].id')
sed -i 's|spec: {layer: project, template: plain}|spec: {layer: project, template: plain, memory: {dir: memory/rooted}}|' .letta/manifests/project/agents.yaml
git commit -qam "p1 memory"
run diff --json
expect_rc 0
expect_jq "[.data[] | select(.section == \"memory_files\" and .agent == \"$P\" and .action == \"create\")] | length == 1"
expect_jq "[.data[] | select(.section == \"tags\" and .agent == \"$P\")] | length == 1"
run sync
expect_rc 0
memfs_clone "$P" "$TMP/p"
cmp -s memory/rooted/persona.md "$TMP/p/persona.md" || fail "p1's files not pushed"
