#!/usr/bin/env bash
# bootstrap from a Template that declares memory: {dir} (issue 25): the memory files are
# checked before anything is created (a broken one: exit 1, no agent); the agent gets the tag
# git-memory-enabled, its files are pushed as one commit authored letta-sync, and it is
# recompiled once.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup
RC="POST /v1/agents/{agent_id}/recompile"
{ helper_yaml "You help."; echo "    memory: {dir: memory/helper}"; } | manifest templates.yaml
write_md memory/helper/system/persona.md "Who I am" $'I help.\n'
write_md memory/helper/reference/faq.md "FAQ" $'q and a\n'
mkdir -p memory/helper/skills/triage
printf -- '---\nname: triage\ndescription: Sorts issues\n---\nLabel it.\n' >memory/helper/skills/triage/SKILL.md
write_md memory/helper/system/bad.md "Bad" $'x\n' $'colour: red\n'
git add -A && git commit -qm memory
run sync
expect_rc 0

# A broken memory file: refused before anything is created.
sim_admin POST /_sim/stats/reset >/dev/null
run bootstrap --name ann --skip-scope-sync
expect_rc 1
expect_err 'memory/helper/system/bad.md:3:1: unknown frontmatter key .colour.'
[ "$(sim_stats | jq .writes)" -eq 0 ] || fail "writes after a refused file: $(sim_stats)"
[ "$(agents_named ann | jq length)" -eq 0 ] || fail "the agent was created"

git rm -q memory/helper/system/bad.md && git commit -qm fix
sim_admin POST /_sim/stats/reset >/dev/null
run bootstrap --name ann --skip-scope-sync --json
expect_rc 0
expect_jq '.data.memory.dir == "memory/helper" and .data.memory.files == 3 and .data.memory.commit != null and .data.memory.recompiled'
expect_jq '(.data.tags | index("git-memory-enabled")) != null'
ANN=$(jq -r .data.agent.id "$TMP/out")
[ "$(stat_count "$RP")" -eq 1 ] && [ "$(stat_count "$RC")" -eq 1 ] || fail "push/recompile: $(sim_stats)"
memfs_clone "$ANN" "$TMP/c"
for f in system/persona.md reference/faq.md skills/triage/SKILL.md; do
	cmp -s "memory/helper/$f" "$TMP/c/$f" || fail "$f not pushed: $(cat "$TMP/c/$f" 2>&1)"
done
[ "$(git -C "$TMP/c" log -1 --format=%an)" = letta-sync ] || fail "author: $(git -C "$TMP/c" log -1 --format=%an)"
git -C "$TMP/c" log -1 --format=%B | grep -q "$(git rev-parse HEAD)" || fail "message lacks the config commit"
blocks_of "$ANN"
expect_blocks '.persona.value == "I help.\n"'
