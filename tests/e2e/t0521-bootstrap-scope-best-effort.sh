#!/usr/bin/env bash
# issue 23: scope sync is best-effort, as the seed says. A malformed .letta/scope_registry.yaml
# (a schema error, then a YAML syntax error) makes bootstrap warn with file:line:col and go on:
# the agent is created and pinned, no scope block is written, exit 0. validate still reports the
# registry as an error, and sync (which needs no registry) still refuses the invalid manifests.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
boot_setup

printf 'scopes:\n  - scope: repo\n    matchh: {path_prefixes: ["./"]}\n' >.letta/scope_registry.yaml
git add -A && git commit -qm "bad registry"
run bootstrap --name one
expect_rc 0
expect_err 'warning: \.letta/scope_registry\.yaml:3:5: unknown field .matchh.'
expect_err 'scope sync failed \(non-fatal\)'
expect_out 'Created agent one'
agents_named one | jq -e 'length == 1' >/dev/null || fail "agent one not created"
[ "$(jq -r .lastAgent .letta/settings.local.json)" = "$(agents_named one | jq -r '.[0].id')" ] ||
	fail "agent one not pinned"
sim_get "/v1/blocks/" | jq -e '[.[] | select(.label | startswith("scope_"))] | length == 0' >/dev/null ||
	fail "scope blocks written from a bad registry"

# --json: one document, ok, the warnings in it.
run bootstrap --name two --json
expect_rc 0
expect_jq '.ok and .data.scope_sync.ok == false and
	(.warnings | map(test("scope_registry.yaml:3:5")) | any)'

# A YAML syntax error: the same.
printf 'scopes:\n  - scope: [repo\n' >.letta/scope_registry.yaml
run bootstrap --name three
expect_rc 0
expect_err 'warning: \.letta/scope_registry\.yaml:3:1: '

# validate still says it is an error; sync and diff still refuse.
run validate
expect_rc 1
expect_out '\.letta/scope_registry\.yaml:3:1: error'
run diff
expect_rc 1
expect_err 'scope_registry\.yaml'
