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
} | manifest all.yaml

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
expect_writes 0 sync
[ "$(changes)" -eq 0 ] || fail "not converged: $(cat "$TMP/diff.json")"
