#!/usr/bin/env bash
# letta-sim MemFS (docs/contract/memfs.md; Letta Code issue #2203, a server force-push that wiped an agent's
# memory history): POST /_sim/git/<agent-id>/rewrite replaces main with a new root commit of
# the same files. A clone's next pull meets unrelated history and its push is refused; a fresh
# clone has one commit with the same files; the blocks do not change.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
start_sim
A=$(memfs_agent rewritten)
memfs_clone "$A" "$TMP/c"
write_md "$TMP/c/system/extra.md" "Extra" $'more\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm extra
git_push "$TMP/c"
[ "$rc" -eq 0 ] || fail "push: $(cat "$TMP/git.err")"
sim_call PATCH "/v1/agents/$A/core-memory/blocks/human" '{"value":"Name: Bea\n"}'
git -C "$TMP/c" pull -q --ff-only
[ "$(git -C "$TMP/c" rev-list --count HEAD)" -eq 3 ] || fail "history before: $(git -C "$TMP/c" log --oneline)"
old=$(remote_main "$A")
tree_old=$(git -C "$TMP/c" rev-parse 'HEAD^{tree}')
blocks_of "$A"
cp "$TMP/blocks" "$TMP/blocks.before"

sim_admin POST "/_sim/git/$A/rewrite" >"$TMP/rw" || fail "rewrite route"
jq -e --arg o "$old" '.ok == true and .old == $o and .new != $o' "$TMP/rw" >/dev/null || fail "rewrite answer: $(cat "$TMP/rw")"
new=$(remote_main "$A")
[ "$new" = "$(jq -r .new "$TMP/rw")" ] || fail "main is not the rewritten commit"
# A second rewrite at once (the same files, most likely the same second) is a new root too: it
# used to make the very same commit, a rewrite that changed nothing (t0582 could then fail).
sim_admin POST "/_sim/git/$A/rewrite" >"$TMP/rw" || fail "rewrite route"
jq -e --arg o "$new" '.old == $o and .new != $o' "$TMP/rw" >/dev/null || fail "a second rewrite kept main: $(cat "$TMP/rw")"
new=$(remote_main "$A")
[ "$new" = "$(jq -r .new "$TMP/rw")" ] || fail "main is not the rewritten commit"

# A fresh clone: one root commit, the same tree.
memfs_clone "$A" "$TMP/fresh"
[ "$(git -C "$TMP/fresh" rev-list --count HEAD)" -eq 1 ] || fail "rewritten history: $(git -C "$TMP/fresh" log --oneline)"
[ "$(git -C "$TMP/fresh" rev-parse 'HEAD^{tree}')" = "$tree_old" ] || fail "the rewrite changed the files"
blocks_of "$A"
cmp -s "$TMP/blocks" "$TMP/blocks.before" || fail "the rewrite changed blocks"

# The old clone: fetch shows a forced update; a fast-forward pull fails; a push is refused.
git -C "$TMP/c" fetch -q 2>"$TMP/git.err" || fail "fetch: $(cat "$TMP/git.err")"
[ -z "$(git -C "$TMP/c" merge-base HEAD origin/main || true)" ] || fail "histories still related"
if git -C "$TMP/c" pull -q --ff-only 2>"$TMP/git.err"; then fail "ff pull over a rewrite succeeded"; fi
write_md "$TMP/c/system/late.md" "Late" $'x\n'
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm late
git_push "$TMP/c"
[ "$rc" -ne 0 ] || fail "a push on the old history was accepted"
[ "$(remote_main "$A")" = "$new" ] || fail "the refused push moved main"

# Unknown agent or one without the tag: 404.
status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$SIM_URL/_sim/git/agent-00000000-0000-4000-8000-000000000000/rewrite")
[ "$status" = 404 ] || fail "rewrite of an unknown agent: $status"
# API writes keep working on top of the new root.
sim_call PATCH "/v1/agents/$A/core-memory/blocks/human" '{"value":"Name: Cy\n"}'
git -C "$TMP/fresh" pull -q --ff-only 2>"$TMP/git.err" || fail "pull after rewrite: $(cat "$TMP/git.err")"
grep -qx 'Name: Cy' "$TMP/fresh/system/human.md" || fail "API write after rewrite"
echo "ok"
