#!/usr/bin/env bash
# bootstrap with a template: the default Template (default: true), --template, the tags
# (markers, template, channel, version, --tag), --identity/--identities (created when
# missing), the pin and .gitignore; a second agent with the same name is refused with exit 1
# and nothing written; status shows the agents.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
boot_setup

# The default template.
run bootstrap --name ann --skip-scope-sync --tag team:x extra:1 --identity ann@example.com \
	--identities bob@example.com --json
expect_rc 0
expect_jq '.ok and .data.template == "helper" and .data.dry_run == false'
ANN=$(jq -r .data.agent.id "$TMP/out")
agents_named ann >"$TMP/ann.json"
jq -e --arg id "$ANN" 'length == 1 and .[0].id == $id and .[0].system == "You help."
	and .[0].model == "openai/gpt-4o-mini"
	and (.[0].tags | sort) == ["channel:stable","extra:1","managed:letta-sync","team:core",
		"team:x","template:helper","version:0.0.0"]
	and ([.[0].blocks[].label] | sort) == ["persona","policy"]
	and ([.[0].identities[].identifier_key] | sort) == ["ann@example.com","bob@example.com"]
	and .[0].metadata.managed_by == "letta-sync"' "$TMP/ann.json" >/dev/null ||
	fail "ann not as the template says: $(cat "$TMP/ann.json")"
# The identities were created with letta-sync's marker.
sim_get "/v1/identities/?identifier_key=ann@example.com" |
	jq -e 'length == 1 and (.[0].properties[] | select(.key == "letta_sync") | .value.managed_by) == "letta-sync"' >/dev/null ||
	fail "identity not created with a marker"
# Pinned, ignored.
jq -e --arg id "$ANN" '.lastAgent == $id' .letta/settings.local.json >/dev/null || fail "not pinned"
grep -qx '\*\*/.letta/settings.local.json' .gitignore || fail ".gitignore lacks the settings file"
[ -z "$(git status --porcelain --ignored=no -- .letta/settings.local.json)" ] ||
	fail "settings.local.json is not ignored by git"

# --template, --channel: the template's model and blocks; the pin moves to the new agent.
run bootstrap --name cody --template coder --channel beta --skip-scope-sync
expect_rc 0
expect_out 'Created agent cody'
CODY=$(jq -r .lastAgent .letta/settings.local.json)
[ "$CODY" != "$ANN" ] || fail "pin did not move"
agents_named cody | jq -e '.[0].model == "anthropic/claude-sonnet-4" and .[0].system == "You code."
	and (.[0].tags | index("channel:beta")) and (.[0].tags | index("template:coder"))
	and ([.[0].blocks[].label] | sort) == ["human","persona"]' >/dev/null ||
	fail "cody not from the coder template: $(agents_named cody)"
[ "$(grep -c 'settings.local.json' .gitignore)" -eq 1 ] || fail ".gitignore line duplicated"

# An unknown template is refused before anything is written.
before=$(writes)
run bootstrap --name x --template nope
expect_rc 1
expect_err "template 'nope' is not declared"
expect_err "declared templates: 'helper', 'coder'"
[ "$(writes)" -eq "$before" ] || fail "an unknown template wrote something"

# The same name again: refused, exit 1, nothing created or written.
n=$(agent_count)
expect_writes 0 bootstrap --name ann
expect_rc 1
expect_err "an agent named 'ann' already exists in project 'e2e-t0501-bootstrap-template' \\($ANN\\)"
[ "$(agent_count)" -eq "$n" ] || fail "a duplicate agent was created"
run bootstrap --name ann --json
expect_rc 1
expect_jq '.ok == false and .error.code == "CONFLICT" and (.data | length) == 1 and .data[0].code == "CONFLICT"'

# A second sync changes nothing: the bootstrapped agents follow their templates.
expect_writes 0 sync

# status: both agents, the pinned one marked.
run status --json
expect_rc 0
expect_jq '(.data | length) == 2'
expect_jq "([.data[] | select(.pinned)] | map(.id)) == [\"$CODY\"]"
expect_jq '[.data[] | .version] == ["0.0.0","0.0.0"]'
expect_jq '[.data[] | .drift.total] == [0,0]'
expect_jq '([.data[] | .template] | sort) == ["coder","helper"]'
run status
expect_rc 0
expect_out "Agent cody \\[pinned\\] \\($CODY\\)"
expect_out "Agent ann \\($ANN\\)"
expect_out '2 managed agent\(s\)'
