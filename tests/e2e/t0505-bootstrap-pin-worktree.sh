#!/usr/bin/env bash
# Pinning: in a linked git worktree the pin goes to that worktree's own
# .letta/settings.local.json (not the main one); unknown fields of the file are kept; a
# malformed file is an error, never overwritten; .gitignore: appended once (a file without a
# final newline stays well-formed), an existing equivalent line is respected, a missing file
# is created; status shows the worktree's pin.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup
templates

# The main work tree: settings with unknown fields, a .gitignore without a final newline.
printf '%s' '{"permissions": {"allow": ["Bash(ls)"]}, "localSharedBlockIds": {"x": "block-1"}, "lastAgent": null}' \
	>.letta/settings.local.json
printf 'build/' >.gitignore
git add .gitignore && git commit -qm ignore
run bootstrap --name main-agent --skip-scope-sync
expect_rc 0
MAIN=$(jq -r .lastAgent .letta/settings.local.json)
jq -e --arg id "$MAIN" '.lastAgent == $id and .permissions.allow == ["Bash(ls)"]
	and .localSharedBlockIds.x == "block-1"' .letta/settings.local.json >/dev/null ||
	fail "unknown fields lost: $(cat .letta/settings.local.json)"
[ "$(head -1 .gitignore)" = "build/" ] || fail ".gitignore's first line damaged: $(cat .gitignore)"
grep -qx '\*\*/.letta/settings.local.json' .gitignore || fail ".gitignore not updated"
git add .gitignore && git commit -qm "ignore settings"

# A linked worktree: its own pin; the main one is untouched.
git worktree add -q "$TMP/lane" -b lane
cd "$TMP/lane"
[ ! -e .letta/settings.local.json ] || fail "the worktree already has settings"
main_before=$(cat "$REPO/.letta/settings.local.json")
run bootstrap --name lane-agent --skip-scope-sync --json
expect_rc 0
LANE=$(jq -r .data.agent.id "$TMP/out")
expect_jq ".data.pinned.root == \"$TMP/lane\""
jq -e --arg id "$LANE" '.lastAgent == $id' .letta/settings.local.json >/dev/null ||
	fail "worktree not pinned: $(cat .letta/settings.local.json 2>&1)"
[ "$(cat "$REPO/.letta/settings.local.json")" = "$main_before" ] || fail "the main pin changed"
[ -z "$(git status --porcelain)" ] || fail "the worktree is dirty: $(git status --porcelain)"
# From a subdirectory of the worktree, the worktree's root is still the place.
mkdir -p sub/dir && cd sub/dir
run bootstrap --name lane-agent-2 --skip-scope-sync
expect_rc 0
cd "$TMP/lane"
[ ! -e sub/dir/.letta ] || fail "a stray .letta was created in a subdirectory"
LANE2=$(jq -r .lastAgent .letta/settings.local.json)
[ "$LANE2" != "$LANE" ] || fail "the pin did not move"
run status --json
expect_rc 0
expect_jq "[.data[] | select(.pinned) | .name] == [\"lane-agent-2\"]"
cd "$REPO"
run status --json
expect_jq "[.data[] | select(.pinned) | .name] == [\"main-agent\"]"

# An equivalent ignore line is respected; a missing .gitignore is created.
printf '/.letta/settings.local.json\n' >.gitignore
run bootstrap --name g1 --skip-scope-sync
expect_rc 0
[ "$(cat .gitignore)" = "/.letta/settings.local.json" ] || fail "equivalent line not respected: $(cat .gitignore)"
rm .gitignore
run bootstrap --name g2 --skip-scope-sync
expect_rc 0
grep -qx '\*\*/.letta/settings.local.json' .gitignore || fail ".gitignore not created"

# A malformed settings file is an error naming it, and is left as it was.
printf '{"lastAgent": ' >.letta/settings.local.json
expect_writes 0 bootstrap --name g3 --skip-scope-sync
expect_rc 1
[ "$(agents_named g3 | jq length)" -eq 0 ] || fail "g3 created although it cannot be pinned"
expect_err 'settings.local.json'
[ "$(cat .letta/settings.local.json)" = '{"lastAgent": ' ] || fail "malformed settings overwritten"
