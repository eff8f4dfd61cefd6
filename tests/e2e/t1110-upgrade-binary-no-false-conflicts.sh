#!/usr/bin/env bash
# Upgrading letta-sync does not make what the previous version synced look edited outside git
# (issue 22 item 3, issue 23): examples/ synced by a letta-sync built from the previous release
# (the latest vX.Y.Z tag before HEAD; c4b786a, the commit before hashes had versions, while the
# repository has no tag), then synced by this one: exit 0, no conflict, not one write
# (/_sim/stats). Then a change in git of each shared kind (a marker in metadata, in metadata_,
# in an identity property, and an MCP server's inventory-only record) is an update, not
# "edited outside git", and the run after it writes nothing.
#
# This is what guards the versioned hash (src/core/ownership.h): a managed field added to a
# kind's view without a bump of OWN_HASH_VERSION and a row in that kind's table fails here.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-oldbin.sh"
needs_sim
ref=$(release_ref)
ref=${ref:-c4b786a9a6c12d679b82bed24b99f3691b510eb2}
old_bin "$ref"
old_examples

run_old sync --json
[ "$rc" -eq 0 ] || fail "letta-sync of $ref: sync exited $rc: $(cat "$TMP/err")"
created=$(jq '.data.summary.created' "$TMP/out")
[ "$created" -gt 10 ] || fail "letta-sync of $ref created $created objects"
sim_admin POST /_sim/stats/reset >/dev/null

# This build: nothing to do, nothing written.
run diff --json
expect_rc 0
expect_jq '.data | length == 0'
expect_writes 0 sync --json
expect_rc 0
expect_jq '.data.summary.conflicts == 0 and .data.summary.created == 0 and .data.summary.updated == 0'
expect_jq '.data.summary.unchanged > 10'
sim_stats | jq -e '.writes == 0' >/dev/null || fail "writes after the upgrade: $(sim_stats | jq -c .requests)"

# A change in git of each shared kind is applied as a change of the manifest.
sed -i 's/agents-config: the GitOps/agents-config (v2): the GitOps/' .letta/manifests/project/blocks.yaml
sed -i 's/description: Open a ticket in the Acme tracker\./description: Open a ticket (v2)./' \
	.letta/manifests/org/tools.yaml
sed -i 's|serverUrl: https://api.githubcopilot.com/mcp/|serverUrl: https://api.githubcopilot.com/mcp/v2/|' \
	.letta/manifests/org/mcp.yaml
sed -i 's/value: "4200"/value: "4300"/' .letta/manifests/org/identities.yaml
sed -i 's/Consult the handbook before/Always consult the handbook before/' \
	.letta/manifests/org/folders.yaml
git commit -q -am "v2 of each shared kind"
run sync --json
expect_rc 0
expect_jq '.data.summary.conflicts == 0'
# (The agent that uses the MCP server gets its re-listed tools: an agent update, not counted.)
jq -c '[.data.changes[] | select(.action != "none" and .kind != "Agent") | "\(.kind)/\(.name) \(.action)"] | sort' \
	"$TMP/out" >"$TMP/got"
echo '["Block/project_context update","Folder/handbook update","Identity/acme-eng update","MCPServer/github update","Tool/create_ticket update"]' |
	jq -c . | cmp -s - "$TMP/got" || fail "after the edits: $(cat "$TMP/got"); stdout: $(cat "$TMP/out")"
expect_writes 0 sync --json
expect_rc 0
expect_jq '.data.summary.conflicts == 0 and .data.summary.updated == 0'
