#!/usr/bin/env bash
# Faults on the git routes (issue 25): a push whose reply is lost is settled by fetching (the
# commit landed: success, no second push); a push refused every time (409 on receive-pack) is
# retried a bounded number of times, then reported (exit 1), and main is unchanged.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
mem_setup

# Lost reply: the push lands, its answer does not.
sed -i 's/^seven$/SEVEN (git)/' memory/mem/system/persona.md
git commit -qam "git edit"
sim_admin PUT /_sim/faults "{\"routes\":[\"$RP\"],\"lost_reply_rate\":1}" >/dev/null
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes after a lost reply: $(sim_stats)"
git -C "$TMP/c" pull -q --ff-only
grep -qx 'SEVEN (git)' "$TMP/c/system/persona.md" || fail "the lost-reply push did not land"
[ "$(git -C "$TMP/c" rev-list --first-parent --count HEAD)" -eq 3 ] || fail "history: $(git -C "$TMP/c" log --oneline --first-parent)"

# Refused every time: bounded retries, then an error; nothing changed.
sim_admin PUT /_sim/faults "{\"routes\":[\"$RP\"],\"lost_reply_rate\":0,\"conflict_rate\":1}" >/dev/null
sed -i 's/^six$/SIX (git)/' memory/mem/system/persona.md
git commit -qam "git edit 2"
before=$(remote_main "$A")
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 1
expect_err "Agent 'mem'.*memory files"
[ "$(stat_count "$RP")" -eq 3 ] || fail "pushes: $(sim_stats)"
[ "$(remote_main "$A")" = "$before" ] || fail "main moved"

# The fault gone, the next sync converges.
sim_admin PUT /_sim/faults '{"conflict_rate":0,"routes":[]}' >/dev/null
run sync
expect_rc 0
git -C "$TMP/c" pull -q --ff-only
grep -qx 'SIX (git)' "$TMP/c/system/persona.md" || fail "not converged"
