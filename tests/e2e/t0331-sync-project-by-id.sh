#!/usr/bin/env bash
# Slug, id and slug:id name the same project and the same inventory (issue 20 item 1): after a
# sync of examples/ by slug, sync/diff/status by the project's id or by slug:id see no drift and
# write nothing (they used to create 5 duplicate shared blocks and a second inventory, report 7
# false conflicts and exit 1); an id the server does not know, alone or in slug:id, and a
# slug:id whose parts name different projects are refused before any write, naming the id; a
# slug that does not exist yet is still created by sync.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
needs_sim
start_sim
export GITHUB_TOKEN=ghp_byid_$RANDOM
cp -r "$LS_SOURCE_DIR/examples" "$TMP/examples"
cd "$TMP/examples"

state() {
	sim_get /_sim/state | jq -S -c '{projects: [.projects[].id] | sort,
		blocks: [.blocks[] | [.label, .id]] | sort, agents: [.agents[].id] | sort,
		folders: [.folders[].id] | sort, mcp: [.mcp_servers[].id] | sort,
		identities: [.identities[].id] | sort}'
}

run sync
expect_rc 0
id=$(sim_get /_sim/state | jq -r '.projects[] | select(.slug == "demo") | .id')
[ -n "$id" ] || fail "no project 'demo' after the first sync"
state >"$TMP/state.json"

for ref in "$id" "demo:$id"; do
	expect_writes 0 sync --project "$ref"
	expect_rc 0
	expect_out 'Already in sync'
	run diff --project "$ref" --json
	expect_rc 0
	expect_jq '.ok == true and (.data | length) == 0'
	run status --project "$ref"
	expect_rc 0
	n=$(grep -c 'Drift: *in sync' "$TMP/out" || true)
	[ "$n" -eq 4 ] || fail "status --project $ref shows drift: $(cat "$TMP/out")"
	state | cmp -s - "$TMP/state.json" || fail "--project $ref changed the server: $(state)"
done

# Unknown ids and disagreeing pairs: refused before any write, naming the id.
unknown=0b7c6a52-1111-4222-8333-444455556666
for ref in "$unknown" "demo:$unknown"; do
	for cmd in sync diff status; do
		expect_writes 0 "$cmd" --project "$ref"
		[ "$rc" -ne 0 ] || fail "$cmd --project $ref was accepted"
		expect_err "project id '$unknown' not found"
	done
done
expect_writes 0 sync --project "other:$id"
[ "$rc" -ne 0 ] || fail "sync --project other:$id was accepted"
expect_err "id '$id' is the project 'demo', not 'other'"
state | cmp -s - "$TMP/state.json" || fail "a refused run changed the server: $(state)"

# A slug that does not exist yet is still created by sync.
mkdir -p "$TMP/fresh/.letta/manifests/project"
cd "$TMP/fresh"
cat >.letta/manifests/project/b.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: note}
spec: {layer: project, label: note, value: "hello"}
YAML
run sync --project fresh-one
expect_rc 0
[ "$(sim_get /_sim/state | jq '[.projects[] | select(.slug == "fresh-one")] | length')" -eq 1 ] ||
	fail "sync did not create the project 'fresh-one'"
