#!/usr/bin/env bash
# The workflows' logic (scripts/ci/*.sh) against letta-sim: changed config roots, the staging
# sync (dry run first, zero writes on a re-run), the PR comment in diff and validate (fork) mode,
# and failing on breaking changes only when asked.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim
export LETTA_SYNC_PROJECT=ci-$RANDOM
export GITHUB_TOKEN=ghp_ci_$RANDOM
ci=$LS_SOURCE_DIR/scripts/ci

repo=$TMP/repo
mkdir -p "$repo"
cp -r "$LS_SOURCE_DIR/examples/." "$repo/"
rm -f "$repo/.letta/settings.local.json"
cd "$repo"
git init -q -b main && git add -A && git commit -qm base
base=$(git rev-parse HEAD)

# changed-roots: nothing changed, then a partner root, then the root; no base = every root.
[ -z "$(bash "$ci/changed-roots.sh" "$base" HEAD)" ] || fail "roots without a change"
mkdir -p partners/acme
cp -r .letta partners/acme/
git add -A && git commit -qm partner
[ "$(bash "$ci/changed-roots.sh" "$base" HEAD)" = "partners/acme" ] ||
	fail "changed roots: $(bash "$ci/changed-roots.sh" "$base" HEAD)"
[ "$(bash "$ci/changed-roots.sh" "" HEAD | tr '\n' ' ')" = ". partners/acme " ] ||
	fail "all roots: $(bash "$ci/changed-roots.sh" "" HEAD)"
git rm -rq partners && git commit -qm "no partner"

# Staging sync: the dry run writes nothing; the sync writes; a re-run writes nothing.
bash "$ci/staging-sync.sh" --bin "$LS_BIN" --dry-run --summary "$TMP/summary.md" >"$TMP/out" 2>&1 ||
	fail "dry run failed: $(cat "$TMP/out")"
[ "$(sim_stats | jq .writes)" -eq 0 ] || fail "the dry run wrote: $(sim_stats)"
grep -q '## letta-sync dry run to' "$TMP/summary.md" || fail "summary: $(cat "$TMP/summary.md")"
bash "$ci/staging-sync.sh" --bin "$LS_BIN" --summary "$TMP/summary.md" >"$TMP/out" 2>&1 ||
	fail "sync failed: $(cat "$TMP/out")"
w1=$(sim_stats | jq .writes)
[ "$w1" -gt 0 ] || fail "the sync wrote nothing"
bash "$ci/staging-sync.sh" --bin "$LS_BIN" >"$TMP/out" 2>&1 || fail "re-sync failed: $(cat "$TMP/out")"
[ "$(sim_stats | jq .writes)" -eq "$w1" ] || fail "the re-sync wrote: $(sim_stats | jq .writes) vs $w1"

# A safe change: the comment shows it, no breaking flag, exit 0.
base=$(git rev-parse HEAD)
sed -i 's/Point out bugs first, style last./Point out bugs first, then tests, style last./' \
	.letta/manifests/base/templates.yaml .letta/manifests/project/templates.yaml 2>/dev/null || true
git commit -qam "safe edit"
bash "$ci/changed-roots.sh" "$base" HEAD >"$TMP/roots"
[ "$(cat "$TMP/roots")" = "." ] || fail "roots: $(cat "$TMP/roots")"
bash "$ci/diff-report.sh" --mode diff --bin "$LS_BIN" --roots "$TMP/roots" --out "$TMP/comment.md" \
	--fail-on-breaking true || fail "safe change failed the check: $(cat "$TMP/comment.md")"
grep -q '^## letta-sync diff' "$TMP/comment.md" || fail "no title: $(cat "$TMP/comment.md")"
grep -q '(repository root)' "$TMP/comment.md" || fail "no root section"
grep -q 'review-bot' "$TMP/comment.md" || fail "the change is not in the comment: $(cat "$TMP/comment.md")"
! grep -q 'Breaking changes' "$TMP/comment.md" || fail "a safe change was called breaking"
! grep -qF "$GITHUB_TOKEN" "$TMP/comment.md" || fail "a secret reached the comment"

# A breaking change (a model change): flagged; fails only with --fail-on-breaking true.
sed -i 's#model: anthropic/claude-opus-4#model: openai/gpt-4o#' .letta/manifests/project/agents.yaml
git commit -qam "breaking edit"
set +e
bash "$ci/diff-report.sh" --mode diff --bin "$LS_BIN" --roots "$TMP/roots" --out "$TMP/comment.md" \
	--fail-on-breaking true
rc=$?
set -e
[ $rc -eq 1 ] || fail "a breaking change passed with fail_on_breaking: $(cat "$TMP/comment.md")"
grep -q ':no_entry:' "$TMP/comment.md" || fail "no failure line: $(cat "$TMP/comment.md")"
bash "$ci/diff-report.sh" --mode diff --bin "$LS_BIN" --roots "$TMP/roots" --out "$TMP/comment.md" \
	--fail-on-breaking false || fail "a breaking change failed without fail_on_breaking"
grep -q ':warning: Breaking changes' "$TMP/comment.md" || fail "no warning: $(cat "$TMP/comment.md")"

# Fork mode: validate only, said in the comment, no request to the server.
before=$(sim_stats | jq .total)
env -u LETTA_API_KEY bash "$ci/diff-report.sh" --mode validate --bin "$LS_BIN" --roots "$TMP/roots" \
	--out "$TMP/comment.md" || fail "validate mode failed: $(cat "$TMP/comment.md")"
grep -q 'only `letta-sync validate` ran' "$TMP/comment.md" || fail "no fork notice: $(cat "$TMP/comment.md")"
grep -q ':white_check_mark: valid' "$TMP/comment.md" || fail "not valid: $(cat "$TMP/comment.md")"
[ "$(sim_stats | jq .total)" -eq "$before" ] || fail "validate mode talked to the server"
printf 'apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: bad}\nspec: {layer: project, lable: x}\n' \
	>.letta/manifests/project/bad.yaml
set +e
bash "$ci/diff-report.sh" --mode validate --bin "$LS_BIN" --roots "$TMP/roots" --out "$TMP/comment.md"
rc=$?
set -e
[ $rc -eq 1 ] || fail "an invalid config passed"
grep -q ':x: invalid configuration' "$TMP/comment.md" || fail "no error: $(cat "$TMP/comment.md")"
grep -q "bad.yaml:4:" "$TMP/comment.md" || fail "no position: $(cat "$TMP/comment.md")"
echo ok
