#!/usr/bin/env bash
# sync: Folder, MCPServer and Identity are created, updated and left unchanged; the MCP token
# is echoed as "Bearer ..." by the server and is not drift; it never appears in the output.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup
needs_route /v1/folders/
needs_route /v1/mcp-servers/
needs_route /v1/identities/
export MCP_TOKEN=tok-$RANDOM$RANDOM

kinds() {
	mkdir -p "$REPO/.letta/manifests/org"
	cat >"$REPO/.letta/manifests/org/mcp.yaml" <<YAML
apiVersion: letta.ai/v1
kind: MCPServer
metadata: {name: search}
spec: {layer: org, serverType: streamable_http, serverUrl: "$2", token: "\${MCP_TOKEN}"}
YAML
	manifest shared.yaml <<YAML
apiVersion: letta.ai/v1
kind: Folder
metadata: {name: handbook}
spec: {layer: project, description: "the handbook", instructions: "$1", embedding: openai/text-embedding-3-small, files: ["docs/*.md"]}
---
apiVersion: letta.ai/v1
kind: Identity
metadata: {name: eng}
spec: {layer: project, identifierKey: "org:acme:team:eng", identityType: org, name: "$3", properties: [{key: cost_center, value: "42"}]}
YAML
}
mkdir -p "$REPO/docs"
echo "# Handbook" >"$REPO/docs/handbook.md"
echo "# On call" >"$REPO/docs/oncall.md"
kinds "read it" "https://mcp.example.com/mcp" "Engineering"
# An agent that uses every tool of the MCP server created in the same run (a second pass).
cat >"$REPO/.letta/manifests/project/agents.yaml" <<'YAML'
apiVersion: letta.ai/v1
kind: Template
metadata: {name: t}
spec:
  layer: project
  agent: {name: t, modelConfig: {model: openai/gpt-4o-mini}, mcpTools: [{server: search, tools: all}], folders: [handbook], identities: ["org:acme:team:eng"]}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: mcp-user}
spec: {layer: project, template: t}
YAML
git add -A && git commit -qm agents
run sync
expect_rc 0
expect_out 'created Folder/handbook'
expect_out 'created MCPServer/search'
expect_out 'created Identity/eng'
fid=$(sim_get "/v1/folders/?name=handbook" | jq -r '.[0].id')
sim_get "/v1/folders/$fid/files" | jq -e '[.[].file_name] | sort == ["handbook.md","oncall.md"]' >/dev/null ||
	fail "folder files not uploaded: $(sim_get "/v1/folders/$fid/files")"
sim_get "/v1/agents/?name=mcp-user&include=agent.tools&include=agent.sources&include=agent.identities" >"$TMP/a.json"
jq -e '.[0] | ([.tools[] | select(.tags | index("mcp:search"))] | length > 0)
	and ([.sources[].name] == ["handbook"]) and ([.identities[].identifier_key] == ["org:acme:team:eng"])' \
	"$TMP/a.json" >/dev/null || fail "agent lacks the MCP tools, folder or identity: $(cat "$TMP/a.json")"
grep -q "$MCP_TOKEN" "$TMP/out" "$TMP/err" && fail "the MCP token leaked"
run diff -v --json
grep -q "$MCP_TOKEN" "$TMP/out" "$TMP/err" && fail "the MCP token leaked with -v"
expect_writes 0 sync
[ "$(changes)" -eq 0 ] || fail "unchanged shared objects reported: $(cat "$TMP/diff.json")"

kinds "read it first" "https://mcp2.example.com/mcp" "Eng"
[ "$(changes)" -eq 3 ] || fail "three edits expected: $(cat "$TMP/diff.json")"
jq -e '[.data[].action] == ["update","update","update"]' "$TMP/diff.json" >/dev/null ||
	fail "unexpected actions: $(cat "$TMP/diff.json")"
run sync -v
expect_rc 0
grep -q "$MCP_TOKEN" "$TMP/out" "$TMP/err" && fail "the MCP token leaked from sync -v"
expect_writes 0 sync
[ "$(changes)" -eq 0 ] || fail "not converged: $(cat "$TMP/diff.json")"

# Folder files: replaced when they change, deleted when they go.
echo "# Handbook, second edition" >"$REPO/docs/handbook.md"
rm "$REPO/docs/oncall.md"
git add -A && git commit -qm files
[ "$(changes)" -eq 1 ] || fail "file changes not reported: $(cat "$TMP/diff.json")"
jq -e '.data[0].fields | map(.path) | sort == ["files.handbook.md","files.oncall.md"]' "$TMP/diff.json" >/dev/null ||
	fail "unexpected file diff: $(cat "$TMP/diff.json")"
expect_writes 5 sync   # the lease, upload, delete, the folder's metadata, the inventory
sim_get "/v1/folders/$fid/files" | jq -e '[.[].file_name] == ["handbook.md"]' >/dev/null ||
	fail "file not deleted: $(sim_get "/v1/folders/$fid/files")"
expect_writes 0 sync
