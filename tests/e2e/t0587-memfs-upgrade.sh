#!/usr/bin/env bash
# upgrade with memory files (issue 25): an agent moving to a version whose Template declares
# memory: {dir} gets that version's files (read at the version's tag, not the work tree),
# planned with its other changes (section memory_files) and pushed once it is upgraded; a file
# the new version removes is a breaking change (refused without --yes; with --yes it goes),
# while the agent's own files stay.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-upgrade.sh"
export CI=true
sync_setup
{ helper_yaml "You help."; echo "    memory: {dir: memory/helper}"
  printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: bob}\nspec: {layer: project, template: helper, channel: stable}\n'; } | manifest fleet.yaml
write_md memory/helper/system/persona.md "Who I am" $'v1\n'
write_md memory/helper/reference/old.md "Old notes" $'old\n'
git add -A && git commit -qm v1 && git tag v1.0.0
run sync
expect_rc 0
B=$(agent_id bob)
memfs_clone "$B" "$TMP/c"
# The agent's own file.
write_md "$TMP/c/system/learned.md" "Learned" $'mine\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" -c user.name=a -c user.email=a@x commit -qm own
git_push "$TMP/c"

# v1.1.0 (safe): persona edited, a new file. v2.0.0: old.md removed (breaking).
write_md memory/helper/system/persona.md "Who I am" $'v1.1\n'
write_md memory/helper/reference/new.md "New notes" $'new\n'
git add -A && git commit -qm v1.1 && git tag v1.1.0
git rm -q memory/helper/reference/old.md && git commit -qm v2 && git tag v2.0.0
# The work tree moves on: upgrade reads the files at the tag.
write_md memory/helper/system/persona.md "Who I am" $'work tree\n'
git commit -qam later

run upgrade --agent bob --target 1.1.0 --dry-run --json
expect_rc 0
expect_jq '[.data[0].changes[] | select(.section == "memory_files" and .breaking == false) | .files[] | .path] | sort == ["reference/new.md","system/persona.md"]'
sim_admin POST /_sim/stats/reset >/dev/null
run upgrade --agent bob --target 1.1.0
expect_rc 0
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes: $(sim_stats)"
git -C "$TMP/c" pull -q --ff-only
[ "$(sed -n 4p "$TMP/c/system/persona.md")" = "v1.1" ] || fail "persona not v1.1's: $(cat "$TMP/c/system/persona.md")"
[ -f "$TMP/c/reference/new.md" ] && [ -f "$TMP/c/system/learned.md" ] || fail "files: $(ls -R "$TMP/c")"

# v2.0.0 removes old.md: breaking, refused without --yes, nothing pushed.
sim_admin POST /_sim/stats/reset >/dev/null
run upgrade --agent bob --target 2.0.0
expect_rc 1
expect_err 'breaking changes need confirmation: .*removes memory files'
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed a refused upgrade: $(sim_stats)"
run upgrade --agent bob --target 2.0.0 --yes
expect_rc 0
git -C "$TMP/c" pull -q --ff-only
[ ! -e "$TMP/c/reference/old.md" ] || fail "old.md not removed"
[ -f "$TMP/c/system/learned.md" ] || fail "the agent's own file was removed"
