#!/usr/bin/env bash
# The work tree's version is the highest semver tag reachable from HEAD, 0.0.0 without one.
. "$(dirname "$0")/lib-e2e.sh"

cd "$TMP"
run context --json
expect_jq '.data.repo.version == "0.0.0"'   # no git at all

git init -q -b main repo && cd repo
run context --json
expect_jq '.data.repo.version == "0.0.0"'   # no commit yet

git commit -q --allow-empty -m one
git tag v1.0.0
git tag not-a-version
git commit -q --allow-empty -m two
git tag -a v1.1.0 -m "annotated"
git commit -q --allow-empty -m three
run context --json
expect_jq '.data.repo.version == "1.1.0"'   # commits after the tag do not change it

# A higher tag on another branch is not reachable from HEAD.
git checkout -q -b other
git commit -q --allow-empty -m four
git tag v9.0.0
git checkout -q main
run context --json
expect_jq '.data.repo.version == "1.1.0"'

# Pre-releases count; the release ranks above its pre-release.
git commit -q --allow-empty -m five
git tag v2.0.0-beta.1
run context
expect_rc 0
expect_out '^version: +2\.0\.0-beta\.1 '
git tag v2.0.0
run context --json
expect_jq '.data.repo.version == "2.0.0"'
echo ok
