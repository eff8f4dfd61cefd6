#!/usr/bin/env bash
# letta-sim: --state is loaded at start, saved on SIGTERM and on POST /_sim/save, in the shape
# of GET /_sim/state; ids minted after a load never collide with loaded ones.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
st=$TMP/state.json
start_sim --state "$st" --seed 1

sim_call POST /v1/blocks/ '{"label":"human","value":"kept","metadata":{"k":"v"}}'
b1=$(body_get .id)
sim_call POST /v1/agents/ "{\"name\":\"keeper\",\"model\":\"openai/gpt-4o-mini\",\"block_ids\":[\"$b1\"],\"tags\":[\"t1\"]}" -H 'X-Project: p1'
a1=$(body_get .id)

# POST /_sim/save writes the file; its shape is GET /_sim/state's.
sim_admin POST /_sim/save | jq -e '.ok == true' >/dev/null || fail "save failed"
[ -s "$st" ] || fail "no state file after /_sim/save"
sim_admin GET /_sim/state >"$TMP/live.json"
jq -S . "$st" >"$TMP/a"
jq -S . "$TMP/live.json" >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || fail "saved file differs from /_sim/state"
jq -e '(.agents|length) == 1 and (.blocks|length) == 1 and (.projects|length) == 1 and (.tools|length) >= 1' "$st" >/dev/null ||
	fail "state shape: $(head -c 400 "$st")"

# Change something after the save, then SIGTERM: the file has the change.
sim_call PATCH "/v1/blocks/$b1" '{"value":"changed"}'
expect_status 200
stop_sim
jq -e --arg b "$b1" '.blocks[] | select(.id == $b) | .value == "changed"' "$st" >/dev/null ||
	fail "SIGTERM did not save"

# Restart on the same file with the same seed: everything is back, ids do not collide.
start_sim --state "$st" --seed 1
sim_call GET "/v1/agents/$a1?include=agent.blocks&include=agent.tags"
expect_status 200
expect_body ".name == \"keeper\" and .tags == [\"t1\"] and .blocks[0].id == \"$b1\" and .blocks[0].value == \"changed\""
sim_call GET /v1/projects
expect_body '.projects[0].slug == "p1"'
sim_call POST /v1/blocks/ '{"label":"human","value":"new"}'
b2=$(body_get .id)
[ "$b2" != "$b1" ] || fail "id collision after load"
sim_call GET /v1/blocks/
expect_body '(map(.value)) == ["changed","new"]'
sim_call POST /v1/agents/ '{"name":"second","model":"openai/gpt-4o-mini","include_base_tools":false}'
sim_call GET /v1/agents/
expect_body '(map(.name)) == ["second","keeper"]'

# /_sim/reset empties the state (and a save then writes the empty state).
sim_admin POST /_sim/reset >/dev/null
sim_call GET /v1/agents/count
expect_body '. == 0'
sim_admin POST /_sim/save >/dev/null
jq -e '(.agents|length) == 0' "$st" >/dev/null || fail "reset state not saved"

# PUT /_sim/state loads a state (fixtures).
sim_admin PUT /_sim/state "$(cat "$TMP/live.json")" >/dev/null
sim_call GET /v1/blocks/count
expect_body '. == 1'

# A corrupt state file stops the start with a message.
stop_sim
echo '{not json' >"$st"
if timeout 5 "$SIM_BIN" --port 0 --state "$st" >"$TMP/out" 2>"$TMP/err"; then
	fail "started on a corrupt state"
fi
grep -q "cannot load" "$TMP/err" || fail "no message: $(cat "$TMP/err")"
echo ok
