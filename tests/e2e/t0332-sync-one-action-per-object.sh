#!/usr/bin/env bash
# One object, one action (issue 20 item 3): on an empty server, sync of examples/ creates each
# object once and reports it once; an agent that uses an MCP server created in the same run is
# created with that server's tools in its create (it used to be `created Agent/review-bot` and
# then `updated Agent/review-bot [mcp_servers]`: 13 created, 1 updated, where the dry run said
# 13 to create, 0 to update). The dry run and the real run agree.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
needs_sim
start_sim
export GITHUB_TOKEN=ghp_oneaction_$RANDOM
cp -r "$LS_SOURCE_DIR/examples" "$TMP/examples"
cd "$TMP/examples"

run sync --dry-run --json
expect_rc 0
jq -c '[.data.changes[] | {kind, name, action}] | sort' "$TMP/out" >"$TMP/dry.json"
dry_create=$(jq '.data.summary.create' "$TMP/out")
dry_update=$(jq '.data.summary.update' "$TMP/out")

run sync --json
expect_rc 0
expect_jq ".data.summary.created == $dry_create and .data.summary.updated == $dry_update"
expect_jq '.data.summary.updated == 0'
# Each object once in the report (an agent's memory files, issue 25, are their own entry with
# section memory_files), with the action the dry run announced.
expect_jq '[.data.changes[] | [.kind, .name, .section]] | (length == (unique | length))'
jq -c '[.data.changes[] | {kind, name, action}] | sort' "$TMP/out" | cmp -s - "$TMP/dry.json" ||
	fail "the run's actions differ from the dry run's: $(jq -c '[.data.changes[] | {kind, name, action}] | sort' "$TMP/out") vs $(cat "$TMP/dry.json")"

# The agent got every tool of the MCP server in its create: no agent was patched afterwards.
sim_stats | jq -e '(.requests["PATCH /v1/agents/{agent_id}"] // 0) == 0' >/dev/null ||
	fail "an agent was updated after its create: $(sim_stats | jq -c .requests)"
sim_get /_sim/state >"$TMP/state.json"
jq -e '[.tools[] | select((.tags // []) | index("mcp:github")) | .id] as $mcp
	| ($mcp | length) > 0
	and ([.agents[] | select(.name == "review-bot") | ._tools[]] as $have
		| all($mcp[]; . as $t | $have | index($t)))' "$TMP/state.json" >/dev/null ||
	fail "review-bot lacks the github MCP server's tools: $(jq -c '.agents[] | select(.name == "review-bot") | ._tools' "$TMP/state.json")"
expect_writes 0 sync
