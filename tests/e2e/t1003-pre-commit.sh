#!/usr/bin/env bash
# pre-commit: the hook of .pre-commit-hooks.yaml, run by the real pre-commit (`try-repo`, as a
# config repository's .pre-commit-config.yaml would), passes on a repository made by init and
# fails, showing validate's path:line:col, when a staged manifest is invalid; files outside
# .letta/ do not run it.
. "$(dirname "$0")/lib-e2e.sh"
command -v pre-commit >/dev/null || fail "no pre-commit: run 'make deps' (Debian package pre-commit)"
export PATH=$(dirname "$LS_BIN"):$PATH

# The hooks repository: this repository's .pre-commit-hooks.yaml, committed.
hooks=$TMP/hooks
new_repo "$hooks"
cp "$LS_SOURCE_DIR/.pre-commit-hooks.yaml" "$hooks/"
git -C "$hooks" add -A && git -C "$hooks" commit -qm hooks

repo=$TMP/config
new_repo "$repo"
cd "$repo"
letta-sync init >/dev/null
git add -A
set +e
pre-commit try-repo "$hooks" letta-sync-validate >"$TMP/out" 2>&1
rc=$?
set -e
[ $rc -eq 0 ] || fail "the hook failed on init's repository: $(cat "$TMP/out")"
grep -qE 'letta-sync validate\.+Passed' "$TMP/out" || fail "the hook did not run: $(cat "$TMP/out")"
git commit -qm init

printf 'apiVersion: letta.ai/v1\nkind: Block\nmetadata:\n  name: bad\nspec:\n  lable: x\n' \
	>.letta/manifests/project/bad.yaml
git add -A
set +e
pre-commit try-repo "$hooks" letta-sync-validate >"$TMP/out" 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "the hook passed an invalid manifest: $(cat "$TMP/out")"
grep -qE 'letta-sync validate\.+Failed' "$TMP/out" || fail "$(cat "$TMP/out")"
grep -q "bad.yaml:6:3: error: Block.bad: unknown field 'spec.lable'" "$TMP/out" || fail "$(cat "$TMP/out")"

git reset -q --hard
echo notes >README.md
git add README.md
pre-commit try-repo "$hooks" letta-sync-validate >"$TMP/out" 2>&1 || fail "$(cat "$TMP/out")"
grep -qE 'letta-sync validate\.+\(no files to check\)Skipped' "$TMP/out" || fail "ran for README.md: $(cat "$TMP/out")"
echo ok
