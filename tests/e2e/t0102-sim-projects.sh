#!/usr/bin/env bash
# letta-sim: cloud project routes and scoping. X-Project (a slug) creates the project on first
# use and stamps the agent's project_id; project_id filters lists; no filter spans every project.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

agent='{"model":"openai/gpt-4o-mini","include_base_tools":false,"name":"%s"}'
sim_call POST /v1/agents/ "$(printf "$agent" a1)" -H 'X-Project: alpha'
expect_status 200
pa=$(body_get .project_id)
[[ "$pa" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] ||
	fail "project_id is not a bare uuid: $pa"
sim_call POST /v1/agents/ "$(printf "$agent" a2)" -H 'X-Project: alpha'
[ "$(body_get .project_id)" = "$pa" ] || fail "same slug, different project"
sim_call POST /v1/agents/ "$(printf "$agent" b1)" -H 'X-Project: beta'
pb=$(body_get .project_id)
[ "$pb" != "$pa" ] || fail "two slugs, one project"
sim_call POST /v1/agents/ "$(printf "$agent" none)"
expect_body '.project_id == null'

# The projects list: cloud shape, camelCase hasNextPage, slugs seen so far.
sim_call GET /v1/projects
expect_status 200
expect_body '(.projects | map(.slug) | sort) == ["alpha","beta"] and .hasNextPage == false'
expect_body '[.projects[] | keys] | all(. == ["id","name","slug"])'
sim_call GET '/v1/projects?limit=1'
expect_body '(.projects | length) == 1 and .hasNextPage == true'
sim_call GET '/v1/projects?limit=1&offset=1'
expect_body '(.projects | length) == 1 and .hasNextPage == false'
sim_call GET '/v1/projects?name=bet'
expect_body '(.projects | map(.slug)) == ["beta"]'

# Create: 201 {id,name,slug}; name 3-50 characters else a {message} error.
sim_call POST /v1/projects '{"name":"My Project"}'
expect_status 201
expect_body '.name == "My Project" and .slug == "my-project" and (.id|length) == 36'
sim_call POST /v1/projects '{"name":"ab"}'
expect_status 400
expect_body '(.message|type) == "string" and (has("detail")|not)'
sim_call POST /v1/projects '{}'
expect_status 400
expect_body '(.message|type) == "string"'

# Scoping: project_id filters list and count; no project_id spans every project.
sim_call GET "/v1/agents/?project_id=$pa"
expect_body '(map(.name) | sort) == ["a1","a2"]'
sim_call GET "/v1/agents/count?project_id=$pb"
expect_body '. == 1'
sim_call GET /v1/agents/count
expect_body '. == 4'
sim_call GET /v1/agents/
expect_body 'length == 4'

# Blocks carry project_id from the body; the filter applies to list and count.
sim_call POST /v1/blocks/ "{\"label\":\"human\",\"value\":\"x\",\"project_id\":\"$pa\"}"
expect_status 200
sim_call POST /v1/blocks/ '{"label":"human","value":"y"}'
sim_call GET "/v1/blocks/?project_id=$pa"
expect_body 'length == 1 and .[0].value == "x"'
sim_call GET "/v1/blocks/count?project_id=$pa"
expect_body '. == 1'
sim_call GET /v1/blocks/count
expect_body '. == 2'

# memory_blocks created with an agent belong to the agent's project.
sim_call POST /v1/agents/ '{"model":"openai/gpt-4o-mini","include_base_tools":false,"memory_blocks":[{"label":"persona","value":"p"}]}' -H 'X-Project: beta'
sim_call GET "/v1/blocks/?project_id=$pb&label=persona"
expect_body 'length == 1'
echo ok
