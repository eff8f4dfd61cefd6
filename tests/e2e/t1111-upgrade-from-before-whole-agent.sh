#!/usr/bin/env bash
# Agents synced by the letta-sync of before the whole-agent work (issue 23: fce322a, the first
# parent of the merge of branch whole-agent, 6f97935) are not flagged by this one: the agent
# fields added since (model_settings, tool_rules, timezone, response_format, ... ) are compared
# only when a manifest names them, so examples/ synced by that version is, for this one, in
# sync except for the one field that version failed to send: the template's contextWindow
# (`context_window_limit` was never sent before, issue 23 item 1). That field is an update of
# docs-bot (release-bot is pinned: held back), nothing is a conflict, no shared object is
# written, and the next run writes nothing. Agents carry no content hash (docs/reconcile.md
# "Hash versions"), so this is the agents' side of "no false edits after an upgrade".
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-oldbin.sh"
needs_sim
old_bin fce322a1e8dc896a6a166c2ddbba63c1c889aa3a
old_examples

run_old sync --json
[ "$rc" -eq 0 ] || fail "the letta-sync of before whole-agent: sync exited $rc: $(cat "$TMP/err")"
sim_get /_sim/state >"$TMP/state.json"
jq -e '[.agents[] | select(.name == "docs-bot")] | length == 1' "$TMP/state.json" >/dev/null ||
	fail "no docs-bot after the old sync"
sim_admin POST /_sim/stats/reset >/dev/null

run diff --json
expect_rc 0
jq -c '[.data[] | select(.action != "none") | {kind, name, action, fields: [.fields[].path]}]' \
	"$TMP/out" >"$TMP/got"
echo '[{"kind":"Agent","name":"docs-bot","action":"update","fields":["context_window_limit"]}]' |
	jq -c . | cmp -s - "$TMP/got" || fail "diff after the upgrade: $(cat "$TMP/got")"

run sync --json
expect_rc 0
expect_jq '.data.summary.conflicts == 0 and .data.summary.created == 0 and .data.summary.updated == 1'
# One agent PATCH; the only other writes are the lease's, on the inventory block.
sim_stats >"$TMP/stats.json"
jq -e '.requests["PATCH /v1/agents/{agent_id}"] == 1
	and ([.requests | to_entries[] | select(.key | test("^(POST|PUT|PATCH|DELETE) "))
		| select(.key != "PATCH /v1/agents/{agent_id}" and .key != "PATCH /v1/blocks/{block_id}")]
		| length == 0)' "$TMP/stats.json" >/dev/null ||
	fail "writes after the upgrade: $(jq -c .requests "$TMP/stats.json")"
sim_get /_sim/state >"$TMP/state.json"
jq -e '.agents[] | select(.name == "docs-bot") | .llm_config.context_window == 32000' \
	"$TMP/state.json" >/dev/null ||
	fail "docs-bot's context window: $(jq -c '.agents[] | select(.name == "docs-bot") | .llm_config' "$TMP/state.json")"
expect_writes 0 sync --json
expect_rc 0
expect_jq '.data.summary.conflicts == 0 and .data.summary.updated == 0'
