#!/usr/bin/env bash
# validate: the examples/ repository (three layers, every kind) is clean, from the root, from a
# subdirectory and with -C; --json gives an empty list.
. "$(dirname "$0")/lib-e2e.sh"

repo="$TMP/repo"
cp -r "$LS_SOURCE_DIR/examples" "$repo"

cd "$repo"
run validate
expect_rc 0
[ "$(cat "$TMP/out")" = "ok: 17 resources in 16 files" ] || fail "stdout: $(cat "$TMP/out")"
[ ! -s "$TMP/err" ] || fail "stderr not empty: $(cat "$TMP/err")"

cd "$repo/docs/handbook"
run validate
expect_rc 0
expect_out '^ok: 17 resources in 16 files$'

cd "$TMP"
run validate -C repo --json
expect_rc 0
expect_jq '.ok == true and .command == "validate" and .data == []'

run -C repo validate -v
expect_rc 0
expect_err "^\[verbose\] Discovered manifests at: .*/repo/.letta/manifests \(letta-manifests\)$"
