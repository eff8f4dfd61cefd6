#!/usr/bin/env bash
# sync under faults (errors, throttling, dropped connections, lost replies, conflicts): each
# failure is reported and the run exits 1, re-running converges, and nothing is created twice
# (blocks and agents have no unique names: a lost reply must not make a duplicate).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup --seed 7 --retry-after-s 0
export LETTA_SYNC_RETRY_BASE_MS=20 LETTA_SYNC_RETRY_MAX_MS=100

{
	for i in $(seq 1 20); do
		printf -- '---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b%d}\n' "$i"
		printf 'spec: {layer: project, label: b%d, value: "v%d"}\n' "$i" "$i"
	done
	cat <<'YAML'
---
apiVersion: letta.ai/v1
kind: Template
metadata: {name: t}
spec:
  layer: project
  default: true
  agent: {name: t, system: "hi", modelConfig: {model: openai/gpt-4o-mini}, blocks: [{name: b1}, {name: b2}]}
YAML
	for i in $(seq 1 5); do
		printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: a%d}\nspec: {layer: project}\n' "$i"
	done
	for i in $(seq 1 3); do
		cat <<YAML
---
apiVersion: letta.ai/v1
kind: Folder
metadata: {name: f$i}
spec: {layer: project, embedding: openai/text-embedding-3-small, files: ["docs/*.md"]}
---
apiVersion: letta.ai/v1
kind: Identity
metadata: {name: id$i}
spec: {layer: project, identifierKey: "org:acme:user:u$i", identityType: user}
---
apiVersion: letta.ai/v1
kind: Tool
metadata: {name: tool_$i}
spec:
  layer: project
  sourceType: python
  sourceCode: "def tool_$i(x: str) -> str:\n    return x\n"
  jsonSchema: {type: function, function: {name: tool_$i, description: "Tool $i.", parameters: {type: object, properties: {x: {type: string}}, required: [x]}}}
YAML
	done
} | {
	mkdir -p "$REPO/docs" "$REPO/.letta/manifests/org"
	echo "# doc" >"$REPO/docs/a.md"
	echo "# doc b" >"$REPO/docs/b.md"
	cat >"$REPO/.letta/manifests/org/mcp.yaml" <<'YAML'
apiVersion: letta.ai/v1
kind: MCPServer
metadata: {name: m1}
spec: {layer: org, serverType: streamable_http, serverUrl: "https://m1.example.com/mcp"}
---
apiVersion: letta.ai/v1
kind: MCPServer
metadata: {name: m2}
spec: {layer: org, serverType: stdio, stdioConfig: {command: npx, args: ["-y", "srv"]}}
YAML
	manifest all.yaml
}

sim_admin PUT /_sim/faults '{"error_rate":0.15,"throttle_rate":0.1,"drop_rate":0.1,"lost_reply_rate":0.15,"conflict_rate":0.05}' >/dev/null
ok=0
for attempt in 1 2 3 4 5 6 7 8; do
	run sync
	if [ "$rc" -eq 0 ]; then
		ok=1
		echo "converged after $attempt run(s)" >&2
		break
	fi
	[ "$rc" -eq 1 ] || fail "sync under faults exited $rc: $(cat "$TMP/err")"
	grep -qE 'error: ' "$TMP/err" || fail "a failed sync did not report its failures"
done
[ $ok -eq 1 ] || fail "sync did not converge in 8 runs under faults: $(cat "$TMP/err")"
sim_admin PUT /_sim/faults '{"error_rate":0,"throttle_rate":0,"drop_rate":0,"lost_reply_rate":0,"conflict_rate":0}' >/dev/null

# Nothing twice, everything once.
sim_get "/v1/blocks/?limit=1000" >"$TMP/blocks.json"
jq -e '[.[] | select(.label | test("^b[0-9]+$"))] | length == 20' "$TMP/blocks.json" >/dev/null ||
	fail "blocks duplicated or missing: $(jq -c '[.[].label] | group_by(.) | map({(.[0]): length}) | add' "$TMP/blocks.json")"
jq -e '[.[] | select(.label == "letta_sync_inventory")] | length == 1' "$TMP/blocks.json" >/dev/null ||
	fail "more than one inventory"
sim_get "/v1/agents/?limit=1000" | jq -e '[.[].name] | sort == ["a1","a2","a3","a4","a5"]' >/dev/null ||
	fail "agents duplicated or missing: $(sim_get "/v1/agents/?limit=1000" | jq -c '[.[].name]')"
for kind in folders mcp-servers identities; do
	sim_get "/v1/$kind/?limit=1000" >"$TMP/$kind.json"
done
jq -e 'length == 3' "$TMP/folders.json" >/dev/null || fail "folders: $(jq -c '[.[].name]' "$TMP/folders.json")"
jq -e 'length == 2' "$TMP/mcp-servers.json" >/dev/null || fail "MCP servers: $(jq -c '[.[].server_name]' "$TMP/mcp-servers.json")"
jq -e 'length == 3' "$TMP/identities.json" >/dev/null || fail "identities: $(jq -c '[.[].identifier_key]' "$TMP/identities.json")"
for fid in $(jq -r '.[].id' "$TMP/folders.json"); do
	sim_get "/v1/folders/$fid/files" | jq -e '[.[].file_name] | sort == ["a.md","b.md"]' >/dev/null ||
		fail "folder files: $(sim_get "/v1/folders/$fid/files" | jq -c '[.[].file_name]')"
done
sim_get "/v1/tools/?limit=1000" | jq -e '[.[] | select(.name | test("^tool_[0-9]$"))] | length == 3' >/dev/null ||
	fail "tools duplicated or missing"
expect_writes 0 sync
[ "$(changes)" -eq 0 ] || fail "not converged: $(cat "$TMP/diff.json")"
