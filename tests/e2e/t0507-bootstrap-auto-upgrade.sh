#!/usr/bin/env bash
# bootstrap's auto-upgrade: the agent is created at the work tree's version and then moved to
# its channel's latest version, read from git (the work tree stays as it is), only when that
# is newer; stable ignores pre-releases, beta takes them, pinned never moves; --skip-upgrade
# skips it.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup

helper_releases v1 v1.0.0 v2 v1.1.0 v3 v1.2.0-beta.1
sum=$(git status --porcelain -- .letta/manifests; git rev-parse HEAD)

check() { # NAME SYSTEM VERSION
	agents_named "$1" | jq -e --arg s "$2" --arg v "version:$3" 'length == 1 and .[0].system == $s
		and (.[0].tags | index($v)) != null and ([.[0].tags[] | select(startswith("version:"))] | length) == 1' \
		>/dev/null || fail "$1 should be at $3 with '$2': $(agents_named "$1")"
}

run bootstrap --name up --skip-scope-sync --json
expect_rc 0
expect_jq '.data.version == "1.0.0" and .data.upgrade.upgraded and .data.upgrade.available == "1.1.0" and .data.upgrade.current == "1.0.0"'
check up v2 1.1.0
[ "$(git status --porcelain -- .letta/manifests; git rev-parse HEAD)" = "$sum" ] || fail "auto-upgrade touched the work tree"

run bootstrap --name skip --skip-upgrade --skip-scope-sync --json
expect_rc 0
expect_jq '.data.upgrade == null'
check skip v1 1.0.0

run bootstrap --name beta --channel beta --skip-scope-sync
expect_rc 0
expect_out 'Upgraded to 1.2.0-beta.1'
check beta v3 1.2.0-beta.1

run bootstrap --name pin --channel pinned --skip-scope-sync --json
expect_rc 0
expect_jq '.data.upgrade.upgraded == false and .data.upgrade.available == null'
check pin v1 1.0.0

# Already at the latest: nothing more than the create.
git checkout -q v1.1.0
before=$(writes)
run bootstrap --name latest --skip-scope-sync --json
expect_rc 0
expect_jq '.data.upgrade.upgraded == false and .data.upgrade.available == "1.1.0"'
[ $(( $(writes) - before )) -eq 1 ] || fail "an up-to-date bootstrap wrote $(( $(writes) - before )) times"
check latest v2 1.1.0
