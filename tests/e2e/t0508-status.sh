#!/usr/bin/env bash
# status: every managed agent of the project (legacy managed:smarty-admin included, unmanaged
# ones left out), or one with --agent (id or name); the applied version, channel, template,
# drift counts from the planner (per agent, after the template changes), the pinned agent;
# --extended: blocks with characters (code points) / limit, tools, folders, model,
# identities, tags; human and --json; an unknown agent is NOT_FOUND (exit 1). Read-only.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
boot_setup
run bootstrap --name ann --skip-scope-sync --identity ann@example.com
expect_rc 0
ANN=$(jq -r .lastAgent .letta/settings.local.json)
run bootstrap --name cody --template coder --channel beta --skip-scope-sync
expect_rc 0
CODY=$(jq -r .lastAgent .letta/settings.local.json)
git checkout -q .gitignore 2>/dev/null || true
# An unmanaged agent and a legacy-managed one.
sim_call POST /v1/agents/ '{"name":"wild","model":"openai/gpt-4o-mini","tags":["team:x"]}' -H 'X-Project: e2e-t0508-status'
expect_status 200
sim_call POST /v1/agents/ '{"name":"old","model":"openai/gpt-4o-mini","tags":["managed:smarty-admin","channel:pinned"]}' -H 'X-Project: e2e-t0508-status'
expect_status 200
OLD=$(body_get .id)
# A block value with multi-byte characters: 5 code points, 7 bytes.
sim_call PATCH "/v1/agents/$ANN/core-memory/blocks/persona" '{"value":"héllö"}'
expect_status 200

before=$(writes)
run status --json
expect_rc 0
[ "$(writes)" -eq "$before" ] || fail "status wrote something"
expect_jq '(.data | map(.name) | sort) == ["ann","cody","old"]'
expect_jq "(.data[] | select(.name == \"ann\")) as \$a | \$a.id == \"$ANN\" and \$a.version == \"0.0.0\"
	and \$a.template == \"helper\" and \$a.channel == \"stable\" and \$a.pinned == false
	and \$a.project == \"e2e-t0508-status\" and \$a.drift.total == 0 and \$a.managed"
expect_jq "(.data[] | select(.name == \"cody\")) as \$a | \$a.pinned and \$a.channel == \"beta\" and \$a.template == \"coder\""
expect_jq '(.data[] | select(.name == "old")) as $a | $a.version == null and $a.template == null and $a.channel == "pinned"'
expect_jq '.data[0] | has("blocks") | not'

# The template changes: ann drifts (one section), cody does not.
sed -i 's/"You help."/"You help a lot."/' .letta/manifests/project/templates.yaml
git commit -qam "helper: new prompt"
run status --json
expect_rc 0
expect_jq '(.data[] | select(.name == "ann") | .drift) as $d | $d.total == 1 and $d.update == 1 and $d.sections == ["system_prompt"]'
expect_jq '(.data[] | select(.name == "cody") | .drift.total) == 0'
run status
expect_rc 0
expect_out 'Agent ann \('"$ANN"'\)'
expect_out 'Drift: +1 change\(s\): 1 update.*\(system_prompt\)'
expect_out 'Agent cody \[pinned\]'
expect_out 'Version: +0.0.0'
expect_out '3 managed agent\(s\) in project .e2e-t0508-status.; pinned: '"$CODY"

# One agent, by id or by name, extended.
run status --agent ann --extended --json
expect_rc 0
expect_jq '(.data | length) == 1 and .data[0].id == "'"$ANN"'"'
expect_jq '(.data[0].blocks[] | select(.label == "persona")) as $b | $b.characters == 5 and $b.limit == 100000'
expect_jq '.data[0].model == "openai/gpt-4o-mini" and .data[0].identities == ["ann@example.com"]'
expect_jq '.data[0].tags | index("template:helper") != null'
expect_jq '.data[0].tools == [] and .data[0].folders == []'
run status --agent "$OLD" --extended
expect_rc 0
expect_out 'Agent old'
expect_out 'Tags: +channel:pinned, managed:smarty-admin'
run status --agent ann --extended
expect_out 'persona: 5/100000 characters'
expect_out 'Identities: +ann@example.com'

# An unmanaged agent is shown when asked for by name.
run status --agent wild --json
expect_rc 0
expect_jq '(.data | length) == 1 and .data[0].name == "wild" and .data[0].managed == false and .data[0].drift.total == 0'

run status --agent nobody --json
expect_rc 1
expect_jq '.ok == false and .error.code == "NOT_FOUND"'
