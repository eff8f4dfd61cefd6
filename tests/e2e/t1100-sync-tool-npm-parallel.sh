#!/usr/bin/env bash
# sync: a Tool's npmRequirements and enableParallelExecution (openapi.json ToolCreate,
# ToolUpdate, Tool: npm_requirements, enable_parallel_execution) are sent, compared and pulled
# like its other fields; the field added to the Tool kind file alone (issue 22, "done when").
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

tool() { # tool PARALLEL
	lookup_tool_yaml "" "[search]" \
		$'npmRequirements: [{package: lodash, version: 4.17.21}, {package: zod}]\n  enableParallelExecution: '"$1" |
		manifest tools.yaml
}
tool true
run sync
expect_rc 0
expect_out 'created Tool/lookup'
sim_get "/v1/tools/?name=lookup" >"$TMP/t.json"
jq -e '.[0].npm_requirements == [{"name":"lodash","version":"4.17.21"},{"name":"zod"}]
	and .[0].enable_parallel_execution == true' "$TMP/t.json" >/dev/null ||
	fail "the tool's npm requirements or parallel execution were not sent: $(cat "$TMP/t.json")"
expect_writes 0 sync
[ "$(changes)" -eq 0 ] || fail "an unchanged tool reported as a change: $(cat "$TMP/diff.json")"

tool false
[ "$(changes)" -eq 1 ] || fail "the edit of enableParallelExecution was not reported"
jq -e '.data[0].fields == [{"path":"enable_parallel_execution","from":true,"to":false}]' \
	"$TMP/diff.json" >/dev/null || fail "unexpected diff: $(cat "$TMP/diff.json")"
expect_writes 3 sync # the lease, the tool, the inventory (which releases the lease)
sim_get "/v1/tools/?name=lookup" | jq -e '.[0].enable_parallel_execution == false' >/dev/null ||
	fail "the tool was not updated"
expect_writes 0 sync

# pull writes what the server has, in the manifest's names.
tool true
expect_writes 3 sync
run pull --dry-run
expect_rc 0
grep -q 'enableParallelExecution: true' "$TMP/out" || fail "pull lost enableParallelExecution: $(cat "$TMP/out")"
grep -qE 'npmRequirements' "$TMP/out" && grep -q 'package: lodash' "$TMP/out" ||
	fail "pull lost npmRequirements: $(cat "$TMP/out")"
