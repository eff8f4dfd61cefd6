#!/usr/bin/env bash
# diff --format markdown (the PR comment) against a golden file: a fixed config
# (tests/fixtures/diff-markdown/{,mcp-}v1.yaml synced, then the v2 files) on a seeded simulator, ids
# masked. Breaking changes (a limit below the content, an orphan, a model change, a detach) and
# the downgrade are flagged; the MCP token is a secret: configured or not, never its value.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup --seed 42
FIX=$LS_SOURCE_DIR/tests/fixtures/diff-markdown
export LETTA_SYNC_PROJECT=golden
export DOCS_MCP_TOKEN=sk-docs-very-secret-4711

mkdir -p "$REPO/.letta/manifests/org"
cp "$FIX/mcp-v1.yaml" "$REPO/.letta/manifests/org/mcp.yaml"
manifest all.yaml <"$FIX/v1.yaml"
run sync --concurrency 1
expect_rc 0
# pat was moved to a newer version elsewhere: a downgrade.
pat=$(sim_get "/v1/agents/?name=pat" | jq -r '.[0].id')
tags=$(sim_get "/v1/agents/$pat" | jq -c '[.tags[] | select(startswith("version:") | not)] + ["version:9.0.0"]')
sim_call PATCH "/v1/agents/$pat" "{\"tags\": $tags}"
expect_status 200

cp "$FIX/mcp-v2.yaml" "$REPO/.letta/manifests/org/mcp.yaml"
manifest all.yaml <"$FIX/v2.yaml"
run diff --format markdown
expect_rc 0
grep -qF "$DOCS_MCP_TOKEN" "$TMP/out" && fail "the MCP token appeared in the report"
sed -E 's/(agent|block|tool|mcp_server|source|identity)-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/\1-ID/g; s/[0-9a-f]{64}/HASH/g' \
	"$TMP/out" >"$TMP/got.md"
if [ -n "${LS_UPDATE_GOLDEN:-}" ]; then
	cp "$TMP/got.md" "$FIX/expected.md"
fi
diff -u "$FIX/expected.md" "$TMP/got.md" >&2 || fail "the markdown report differs from $FIX/expected.md (LS_UPDATE_GOLDEN=1 rewrites it)"
# The flags the golden file must show, checked on their own so that a rewrite cannot lose them.
grep -qE '^\| `!` \| Agent \| pat \| .* \| downgrade \| :warning: yes \|$' "$TMP/got.md" || fail "downgrade not flagged"
grep -qE '^\| `~` \| Block \| faq \| .* \| update \| :warning: yes \|$' "$TMP/got.md" || fail "the limit below the content is not breaking"
grep -qE '^\| .* \| Block \| retired \| .* \| orphan \| :warning: yes \|$' "$TMP/got.md" || fail "the orphan is not flagged"
grep -qE 'MCPServer/docs' "$TMP/got.md" || fail "the MCP server change is missing"
grep -qE '^:warning: \*\*[0-9]+ change\(s\)\*\* including breaking ones' "$TMP/got.md" || fail "no breaking summary"
