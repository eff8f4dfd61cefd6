#!/usr/bin/env bash
# letta-sim: identities (docs/contract/letta-api.md 5.7): strict bodies, 409 on a duplicate
# (identifier_key, project), PUT upsert replacing properties/agent_ids, PATCH merging properties
# and adding ids, PUT /properties, delete, agent attach/detach and the identifier_key filter.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/agents/ '{"name":"a1","model":"openai/gpt-4o-mini","include_base_tools":false}'
a1=$(body_get .id)
sim_call POST /v1/agents/ '{"name":"a2","model":"openai/gpt-4o-mini","include_base_tools":false}'
a2=$(body_get .id)

sim_call POST /v1/identities/ "{\"identifier_key\":\"svc-1\",\"name\":\"Service\",\"identity_type\":\"other\",\"agent_ids\":[\"$a1\"],\"properties\":[{\"key\":\"owner\",\"value\":\"sync\",\"type\":\"string\"},{\"key\":\"n\",\"value\":1,\"type\":\"number\"}]}"
expect_status 200
expect_body '(.id|test("^identity-[0-9a-f-]{36}$")) and .agent_ids == ["'"$a1"'"] and .block_ids == [] and .project_id == null'
expect_body '(keys|sort) == ["agent_ids","block_ids","id","identifier_key","identity_type","name","project_id","properties"]'
iid=$(body_get .id)
sim_call POST /v1/identities/ '{"identifier_key":"svc-1","name":"Again","identity_type":"other"}'
expect_status 409
# The same key in another project is fine (X-Project sets the project).
sim_call POST /v1/identities/ '{"identifier_key":"svc-1","name":"Elsewhere","identity_type":"user"}' -H 'X-Project: p2'
expect_status 200
expect_body '.project_id != null'
pid2=$(body_get .project_id)
# Strict bodies and enums.
sim_call POST /v1/identities/ '{"identifier_key":"k","name":"n","identity_type":"service"}'
expect_status 422
sim_call POST /v1/identities/ '{"identifier_key":"k","name":"n","identity_type":"user","metadata":{}}'
expect_status 422
expect_body '.detail | test("extra_forbidden")'
sim_call POST /v1/identities/ '{"identifier_key":"k","name":"n","identity_type":"user","properties":[{"key":"a","value":1}]}'
expect_status 422
sim_call POST /v1/identities/ '{"identifier_key":"k","name":"n","identity_type":"user","agent_ids":["agent-1"]}'
expect_status 422

# List filters: identifier_key exact, name substring, project; count.
sim_call GET '/v1/identities/?identifier_key=svc-1'
expect_body 'length == 2'
sim_call GET "/v1/identities/?identifier_key=svc-1&project_id=$pid2"
expect_body '(map(.name)) == ["Elsewhere"]'
sim_call GET '/v1/identities/?name=serv'
expect_body '(map(.id)) == ["'"$iid"'"]'
sim_call GET /v1/identities/count
expect_body '. == 2'

# The agent sees it (include) and identity_id filters agents.
sim_call GET "/v1/agents/$a1?include=agent.identities"
expect_body '(.identities|map(.id)) == ["'"$iid"'"] and .identity_ids == ["'"$iid"'"]'
sim_call GET "/v1/agents/?identity_id=$iid"
expect_body '(map(.id)) == ["'"$a1"'"]'
sim_call GET "/v1/identities/$iid/agents"
expect_body '(map(.id)) == ["'"$a1"'"]'

# PATCH merges properties by key and adds agent ids.
sim_call PATCH "/v1/identities/$iid" "{\"properties\":[{\"key\":\"n\",\"value\":2,\"type\":\"number\"},{\"key\":\"new\",\"value\":true,\"type\":\"boolean\"}],\"agent_ids\":[\"$a2\"]}"
expect_status 200
expect_body '(.properties|map({(.key): .value})|add) == {"owner":"sync","n":2,"new":true}'
expect_body '(.agent_ids|sort) == (["'"$a1"'","'"$a2"'"]|sort)'
sim_call PATCH "/v1/identities/$iid" '{"bogus":1}'
expect_status 422

