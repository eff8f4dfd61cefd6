#!/usr/bin/env bash
# The API client reads every page of a list: 1,000 blocks through pages capped at 50 come back
# whole, with one request per page plus the final empty one (issue 6).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-api.sh"
needs_sim
start_sim --seed 7 --max-page 50

api seed-blocks 1000 many
expect_rc 0
expect_jq '.created == 1000 and .adopted == 0'

before=$(sim_count 'GET /v1/blocks/')
api list block
expect_rc 0
expect_jq 'length == 1000'
expect_jq '[.[].id] | unique | length == 1000'
expect_jq '[.[].metadata.source] | unique | length == 1000'
after=$(sim_count 'GET /v1/blocks/')
# 20 full pages of 50 and the empty page that ends the list.
[ $((after - before)) -eq 21 ] || fail "expected 21 list requests, the simulator counted $((after - before))"

# The same with a filter and a page size below the cap.
LETTA_SYNC_PAGE_LIMIT=40 api list block label=many
expect_rc 0
expect_jq 'length == 1000'
[ $(($(sim_count 'GET /v1/blocks/') - after)) -eq 26 ] || fail "expected 26 pages of 40"

# All lists at once (blocks, templates, tools, folders, MCP servers, identities, agents).
api remote
expect_rc 0
expect_jq '.blocks == 1000 and .agents == 0'
exit 0
