#!/usr/bin/env bash
# letta-sim MemFS (issue 24): the fault knobs apply to the git routes too. A 500 or a dropped
# connection comes before anything changes; a lost reply comes after the push was applied
# (main moved, the blocks changed) while git only sees a failure; faulted requests are counted.
# The `routes` knob aims the rates at receive-pack alone.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
start_sim
A=$(memfs_agent faulty)
memfs_clone "$A" "$TMP/c"
main0=$(remote_main "$A")
faults() { sim_admin PUT /_sim/faults "$1" >/dev/null || fail "PUT /_sim/faults $1"; }
faults "{\"routes\":[\"$RP\"]}"
sim_admin GET /_sim/faults | jq -e --arg r "$RP" '.routes == [$r]' >/dev/null || fail "routes knob: $(sim_admin GET /_sim/faults)"

write_md "$TMP/c/system/f.md" "F" $'faulted\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm f

# A 500/503: the push fails, nothing changes.
faults '{"error_rate":1}'
git_push "$TMP/c"
faults '{"error_rate":0}'
[ "$rc" -ne 0 ] || fail "push succeeded under error_rate 1"
grep -qE '50[03]' "$TMP/git.err" || fail "no 5xx in: $(cat "$TMP/git.err")"
[ "$(remote_main "$A")" = "$main0" ] || fail "a 5xx push moved main"
blocks_of "$A"
expect_blocks 'has("f") | not'

# A dropped connection: nothing changes.
sim_admin POST /_sim/stats/reset >/dev/null
faults '{"drop_rate":1}'
git_push "$TMP/c"
faults '{"drop_rate":0}'
[ "$rc" -ne 0 ] || fail "push succeeded under drop_rate 1"
[ "$(remote_main "$A")" = "$main0" ] || fail "a dropped push moved main"
[ "$(stat_count "$RP")" -ge 1 ] || fail "faulted receive-packs are not counted: $(sim_stats)"
blocks_of "$A"
expect_blocks 'has("f") | not'

# A lost reply: the push is applied, git sees a failure; a fetch shows the server has it.
faults '{"lost_reply_rate":1}'
git_push "$TMP/c"
faults '{"lost_reply_rate":0}'
[ "$rc" -ne 0 ] || fail "git saw success through a lost reply"
[ "$(remote_main "$A")" = "$(git -C "$TMP/c" rev-parse HEAD)" ] || fail "a lost reply's push was not applied"
blocks_of "$A"
expect_blocks '.f.value == "faulted\n"'
# Pushing again converges: nothing left to send.
git_push "$TMP/c"
[ "$rc" -eq 0 ] || fail "push after a lost reply: $(cat "$TMP/git.err")"

# The other routes were never faulted (routes knob), and the knob resets to every route.
faults '{"routes":[]}'
sim_admin GET /_sim/faults | jq -e '.routes == []' >/dev/null || fail "routes reset"
status=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' --data-binary '{"routes":"x"}' "$SIM_URL/_sim/faults")
[ "$status" = 400 ] || fail "a bad routes knob: $status"
echo "ok"
