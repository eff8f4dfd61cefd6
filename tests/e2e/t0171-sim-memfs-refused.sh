#!/usr/bin/env bash
# letta-sim MemFS (docs/contract/memfs.md, issue 24): a push that breaks a rule is refused whole, git's error
# channel names the file and the rule, and nothing changes (neither main nor the blocks):
# no frontmatter, unclosed frontmatter, a missing or empty description, an unknown key, a flat
# skills/x.md, a broken limit, a change to a read_only file, the protected read_only key, the
# .memfs.config.json constraints, and a branch other than main.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
start_sim
A=$(memfs_agent refused '[{"label":"persona","value":"I am.\n","description":"Who I am"},{"label":"policy","value":"Be kind.\n","description":"Fixed policy","read_only":true}]')
memfs_clone "$A" "$TMP/c"
grep -qx 'read_only: true' "$TMP/c/system/policy.md" || fail "read_only not in the file: $(cat "$TMP/c/system/policy.md")"
blocks_of "$A"
cp "$TMP/blocks" "$TMP/blocks.before"
main0=$(remote_main "$A")

# refused MESSAGE-REGEX: commits the work tree, pushes, expects a refusal naming the rule;
# then checks nothing changed and resets the clone to the server's main.
refused() {
	git -C "$TMP/c" add -A
	git -C "$TMP/c" commit -qm "bad: $1"
	git_push "$TMP/c"
	[ "$rc" -ne 0 ] || fail "accepted a push that breaks: $1"
	grep -qE -- "remote: .*$1" "$TMP/git.err" || fail "no /$1/ on git's error channel: $(cat "$TMP/git.err")"
	grep -q 'pre-receive hook declined' "$TMP/git.err" || fail "not refused by the hook: $(cat "$TMP/git.err")"
	[ "$(remote_main "$A")" = "$main0" ] || fail "a refused push moved main ($1)"
	blocks_of "$A"
	cmp -s "$TMP/blocks" "$TMP/blocks.before" || fail "a refused push changed blocks ($1): $(cat "$TMP/blocks")"
	git -C "$TMP/c" reset -q --hard origin/main
	git -C "$TMP/c" clean -qfdx
}

printf 'no frontmatter here\n' >"$TMP/c/system/bare.md"
refused 'system/bare.md: missing frontmatter'
printf -- '---\ndescription: open\nnever closed\n' >"$TMP/c/system/open.md"
refused 'system/open.md: frontmatter opened but never closed'
printf -- '---\nlimit: 100\n---\nv\n' >"$TMP/c/system/nodesc.md"
refused "system/nodesc.md: missing required field 'description'"
printf -- '---\ndescription: ""\n---\nv\n' >"$TMP/c/system/empty.md"
refused "system/empty.md: 'description' must be a non-empty string"
write_md "$TMP/c/system/color.md" "Colour" $'v\n' $'color: red\n'
refused "system/color.md: unknown frontmatter key 'color'"
write_md "$TMP/c/reference/ref.md" "Ref" $'v\n' $'tags: [a]\n'
refused "reference/ref.md: unknown frontmatter key 'tags'"
write_md "$TMP/c/skills/deploy.md" "Deploy" $'v\n'
refused 'skills/deploy.md: invalid skill path \(skills must be folders\)'
write_md "$TMP/c/system/short.md" "Short" $'0123456789ABC\n' $'limit: 10\n'
refused 'system/short.md: the value has 14 characters, over its limit of 10'
sed -i 's/Be kind/Be unkind/' "$TMP/c/system/policy.md"
refused 'system/policy.md: file is read_only and cannot be modified'
git -C "$TMP/c" rm -q system/policy.md
refused 'system/policy.md: file is read_only and cannot be deleted'
write_md "$TMP/c/system/locked.md" "Locked" $'v\n' $'read_only: true\n'
refused "system/locked.md: 'read_only' is a protected field and cannot be set"
printf -- 'x: [\n' >"$TMP/c/system/yaml.md" && printf -- '---\ndescription: [unclosed\n---\nv\n' >"$TMP/c/system/yaml.md"
refused 'system/yaml.md: frontmatter is not valid YAML'
# One push with a good and a bad file: refused whole.
write_md "$TMP/c/system/good.md" "Good" $'fine\n'
printf 'bad\n' >"$TMP/c/system/bad.md"
refused 'system/bad.md: missing frontmatter'

# .memfs.config.json constraints.
printf '{"version":1,"maxDepth":2}\n' >"$TMP/c/.memfs.config.json"
write_md "$TMP/c/system/a/b/deep.md" "Deep" $'v\n'
refused 'system/a/b/deep.md: nested 3 folders deep, over maxDepth 2'
printf '{"version":1,"maxFileCharacters":60}\n' >"$TMP/c/.memfs.config.json"
write_md "$TMP/c/system/big.md" "Big" "$(printf 'y%.0s' $(seq 60))"
refused 'system/big.md: [0-9]+ characters, over maxFileCharacters 60'
printf '{"version":1,"maxCoreMemoryCharacters":20}\n' >"$TMP/c/.memfs.config.json"
write_md "$TMP/c/system/more.md" "More" $'0123456789\n'
refused '.memfs.config.json: in-prompt memory has 26 characters, over maxCoreMemoryCharacters 20'

# Only main holds memory.
git -C "$TMP/c" checkout -q -b side
write_md "$TMP/c/system/side.md" "Side" $'v\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm side
set +e
git -C "$TMP/c" push -q origin side 2>"$TMP/git.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a push to another branch was accepted"
grep -q 'refs/heads/side: only refs/heads/main holds memory' "$TMP/git.err" || fail "branch refusal: $(cat "$TMP/git.err")"
[ -z "$(git ls-remote "$(git_url "$A")" refs/heads/side)" ] || fail "branch side was created"
git -C "$TMP/c" checkout -q main

# What the rules allow: a skill folder, files outside system/ and reference/, a config within
# its limits, an unchanged read_only file, the limit exactly met.
mkdir -p "$TMP/c/skills/deploy"
printf -- '---\nname: deploy\ndescription: How to deploy\n---\nSteps.\n' >"$TMP/c/skills/deploy/SKILL.md"
printf 'plain notes, no frontmatter\n' >"$TMP/c/NOTES.txt"
printf '{"version":1,"maxDepth":3,"maxFileCharacters":20000,"maxCoreMemoryCharacters":65536}\n' >"$TMP/c/.memfs.config.json"
write_md "$TMP/c/system/exact.md" "Exact" "0123456789" $'limit: 10\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm good
git_push "$TMP/c"
[ "$rc" -eq 0 ] || fail "a valid push was refused: $(cat "$TMP/git.err")"
blocks_of "$A"
expect_blocks 'keys == ["exact","persona","policy"] and .exact.limit == 10 and .exact.value == "0123456789" and .policy.read_only == true'

# Only what a push adds or changes is checked: a file the server wrote that breaks a rule (an
# API value over its limit) does not block a later, unrelated push.
sim_call PATCH "/v1/agents/$A/core-memory/blocks/exact" '{"value":"far more than ten characters"}'
expect_status 200
git -C "$TMP/c" pull -q --ff-only
write_md "$TMP/c/system/later.md" "Later" $'fine\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm later
git_push "$TMP/c"
[ "$rc" -eq 0 ] || fail "an unchanged server-written file blocked a push: $(cat "$TMP/git.err")"
echo "ok"
