#!/usr/bin/env bash
# The GitHub Action, run locally step by step (tests/tools/run-action.mjs reads action.yml) in a
# fresh config repository made by `init --ci github`, against letta-sim: the install step keeps a
# cached binary, `diff-report` gets a diff report with the changes count, a fork's run (no key)
# validates only and sends nothing, `staging-sync` dry-runs then syncs (a re-run writes nothing),
# `diff` and `validate` set their outputs, and a broken manifest fails the step with exit-code 1.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
[ -d "$LS_SOURCE_DIR/scripts/lint/node_modules/yaml" ] || fail "no yaml npm package: run 'make deps'"
start_sim
export LETTA_SYNC_PROJECT=action-$RANDOM
export RUNNER_TEMP=$TMP/runner RUNNER_TOOL_CACHE=$TMP/tool-cache GITHUB_STEP_SUMMARY=$TMP/summary.md
mkdir -p "$RUNNER_TEMP"

# action ARGS...: one run of the action's steps; outputs in $TMP/outputs.json, rc in $arc.
action() {
	set +e
	node "$LS_SOURCE_DIR/tests/tools/run-action.mjs" "$LS_SOURCE_DIR" "$@" >"$TMP/outputs.json" 2>"$TMP/err"
	arc=$?
	set -e
	grep -qF "$SIM_KEY" "$TMP/outputs.json" "$TMP/err" && fail "the API key reached the action's output"
	return 0
}
out() { jq -r ".[\"$1\"]" "$TMP/outputs.json"; }

# The tool cache holds this build, as actions/cache restores it (the key is the sources' hash).
key=$(bash "$LS_SOURCE_DIR/scripts/action/install.sh" --key --version source --src "$LS_SOURCE_DIR")
case "$key" in key=src-????????????????) ;; *) fail "cache key: $key" ;; esac
key2=$(bash "$LS_SOURCE_DIR/scripts/action/install.sh" --key --version 1.2.3 --src "$LS_SOURCE_DIR")
[ "$key2" = key=v1.2.3 ] || fail "release cache key: $key2"
mkdir -p "$RUNNER_TOOL_CACHE/letta-sync/${key#key=}/bin"
cp "$LS_BIN" "$SIM_BIN" "$RUNNER_TOOL_CACHE/letta-sync/${key#key=}/bin/"

repo=$TMP/agents-config
new_repo "$repo"
cd "$repo"
"$LS_BIN" init --ci github >/dev/null
git add -A && git commit -qm "letta-sync init"
base=$(git rev-parse HEAD)

# validate
action command=validate
[ $arc -eq 0 ] || fail "validate: rc $arc: $(cat "$TMP/err")"
grep -q '(cached)' "$TMP/err" || fail "the install step did not use the cache: $(cat "$TMP/err")"
[ "$(out exit-code)" = 0 ] && [ "$(out changes)" = 0 ] || fail "outputs: $(cat "$TMP/outputs.json")"
grep -q '^ok: 3 resources in 4 files$' "$(out report)" || fail "report: $(cat "$(out report)")"

# A pull request's diff report: everything is new on an empty server.
echo "# a change" >>.letta/manifests/base/blocks.yaml
git commit -qam "change"
w0=$(sim_stats | jq .writes)
action command=diff-report "args=--base $base --fail-on-breaking false"
[ $arc -eq 0 ] || fail "diff-report: rc $arc: $(cat "$TMP/err")"
report=$(out report)
grep -q '^## letta-sync diff' "$report" || fail "no diff report: $(cat "$report")"
grep -q '(repository root)' "$report" || fail "no root section: $(cat "$report")"
grep -q 'persona' "$report" || fail "the report lacks the Block: $(cat "$report")"
(cd "$repo" && "$LS_BIN" diff --json) >"$TMP/diff.json"
n=$(jq '.data | length' "$TMP/diff.json")
[ "$n" -gt 0 ] && [ "$(out changes)" = "$n" ] || fail "changes $(out changes), diff has $n"
[ "$(sim_stats | jq .writes)" -eq "$w0" ] || fail "diff-report wrote to the server"

# A fork's pull request: no key, validate only, not one request.
r0=$(sim_stats | jq .total)
LETTA_API_KEY= action command=diff-report "args=--base $base"
[ $arc -eq 0 ] || fail "fork diff-report: rc $arc: $(cat "$TMP/err")"
grep -q 'only `letta-sync validate` ran' "$(out report)" || fail "fork report: $(cat "$(out report)")"
grep -q ':white_check_mark: valid' "$(out report)" || fail "fork report: $(cat "$(out report)")"
[ "$(sim_stats | jq .total)" -eq "$r0" ] || fail "the fork's run sent requests"
LS_FORK=true action command=diff-report "args=--base $base"
grep -q 'only `letta-sync validate` ran' "$(out report)" || fail "LS_FORK=true still diffed"

# Staging sync: the dry run writes nothing, the sync writes, a re-run writes nothing.
action command=staging-sync args=--dry-run
[ $arc -eq 0 ] || fail "dry run: rc $arc: $(cat "$TMP/err")"
[ "$(sim_stats | jq .writes)" -eq "$w0" ] || fail "the dry run wrote"
[ "$(out changes)" -gt 0 ] || fail "the dry run planned nothing: $(cat "$TMP/outputs.json")"
grep -q '## letta-sync dry run to' "$GITHUB_STEP_SUMMARY" || fail "no step summary"
planned=$(out changes)
action command=staging-sync "args=--force false"
[ $arc -eq 0 ] || fail "sync: rc $arc: $(cat "$TMP/err")"
w1=$(sim_stats | jq .writes)
[ "$w1" -gt "$w0" ] || fail "the sync wrote nothing"
[ "$(out changes)" = "$planned" ] || fail "synced $(out changes) changes, planned $planned"
action command=staging-sync
[ "$(out changes)" = 0 ] && [ "$(sim_stats | jq .writes)" -eq "$w1" ] || fail "the re-sync wrote"

# diff after the sync: no changes; sync --dry-run through the generic path.
action command=diff
[ $arc -eq 0 ] && [ "$(out changes)" = 0 ] || fail "diff after sync: $(cat "$TMP/outputs.json")"
action command=sync args=--dry-run
[ $arc -eq 0 ] && [ "$(out changes)" = 0 ] || fail "sync --dry-run: $(cat "$TMP/outputs.json")"
jq -e '.ok and .data.dry_run' "$(out report)" >/dev/null || fail "sync report: $(cat "$(out report)")"

# A broken manifest fails the step; the outputs still say so.
printf 'apiVersion: letta.ai/v1\nkind: Block\nmetadata:\n  name: bad\nspec:\n  lable: x\n' \
	>.letta/manifests/project/bad.yaml
git add -A && git commit -qm broken
action command=diff-report "args=--base $base"
[ $arc -ne 0 ] && [ "$(out exit-code)" = 1 ] || fail "a broken manifest passed: $arc $(cat "$TMP/outputs.json")"
grep -q ':x:' "$(out report)" || fail "report: $(cat "$(out report)")"
action command=validate
[ "$(out exit-code)" = 1 ] || fail "validate: $(cat "$TMP/outputs.json")"
grep -q "bad.yaml:6:3: error" "$(out report)" || fail "validate report: $(cat "$(out report)")"
echo ok
