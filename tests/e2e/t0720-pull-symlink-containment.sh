#!/usr/bin/env bash
# Issue 20, item 7: every file letta-sync writes stays inside the repository. With
# .letta/manifests/project (or .letta, or .letta/folders) a symbolic link to a folder outside
# the repository, pull refuses with an error naming the link, writes nothing anywhere (not even
# the files it could have written) and sends no write; --dry-run refuses the same way. A link
# that stays inside the repository is followed. bootstrap refuses a settings.local.json link
# to outside before it creates anything, and leaves a .gitignore link's target alone.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
needs_sim
start_sim
export LETTA_SYNC_PROJECT=contain-$RANDOM
cp -r "$LS_SOURCE_DIR/examples" "$TMP/examples"
cd "$TMP/examples"
export GITHUB_TOKEN=ghp_contain_$RANDOM
run sync
expect_rc 0

OUT=$TMP/outside
# pull_refused WHAT: pull and pull --dry-run fail naming the link; nothing is written.
pull_refused() {
	sim_admin POST /_sim/stats/reset >/dev/null
	touch "$TMP/stamp"
	sleep 1
	for dry in "" --dry-run; do
		run pull $dry
		expect_rc 1
		expect_err "cannot write '.letta/.*': '$1' is a symbolic link to '$OUT[^']*', outside the repository"
		expect_err "hint: replace the link"
		[ -z "$(find "$OUT" -mindepth 1 -print -quit)" ] ||
			fail "pull $dry wrote outside the repository: $(find "$OUT" -mindepth 1)"
		[ -z "$(find . -path ./.git -prune -o -newer "$TMP/stamp" -print | grep -v '^\.$')" ] ||
			fail "pull $dry wrote inside the repository: $(find . -path ./.git -prune -o -newer "$TMP/stamp" -print)"
	done
	[ "$(sim_stats | jq .writes)" = 0 ] || fail "pull sent writes: $(sim_stats)"
}

# (1) The layer folder is a link to outside: the issue's case.
new_repo "$TMP/r1"
cd "$TMP/r1"
mkdir -p "$OUT" .letta/manifests
ln -s "$OUT" .letta/manifests/project
pull_refused .letta/manifests/project
[ ! -e .letta/project.json ] || fail "project.json was written"

# (2) .letta itself is a link to outside.
new_repo "$TMP/r2"
cd "$TMP/r2"
ln -s "$OUT" .letta
pull_refused .letta

# (3) Only the folders' tree leads outside: the manifests that could be written are not.
new_repo "$TMP/r3"
cd "$TMP/r3"
mkdir -p .letta
ln -s "$OUT" .letta/folders
pull_refused .letta/folders
[ ! -e .letta/manifests ] || fail "manifests were written before the refusal: $(find .letta)"

# (4) A link inside the repository is followed, and what pull wrote there validates and diffs clean.
new_repo "$TMP/r4"
cd "$TMP/r4"
mkdir -p shared .letta/manifests
ln -s ../../shared .letta/manifests/project
run pull
expect_rc 0
[ -f shared/blocks.yaml ] || fail "pull did not write through the inside link: $(find . -path ./.git -prune -o -print)"
run diff --exit-code
expect_rc 0

# (5) bootstrap: settings.local.json linked to a file outside is refused before the agent
# is created; a .gitignore linked outside is left alone (a warning), the pin is written.
sync_setup
templates
printf '{}\n' >"$TMP/outside-settings.json"
ln -s "$TMP/outside-settings.json" .letta/settings.local.json
agents_before=$(sim_admin GET /_sim/state | jq '.agents | length')
run bootstrap --name contained --skip-scope-sync --skip-upgrade
expect_rc 1
expect_err "cannot write '.letta/settings.local.json': '.letta/settings.local.json' is a symbolic link to '$TMP/outside-settings.json', outside the repository"
[ "$(sim_admin GET /_sim/state | jq '.agents | length')" = "$agents_before" ] ||
	fail "bootstrap created an agent before refusing"
[ "$(cat "$TMP/outside-settings.json")" = "{}" ] || fail "the outside settings file changed"
rm .letta/settings.local.json
printf 'build/\n' >"$TMP/outside-gitignore"
ln -s "$TMP/outside-gitignore" .gitignore
run bootstrap --name contained --skip-scope-sync --skip-upgrade
expect_rc 0
expect_err "warning: could not update .gitignore: cannot write '.gitignore': '.gitignore' is a symbolic link"
[ "$(cat "$TMP/outside-gitignore")" = "build/" ] || fail "the outside .gitignore changed"
[ -f .letta/settings.local.json ] && [ ! -L .letta/settings.local.json ] || fail "no pin"
echo "ok: $TEST_NAME"
