# Helpers of the reliability drills (tests/drills/drill-*.sh, issue 15); sourced after
# tests/e2e/lib-e2e.sh and lib-sync.sh. DRILL_SIZE=quick (the ctest) or full (make drills).

DRILL_SIZE=${DRILL_SIZE:-quick}
# Every captured output of a drill is copied to $DRILL_CAPTURE (if set) for drill-secrets.sh.
DRILL_CAPTURE=${DRILL_CAPTURE:-}

# drill_fleet: the fleet of bench/gen-fleet.py at the drill's size, with folders (two files
# each) and MCP servers (the template uses folder_0 and mcp_0's tools), committed in $REPO.
drill_fleet() {
	case "$DRILL_SIZE" in
	full) NB=500 NT=50 NA=100 NP=10 NF=10 NM=3 ;;
	*) NB=${DRILL_NB:-30} NT=${DRILL_NT:-6} NA=${DRILL_NA:-6} NP=${DRILL_NP:-3}
	   NF=${DRILL_NF:-2} NM=${DRILL_NM:-1} ;;
	esac
	python3 "$LS_SOURCE_DIR/bench/gen-fleet.py" "$REPO" --blocks "$NB" --tools "$NT" \
		--agents "$NA" --private "$NP" --folders "$NF" --mcp "$NM" "$@"
	git -C "$REPO" add -A
	git -C "$REPO" commit -q -m "fleet $*"
}

# capture NAME: keeps $TMP/out and $TMP/err of the last run for the secrets scan.
capture() {
	[ -n "$DRILL_CAPTURE" ] || return 0
	mkdir -p "$DRILL_CAPTURE"
	cp "$TMP/out" "$DRILL_CAPTURE/$TEST_NAME.$1.out" 2>/dev/null || true
	cp "$TMP/err" "$DRILL_CAPTURE/$TEST_NAME.$1.err" 2>/dev/null || true
}

# check_fleet [DRIFT]: the simulator holds the fleet exactly once: one project, each shared
# block, tool, folder (with each of its files once), MCP server and agent once, NA x NP private
# blocks, one inventory that records every folder and MCP server (none unmanaged) and holds no
# unfinished intent, each agent with its 2 + NP blocks, its 2 tools plus mcp_0's, folder_0, and
# (DRIFT=1) the drifted values. Fails naming what is wrong.
check_fleet() {
	local drift=${1:-0} problems
	sim_admin GET /_sim/state >"$TMP/state.json"
	problems=$(jq -r --arg p "$LETTA_SYNC_PROJECT" --argjson nb "$NB" --argjson nt "$NT" \
		--argjson na "$NA" --argjson np "$NP" --argjson nf "$NF" --argjson nm "$NM" \
		--argjson drift "$drift" '
		(.projects | map(select(.slug == $p))) as $ps
		| ($ps[0].id // "") as $pid
		| (.blocks | map(select(.project_id == $pid))) as $b
		| (.agents | map(select(.project_id == $pid))) as $a
		| (.tools | map(select(.name | test("^tool_[0-9]+$")))) as $t
		| (.folders | map(select(.name | test("^folder_[0-9]+$")))) as $f
		| (.mcp_servers | map(select(.server_name | test("^mcp_[0-9]+$")))) as $m
		| ((.tools | map(select((.tags // []) | index("mcp:mcp_0")))) | length) as $nmt
		| (.files) as $files
		| ($b | map(select(.label == "letta_sync_inventory")) | .[0].value // "{}" | fromjson) as $inv
		| ([$inv.objects[]? | .id]) as $recorded
		| def dups(xs; f): xs | group_by(f) | map(select(length > 1) | "duplicate \(.[0] | f) x\(length)") | .[];
		[ (if ($ps | length) != 1 then "projects named \($p): \($ps | length)" else empty end),
		  dups($b | map(select(.label | test("^(shared_[0-9]+|letta_sync_inventory)$"))); .label),
		  dups($t; .name), dups($a; .name),
		  ($b | map(select(.label | test("^shared_"))) | length) as $n
		  | (if $n != $nb then "shared blocks: \($n), want \($nb)" else empty end),
		  ($b | map(select(.label == "letta_sync_inventory")) | length) as $n
		  | (if $n != 1 then "inventories: \($n)" else empty end),
		  ($b | map(select(.label | test("^private_"))) | length) as $n
		  | (if $n != $na * $np then "private blocks: \($n), want \($na * $np)" else empty end),
		  ($t | length) as $n | (if $n != $nt then "tools: \($n), want \($nt)" else empty end),
		  ($t | map(select(.metadata_.managed_by != "letta-sync")) | .[] | "tool \(.name) unmarked"),
		  ($a | length) as $n | (if $n != $na then "agents: \($n), want \($na)" else empty end),
		  ($a | .[] | select((._blocks | length) != 2 + $np or (._tools | length) != 2 + $nmt
				    or (._sources | length) != (if $nf > 0 then 1 else 0 end))
		   | "agent \(.name): \(._blocks | length) blocks, \(._tools | length) tools, \(._sources | length) folders"),
		  dups($f; .name), dups($m; .server_name),
		  ($f | length) as $n | (if $n != $nf then "folders: \($n), want \($nf)" else empty end),
		  ($m | length) as $n | (if $n != $nm then "MCP servers: \($n), want \($nm)" else empty end),
		  (if $nm > 0 and $nmt == 0 then "mcp_0 offers no tool" else empty end),
		  ($f | .[] | .id as $id | [$files[] | select(.source_id == $id) | .file_name] | sort
		   | select(. != ["doc_0.md", "doc_1.md"]) | "folder files: \(.)"),
		  ($f + $m | .[] | select(.id as $id | $recorded | index($id) | not)
		   | "unmanaged leftover: \(.name // .server_name) (\(.id)) is not in the inventory"),
		  (if ($inv.intent // [] | length) > 0 then "unfinished intent left: \($inv.intent)" else empty end),
		  (if $drift == 1 then
			($b | map(select(.label == "shared_0" and ((.value | endswith("(edited)")) | not))) | .[] | "shared_0 not drifted"),
			($a | map(select(.name == "agent_0" and .system != "You are worker 0.")) | .[] | "agent_0 not drifted")
		   else empty end)
		] | .[]' "$TMP/state.json")
	[ -z "$problems" ] || fail "the server is not the fleet: $(echo "$problems" | head -20)"
}

# drill_now_ms: milliseconds since the epoch.
drill_now_ms() {
	date +%s%3N
}
