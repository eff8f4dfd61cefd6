#!/usr/bin/env bash
# restore under faults (5xx, dropped connections, lost replies, 429): each run either
# completes or fails naming what failed (exit 1), never duplicates an object; once the faults
# stop, running it again converges to the saved state, and a further run writes nothing.
# Also: the snapshot is refused when an export fails (the sync writes nothing then).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup --seed 27

fleet() { # BLOCKS-OF-THE-TEMPLATE [no-blocks]
	[ -n "${2-}" ] || cat <<YAML
apiVersion: letta.ai/v1
kind: Block
metadata: {name: a}
spec: {layer: project, label: a, value: "alpha"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: b}
spec: {layer: project, label: b, value: "beta"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: c}
spec: {layer: project, label: c, value: "gamma"}
---
YAML
	helper_yaml "You help."
	cat <<YAML
    blocks: $1
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: helper}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: ann}
spec: {layer: project, template: helper}
YAML
}
fleet '[{name: a}, {name: b}, {name: c}]' | manifest fleet.yaml
run sync
expect_rc 0
state() {
	{
		for l in a b c; do sim_get "/v1/blocks/?label=$l" | jq -cS "[.[] | {label: .label, value: .value, metadata: .metadata}]"; done
		for n in bob ann; do sim_get "/v1/agents/?name=$n" | jq -c '[.[] | [.blocks[].label] | sort]'; done
	}
}
saved=$(state)
sim_admin GET /_sim/state >"$TMP/synced.json"

fleet '[]' no-blocks | manifest fleet.yaml
run sync --prune
expect_rc 0
expect_out 'deleted Block/a'
id=$(ls .letta/snapshots | grep -E '^[0-9]{8}T')
[ -n "$id" ] || fail "no snapshot"

# Restore with faults, several seeds; each ends converged after one clean run.
faulted=0
for seed in 1 2 3; do
	curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @"$TMP/synced.json" \
		"$SIM_URL/_sim/state" >/dev/null
	# The pruned state again (blocks gone, agents without them).
	run sync --prune --no-snapshot
	expect_rc 0
	sim_admin PUT /_sim/faults "{\"seed\":$seed,\"error_rate\":0.2,\"drop_rate\":0.1,\"lost_reply_rate\":0.15,\"throttle_rate\":0.1,\"retry_after_s\":0}" >/dev/null
	run restore "$id"
	[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "seed $seed: exit $rc"
	echo "seed $seed: faulty restore exit $rc"
	faulted=$((faulted + rc))
	if [ "$rc" -eq 1 ]; then
		grep -qE 'error: |failed' "$TMP/err" || fail "seed $seed: a failure without a message"
	fi
	sim_admin PUT /_sim/faults '{"error_rate":0,"drop_rate":0,"lost_reply_rate":0,"throttle_rate":0}' >/dev/null
	for l in a b c; do
		n=$(sim_get "/v1/blocks/?label=$l" | jq length)
		[ "$n" -le 1 ] || fail "seed $seed: $n blocks labelled $l after a faulty restore"
	done
	run restore "$id"
	expect_rc 0
	[ "$(state)" = "$saved" ] || { for l in a b c; do sim_get "/v1/blocks/?label=$l" | jq -c "[.[] | [.id, .value, .metadata]]"; done; for n in bob ann; do sim_get "/v1/agents/?name=$n" | jq -c "[.[] | [.blocks[].label] ]"; done; cat .letta/snapshots/$id/content.json | jq -c ".agents[] | [.name, .touched]"; echo "$saved"; echo ---; state; fail "seed $seed: not converged"; }
	expect_writes 0 restore "$id"
	expect_rc 0
done
# The seeds are chosen so that the faults make some restore fail (else this tests nothing).
[ "$faulted" -ge 1 ] || fail "no faulty restore failed: the faults did not bite"

# The snapshot itself under faults: an export that fails refuses the sync (no write).
curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @"$TMP/synced.json" \
	"$SIM_URL/_sim/state" >/dev/null
n0=$(ls .letta/snapshots | grep -cE '^[0-9]{8}T')
sim_admin PUT /_sim/faults '{"error_rate":1.0}' >/dev/null
w0=$(writes)
run sync --prune
sim_admin PUT /_sim/faults '{"error_rate":0}' >/dev/null
expect_rc 1
[ "$(writes)" = "$w0" ] || fail "the sync wrote although its snapshot failed"
[ "$(ls .letta/snapshots | grep -cE '^[0-9]{8}T')" = "$n0" ] || fail "a failed snapshot was kept"
echo ok
