#!/usr/bin/env bash
# Identities are created with POST and updated with PUT (issue 21 item 1): the real server's PUT
# upsert answers 404 on an identifier key it does not know (letta-sim does the same), so a
# create by upsert failed on a fresh server and skipped every agent that used the identity.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

identity() {
	manifest identity.yaml <<YAML
apiVersion: letta.ai/v1
kind: Identity
metadata: {name: eng}
spec: {layer: project, identifierKey: "org:acme:team:eng", identityType: org, name: "$1", properties: [{key: cost_center, value: "42"}]}
YAML
}
identity "Engineering"
{
	helper_yaml "be helpful"
	echo '    identities: ["org:acme:team:eng"]'
	printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: helper}\nspec: {layer: project}\n'
} | manifest agents.yaml

# The simulator behaves as the real server: an upsert of an unknown key is a 404.
sim_call PUT /v1/identities/ '{"identifier_key":"nobody","name":"n","identity_type":"user"}'
expect_status 404
expect_body ".detail | startswith(\"Identity not found with identifier_key='nobody'\")"

sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'created Identity/eng'
sim_stats | jq -e '.requests["POST /v1/identities/"] == 1 and (.requests["PUT /v1/identities/"] // 0) == 0' >/dev/null ||
	fail "identity not created with one POST: $(sim_stats)"
sim_get "/v1/agents/?name=helper&include=agent.identities" |
	jq -e '.[0].identities | map(.identifier_key) == ["org:acme:team:eng"]' >/dev/null ||
	fail "the agent lacks its identity: $(sim_get "/v1/agents/?name=helper&include=agent.identities")"
expect_writes 0 sync
expect_rc 0

# An existing identity is replaced with PUT.
identity "Eng"
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
sim_stats | jq -e '.requests["PUT /v1/identities/"] == 1 and (.requests["POST /v1/identities/"] // 0) == 0' >/dev/null ||
	fail "identity not updated with one PUT: $(sim_stats)"
sim_get '/v1/identities/?identifier_key=org:acme:team:eng' | jq -e 'length == 1 and .[0].name == "Eng"' >/dev/null ||
	fail "identity not updated: $(sim_get '/v1/identities/?identifier_key=org:acme:team:eng')"

# Another client's upsert replaces the properties that hold our marker: the inventory still
# records the identity as ours, so sync marks it again rather than calling it unmanaged.
pid=$(sim_get '/v1/identities/?identifier_key=org:acme:team:eng' | jq -r '.[0].project_id')
sim_call PUT /v1/identities/ "{\"identifier_key\":\"org:acme:team:eng\",\"name\":\"Eng\",\"identity_type\":\"org\",\"project_id\":\"$pid\",\"properties\":[{\"key\":\"cost_center\",\"value\":\"42\",\"type\":\"string\"}]}"
expect_status 200
expect_body '[.properties[].key] == ["cost_center"]'
run sync
expect_rc 0
sim_get '/v1/identities/?identifier_key=org:acme:team:eng' |
	jq -e '.[0].properties | map(.key) | index("letta_sync")' >/dev/null ||
	fail "the identity was not marked again: $(sim_get '/v1/identities/?identifier_key=org:acme:team:eng')"
expect_writes 0 sync
