#!/usr/bin/env bash
# pull writes each memory-managed agent's memory files and skills into the config repository
# (issue 25): into the memory.dir its Agent declares, or into memory/<name>, which the Agent it
# writes then declares; the round trip is exact (pull, then diff shows nothing and sync pushes
# nothing); a folder that is a symbolic link out of the repository is refused before anything
# is written.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup
# pull writes Templates to templates.yaml and Agents to agents.yaml: the repository does too.
helper_yaml "You help." >.letta/manifests/project/templates.yaml
cat <<'YAML' >.letta/manifests/project/agents.yaml
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: mem}
spec: {layer: project, template: helper, memory: {dir: memory/mem}}
YAML
git add -A && git commit -qm split
run diff --exit-code
expect_rc 0

# The agent edits a file, adds one and a skill, removes one.
sed -i 's/^one$/ONE (agent)/' "$TMP/c/system/persona.md"
write_md "$TMP/c/system/learned.md" "What I learned" $'tabs\n'
mkdir -p "$TMP/c/skills/review"
printf -- '---\nname: review\ndescription: Reviews code\n---\nRead the diff.\n' >"$TMP/c/skills/review/SKILL.md"
printf 'checklist\n' >"$TMP/c/skills/review/checklist.txt"
git -C "$TMP/c" rm -q reference/notes.md
agent_commit "agent edits"

# Into the declared folder.
run pull
expect_rc 0
expect_out 'wrote memory/mem/system/persona.md'
expect_out 'removed memory/mem/reference/notes.md'
diff -r -x .git "$TMP/c" memory/mem >"$TMP/d" || fail "not the agent's memory: $(cat "$TMP/d")"
grep -q 'memory: {dir: memory/mem}\|dir: memory/mem' .letta/manifests/project/agents.yaml || fail "the declaration lost memory.dir: $(cat .letta/manifests/project/agents.yaml)"
run diff --exit-code
expect_rc 0
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed after a pull: $(sim_stats)"
# A second pull writes nothing.
run pull --json
expect_rc 0
expect_jq '[.data.files[] | select(.path | startswith("memory/"))] | length == 0'

# Into an empty directory: the default folder memory/<name>, declared in the Agent it writes.
mkdir "$TMP/fresh" && cd "$TMP/fresh"
run pull --json
expect_rc 0
expect_jq '[.data.files[] | select(.path == "memory/mem/skills/review/SKILL.md" and .written)] | length == 1'
diff -r -x .git "$TMP/c" memory/mem >"$TMP/d" || fail "not the agent's memory: $(cat "$TMP/d")"
grep -q 'dir: memory/mem' .letta/manifests/project/agents.yaml || fail "no memory.dir declared: $(cat .letta/manifests/project/agents.yaml)"
run diff --exit-code
expect_rc 0

# The folder is a symbolic link out of the repository: refused, nothing written.
mkdir "$TMP/outside"
new_repo "$TMP/linked"
cd "$TMP/linked"
ln -s "$TMP/outside" memory
run pull
expect_rc 1
expect_err "'memory' is a symbolic link to '$TMP/outside'"
[ -z "$(find "$TMP/outside" -mindepth 1 -print -quit)" ] || fail "wrote outside: $(find "$TMP/outside")"
[ ! -e .letta/manifests ] || fail "manifests written: $(find .letta)"
