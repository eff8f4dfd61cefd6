#!/usr/bin/env bash
# Fewer rounds (issue 26): lists ask for pages of 1,000; a short page ends the list without
# the empty page after it; a server that refuses the size (422, as FastAPI's Query(le=N)
# words it) gets pages of 100 from then on; a short page of a multiple of 50 may be a silent
# cap, so the next page is still read; the tools list always ends on its empty page.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-api.sh"
needs_sim
start_sim --seed 26
unset LETTA_SYNC_PAGE_LIMIT || true

api seed-blocks 251 many
expect_rc 0
# lists: N GET /v1/blocks/ requests of `api list block`, which must return all 251 blocks.
lists() {
	local before
	before=$(sim_count 'GET /v1/blocks/')
	api list block label=many
	expect_rc 0
	expect_jq 'length == 251 and ([.[].id] | unique | length) == 251'
	got=$(($(sim_count 'GET /v1/blocks/') - before))
	[ "$got" -eq "$1" ] || fail "$2: expected $1 list requests, the simulator counted $got"
}

lists 1 "one short page of 251 at limit=1000"

# A silent cap of 50: pages of 50 are not trusted as the end; the short page of 1 is.
sim_admin PUT /_sim/faults '{"max_page":50}' >/dev/null
lists 6 "five capped pages of 50 and a short page of 1"
sim_admin PUT /_sim/faults '{"max_page":0}' >/dev/null

# A server that refuses limit > 100: one 422, then 100 + 100 + 51.
sim_admin PUT /_sim/faults '{"max_limit":100}' >/dev/null
LETTA_SYNC_PAGE_LIMIT=1000 lists 4 "a refused page, then pages of 100"
sim_admin PUT /_sim/faults '{"max_limit":0}' >/dev/null

# Exactly 300 (a multiple of 50): the empty page confirms the end.
api seed-blocks 49 many
expect_rc 0
before=$(sim_count 'GET /v1/blocks/')
api list block label=many
expect_rc 0
expect_jq 'length == 300'
[ $(($(sim_count 'GET /v1/blocks/') - before)) -eq 2 ] || fail "300 blocks: expected 2 list requests"

# Tools: a short page does not end the list (malformed rows are dropped after the limit).
before=$(sim_count 'GET /v1/tools/')
api list tool
expect_rc 0
[ $(($(sim_count 'GET /v1/tools/') - before)) -eq 2 ] || fail "tools: expected 2 list requests"
exit 0
