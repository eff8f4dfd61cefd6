#!/usr/bin/env bash
# sync: a Tool is created (without name/tool_type, the bare json_schema), updated and left
# unchanged; markers in metadata_ and a tag.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

tool() { # tool RETURN_CHAR_LIMIT
	lookup_tool_yaml "" "[search]" "returnCharLimit: $1" | manifest tools.yaml
}
tool 50000
run sync
expect_rc 0
expect_out 'created Tool/lookup'
sim_get "/v1/tools/?name=lookup" >"$TMP/t.json"
jq -e 'length == 1 and .[0].metadata_.managed_by == "letta-sync" and .[0].metadata_.source == "Tool/lookup"
	and (.[0].tags | index("managed:letta-sync")) and (.[0].tags | index("search"))
	and .[0].json_schema.name == "lookup" and (.[0].json_schema | has("function") | not)' \
	"$TMP/t.json" >/dev/null || fail "tool not as expected: $(cat "$TMP/t.json")"
expect_writes 0 sync
[ "$(changes)" -eq 0 ] || fail "unchanged tool reported as a change"

tool 1234
[ "$(changes)" -eq 1 ] || fail "edited tool not reported"
jq -e '.data[0].fields == [{"path":"return_char_limit","from":50000,"to":1234}]' "$TMP/diff.json" \
	>/dev/null || fail "unexpected diff: $(cat "$TMP/diff.json")"
expect_writes 3 sync   # the lease, the tool, the inventory (which releases the lease)
sim_get "/v1/tools/?name=lookup" | jq -e '.[0].return_char_limit == 1234' >/dev/null ||
	fail "tool not updated"
expect_writes 0 sync
