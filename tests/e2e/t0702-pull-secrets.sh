#!/usr/bin/env bash
# pull: MCP tokens, custom header values and stdio env values become ${ENV_VAR} references and
# never reach a file or stdout; unmanaged objects are written only with --all, with
# spec.managed: false; a configured secret compares equal to a reference, so diff is clean.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim
export LETTA_SYNC_PROJECT=secrets-$RANDOM
export TRACKER_TOKEN=tok_value_$RANDOM$RANDOM TRACKER_KEY=hdr_value_$RANDOM$RANDOM
FS_SECRET=env_value_$RANDOM$RANDOM
TOKEN_VALUE=$TRACKER_TOKEN HEADER_VALUE=$TRACKER_KEY

repo=$TMP/repo
mkdir -p "$repo/.letta/manifests/org"
cat >"$repo/.letta/manifests/org/mcp.yaml" <<'YAML'
apiVersion: letta.ai/v1
kind: MCPServer
metadata: {name: tracker}
spec:
  serverType: sse
  serverUrl: https://tracker.example.invalid/sse
  token: ${TRACKER_TOKEN}
  customHeaders: {X-Api-Key: "${TRACKER_KEY}"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: rules}
spec: {label: rules, value: "be careful", limit: 500}
YAML
cd "$repo"
run sync
expect_rc 0
sim_get "/v1/mcp-servers/" | jq -e --arg t "$TRACKER_TOKEN" '.[] | select(.server_name == "tracker") | .auth_token | endswith($t)' >/dev/null ||
	fail "the token did not reach the server"

# Objects letta-sync does not manage: a stdio server with a secret env value, and a block.
sim_call POST /v1/mcp-servers/ "{\"server_name\":\"local-fs\",\"config\":{\"mcp_server_type\":\"stdio\",\"command\":\"npx\",\"args\":[\"fs-server\"],\"env\":{\"FS_TOKEN\":\"$FS_SECRET\"}}}"
expect_status 200
pid=$(sim_get "/v1/projects?name=$LETTA_SYNC_PROJECT" | jq -r '.projects[0].id')
sim_call POST /v1/blocks/ "{\"label\":\"scratch\",\"value\":\"hand made\",\"project_id\":\"$pid\"}"
expect_status 200

secrets_absent() {
	local s
	for s in "$TOKEN_VALUE" "$HEADER_VALUE" "$FS_SECRET"; do
		if grep -rqF "$s" "$1" "$TMP/out" "$TMP/err"; then
			fail "a secret value was written or printed ($s)"
		fi
	done
}

mkdir "$TMP/a"
cd "$TMP/a"
run pull
expect_rc 0
secrets_absent .letta
grep -q 'token: \${TRACKER_TOKEN}' .letta/manifests/org/mcp-servers.yaml ||
	fail "token reference: $(cat .letta/manifests/org/mcp-servers.yaml)"
grep -q 'X-Api-Key: \${TRACKER_X_API_KEY}' .letta/manifests/org/mcp-servers.yaml ||
	fail "header reference: $(cat .letta/manifests/org/mcp-servers.yaml)"
! grep -q 'local-fs' .letta/manifests/org/mcp-servers.yaml || fail "an unmanaged server was pulled without --all"
! grep -q 'scratch' .letta/manifests/project/blocks.yaml || fail "an unmanaged block was pulled without --all"

# The secrets are not set here: a reference still compares equal to the configured secret.
unset TRACKER_TOKEN TRACKER_KEY
run diff --exit-code
expect_rc 0

# --all: the unmanaged objects too, marked managed: false, env values as references.
run pull --all --dry-run -v
expect_rc 0
secrets_absent .letta
run pull --all
expect_rc 0
secrets_absent .letta
grep -A12 'name: local-fs' .letta/manifests/org/mcp-servers.yaml >"$TMP/fs.yaml"
grep -q 'managed: false' "$TMP/fs.yaml" || fail "local-fs not managed: false: $(cat "$TMP/fs.yaml")"
grep -q 'FS_TOKEN: \${FS_TOKEN}' "$TMP/fs.yaml" || fail "env reference: $(cat "$TMP/fs.yaml")"
grep -B3 -A6 'label: scratch' .letta/manifests/project/blocks.yaml | grep -q 'managed: false' ||
	fail "scratch not managed: false: $(cat .letta/manifests/project/blocks.yaml)"
run validate
expect_rc 0
# managed: false objects are never touched: still nothing to do.
run diff --exit-code --json
expect_rc 0
expect_jq '(.data | length) == 0'
