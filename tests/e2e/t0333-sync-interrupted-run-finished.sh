#!/usr/bin/env bash
# An interrupted run leaves no false conflict and no unmanaged object (issue 20 item 5): a first
# sync of examples/ against a slow server (200 ms per request) is stopped by Ctrl-C (SIGINT)
# and, on a fresh server, by SIGKILL, at a few points of its run. Every next sync exits 0 with no
# conflict (it used to report `Folder/handbook: edited outside git` and an MCP server "not
# managed by letta-sync", exit 1, until --force), every object is on the server once, the folder
# and the MCP server are in the inventory with no write-ahead intent left, and one more sync
# sends 0 writes. The deterministic version of the kill points is
# test_plan__intent_makes_a_killed_runs_objects_its_own (tests/unit/test_plan.c).
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
export GITHUB_TOKEN=ghp_interrupt_$RANDOM
cp -r "$LS_SOURCE_DIR/examples" "$TMP/examples"
cd "$TMP/examples"

for point in INT:1.5 KILL:1.5 INT:0.9 KILL:2.5; do
	sig=${point%%:*} at=${point#*:}
	# A new server each round, whose agent ids may repeat the last one's: the memory cache of
	# the old server (notes-bot's) would read as a history the server rewrote.
	rm -rf .letta/cache
	start_sim --latency-ms 200
	"$LS_BIN" sync >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep "$at"
	kill -"$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "SIG$sig at $at s: sync did not stop within 30 s"
	wait "$pid" 2>/dev/null || true
	# What the killed run had sent still lands: a server handles a request it received even
	# when the client is gone (here after the 200 ms latency). The re-run starts once none is
	# in flight, as a user's re-run would; otherwise it races the killed run's POST
	# /v1/projects and both create the project (a second 'demo').
	for _ in $(seq 1 300); do
		[ "$(sim_stats | jq .open_connections)" -eq 0 ] && break
		sleep 0.1
	done
	[ "$(sim_stats | jq .open_connections)" -eq 0 ] ||
		fail "SIG$sig at $at s: the killed run's requests were still in flight after 30 s"
	sim_admin PUT /_sim/faults '{"latency_ms":0}' >/dev/null

	run sync
	[ "$rc" -eq 0 ] || fail "SIG$sig at $at s: the next sync exited $rc: $(cat "$TMP/err")"
	grep -q conflict "$TMP/err" && fail "SIG$sig at $at s: the next sync reported a conflict: $(cat "$TMP/err")"
	sim_get /_sim/state >"$TMP/state.json"
	jq -e '
		(.blocks | map(select(.label == "letta_sync_inventory")) | .[0].value | fromjson) as $inv
		| ([$inv.objects[] | .id]) as $rec
		| (.folders[0].id // "") as $fid | (.mcp_servers[0].id // "") as $mid
		| (.projects | length) == 1
		and ([.blocks[] | select(.label == "letta_sync_inventory")] | length) == 1
		and ([.agents[] | select(.name == "notes-bot") | ._blocks[]?] as $mine
			| [.blocks[] | select(.label == "persona" and (.id as $i | $mine | index($i) | not))] | length) == 1
		and ([.agents[].name] | sort) == ["docs-bot", "notes-bot", "release-bot", "review-bot"]
		and ([.folders[].name]) == ["handbook"]
		and ([.mcp_servers[].server_name]) == ["github"]
		and ([.identities[]] | length) == 1
		and ($rec | index($fid)) != null
		and ($rec | index($mid)) != null
		and (($inv.intent // []) | length) == 0' "$TMP/state.json" >/dev/null ||
		fail "SIG$sig at $at s: the server is not examples/ once, fully recorded: $(jq -c '{blocks: [.blocks[].label], agents: [.agents[].name], folders: [.folders[].name], mcp: [.mcp_servers[].server_name], inventory: (.blocks | map(select(.label == "letta_sync_inventory")) | .[0].value | fromjson)}' "$TMP/state.json")"
	before=$(sim_stats | jq .writes)
	run sync
	expect_rc 0
	[ "$(sim_stats | jq .writes)" -eq "$before" ] || fail "SIG$sig at $at s: the sync after the re-run wrote: $(cat "$TMP/out")"
done
