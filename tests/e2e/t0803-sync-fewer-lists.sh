#!/usr/bin/env bash
# Fewer rounds (issue 26): a repository of Blocks alone reads the blocks and agents lists and
# nothing else: a no-op re-sync is 3 requests (the project, then blocks and agents together).
# A kind that nothing declares any more but the inventory still holds is read in a second
# round, so its orphan is still pruned.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

policy_yaml | manifest blocks.yaml
run sync
expect_rc 0
pid=$(sim_get /v1/projects | jq -r --arg s "$LETTA_SYNC_PROJECT" '.projects[] | select(.slug == $s) | .id')
[ -n "$pid" ] || fail "no project id"

# requests_of: the routes the last run used, as "METHOD /route N" lines.
routes() { sim_stats | jq -r '.requests | to_entries[] | "\(.key) \(.value)"' | sort; }

sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(routes)" = "$(printf '%s\n' 'GET /v1/agents/ 1' 'GET /v1/blocks/ 1' 'GET /v1/projects 1')" ] ||
	fail "a no-op re-sync of blocks should read the project, blocks and agents once: $(routes)"

# With the project id known (slug:id), the id is checked against the project list before
# any write (issue 20), so the count is the same: 3 requests.
sim_admin POST /_sim/stats/reset >/dev/null
LETTA_SYNC_PROJECT=$LETTA_SYNC_PROJECT:$pid run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(routes)" = "$(printf '%s\n' 'GET /v1/agents/ 1' 'GET /v1/blocks/ 1' 'GET /v1/projects 1')" ] ||
	fail "with the project id known, a no-op re-sync is 3 requests: $(routes)"

# A tool, declared then no longer declared: the inventory still holds it, so the tools list
# is read (second round) and --prune deletes it.
manifest tools.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Tool
metadata: {name: echo}
spec:
  sourceType: python
  sourceCode: "def echo(x: str) -> str:\n    return x\n"
  jsonSchema: {type: function, function: {name: echo, description: Echo., parameters: {type: object, properties: {x: {type: string}}, required: [x]}}}
YAML
run sync
expect_rc 0
expect_out 'created Tool/echo'
git -C "$REPO" rm -q .letta/manifests/project/tools.yaml
git -C "$REPO" commit -q -m "drop the tool"
sim_admin POST /_sim/stats/reset >/dev/null
run sync --prune
expect_rc 0
expect_out 'Tool/echo'
[ "$(sim_stats | jq '.requests["GET /v1/tools/"]')" -ge 1 ] || fail "the tools list was not read: $(routes)"
[ "$(sim_stats | jq '.requests["DELETE /v1/tools/{tool_id}"]')" = 1 ] ||
	fail "the orphan tool was not deleted: $(routes)"
sim_get "/v1/tools/?name=echo" | jq -e 'length == 0' >/dev/null || fail "Tool/echo still exists"
