# Helpers for the upgrade e2e tests (t111N-*.sh): a letta-sync binary built from an older commit
# of this repository, to sync with it and then with the binary under test. Sourced after
# lib-e2e.sh.
#
# The binaries are cached by commit in $LS_OLD_BIN_CACHE (default: build/old-letta-sync/ in the
# source tree, shared by the werror and the ASan test builds and kept across runs; `make clean`
# removes it). Only the letta-sync target is built, unoptimised and without the tests: seconds.
# .github/workflows/ci.yml checks out the whole history (fetch-depth: 0) and .ci/run runs make
# check in that checkout, so CI has every commit. A clone without the commit (a shallow one)
# fetches that one commit from its origin into a bare repository of the cache (the clone itself
# is left alone); when that fails too, the test is skipped with a message that says how to get it.

: "${LS_OLD_BIN_CACHE:=$LS_SOURCE_DIR/build/old-letta-sync}"

# git in the source tree, whoever owns it (HOME is the test's own: no global safe.directory).
src_git() {
	git -c safe.directory='*' -C "$LS_SOURCE_DIR" "$@"
}

# release_ref: the latest release tag (vX.Y.Z) of HEAD's history other than HEAD itself, or
# nothing when the repository has no release yet.
release_ref() {
	local head t
	head=$(src_git rev-parse -q --verify 'HEAD^{commit}' 2>/dev/null) || return 0
	while read -r t; do
		[ -n "$t" ] || continue
		if [ "$(src_git rev-parse -q --verify "$t^{commit}")" != "$head" ]; then
			echo "$t"
			return 0
		fi
	done < <(src_git tag --list 'v[0-9]*' --merged HEAD --sort=-v:refname 2>/dev/null)
}

# fetch_commit SHA: fetches one commit from the source tree's origin into the cache's bare
# repository $LS_OLD_BIN_CACHE/repo.git (for a shallow clone); fails when it cannot.
fetch_commit() {
	local url repo=$LS_OLD_BIN_CACHE/repo.git
	url=$(src_git remote get-url origin 2>/dev/null) || return 1
	[ -d "$repo" ] || git init -q --bare "$repo" || return 1
	git -C "$repo" cat-file -e "$1^{commit}" 2>/dev/null && return 0
	echo "fetching $1 from $url" >&2
	timeout 120 git -c safe.directory='*' -C "$repo" fetch -q --depth 1 "$url" "$1" >&2 &&
		git -C "$repo" cat-file -e "$1^{commit}" 2>/dev/null
}

# old_bin REF: sets OLD_BIN to a letta-sync built from REF (a tag, or a commit's full hash),
# building it into the cache on first use; skips the test when the commit cannot be had.
old_bin() {
	local ref=$1 sha= dir tmp lock from
	if src_git rev-parse --git-dir >/dev/null 2>&1; then
		sha=$(src_git rev-parse -q --verify "$ref^{commit}" 2>/dev/null) || sha=
	fi
	if [ -z "$sha" ]; then
		[[ $ref =~ ^[0-9a-f]{40}$ ]] ||
			skip "$ref is not in $LS_SOURCE_DIR (not a git checkout, or a shallow clone): no older letta-sync to build"
		sha=$ref
	fi
	dir=$LS_OLD_BIN_CACHE/$sha
	OLD_BIN=$dir/letta-sync
	[ -x "$OLD_BIN" ] && return 0
	mkdir -p "$LS_OLD_BIN_CACHE"
	# One build per commit at a time (ctest -j, or two build trees' test runs).
	exec {lock}>"$LS_OLD_BIN_CACHE/.lock"
	flock "$lock"
	if [ ! -x "$OLD_BIN" ]; then
		from=(src_git)
		if ! src_git cat-file -e "$sha^{commit}" 2>/dev/null; then
			if ! fetch_commit "$sha"; then
				exec {lock}>&-
				skip "commit $sha is not in this clone (a shallow clone?) and could not be fetched from its origin: 'git fetch --unshallow' (or actions/checkout with fetch-depth: 0) gets it"
			fi
			from=(git -C "$LS_OLD_BIN_CACHE/repo.git")
		fi
		tmp=$(mktemp -d "$LS_OLD_BIN_CACHE/tmp.XXXXXX")
		mkdir "$tmp/src"
		echo "building letta-sync of $ref ($sha) into $dir" >&2
		if ! { "${from[@]}" archive "$sha" | tar -x -C "$tmp/src"; } ||
			! cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Debug -DLS_TESTS=OFF \
				-DLS_WERROR=OFF >"$tmp/build.log" 2>&1 ||
			! cmake --build "$tmp/build" -j 2 --target letta-sync >>"$tmp/build.log" 2>&1; then
			tail -n 30 "$tmp/build.log" >&2 || true
			rm -rf "$tmp"
			exec {lock}>&-
			fail "could not build letta-sync of $ref ($sha)"
		fi
		mkdir -p "$dir"
		cp "$tmp/build/letta-sync" "$dir/letta-sync.tmp"
		mv "$dir/letta-sync.tmp" "$OLD_BIN"
		rm -rf "$tmp"
	fi
	exec {lock}>&-
}

# run_old CMD...: runs the old letta-sync like run (stdout in $TMP/out, stderr in $TMP/err).
run_old() {
	set +e
	"$OLD_BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
}

# old_examples: a simulator, the project e2e-$TEST_NAME and a git copy of examples/ in
# $TMP/examples (the working directory), without the memory-managed agent notes-bot (its last
# document): a version from before memory files syncs its blocks as blocks, and this one moves
# them into files (issue 25's migration), which is a real change, not a false edit.
old_examples() {
	start_sim
	export GITHUB_TOKEN=ghp_upgrade_$RANDOM
	export LETTA_SYNC_PROJECT=e2e-$TEST_NAME
	cp -r "$LS_SOURCE_DIR/examples" "$TMP/examples"
	cd "$TMP/examples"
	sed -i '/^# Memory as files (docs\/memory-files.md)/,$d' .letta/manifests/project/agents.yaml
	sed -i '${/^---$/d}' .letta/manifests/project/agents.yaml
	rm -r memory
	new_repo .
	git add -A
	git commit -q -m examples
}
