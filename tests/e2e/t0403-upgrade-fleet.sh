#!/usr/bin/env bash
# upgrade --all (issue 11): one agent whose upgrade fails (a hand-attached block already has
# the label of the block the new version attaches: the server answers 409) does not stop the
# others, and the run exits 1 naming it; with --fail-fast no agent is started after the
# failure.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable a4:stable
export CI=true

# The order upgrade works in; the second agent gets the conflicting block.
run upgrade --all --check --json
expect_rc 0
mapfile -t ORDER < <(jq -r '.data[].name' "$TMP/out")
[ ${#ORDER[@]} -eq 4 ] || fail "expected 4 agents: $(cat "$TMP/out")"
BAD=${ORDER[1]}
sim_call POST /v1/blocks/ '{"label": "guide", "value": "my own guide"}'
expect_status 200
own=$(body_get .id)
sim_call PATCH "/v1/agents/$(agent_id "$BAD")/core-memory/blocks/attach/$own"
expect_status 200

# Without --fail-fast every agent is attempted.
run upgrade --all --concurrency 1 --json
expect_rc 1
expect_jq '.ok == false and (.error.message | test("1 of 4 agent"))'
expect_jq "[.error.details.agents[] | select(.status == \"failed\") | .name] == [\"$BAD\"]"
expect_jq '[.error.details.agents[] | select(.status == "upgraded")] | length == 3'
for a in "${ORDER[@]}"; do
	if [ "$a" = "$BAD" ]; then
		expect_agent "$a" '(.tags | index("version:1.0.0"))'
	else
		expect_agent "$a" '(.tags | index("version:1.1.0"))'
	fi
done
run upgrade --all --concurrency 1
expect_rc 1
expect_err "agent|$BAD"
expect_out 'Upgrade completed with errors: 0 upgraded, 1 failed'

# Back to 1.0.0 (a downgrade: --yes), then --fail-fast: nothing starts after the failure.
run upgrade --all --target 1.0.0 --yes
expect_rc 0
for a in "${ORDER[@]}"; do expect_agent "$a" '(.tags | index("version:1.0.0"))'; done
run upgrade --all --fail-fast --concurrency 1 --json
expect_rc 1
expect_jq "[.error.details.agents[] | .status] == [\"upgraded\",\"failed\",\"not_started\",\"not_started\"]"
expect_agent "${ORDER[0]}" '(.tags | index("version:1.1.0"))'
expect_agent "${ORDER[2]}" '(.tags | index("version:1.0.0"))'
expect_agent "${ORDER[3]}" '(.tags | index("version:1.0.0"))'

# --concurrency bounds the chunk: with 2, the failing agent's chunk still completes.
run upgrade --all --fail-fast --concurrency 2 --json
expect_rc 1
expect_jq "[.error.details.agents[] | .status] == [\"up_to_date\",\"failed\",\"upgraded\",\"not_started\"]"
