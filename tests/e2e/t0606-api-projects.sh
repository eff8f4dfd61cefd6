#!/usr/bin/env bash
# Project scoping: a slug is resolved to its id once (GET /v1/projects), creates carry the id
# (blocks, identities) or X-Project (agents), lists are filtered by it, and an unknown slug is
# a clear error (issue 6).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-api.sh"
needs_sim
start_sim --seed 9

api project-create "Team Alpha"
expect_rc 0
slug=$(jq -r .slug "$TMP/out")
pid=$(jq -r .id "$TMP/out")
[ -n "$slug" ] && [ -n "$pid" ] || fail "project create gave $(cat "$TMP/out")"

api project "$slug"
expect_rc 0
expect_jq ".id == \"$pid\" and .has_projects == true"

# One block outside the project, one inside.
api create block '{"label":"outside","value":"o"}'
expect_rc 0
LETTA_SYNC_PROJECT=$slug api create block '{"label":"inside","value":"i"}'
expect_rc 0
expect_jq ".project_id == \"$pid\""
LETTA_SYNC_PROJECT=$slug api list block
expect_rc 0
expect_jq 'length == 1 and .[0].label == "inside"'

LETTA_SYNC_PROJECT=$slug api create agent '{"name":"alpha-1","model":"openai/gpt-4o-mini","tags":["managed:letta-sync"]}'
expect_rc 0
expect_jq ".project_id == \"$pid\""
LETTA_SYNC_PROJECT=$slug api list agent
expect_rc 0
expect_jq 'length == 1 and .[0].name == "alpha-1"'

LETTA_SYNC_PROJECT=$slug api -v list block
# Once by name, once over all projects (the name "Team Alpha" is not the slug), then never again.
[ "$(grep -c 'GET /v1/projects' "$TMP/err")" -le 2 ] || fail "the slug was looked up again and again"
expect_err "GET /v1/blocks/\\?project_id=$pid&limit="

LETTA_SYNC_PROJECT=no-such-team api list block
expect_rc 1
expect_err "^error: project 'no-such-team' not found$"
expect_err '^code: NOT_FOUND$'
exit 0
