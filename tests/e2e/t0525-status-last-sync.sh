#!/usr/bin/env bash
# issue 23: status shows for each agent the commit and time of the last sync, upgrade or
# bootstrap that wrote it (recorded in the agent's metadata as letta_sync, keeping the keys
# other clients set; no extra write: a run that changes nothing writes nothing), and
# status --agent X prints only what concerns X, warnings included.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
sync_setup
export CI=true
fleet() { # SYSTEM CAROL_CHANNEL
	{
		helper_yaml "$1"
		printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: bob}\nspec: {layer: project, template: helper}\n'
		printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: carol}\nspec: {layer: project, template: helper, channel: %s}\n' "$2"
	} | manifest fleet.yaml
}
fleet "You help." stable
git tag v1.0.0
run sync
expect_rc 0
C1=$(git rev-parse HEAD)
TS='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

run status --json
expect_rc 0
expect_jq "[.data[] | .last_sync | .commit == \"$C1\" and .by == \"sync\" and .version == \"1.0.0\" and (.at | test(\"$TS\"))] == [true, true]"
expect_jq "[.data[].last_sync_commit] == [\"$C1\", \"$C1\"]"
run status
expect_out "Last sync:   ${C1:0:12} at [0-9-]+T[0-9:]+Z by sync, version 1.0.0"
if grep -q 'Last sync:   (unknown)' "$TMP/out"; then fail "unknown last sync: $(cat "$TMP/out")"; fi

# Keys another client put in the agent's metadata survive our next write.
sim_call PATCH "/v1/agents/$(agent_id bob)" '{"metadata": {"owner": "team-x"}}'
expect_status 200
expect_writes 0 sync # nothing changed: the record costs no write

# A new commit, synced: bob's record moves; carol (pinned now) is held back and not written.
fleet "You help more." pinned
run sync
expect_rc 0
C2=$(git rev-parse HEAD)
agent_json bob | jq -e --arg c "$C2" '.metadata.letta_sync.commit == $c and .metadata.owner == "team-x"' \
	>/dev/null || fail "bob's metadata: $(agent_json bob | jq -c .metadata)"

# status --agent: only that agent, and only the warnings about it.
fleet "You help even more." pinned
run status
expect_rc 0
expect_err "agent 'carol' .* pinned channel"
run status --agent bob
expect_rc 0
expect_out 'Agent bob'
if grep -q carol "$TMP/out" "$TMP/err"; then fail "status --agent bob mentions carol: $(cat "$TMP/out" "$TMP/err")"; fi
run status --agent bob --json
expect_rc 0
expect_jq '(.data | length == 1) and (.warnings | map(test("carol")) | any | not)'
run status --agent carol --json
expect_rc 0
expect_jq '.data[0].name == "carol" and (.warnings | map(test("carol.*pinned")) | any)'

# upgrade records itself, with the version's commit.
git tag v1.1.0
run upgrade --agent bob --yes
expect_rc 0
run status --agent bob --json
expect_jq ".data[0].last_sync | .by == \"upgrade\" and .version == \"1.1.0\" and .commit == \"$(git rev-parse 'v1.1.0^{commit}')\""

# bootstrap too.
run bootstrap --name newbie --skip-scope-sync --skip-upgrade
expect_rc 0
run status --agent newbie --json
expect_jq ".data[0].last_sync | .by == \"bootstrap\" and .commit == \"$(git rev-parse HEAD)\""
