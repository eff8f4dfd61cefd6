#!/usr/bin/env bash
# Tool markers survive every path (issue 21 item 4). The real server's POST and PUT /v1/tools/
# reset metadata_ to {"tool_hash": ...} (letta-sim does the same); only PATCH sets metadata_.
# letta-sync's markers must be there after a create, an update, an adoption and a tool that was
# re-written outside git, and a sync after each writes nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

tool() { # tool DOC
	lookup_tool_yaml "$1" | manifest tools.yaml
}
marked() { # marked WHAT: the tool carries our marker and tag
	sim_get "/v1/tools/?name=lookup" >"$TMP/t.json"
	jq -e 'length == 1 and .[0].metadata_.managed_by == "letta-sync" and .[0].metadata_.source == "Tool/lookup"
		and (.[0].metadata_.hash | length > 0) and (.[0].tags | index("managed:letta-sync"))' \
		"$TMP/t.json" >/dev/null || fail "$1: the tool lost its markers: $(cat "$TMP/t.json")"
}
# put_outside SOURCE TAGS: another client re-writes the tool through the upsert.
put_outside() {
	sim_call PUT /v1/tools/ "$(jq -n --arg s "$1" --argjson t "$2" '{source_code: $s, tags: $t}')"
	expect_status 200
	expect_body '.metadata_ | keys == ["tool_hash"]'
}
src() {
	printf 'def lookup(q: str) -> str:\n    """%s\n\n    Args:\n        q: what to look for\n    """\n    return q\n' "$1"
}

# Create.
tool "Look things up."
run sync
expect_rc 0
expect_out 'created Tool/lookup'
marked "after the create"
expect_writes 0 sync

# Update.
tool "Look things up, quickly."
run sync
expect_rc 0
expect_out 'updated Tool/lookup'
marked "after the update"
expect_writes 0 sync

# Re-written outside git with the same content (as Letta Code or the ADE re-saves it): the
# upsert dropped the marker; sync puts it back, whether our tag survived or not (the inventory
# still records the tool as ours).
for tags in '["search","managed:letta-sync"]' '["search"]'; do
	sim_call PUT /v1/tools/ "$(jq -c --argjson t "$tags" '.[0] | {source_code, source_type, json_schema, description, return_char_limit, tags: $t}' "$TMP/t.json")"
	expect_status 200
	expect_body '.metadata_ | keys == ["tool_hash"]'
	run sync
	expect_rc 0
	marked "after an outside re-write of the same content (tags $tags)"
	expect_writes 0 sync
done

# Edited outside git, marker gone (our tag kept or not): still an edit outside git, which sync
# does not overwrite without --force; --force restores the markers.
reason() {
	"$LS_BIN" diff --json >"$TMP/diff.json" 2>/dev/null || true
	jq -r '[.data[] | select(.kind == "Tool" and .name == "lookup")][0] | "\(.action): \(.reason)"' "$TMP/diff.json"
}
for tags in '["search","managed:letta-sync"]' '["search"]'; do
	put_outside "$(src "Someone else's words.")" "$tags"
	got=$(reason)
	case "$got" in
	"conflict: edited outside git"*) ;;
	*) fail "an outside edit (tags $tags) was not seen as one: $got" ;;
	esac
	run sync
	expect_rc 1
	sim_get "/v1/tools/?name=lookup" | jq -e '.[0].description == "Someone else'"'"'s words."' >/dev/null ||
		fail "the outside edit was overwritten without --force: $(sim_get "/v1/tools/?name=lookup")"
	run sync --force
	expect_rc 0
	marked "after --force over an outside edit (tags $tags)"
	expect_writes 0 sync
done

# Adopt: an unmanaged tool of the same name, created by another client.
sim_call DELETE "/v1/tools/$(jq -r '.[0].id' "$TMP/t.json")"
expect_status 200
put_outside "$(src "Look things up, quickly.")" '["search"]'
run sync --adopt
expect_rc 0
marked "after the adoption"
expect_writes 0 sync
