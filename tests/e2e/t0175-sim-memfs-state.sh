#!/usr/bin/env bash
# letta-sim MemFS (issue 24): the memory repositories survive --state save and load (history
# and all, as "memfs_repos" git bundles), GET/PUT /_sim/state carries them, and /_sim/reset
# empties them.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
st=$TMP/state.json
start_sim --state "$st" --seed 3
A=$(memfs_agent kept)
memfs_clone "$A" "$TMP/c"
write_md "$TMP/c/system/extra.md" "Extra" $'kept across restarts\n'
write_md "$TMP/c/reference/r.md" "Ref" $'reference too\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm extra
git_push "$TMP/c"
[ "$rc" -eq 0 ] || fail "push: $(cat "$TMP/git.err")"
sim_call PATCH "/v1/agents/$A/core-memory/blocks/human" '{"value":"Name: Saved\n"}'
head1=$(remote_main "$A")

sim_admin POST /_sim/save >/dev/null
jq -e --arg a "$A" '.memfs_repos[$a] | type == "string" and length > 100' "$st" >/dev/null ||
	fail "no repository in the state file: $(jq -c '.memfs_repos | keys' "$st")"
stop_sim

# Restart: the same main, the same history, the same blocks.
start_sim --state "$st" --seed 3
[ "$(remote_main "$A")" = "$head1" ] || fail "main after restart: $(remote_main "$A") != $head1"
memfs_clone "$A" "$TMP/after"
[ "$(git -C "$TMP/after" rev-list --count HEAD)" -eq 3 ] || fail "history after restart: $(git -C "$TMP/after" log --oneline)"
[ -f "$TMP/after/reference/r.md" ] || fail "reference/ lost across restart"
blocks_of "$A"
expect_blocks '.extra.value == "kept across restarts\n" and .human.value == "Name: Saved\n"'
# The old clone keeps working against the restored repository (on the new port).
git -C "$TMP/c" remote set-url origin "$(git_url "$A")"
sim_call PATCH "/v1/agents/$A/core-memory/blocks/extra" '{"value":"after restart\n"}'
git -C "$TMP/c" pull -q --ff-only 2>"$TMP/git.err" || fail "pull after restart: $(cat "$TMP/git.err")"
grep -qx 'after restart' "$TMP/c/system/extra.md" || fail "API write after restart"
head2=$(remote_main "$A")

# GET /_sim/state, reset, PUT it back: the repository returns.
sim_admin GET /_sim/state >"$TMP/snap.json"
sim_admin POST /_sim/reset >/dev/null
sim_call GET "/v1/git/$A/state.git/info/refs?service=git-upload-pack"
expect_status 404
if git ls-remote "$(git_url "$A")" >/dev/null 2>&1; then fail "the repository survived /_sim/reset"; fi
sim_admin PUT /_sim/state "$(cat "$TMP/snap.json")" >/dev/null || fail "PUT /_sim/state"
[ "$(remote_main "$A")" = "$head2" ] || fail "main after PUT /_sim/state"
# A broken bundle is refused and leaves an empty state.
bad=$(jq --arg a "$A" '.memfs_repos[$a] = "!!!"' "$TMP/snap.json")
status=$(curl -sS -o "$TMP/body" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' --data-binary "$bad" "$SIM_URL/_sim/state")
[ "$status" = 400 ] || fail "a broken bundle was accepted: $status $(cat "$TMP/body")"

# After a reset, a new agent gets a fresh repository.
sim_admin POST /_sim/reset >/dev/null
B=$(memfs_agent fresh)
memfs_clone "$B" "$TMP/fresh"
[ "$(git -C "$TMP/fresh" rev-list --count HEAD)" -eq 1 ] || fail "fresh repo history"
echo "ok"
