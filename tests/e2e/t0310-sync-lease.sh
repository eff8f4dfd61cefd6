#!/usr/bin/env bash
# sync takes a lease in the inventory's metadata before writing: another live lease is refused
# (exit 1, LEASE_HELD, naming the holder) unless --break-lease; an expired one is not; a sync
# with nothing to write takes none; the lease is gone after the run.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

block() {
	manifest blocks.yaml <<YAML
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "$1"}
YAML
}
block v1
run sync
expect_rc 0
inv=$(sim_get "/v1/blocks/?label=letta_sync_inventory" | jq -r '.[0].id')
meta=$(sim_get "/v1/blocks/$inv" | jq -c '.metadata')
later=$(($(date +%s) + 300))

# Someone else holds a live lease.
sim_call PATCH "/v1/blocks/$inv" "{\"metadata\": $(jq -c --argjson e $later '. + {lease: {holder: "ci@runner-7 pid 42", expires: $e}}' <<<"$meta")}"
expect_status 200
expect_writes 0 sync            # nothing to write: no lease needed
block v2
expect_writes 0 sync
expect_rc 1
expect_err 'ci@runner-7 pid 42'
run sync --json
expect_rc 1
expect_jq '.ok == false and .error.code == "LEASE_HELD"'
run diff --json                 # diff never needs the lease
expect_rc 0

# --break-lease takes it over; afterwards no lease is left.
run sync --break-lease
expect_rc 0
sim_get "/v1/blocks/$inv" | jq -e '.metadata | has("lease") | not' >/dev/null ||
	fail "lease left behind: $(sim_get "/v1/blocks/$inv" | jq -c .metadata)"

# An expired lease is no obstacle.
sim_call PATCH "/v1/blocks/$inv" "{\"metadata\": $(jq -c '. + {lease: {holder: "old", expires: 1}}' <<<"$meta")}"
block v3
run sync
expect_rc 0

# A lease left by a sync that no longer runs on this machine is taken over with a warning
# (as git's gc.pid check does); one of a live process is not; "localhost" never counts.
host=$(hostname)
sleep 300 & live=$!
( exit 0 ) & dead=$!; wait $dead
for case in "dead:$dead:0" "live:$live:1" "localhost:$dead:1"; do
	IFS=: read -r what pid want <<<"$case"
	h=$host; [ "$what" = localhost ] && h=localhost
	sim_call PATCH "/v1/blocks/$inv" "{\"metadata\": $(jq -c --argjson e $later --arg h "ci@$h pid $pid" '. + {lease: {holder: $h, expires: $e}}' <<<"$meta")}"
	expect_status 200
	block "v-$what"
	run sync
	expect_rc "$want"
	if [ "$want" = 0 ]; then
		expect_err "taking over the lease of ci@$h pid $pid"
	else
		expect_err "ci@$h pid $pid"
	fi
done
kill $live 2>/dev/null || true
