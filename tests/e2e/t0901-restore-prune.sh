#!/usr/bin/env bash
# sync --prune takes a snapshot before its first write (blocks, the tool, the agent that used
# them and its agent file, the plan; mode 0600, gitignored, no secret the server returned);
# restore gives back byte-identical blocks and the tool, and re-attaches them to the agent;
# the next diff shows the prune again (orphans), not a conflict; a second restore writes
# nothing; snapshots lists it (--json .data[] shape) and --prune-older-than removes old ones.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

blocks_yaml() {
	cat <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: shared, description: "Rules for all"}
spec: {layer: project, label: shared, value: "used by ünïcode many\nline two", limit: 4000}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: lonely}
spec: {layer: project, label: lonely, value: "used by none"}
---
YAML
	lookup_tool_yaml
	echo ---
}
{ blocks_yaml; bob_yaml '[{name: shared}]' '[{name: lookup}]'; } | manifest all.yaml
run sync
expect_rc 0
bob=$(sim_get "/v1/agents/?name=bob" | jq -r '.[0].id')
# A secret set on the agent by hand: the export carries it, the snapshot must not.
sim_call PATCH "/v1/agents/$bob" '{"secrets":{"SERVICE_TOKEN":"s3cr3t-agent-value-123"}}'
expect_status 200
strip='del(.id, .created_at, .updated_at, .project_id)'
for l in shared lonely; do
	sim_get "/v1/blocks/?label=$l" | jq ".[0] | $strip" >"$TMP/before-$l.json"
done
sim_get "/v1/tools/?name=lookup" | jq ".[0] | $strip" >"$TMP/before-tool.json"
attached() {
	sim_get "/v1/agents/$bob?include=agent.blocks&include=agent.tools" |
		jq -c '[([.blocks[].label] | sort), ([.tools[].name] | sort)]'
}
attached >"$TMP/before-att"

# Additions take no snapshot.
[ ! -d .letta/snapshots ] || fail "a sync that only creates took a snapshot"

# Everything leaves git; the prune deletes both blocks and the tool (bob loses them).
bob_yaml '[]' '[]' | manifest all.yaml
run sync --prune
expect_rc 0
expect_out 'deleted Block/shared'
expect_out 'deleted Tool/lookup'
expect_err "snapshot [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6} saved: 'letta-sync restore"
id=$(sed -nE 's/.*snapshot ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}) saved.*/\1/p' "$TMP/err")
dir=.letta/snapshots/$id
[ -f "$dir/snapshot.json" ] && [ -f "$dir/content.json" ] && [ -f "$dir/plan.json" ] &&
	[ -f "$dir/agents/$bob.af" ] || fail "incomplete snapshot: $(find "$dir")"
bad=$(find .letta/snapshots -mindepth 1 -not -name .gitignore \( -type f -not -perm 600 -o -type d -not -perm 700 \))
[ -z "$bad" ] || fail "snapshot files are not private: $bad"
grep -rq 's3cr3t-agent-value-123' .letta/snapshots && fail "the agent's secret is in the snapshot"
[ -z "$(git status --porcelain)" ] || fail "the snapshot shows in git status: $(git status --porcelain)"
jq -e '.objects | map(.kind + "/" + .name) | sort == ["Block/lonely","Block/shared","Tool/lookup"]' \
	"$dir/content.json" >/dev/null || fail "objects: $(jq -c '.objects | map(.name)' "$dir/content.json")"
jq -e --arg b "$bob" '.agents | length == 1 and .[0].id == $b' "$dir/content.json" >/dev/null ||
	fail "bob is not in the snapshot"
[ "$(attached)" = '[[],[]]' ] || fail "prune did not detach: $(attached)"

