#!/usr/bin/env bash
# Skills from a folder of the config repository (issue 25): memory: {skills: skills} makes each
# folder skills/<name>/ (SKILL.md plus its files) the agent's skills/<name>/. A folder without
# SKILL.md, a SKILL.md without name or description, and a flat skills file are refused at
# path:line:col before anything is sent. The agent's own skill is left alone; a changed skill
# file is pushed.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
sync_setup
{ helper_yaml "You help."; mem_agent_yaml '  memory:
    skills: skills
    files:
      - {path: system/persona.md, description: Who I am, value: "I review.\n"}'; } | manifest agents.yaml
mkdir -p skills/review skills/release skills/broken
printf -- '---\nname: review\ndescription: Review a pull request\n---\nRead the diff first.\n' >skills/review/SKILL.md
printf -- '- tests\n- docs\n' >skills/review/checklist.md
printf -- '---\nname: release\n---\nTag it.\n' >skills/release/SKILL.md
printf -- 'helper\n' >skills/broken/notes.txt
printf -- '---\ndescription: flat\n---\n' >skills/flat.md
git add -A && git commit -qm skills

run validate
expect_rc 1
expect_out '^skills/broken/notes.txt:1:1: error: the skill folder skills/broken has no SKILL.md'
expect_out "^skills/release/SKILL.md:1:1: error: SKILL.md: missing required field 'description'"
expect_out '^skills/flat.md:1:1: error: invalid skill path \(skills must be folders\)'
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 1
expect_err 'skills/broken/notes.txt:1:1: the skill folder skills/broken has no SKILL.md'
[ "$(sim_stats | jq .writes)" -eq 0 ] || fail "writes after refused skills: $(sim_stats)"

printf -- '---\nname: release\ndescription: Cut a release\n---\nTag it.\n' >skills/release/SKILL.md
printf -- '---\nname: broken\ndescription: Fixed now\n---\n' >skills/broken/SKILL.md
git rm -q skills/flat.md
git add -A && git commit -qm "fix skills"
run validate
expect_rc 0
mem_synced
for f in review/SKILL.md review/checklist.md release/SKILL.md broken/SKILL.md broken/notes.txt; do
	cmp -s "skills/$f" "$TMP/c/skills/$f" || fail "skills/$f not in the agent's memory: $(ls -R "$TMP/c")"
done
[ ! -e "$TMP/c/skills/flat.md" ] || fail "flat skill file pushed"

# The agent adds its own skill; git changes a skill file: one push, the agent's skill stays.
mkdir -p "$TMP/c/skills/mine"
printf -- '---\nname: mine\ndescription: Mine\n---\nx\n' >"$TMP/c/skills/mine/SKILL.md"
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm "agent skill"
git_push "$TMP/c"
[ "$rc" -eq 0 ] || fail "agent push: $(cat "$TMP/git.err")"
printf -- '- changelog\n' >>skills/review/checklist.md
git commit -qam "checklist"
run diff
expect_out '^  update skills/review/checklist.md$'
expect_out '^    \+- changelog$'
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
[ "$(stat_count "POST /v1/git/{agent_id}/state.git/git-receive-pack")" -eq 1 ] || fail "pushes: $(sim_stats)"
git -C "$TMP/c" pull -q
cmp -s skills/review/checklist.md "$TMP/c/skills/review/checklist.md" || fail "checklist not pushed"
[ -f "$TMP/c/skills/mine/SKILL.md" ] || fail "the agent's own skill was removed"
