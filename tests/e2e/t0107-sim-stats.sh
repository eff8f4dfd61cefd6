#!/usr/bin/env bash
# letta-sim: /_sim/stats counts requests by METHOD + route template, total and writes; the
# admin API is not counted; /_sim/stats/reset zeroes the counters only; open_connections counts
# the API connections open now, one whose client is gone included until its request is handled.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/agents/ '{"model":"openai/gpt-4o-mini","include_base_tools":false}'
aid=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"human","value":"v"}'
bid=$(body_get .id)
sim_call PATCH "/v1/agents/$aid/core-memory/blocks/attach/$bid"
sim_call GET /v1/blocks/
sim_call GET '/v1/blocks/?label=human'
sim_call GET "/v1/blocks/$bid"
sim_call DELETE "/v1/agents/$aid"
curl -s -o /dev/null "$SIM_URL/v1/health/"
sim_admin GET /_sim/state >/dev/null
sim_admin GET /_sim/stats >/dev/null

sim_admin GET /_sim/stats >"$TMP/body"
expect_body '(keys) == ["connections","open_connections","requests","total","writes"]'
expect_body '.requests["POST /v1/agents/"] == 1 and .requests["POST /v1/blocks/"] == 1'
expect_body '.requests["PATCH /v1/agents/{agent_id}/core-memory/blocks/attach/{block_id}"] == 1'
expect_body '.requests["GET /v1/blocks/"] == 2 and .requests["GET /v1/blocks/{block_id}"] == 1'
expect_body '.requests["DELETE /v1/agents/{agent_id}"] == 1 and .requests["GET /v1/health/"] == 1'
expect_body '.total == 8 and .writes == 4 and .connections == 8' # curl: one connection per call
expect_body '([.requests[]] | add) == .total'
expect_body '[.requests | keys[] | select(startswith("GET /_sim") or startswith("POST /_sim"))] == []'

# 401s are counted too (the request reached the server).
curl -s -o /dev/null "$SIM_URL/v1/tags/"
sim_admin GET /_sim/stats | jq -e '.requests["GET /v1/tags/"] == 1' >/dev/null || fail "401 not counted"

sim_admin POST /_sim/stats/reset >/dev/null
sim_admin GET /_sim/stats >"$TMP/body"
expect_body 'del(.open_connections) == {"requests":{},"total":0,"writes":0,"connections":0}'
# ... and the state is untouched.
sim_call GET /v1/blocks/count
expect_body '. == 1'

# A client killed while its request sleeps in the latency: the connection stays open until the
# request is handled (it still lands), then open_connections is back to 0.
sim_admin PUT /_sim/faults '{"latency_ms":5000}' >/dev/null
curl -s -o /dev/null -X POST -H "Authorization: Bearer $SIM_KEY" -H 'Content-Type: application/json' \
	--data-binary '{"label":"late","value":"v"}' "$SIM_URL/v1/blocks/" &
cpid=$!
for _ in $(seq 1 100); do
	[ "$(sim_stats | jq '.requests["POST /v1/blocks/"] // 0')" -eq 1 ] && break
	sleep 0.05
done
kill -KILL "$cpid"
wait "$cpid" 2>/dev/null || true
sim_stats | jq -e '.open_connections == 1' >/dev/null || fail "in flight, not open: $(sim_stats)"
for _ in $(seq 1 300); do
	[ "$(sim_stats | jq .open_connections)" -eq 0 ] && break
	sleep 0.1
done
sim_stats | jq -e '.open_connections == 0' >/dev/null || fail "still open: $(sim_stats)"
sim_admin PUT /_sim/faults '{"latency_ms":0}' >/dev/null
sim_call GET '/v1/blocks/?label=late'
expect_body 'length == 1'
echo ok
