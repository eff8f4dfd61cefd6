#!/usr/bin/env bash
# bootstrap --dry-run writes nothing anywhere: no write request (per /_sim/stats), no file
# touched (the repository, .git included, is byte-for-byte the same), and it still says what it
# would create; a project that does not exist yet is not created either.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup
templates
cat >.letta/scope_registry.yaml <<'YAML'
scopes:
  - scope: repo
    match: {path_prefixes: ["./"]}
    attach: {block_types: [project]}
YAML
git add -A && git commit -qm registry

sum=$(tree_sum "$REPO")
n=$(sim_stats | jq .total)
run bootstrap --name dry --dry-run --tag a:b --identity dry@example.com
expect_rc 0
expect_out 'Would create agent: dry'
expect_out 'Template: helper'
expect_out 'managed:letta-sync'
[ "$(writes)" -eq 0 ] || fail "dry run sent $(writes) writes"
[ "$(sim_stats | jq .total)" -gt "$n" ] || fail "dry run read nothing (it should plan against the server)"
[ "$(tree_sum "$REPO")" = "$sum" ] || fail "dry run touched a file"
[ ! -e .letta/settings.local.json ] || fail "dry run pinned"
sim_admin GET /_sim/state | jq -e '(.agents | length) == 0 and (.projects | length) == 0' >/dev/null ||
	fail "dry run created something: $(sim_admin GET /_sim/state | jq -c '{agents, projects}')"

run bootstrap --name dry --dry-run --json
expect_rc 0
expect_jq '.ok and .data.dry_run and .data.agent == null and .data.template == "helper"'
expect_jq '.data.tags | index("version:0.0.0") != null'
[ "$(writes)" -eq 0 ] || fail "dry run (json) sent writes"
[ "$(tree_sum "$REPO")" = "$sum" ] || fail "dry run (json) touched a file"

# The real thing then writes.
run bootstrap --name dry
expect_rc 0
[ "$(writes)" -gt 0 ] || fail "bootstrap wrote nothing"
