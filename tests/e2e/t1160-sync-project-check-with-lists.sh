#!/usr/bin/env bash
# A project given by id (slug:id, as .letta/project.json gives it) is checked against the
# project list (issue 20) in the same round as the first lists, which need only the id (issue
# 26): a no-op re-sync is 3 requests in 1 round. The check still decides before any write: a
# failed check (an unknown id, a slug:id that disagrees, a project list that fails) gives
# exactly the error and exit code it gave when it ran alone, and writes nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup

block() { # NAME VALUE
	printf 'apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: %s}\nspec: {layer: project, label: %s, value: "%s"}\n---\n' "$1" "$1" "$2"
}
{ block one a; block two b; block three c; } | manifest blocks.yaml
run sync
expect_rc 0
slug=$LETTA_SYNC_PROJECT
id=$(sim_get "/v1/projects?name=$slug" | jq -r --arg s "$slug" '.projects[] | select(.slug == $s) | .id')
[ -n "$id" ] || fail "no project '$slug' after the first sync"
state() { sim_get /_sim/state | jq -S -c '{blocks: [.blocks[] | [.label, .value, .id]] | sort, projects: [.projects[].id] | sort}'; }

# count ROUTE: requests on a route since the last reset.
count() { sim_stats | jq --arg r "$1" '.requests[$r] // 0'; }

# The no-op re-sync by slug:id: the check and the two lists, nothing else.
export LETTA_SYNC_PROJECT=$slug:$id
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(sim_stats | jq -c '[.total, .writes]')" = "[3,0]" ] ||
	fail "a no-op re-sync by slug:id made $(sim_stats | jq -c .requests)"
for r in "GET /v1/projects" "GET /v1/blocks/" "GET /v1/agents/"; do
	[ "$(count "$r")" -eq 1 ] || fail "$r: $(count "$r") requests, expected 1"
done

# The lists do not wait for the check's answer: with the project list failing (no retry), they
# have gone out all the same (they were 0 while the check ran first), and the run fails with
# the project list's error, writing nothing. A manifest change makes sure a write was due.
{ block one changed; block two b; block three c; } | manifest blocks.yaml
state >"$TMP/state.json"
sim_admin PUT /_sim/faults '{"routes":["GET /v1/projects"],"error_rate":1}' >/dev/null
for json in "" --json; do
	sim_admin POST /_sim/stats/reset >/dev/null
	LETTA_SYNC_MAX_RETRIES=0 expect_writes 0 sync $json
	expect_rc 1
	[ "$(count "GET /v1/projects")" -eq 1 ] || fail "the project list was asked $(count "GET /v1/projects") times"
	[ "$(count "GET /v1/blocks/")" -eq 1 ] && [ "$(count "GET /v1/agents/")" -eq 1 ] ||
		fail "the lists did not go out with the project check: $(sim_stats | jq -c .requests)"
	if [ -z "$json" ]; then
		expect_err '^error: GET /v1/projects: server error 50[03] on the project list'
	else
		expect_jq '.ok == false and .error.code == "API" and (.error.message | test("project list"))'
	fi
done
sim_admin PUT /_sim/faults '{"error_rate":0}' >/dev/null
state | cmp -s - "$TMP/state.json" || fail "a failed project check changed the server"

# An id the server does not know, and a slug:id whose parts disagree: refused as before, no
# write, though the lists were read.
unknown=0b7c6a52-1111-4222-8333-444455556666
for ref in "$unknown" "$slug:$unknown"; do
	sim_admin POST /_sim/stats/reset >/dev/null
	expect_writes 0 sync --project "$ref"
	expect_rc 1
	expect_err "^error: GET /v1/projects: project id '$unknown' not found on the server$"
	expect_err "^hint: 'letta-sync projects list' shows the projects and their ids; check --project$"
	[ "$(count "GET /v1/blocks/")" -eq 1 ] || fail "--project $ref: the blocks list did not go out with the check"
done
expect_writes 0 sync --project "other:$id"
expect_rc 64
expect_err "^error: project 'other:$id': id '$id' is the project '$slug', not 'other'$"
state | cmp -s - "$TMP/state.json" || fail "a refused project changed the server"

# The right id writes the change that was due.
run sync
expect_rc 0
expect_out '^updated Block/one$'
[ "$(sim_get /_sim/state | jq -r '.blocks[] | select(.label == "one") | .value')" = changed ] ||
	fail "the change was not written"
