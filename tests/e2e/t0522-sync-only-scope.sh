#!/usr/bin/env bash
# issue 23: sync --only limits the whole run. Shared objects belong to the section that uses
# them (Blocks to memory_blocks, Tools to tools, ...): with `--only tags` a changed shared Block
# is neither shown by diff --only nor written by sync --only; with `--only system_prompt
# memory_blocks` it is; an orphan Block is not deleted by `--prune --only tags`; a declared agent
# that does not exist is not created under --only (a warning says so).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup
write_all() { # POLICY SYSTEM TAG [EXTRA]
	{
		cat <<YAML
apiVersion: letta.ai/v1
kind: Block
metadata: {name: org_conventions}
spec: {layer: project, label: org_conventions, value: "$1"}
YAML
		echo ---
		helper_yaml "$2"
		echo "    blocks: [{name: org_conventions}]"
		echo "    tags: [$3]"
		cat <<'YAML'
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: helper}
YAML
		[ -z "${4:-}" ] || printf -- '---\n%s\n' "$4"
	} | manifest all.yaml
}
write_all "v1" "You help." "team:a"
run sync
expect_rc 0
BLOCK=$(sim_get "/v1/blocks/?label=org_conventions" | jq -r '.[0].id')

# The block's value, the prompt and the tags all change.
write_all "v2" "You help more." "team:b"
run diff --only tags --json
expect_rc 0
expect_jq '[.data[] | "\(.kind)/\(.name)/\(.section // "")"] == ["Agent/bob/tags"]'
expect_writes 3 sync --only tags # the lease, the agent's tags, the lease's release
sim_get "/v1/blocks/$BLOCK" | jq -e '.value == "v1"' >/dev/null ||
	fail "sync --only tags updated Block/org_conventions: $(sim_get "/v1/blocks/$BLOCK")"
agents_named() { sim_get "/v1/agents/?name=$1&include=agent.tags"; }
agents_named bob | jq -e '.[0].system == "You help." and (.[0].tags | index("team:b"))' >/dev/null ||
	fail "bob after --only tags: $(agents_named bob)"

# The seed's line: system_prompt and memory_blocks; the shared block goes with memory_blocks.
run diff --only system_prompt memory_blocks --json
expect_rc 0
expect_jq '[.data[] | "\(.kind)/\(.name)"] | sort == ["Agent/bob","Block/org_conventions"]'
run sync --only system_prompt memory_blocks
expect_rc 0
sim_get "/v1/blocks/$BLOCK" | jq -e '.value == "v2"' >/dev/null || fail "the block was not updated"
agents_named bob | jq -e '.[0].system == "You help more."' >/dev/null || fail "the prompt was not updated"
[ "$(changes)" -eq 0 ] || fail "left over: $(cat "$TMP/diff.json")"

# An orphan Block: --prune --only tags does not delete it; --only memory_blocks would.
write_all "v2" "You help more." "team:b" "$(printf 'apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: spare}\nspec: {layer: project, label: spare, value: "x"}')"
run sync
expect_rc 0
SPARE=$(sim_get "/v1/blocks/?label=spare" | jq -r '.[0].id')
write_all "v2" "You help more." "team:b"
run diff --only tags --json
expect_rc 0
expect_jq '.data == []'
expect_writes 0 sync --prune --only tags
sim_call GET "/v1/blocks/$SPARE"
expect_status 200
run diff --only memory_blocks --json
expect_jq '[.data[] | select(.action == "orphan") | .name] == ["spare"]'

# A declared agent that does not exist: --only does not create it.
write_all "v2" "You help more." "team:b" "$(printf 'apiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: newbie}\nspec: {layer: project, template: helper}')"
expect_writes 0 sync --only tags
expect_err "agent 'newbie' is not on the server; --only does not create agents"
[ "$(agents_named newbie | jq length)" -eq 0 ] || fail "newbie created under --only"
run sync
expect_rc 0
expect_out 'created Agent/newbie'
