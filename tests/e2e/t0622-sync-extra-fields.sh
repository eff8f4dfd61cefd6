#!/usr/bin/env bash
# letta-sync ignores what it does not manage (issue 21 item 7): once every stored object carries
# the fields the real server returns (those of the response fixtures, with their example values:
# tool rules, model settings, response formats, message ids ...) and a field no schema knows yet,
# diff reports no change, sync writes nothing, status and pull work, and pull copies none of them.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup
FX=$LS_SOURCE_DIR/tests/fixtures/letta-api/responses

policy_yaml | manifest policy.yaml
{
	lookup_tool_yaml "" ""
	cat <<'YAML'
---
apiVersion: letta.ai/v1
kind: Identity
metadata: {name: eng}
spec: {layer: project, identifierKey: "team:eng", identityType: org, name: Engineering}
YAML
} | manifest shared.yaml
mkdir -p "$REPO/.letta/manifests/org"
cat >"$REPO/.letta/manifests/org/mcp.yaml" <<'YAML'
apiVersion: letta.ai/v1
kind: MCPServer
metadata: {name: search}
spec: {layer: org, serverType: streamable_http, serverUrl: "https://mcp.example.com/mcp"}
YAML
git add -A && git commit -qm mcp
{
	helper_yaml "be helpful"
	echo '    blocks: [{name: policy}]'
	echo '    tools: [lookup]'
	echo '    identities: ["team:eng"]'
	printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: helper}\nspec: {layer: project}\n'
} | manifest agents.yaml
run sync
expect_rc 0
[ "$(changes)" -eq 0 ] || fail "changes right after sync: $(cat "$TMP/diff.json")"

# Every stored object gets the fixture's fields it lacks, and one field from the future.
sim_admin GET /_sim/state >"$TMP/state.json"
jq --slurpfile a "$FX/POST_v1_agents.json" --slurpfile b "$FX/POST_v1_blocks.json" \
	--slurpfile t "$FX/PUT_v1_tools.json" --slurpfile i "$FX/POST_v1_identities.json" \
	--slurpfile m "$FX/POST_v1_mcp-servers.json" '
	def more($fx): map(($fx[0].body | with_entries(select(.key != "id"))) + . + {a_future_field: {x: [1, "y"]}});
	.agents |= more($a) | .blocks |= more($b) | .tools |= more($t) | .identities |= more($i)
	| .mcp_servers |= more($m)' "$TMP/state.json" >"$TMP/state2.json"
sim_admin PUT /_sim/state "$(cat "$TMP/state2.json")" >/dev/null
sim_get "/v1/agents/?name=helper" | jq -e '.[0].a_future_field.x == [1, "y"] and (.[0].tool_rules | length) > 0' >/dev/null ||
	fail "the simulator does not return the injected fields: $(sim_get "/v1/agents/?name=helper")"

[ "$(changes)" -eq 0 ] || fail "fields letta-sync does not manage were reported: $(cat "$TMP/diff.json")"
expect_writes 0 sync
expect_rc 0
run status
expect_rc 0
run pull --dry-run
expect_rc 0
if grep -qE 'a_future_field|tool_rules|model_settings|message_ids' "$TMP/out" "$TMP/err"; then
	fail "pull copied fields it does not manage: $(cat "$TMP/out")"
fi