run snapshots --json
expect_rc 0
expect_jq '.data | length == 1'
expect_jq ".data[0] | .id == \"$id\" and .command == \"sync\" and (.commit | length) == 40
	and .contents.blocks == 2 and .contents.tools == 1 and .contents.agents == 1
	and .size > 0 and (.time | test(\"^[0-9-]{10}T[0-9:]{8}Z$\"))
	and (keys == [\"command\",\"commit\",\"contents\",\"id\",\"size\",\"time\"])"
run snapshots
expect_rc 0
expect_out "^$id  .* sync "

# Dry run: plans the restore, writes nothing.
expect_writes 0 restore "$id" --dry-run
expect_rc 0
expect_out '^\+ Block/shared: create'

# Someone else holds the project's lease: restore waits for it like sync (nothing written).
inv=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -r '.[0].id')
meta=$(sim_get "/v1/blocks/$inv" | jq -c .metadata)
later=$(($(date +%s) + 600))
sim_call PATCH "/v1/blocks/$inv" "{\"metadata\": $(jq -c --argjson e $later '. + {lease: {holder: "ci@runner-7 pid 42", expires: $e}}' <<<"$meta")}"
expect_writes 0 restore "$id"
expect_rc 1
expect_err 'ci@runner-7 pid 42'
sim_call PATCH "/v1/blocks/$inv" "{\"metadata\": $meta}"

# Byte-identical: the same fields in the same order as the server wrote them.
# Restore: the lease, 2 blocks, the tool (PUT, then its markers), bob's PATCH, the inventory,
# the lease released.
expect_writes 8 restore "$id"
expect_rc 0
expect_out 're-created Block/shared'
expect_out 're-created Tool/lookup'
expect_out 'restored Agent/bob'
for l in shared lonely; do
	sim_get "/v1/blocks/?label=$l" | jq ".[0] | $strip" >"$TMP/after-$l.json"
	cmp -s "$TMP/before-$l.json" "$TMP/after-$l.json" ||
		fail "block $l differs: $(diff "$TMP/before-$l.json" "$TMP/after-$l.json")"
done
sim_get "/v1/tools/?name=lookup" | jq ".[0] | $strip" >"$TMP/after-tool.json"
cmp -s "$TMP/before-tool.json" "$TMP/after-tool.json" ||
	fail "tool differs: $(diff "$TMP/before-tool.json" "$TMP/after-tool.json")"
[ "$(attached)" = "$(cat "$TMP/before-att")" ] ||
	fail "attachments not restored: $(attached) vs $(cat "$TMP/before-att")"

# The inventory records them again: diff shows the prune (orphans), not a conflict.
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.action == "conflict")] | length == 0'
expect_jq '[.data[] | select(.action == "orphan") | .kind + "/" + .name] | sort ==
	["Block/lonely","Block/shared","Tool/lookup"]'

sim_get "/v1/blocks/$inv" | jq -e '.metadata | has("lease") | not' >/dev/null || fail "lease left behind"

# Twice: everything is in place, nothing is written.
expect_writes 0 restore "$id"
expect_rc 0
expect_out 'Nothing to restore'

# --only and usage errors.
run restore "$id" --only Blok/x
expect_rc 64
expect_err "expected <Kind>/<name>"
run restore 20200101T000000Z-000000
expect_rc 1
expect_err "no snapshot '20200101T000000Z-000000'"

# --no-snapshot: said so; nothing saved.
run sync --prune --no-snapshot
expect_rc 0
expect_err 'no snapshot taken \(--no-snapshot\)'
[ "$(ls .letta/snapshots | wc -l)" = 1 ] || fail "--no-snapshot saved one"

# Prune by age: a snapshot from 2020 goes, today's stays.
cp -a "$dir" .letta/snapshots/20200101T000000Z-abcdef
run snapshots --prune-older-than 30d
expect_rc 0
expect_out 'removed 20200101T000000Z-abcdef'
[ -d "$dir" ] && [ ! -e .letta/snapshots/20200101T000000Z-abcdef ] || fail "prune by age"
run snapshots --prune-older-than 30x
expect_rc 64
echo ok
