#!/usr/bin/env bash
# issue 23: adding managed agent fields must not flag objects synced by the previous version
# as edited outside git. A configuration using every field the previous version managed
# (shared Block, Tool, Folder, Identity, MCP server; a Template with description, embedding,
# private blocks, tags, tools, folders, identities, MCP tools; declared and bootstrapped
# agents) is synced by a letta-sync built from the commit before issue 23 (PREV below), then
# by this one: 0 conflicts, 0 writes, no change in diff. New settings are managed only where
# a manifest sets them. The previous binary is built once into the build directory; where the
# repository does not hold that commit (a shallow clone) the test skips.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
PREV=f370e31576675f743ecbf82c99f6079a91aa12f9
PREV_BIN=${LS_PREV_BIN:-$LS_BUILD_DIR/compat-${PREV:0:12}/build/letta-sync}
if [ ! -x "$PREV_BIN" ]; then
	git -C "$LS_SOURCE_DIR" cat-file -e "$PREV^{commit}" 2>/dev/null ||
		skip "the repository does not hold $PREV (a shallow clone): no previous version to build"
	src=$LS_BUILD_DIR/compat-${PREV:0:12}
	lock=$LS_BUILD_DIR/compat-${PREV:0:12}.lock
	(
		flock 9
		if [ ! -x "$src/build/letta-sync" ]; then
			rm -rf "$src" && mkdir -p "$src"
			git -C "$LS_SOURCE_DIR" archive "$PREV" | tar -x -C "$src"
			cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$TMP/prev-build.log" 2>&1 &&
				cmake --build "$src/build" -j 2 --target letta-sync >>"$TMP/prev-build.log" 2>&1 ||
				{ tail -20 "$TMP/prev-build.log" >&2; exit 1; }
		fi
	) 9>"$lock" || fail "could not build the previous version $PREV"
fi
sync_setup
needs_route /v1/mcp-servers/
export MCP_TOKEN=tok-$RANDOM$RANDOM CI=true
mkdir -p docs && echo "# Handbook" >docs/handbook.md
{
	cat <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "be kind", description: "the rules", limit: 4000, readOnly: true}
---
YAML
	lookup_tool_yaml
	cat <<'YAML'
---
apiVersion: letta.ai/v1
kind: Folder
metadata: {name: handbook}
spec: {layer: project, description: "the handbook", embedding: openai/text-embedding-3-small, files: ["docs/*.md"]}
---
apiVersion: letta.ai/v1
kind: Identity
metadata: {name: eng}
spec: {layer: project, identifierKey: "org:acme:team:eng", identityType: org, name: "Engineering"}
---
apiVersion: letta.ai/v1
kind: Template
metadata: {name: helper}
spec:
  layer: project
  default: true
  agent:
    name: helper
    description: "a helper"
    system: "You help."
    modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}
    blocks: [{name: policy}, {label: persona, value: "I help", limit: 2000, description: "who"}, {label: human, value: ""}]
    tools: [lookup]
    mcpTools: [{server: search, tools: all}]
    folders: [handbook]
    identities: ["org:acme:team:eng"]
    tags: [team:core]
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: helper, channel: beta, tags: [bob]}
YAML
} >.letta/manifests/project/all.yaml
mkdir -p .letta/manifests/org
cat >.letta/manifests/org/mcp.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: MCPServer
metadata: {name: search}
spec: {layer: org, serverType: streamable_http, serverUrl: "https://mcp.example.com/mcp", token: "${MCP_TOKEN}"}
YAML
git add -A && git commit -qm config && git tag v1.0.0

# The previous version: sync, a bootstrapped agent, sync again (converged).
LS_BIN=$PREV_BIN run sync
expect_rc 0
LS_BIN=$PREV_BIN run bootstrap --name ann --skip-scope-sync
expect_rc 0
LS_BIN=$PREV_BIN run sync
expect_rc 0
LS_BIN=$PREV_BIN expect_writes 0 sync

# This version: nothing to change, nothing edited outside git, nothing written.
run diff --json
expect_rc 0
expect_jq '.data == []'
expect_jq '[.warnings[] | select(test("outside|edited|conflict"; "i"))] == []'
expect_writes 0 sync
if grep -Eiq 'conflict|outside git' "$TMP/out" "$TMP/err"; then
	fail "objects synced by the previous version are flagged: $(cat "$TMP/out" "$TMP/err")"
fi
run sync --json
expect_rc 0
expect_jq '([.data.changes[]? | select(.action == "conflict")] | length) == 0'
expect_writes 0 upgrade --all
run status --json
expect_rc 0
expect_jq '[.data[].drift.total] | all(. == 0)'
