#!/usr/bin/env bash
# Issue 20, item 10: with --json a failed run's .data holds one error entry, so the README's CI
# recipe (`jq '.data | length'` > 0 means drift) fails safe when letta-sync fails; ok and the
# exit code stay as they were. A validate diagnostic whose file name is not UTF-8 is kept.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup
policy_yaml | manifest blocks.yaml

# The README's recipe, verbatim but for the server: unreachable, so letta-sync fails.
recipe() {
	set +e
	(
		LETTA_SYNC_PROJECT=production "$LS_BIN" diff --json >"$TMP/drift-report.json"
		if [ $(jq '.data | length' "$TMP/drift-report.json") -gt 0 ]; then
			echo "Configuration drift detected!"
			exit 1
		fi
	) >"$TMP/recipe.out" 2>&1
	rc=$?
	set -e
}
LETTA_BASE_URL=http://127.0.0.1:9 LETTA_SYNC_MAX_RETRIES=0 recipe
[ "$rc" -eq 1 ] || fail "the CI recipe passed although letta-sync failed: $(cat "$TMP/recipe.out")"
grep -q 'drift detected' "$TMP/recipe.out" || fail "recipe: $(cat "$TMP/recipe.out")"
jq -e '.ok == false and .error.code == "NETWORK" and (.data | length) == 1
	and .data[0].kind == "error" and .data[0].severity == "error"
	and .data[0].code == "NETWORK" and .data[0].message == .error.message
	and .data[0].where == .error.where and .data[0].hint == .error.hint
	and (keys_unsorted == ["ok", "command", "error", "data", "warnings"])' \
	"$TMP/drift-report.json" >/dev/null || fail "failed diff document: $(cat "$TMP/drift-report.json")"

# Every command's failure carries the entry, and exit codes are unchanged.
LETTA_BASE_URL=http://127.0.0.1:9 LETTA_SYNC_MAX_RETRIES=0 run status --json
expect_rc 1
expect_jq '.ok == false and (.data | length) == 1 and .data[0].code == "NETWORK"'
run diff --json --only nonsense
expect_rc 64
expect_jq '.ok == false and .error.code == "USAGE" and (.data | length) == 1 and .data[0].code == "USAGE"'

# A conflict: the entry, and error.details still holds the run's summary and changes.
run sync
expect_rc 0
id=$(sim_get "/v1/blocks/?label=policy" | jq -r '.[0].id')
sim_call PATCH "/v1/blocks/$id" '{"value":"edited in the ADE"}'
expect_status 200
run sync --json
expect_rc 1
expect_jq '.ok == false and .error.code == "CONFLICT" and (.data | length) == 1
	and .data[0].code == "CONFLICT" and .error.details.summary.conflicts == 1'

# A successful run keeps its data as documented: the recipe counts changes (0 here: in sync
# but for the conflict, which diff reports as a change).
run diff --json
expect_rc 0
expect_jq '.ok == true and (.data | length) == 1 and .data[0].action == "conflict"'

# validate --json: a file name with a byte that is not UTF-8 keeps its diagnostic.
printf 'apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: bad}\nspec: {layer: project, lable: x}\n' \
	>"$REPO/.letta/manifests/project/bad-$(printf '\377')-name.yaml"
run validate --json
expect_rc 1
expect_jq '.ok == false and .error.code == "INVALID_CONFIG"'
expect_jq '[.data[] | select(.severity == "error" and (.file | test("bad-\\\\xff-name.yaml$")))] | length >= 1'
expect_jq '(.error.message | capture("^(?<n>[0-9]+) error").n | tonumber) as $n
	| [.data[] | select(.severity == "error")] | length == $n'
run validate
expect_rc 1
expect_out '-name\.yaml:4:1: error'
echo "ok: $TEST_NAME"
