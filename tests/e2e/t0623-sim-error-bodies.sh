#!/usr/bin/env bash
# letta-sim's 404, 409 and 422 bodies on the routes letta-sync uses have the real server's
# shapes and texts (issue 21 item 7; docs/letta-sim.md "Behaviours taken from the real server"):
# {"detail": str} with the ORM's NoResultFound / UniqueConstraintViolationError /
# ForeignKeyConstraintViolationError words, and pydantic's 422 with a string detail and trace_id.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim
U=00000000-0000-4000-8000-0000000000ff
org=org-00000000-0000-4000-8000-000000000000

only_detail() { expect_body '(keys == ["detail"]) and (.detail | type == "string")'; }

# 404: the ORM's read (agents, tools, identities), the router's own text (blocks).
sim_call GET "/v1/agents/agent-$U"
expect_status 404
only_detail
expect_body ".detail | startswith(\"Agent not found with id='['agent-$U']', access level in ['read'] for actor=\")"
sim_call PATCH "/v1/tools/tool-$U" '{"description":"d"}'
expect_status 404
expect_body ".detail | startswith(\"Tool not found with id='['tool-$U']'\")"
sim_call GET "/v1/identities/identity-$U"
expect_status 404
expect_body ".detail | startswith(\"Identity not found with id='['identity-$U']'\")"
sim_call GET "/v1/blocks/block-$U"
expect_status 404
expect_body ".detail == \"Block with id 'block-$U' not found\""
sim_call GET "/v1/folders/source-$U"
expect_status 404
expect_body ".detail == \"Folder with id=source-$U not found.\""
sim_call PUT /v1/identities/ '{"identifier_key":"nobody","name":"n","identity_type":"user"}'
expect_status 404
expect_body ".detail | startswith(\"Identity not found with identifier_key='nobody', project_id='None', organization_id='$org'\")"

# 409: unique constraints, with the constraint and the key.
unique() { # MODEL CONSTRAINT KEY-COLUMNS
	only_detail
	expect_body ".detail | startswith(\"A unique constraint was violated for $1. Check your input for duplicates: \")"
	expect_body ".detail | contains(\"violates unique constraint \\\"$2\\\"\")"
	expect_body ".detail | contains(\"DETAIL:  Key ($3)=(\")"
}
sim_call POST /v1/folders/ '{"name":"docs","embedding":"openai/text-embedding-3-small"}'
sim_call POST /v1/folders/ '{"name":"docs","embedding":"openai/text-embedding-3-small"}'
expect_status 409
unique Source uq_source_name_organization "name, organization_id"
mcp='{"server_name":"s","config":{"mcp_server_type":"streamable_http","server_url":"https://mcp.example.com/mcp"}}'
sim_call POST /v1/mcp-servers/ "$mcp"
sim_call POST /v1/mcp-servers/ "$mcp"
expect_status 409
unique MCPServer uix_name_organization_mcp_server "server_name, organization_id"
sim_call POST /v1/identities/ '{"identifier_key":"k","name":"n","identity_type":"user"}'
sim_call POST /v1/identities/ '{"identifier_key":"k","name":"n","identity_type":"user"}'
expect_status 409
unique Identity unique_identifier_key_project_id_organization_id "identifier_key, project_id, organization_id"
sim_call POST /v1/agents/ '{"name":"a","model":"openai/gpt-4o-mini","include_base_tools":false}'
a=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"policy","value":"1"}'
b1=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"policy","value":"2"}'
b2=$(body_get .id)
sim_call PATCH "/v1/agents/$a/core-memory/blocks/attach/$b1"
expect_status 200
sim_call PATCH "/v1/agents/$a/core-memory/blocks/attach/$b2"
expect_status 409
unique BlocksAgents unique_label_per_agent "agent_id, block_label"
# 409: a foreign key (an unknown tool id in an agent PATCH).
sim_call PATCH "/v1/agents/$a" "{\"tool_ids\":[\"tool-$U\"]}"
expect_status 409
only_detail
expect_body ".detail | startswith(\"A foreign key constraint was violated for Agent. Check your input for missing or invalid references: \")"
expect_body ".detail | contains(\"Key (tool_id)=(tool-$U) is not present in table \\\"tools\\\"\")"

# 422: pydantic's error list as a Python repr string, with trace_id.
sim_call POST /v1/blocks/ '{"value":"no label"}'
expect_status 422
expect_body '(keys == ["detail","trace_id"]) and (.detail | type == "string")'
expect_body ".detail | startswith(\"[{'type': 'missing', 'loc': ('body', 'label'), 'msg': 'Field required'\")"
