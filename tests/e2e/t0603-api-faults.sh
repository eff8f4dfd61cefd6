#!/usr/bin/env bash
# Under 20 % server errors, 10 % throttling, 5 % dropped connections and 5 % lost replies the
# client still completes every operation sync needs, creates no duplicate (creates are guarded,
# never blindly repeated) and keeps the number of requests bounded (issue 6).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-api.sh"
needs_sim
fast_retries

# The same work without faults gives the baseline request count.
start_sim --seed 42
api scenario
expect_rc 0
base=$(sim_stats | jq .total)
stop_sim

start_sim --seed 42 --error-rate 0.2 --throttle-rate 0.1 --drop-rate 0.05 --lost-reply-rate 0.05 \
	--retry-after-s 0 --max-page 50
api scenario
expect_rc 0
cp "$TMP/out" "$TMP/scenario.json"
expect_jq '.blocks == 30 and .folders == 4 and .mcp_servers == 2 and .identities == 4 and .agents == 9'
expect_jq '.tools >= 8'
# Each agent keeps one block, its folder and identity (agent 4's were deleted), no tool.
expect_jq '.agent_state | all(.blocks == 1 and .tools == 0 and .description == "updated")'
expect_jq '[.agent_state[] | select(.name != "scn-agent-4")] | all(.sources == 1 and .identities == 1)'
expect_jq '[.agent_state[] | select(.name == "scn-agent-4")] | all(.sources == 0 and .identities == 0)'

# The server holds exactly what was asked for: no duplicate of anything.
sim_state >"$TMP/state.json"
jq -e '[.blocks[] | select(.metadata.source // "" | startswith("Block/scn-"))] | length == 30' "$TMP/state.json" >/dev/null ||
	fail "blocks: $(jq -c '[.blocks[].metadata.source]' "$TMP/state.json")"
jq -e '[.blocks[] | .metadata.source] | group_by(.) | map(length) | max == 1' "$TMP/state.json" >/dev/null ||
	fail "duplicate blocks"
jq -e '[.blocks[] | select(.value == "v2")] | length == 30' "$TMP/state.json" >/dev/null || fail "block updates lost"
jq -e '[.agents[] | .name] | (length == 9 and (unique | length) == 9)' "$TMP/state.json" >/dev/null ||
	fail "agents: $(jq -c '[.agents[].name]' "$TMP/state.json")"
jq -e '[.folders[] | .name] | (length == 4 and (unique | length) == 4)' "$TMP/state.json" >/dev/null || fail "folders duplicated"
jq -e '[.mcp_servers[] | .server_name] | (length == 2 and (unique | length) == 2)' "$TMP/state.json" >/dev/null || fail "MCP servers duplicated"
jq -e '[.identities[] | .identifier_key] | (length == 4 and (unique | length) == 4)' "$TMP/state.json" >/dev/null || fail "identities duplicated"
jq -e '[.tools[] | select(.name | startswith("scn_tool_"))] | length == 8' "$TMP/state.json" >/dev/null || fail "tools duplicated"

# Bounded work: every fault costs at most a retry or a guard look-up.
total=$(sim_stats | jq .total)
echo "requests: $total under faults, $base without" >&2
[ "$total" -le $((base * 5 / 2)) ] || fail "$total requests under faults, more than 2.5 x $base"
[ "$total" -le 600 ] || fail "$total requests under faults, more than 600"
jq -e '.client.guards > 0' "$TMP/scenario.json" >/dev/null || fail "no create was ever ambiguous: the faults did not bite"

# Paging under the same faults: every block of a 300-block list, once.
api seed-blocks 300 bulk
expect_rc 0
api list block label=bulk
expect_rc 0
expect_jq 'length == 300 and ([.[].id] | unique | length) == 300'
expect_jq '[.[].metadata.source] | unique | length == 300'
jq -e '[.blocks[] | select(.label == "bulk")] | length == 300' <(sim_state) >/dev/null || fail "bulk blocks duplicated"
exit 0
