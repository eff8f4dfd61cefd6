#!/usr/bin/env bash
# Memory as files (issue 25): an Agent declaring memory: {dir: memory/mem} gets the tag
# git-memory-enabled; diff shows its files (section memory_files); sync pushes them as one
# commit authored letta-sync (libgit2, Basic letta:<key>, no key on disk); the server's blocks
# follow; a second sync sends one ref advertisement and no POST to any git route; --only
# memory_files; a broken file is refused with path:line:col before anything is sent.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
sync_setup
R1="GET /v1/git/{agent_id}/state.git/info/refs"

mem_manifest
mkdir -p memory/mem
write_md memory/mem/system/persona.md "Who I am" $'I keep notes.\n'
write_md memory/mem/system/project/conventions.md "Conventions" $'We write C11.\n' $'limit: 2000\n'
write_md memory/mem/reference/notes.md "Read on demand" $'line 1\nline 2\n'
git add -A && git commit -qm memory

# The agent does not exist yet: diff lists its files.
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.section == "memory_files")] | length == 1'

run sync
expect_rc 0
A=$(sim_get "/v1/agents/?name=mem" | jq -r '.[0].id')
sim_get "/v1/agents/$A" | jq -e '.tags | index("git-memory-enabled")' >/dev/null ||
	fail "no git-memory-enabled tag: $(sim_get "/v1/agents/$A" | jq -c .tags)"
memfs_clone "$A" "$TMP/c"
for f in system/persona.md system/project/conventions.md reference/notes.md; do
	cmp -s "memory/mem/$f" "$TMP/c/$f" || fail "$f not pushed: $(cat "$TMP/c/$f" 2>&1)"
done
[ "$(git -C "$TMP/c" log -1 --format='%an')" = letta-sync ] || fail "author: $(git -C "$TMP/c" log -1 --format=%an)"
git -C "$TMP/c" log -1 --format=%B | grep -q "$(git rev-parse HEAD)" || fail "message lacks the config commit"
[ "$(git -C "$TMP/c" rev-list --first-parent --count HEAD)" -eq 2 ] || fail "not one commit on main: $(git -C "$TMP/c" log --oneline)"
blocks_of "$A"
expect_blocks '.persona.value == "I keep notes.\n" and ."project/conventions".limit == 2000'
# No key in the cache (a bare repository under .letta/cache) or any file it wrote.
[ -d .letta/cache/memfs/"$A".git ] || fail "no cache"
! grep -rqF "$SIM_KEY" .letta/cache || fail "the key is on disk"

# No-op: one ref advertisement per agent and no POST to any git route.
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(stat_count "$R1")" -le 1 ] || fail "ref advertisements: $(sim_stats)"
[ "$(stat_count "$UP")" -eq 0 ] && [ "$(stat_count "$RP")" -eq 0 ] || fail "git POSTs on a no-op: $(sim_stats)"
run diff --json --exit-code
expect_rc 0

# --only memory_files: a git edit is pushed, nothing else planned.
printf 'line 1\nline 2 changed\n' >>memory/mem/reference/notes.md
git commit -qam "edit notes"
run diff
expect_out 'memory_files'
expect_out '^    \+line 2 changed'
run sync --only memory_files --json
expect_rc 0
expect_jq '[.data.changes[] | select(.section == "memory_files" and .files[0].path == "reference/notes.md")] | length == 1'
git -C "$TMP/c" pull -q
grep -q 'line 2 changed' "$TMP/c/reference/notes.md" || fail "edit not pushed"

# A broken file: path:line:col, nothing sent.
write_md memory/mem/system/bad.md "Bad" $'x\n' $'colour: red\n'
git add -A && git commit -qm bad
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 1
expect_err 'memory/mem/system/bad.md:3:1: unknown frontmatter key .colour.'
[ "$(sim_stats | jq .writes)" -eq 0 ] || fail "writes after a refused file: $(sim_stats)"
[ "$(stat_count "$R1")" -eq 0 ] || fail "git traffic after a refused file"
# validate reports it too (stdout, path:line:col), and a missing folder at the Agent.
run validate
expect_rc 1
expect_out 'memory/mem/system/bad.md:3:1: error: unknown frontmatter key .colour.'
run validate --json
expect_rc 1
expect_jq '.ok == false and ([.data[] | select(.file == "memory/mem/system/bad.md" and .line == 3 and .col == 1)] | length == 1)'
rm -r memory/mem/system/bad.md
sed -i 's|dir: memory/mem}|dir: memory/none}|' .letta/manifests/project/agents.yaml
run validate
expect_rc 1
expect_out "agents.yaml:[0-9]+:[0-9]+: error: Agent.mem: memory.dir 'memory/none'"
