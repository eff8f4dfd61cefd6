#!/usr/bin/env bash
# Scope sync, in bootstrap and on its own: the registry, policy, matched scope blocks and the
# agent's own lane block, marked as scope sync's; a second run writes nothing; sync never
# detaches them; --dry-run writes nothing; a block squatting a scope label is never adopted: in
# bootstrap that is a warning and exit 0, on its own exit 1; --skip-scope-sync skips it; no
# registry: nothing attached, and it says so.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup
export LETTA_SYNC_PROJECT=acme
templates
cat >.letta/scope_registry.yaml <<'YAML'
scopes:
  - scope: repo
    match: {path_prefixes: ["./"]}
    attach: {block_types: [project]}
  - scope: API Layer
    match: {path_prefixes: [services/api, libs/api/]}
    attach: {block_types: [conventions, decisions]}
  - scope: Mobile
    match: {path_prefixes: [apps/mobile]}
    attach: {block_types: [conventions]}
  - scope: Docs
    match: {path_prefixes: [docs]}
    attach: {block_types: [style]}
YAML
mkdir -p services/api/handlers apps/mobile docs
touch docs/.keep
git add -A && git commit -qm registry
run sync
expect_rc 0
S=acme

labels() { # labels of an agent's blocks, sorted, one line
	sim_get "/v1/agents/$1/core-memory/blocks" | jq -c '[.[].label] | sort'
}

# Bootstrapped from a subdirectory: the config root's registry, cwd relative to it.
cd services/api/handlers
run bootstrap --name ann --json
expect_rc 0
cd "$REPO"
ANN=$(jq -r .data.agent.id "$TMP/out")
LANE=lane_scopes_${S}_${ANN: -12}
LANE=${LANE//-/_}
expect_jq '.data.scope_sync.ok and .data.scope_sync.matched_scopes == ["repo","API Layer"] and .data.scope_sync.focus_scope == "API Layer"'
want="[\"$LANE\",\"persona\",\"policy\",\"scope_${S}_api_layer_conventions\",\"scope_${S}_api_layer_decisions\",\"scope_${S}_repo_project\",\"scope_registry_${S}\",\"scope_runtime_policy_${S}\"]"
[ "$(labels "$ANN")" = "$want" ] || fail "ann's blocks: $(labels "$ANN"), want $want"
sim_get "/v1/blocks/?label=$LANE" | jq -e 'length == 1 and (.[0].value | fromjson |
	.matched_scopes == ["repo","API Layer"] and .focus_scope == "API Layer" and .cwd == "services/api/handlers")
	and .[0].metadata.managed_by == "letta-sync" and .[0].metadata.source == "scope-sync"
	and .[0].metadata.project == "acme"' >/dev/null ||
	fail "lane block: $(sim_get "/v1/blocks/?label=$LANE")"
sim_get "/v1/blocks/?label=scope_registry_${S}" | jq -e --rawfile t .letta/scope_registry.yaml \
	'length == 1 and .[0].value == $t and .[0].metadata.source == "scope-sync"' >/dev/null ||
	fail "registry block not the file's text"

# Again: nothing to write. sync leaves scope blocks alone.
expect_writes 0 scope-sync --agent "$ANN" --cwd services/api/handlers
expect_writes 0 sync
[ "$(labels "$ANN")" = "$want" ] || fail "sync changed ann's blocks: $(labels "$ANN")"

# Another agent gets its own lane block; the shared blocks are reused, not copied.
run bootstrap --name bob
expect_rc 0
BOB=$(jq -r .lastAgent .letta/settings.local.json)
[ "$(sim_get "/v1/blocks/?label=scope_registry_${S}" | jq length)" -eq 1 ] || fail "registry block copied"
[ "$(sim_get "/v1/blocks/?label=scope_${S}_repo_project" | jq length)" -eq 1 ] || fail "scope block copied"
labels "$BOB" | jq -e --arg a "$LANE" 'index($a) == null and (map(startswith("lane_scopes_")) | index(true)) != null' \
	>/dev/null || fail "bob shares ann's lane: $(labels "$BOB")"

# scope-sync on its own: --touched adds a scope without changing the focus; the pinned agent
# is the default; --dry-run writes nothing.
expect_writes 0 scope-sync --dry-run --touched apps/mobile/x.kt
expect_out 'would create, attach scope_'"$S"'_mobile_conventions'
run scope-sync --touched apps/mobile/x.kt --json
expect_rc 0
expect_jq '.data.agent == "'"$BOB"'" and .data.matched_scopes == ["repo","Mobile"] and .data.focus_scope == "repo"'
labels "$BOB" | jq -e --arg l "scope_${S}_mobile_conventions" 'index($l) != null' >/dev/null ||
	fail "touched scope not attached"
# Back to the root alone: the Mobile block (scope sync's own) is detached again.
run scope-sync
expect_rc 0
expect_out "detach scope_${S}_mobile_conventions"
labels "$BOB" | jq -e --arg l "scope_${S}_mobile_conventions" 'index($l) == null' >/dev/null ||
	fail "stale scope block kept"

# A foreign block squats a scope label: never adopted; bootstrap warns and exits 0.
PID=$(sim_get "/v1/projects?name=acme" | jq -r '(.projects // .)[0].id')
sim_call POST /v1/blocks/ "{\"label\":\"scope_${S}_docs_style\",\"value\":\"mine\",\"metadata\":{\"owner\":\"me\"},\"project_id\":\"$PID\"}"
expect_status 200
FOREIGN=$(body_get .id)
cd docs
run bootstrap --name cat
cd "$REPO"
expect_rc 0
expect_err "scope sync failed \\(non-fatal\\): block 'scope_${S}_docs_style' exists and was not created by scope sync"
CAT=$(jq -r .lastAgent .letta/settings.local.json)
[ "$CAT" != "$BOB" ] || fail "cat not pinned"
agents_named cat | jq -e 'length == 1' >/dev/null || fail "cat not created"
sim_get "/v1/blocks/$FOREIGN" >"$TMP/foreign.json"
jq -e '.value == "mine" and .metadata == {"owner":"me"}' "$TMP/foreign.json" >/dev/null ||
	fail "the foreign block was changed: $(cat "$TMP/foreign.json")"
labels "$CAT" | jq -e --arg l "scope_${S}_docs_style" 'index($l) == null' >/dev/null ||
	fail "the foreign block was attached"
# On its own that is a failure.
run scope-sync --agent "$CAT" --cwd docs
expect_rc 1
expect_err "not created by scope sync"
run bootstrap --name cat2 --json -C docs
expect_rc 0
expect_jq '.data.scope_sync.ok == false and (.data.scope_sync.error | test("not created by scope sync"))'
expect_jq '.warnings | map(test("scope sync failed")) | any'

# --skip-scope-sync: no scope block at all.
run bootstrap --name dan --skip-scope-sync
expect_rc 0
DAN=$(jq -r .lastAgent .letta/settings.local.json)
[ "$(labels "$DAN")" = '["persona","policy"]' ] || fail "--skip-scope-sync attached: $(labels "$DAN")"

# Without a registry nothing is attached, and it says so; no built-in default.
git rm -q .letta/scope_registry.yaml && git commit -qm "no registry"
run scope-sync --agent "$DAN"
expect_rc 0
expect_err 'no scope registry'
[ "$(labels "$DAN")" = '["persona","policy"]' ] || fail "attached without a registry: $(labels "$DAN")"

# An unknown agent fails.
run scope-sync --agent agent-00000000-0000-0000-0000-000000000000
expect_rc 1