# PUT upsert on (identifier_key, project): replaces properties and agent_ids; null leaves them.
sim_call PUT /v1/identities/ '{"identifier_key":"svc-1","name":"Renamed","identity_type":"org","properties":[{"key":"only","value":"x","type":"string"}],"agent_ids":null}'
expect_status 200
expect_body '.id == "'"$iid"'" and .name == "Renamed" and .identity_type == "org"'
expect_body '(.properties|map(.key)) == ["only"] and (.agent_ids|length) == 2'
sim_call PUT /v1/identities/ '{"identifier_key":"svc-1","name":"Renamed","identity_type":"org","agent_ids":[]}'
expect_body '.agent_ids == [] and (.properties|map(.key)) == ["only"]'
# An unknown key is a 404 (the real server's look-up raises NoResultFound), creating nothing.
sim_call PUT /v1/identities/ '{"identifier_key":"fresh","name":"F","identity_type":"user"}'
expect_status 404
expect_body ".detail | startswith(\"Identity not found with identifier_key='fresh', project_id='None'\")"
sim_call GET '/v1/identities/?identifier_key=fresh'
expect_body 'length == 0'
sim_call POST /v1/identities/ '{"identifier_key":"fresh","name":"F","identity_type":"user"}'
expect_status 200
fresh=$(body_get .id)
# Two identities without a project clash too (nulls not distinct), with the ORM's 409 text.
sim_call POST /v1/identities/ '{"identifier_key":"svc-1","name":"Again","identity_type":"other"}'
expect_status 409
expect_body '.detail | startswith("A unique constraint was violated for Identity.")'

# PUT /properties replaces them all.
sim_call PUT "/v1/identities/$iid/properties" '[{"key":"p","value":{"j":1},"type":"json"}]'
expect_status 200
sim_call GET "/v1/identities/$iid"
expect_body '.properties == [{"key":"p","value":{"j":1},"type":"json"}]'
sim_call PUT "/v1/identities/$iid/properties" '{"key":"p"}'
expect_status 422

# Agent attach/detach: null, idempotent.
sim_call PATCH "/v1/agents/$a2/identities/attach/$iid"
expect_status 200
[ "$(cat "$TMP/body")" = null ] || fail "identity attach body"
sim_call PATCH "/v1/agents/$a2/identities/attach/$iid"
expect_status 200
sim_call GET "/v1/identities/$iid"
expect_body '.agent_ids == ["'"$a2"'"]'
sim_call PATCH "/v1/agents/$a2/identities/detach/$iid"
sim_call PATCH "/v1/agents/$a2/identities/detach/$iid"
expect_status 200
sim_call GET "/v1/identities/$iid"
expect_body '.agent_ids == []'
# Agent PATCH identity_ids replaces the agent's set.
sim_call PATCH "/v1/agents/$a1" "{\"identity_ids\":[\"$fresh\"]}"
expect_body '(.identities|map(.id)) == ["'"$fresh"'"]'

# Blocks: attach/detach through the block route answers the block; identity_id filters blocks.
sim_call POST /v1/blocks/ '{"label":"human","value":"v"}'
bid=$(body_get .id)
sim_call PATCH "/v1/blocks/$bid/identities/attach/$iid"
expect_status 200
expect_body ".id == \"$bid\""
sim_call GET "/v1/identities/$iid/blocks"
expect_body '(map(.id)) == ["'"$bid"'"]'
sim_call GET "/v1/blocks/?identity_id=$iid"
expect_body '(map(.id)) == ["'"$bid"'"]'
sim_call PATCH "/v1/blocks/$bid/identities/detach/$iid"
expect_status 200
sim_call GET "/v1/identities/$iid"
expect_body '.block_ids == []'
sim_call PATCH "/v1/blocks/$bid/identities/attach/identity-00000000-0000-4000-8000-000000000000"
expect_status 404

# Delete: 200 null, then 404; agents no longer see it.
sim_call DELETE "/v1/identities/$fresh"
expect_status 200
[ "$(cat "$TMP/body")" = null ] || fail "identity delete body"
sim_call GET "/v1/identities/$fresh"
expect_status 404
sim_call GET "/v1/agents/$a1?include=agent.identities"
expect_body '.identities == []'
echo ok
