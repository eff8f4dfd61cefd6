#!/usr/bin/env bash
# letta-sim MemFS against a real client (issue 24): Letta Code (npm @letta-ai/letta-code 0.25.9,
# the newest that installs here; docs/contract/memfs.md) reads the repository letta-sim serves. As Letta Code
# does, the test clones into ~/.letta/agents/<id>/memory (under a temporary HOME) with a
# credential helper giving user letta and the API key, then runs `letta memory status` and
# `letta memory export` with LETTA_MEMFS_BASE_URL pointing at letta-sim and LETTA_MEMFS_LOCAL=1.
# Letta Code comes from tests/npm/letta-code (scripts/install-deps.sh); without it, a skip.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
LETTA=$LS_SOURCE_DIR/tests/npm/letta-code/node_modules/.bin/letta
command -v node >/dev/null || skip "no node program (Letta Code needs Node.js)"
[ -x "$LETTA" ] || skip "Letta Code is not installed: run scripts/install-deps.sh (npm @letta-ai/letta-code@0.25.9 in tests/npm/letta-code)"
start_sim
A=$(memfs_agent coded)
export LETTA_MEMFS_BASE_URL=$SIM_URL LETTA_MEMFS_LOCAL=1
mem=$HOME/.letta/agents/$A/memory
mkdir -p "$(dirname "$mem")"
# docs/contract/memfs.md "Auth": Letta Code's local credential helper prints username=letta and the key.
helper='!f() { echo username=letta; echo "password=$LETTA_API_KEY"; }; f'
git -c credential.helper="$helper" clone -q "$SIM_URL/v1/git/$A/state.git" "$mem" 2>"$TMP/git.err" ||
	fail "clone: $(cat "$TMP/git.err")"
git -C "$mem" config credential.helper "$helper"

# letta ARGS...: runs Letta Code in an empty folder (it reads its working directory, and
# $TMP holds the simulator's fifo), stdin closed; stdout in $TMP/lc.out, stderr in $TMP/lc.err.
mkdir -p "$TMP/work"
letta() {
	set +e
	(cd "$TMP/work" && timeout 120 "$LETTA" "$@") </dev/null >"$TMP/lc.out" 2>"$TMP/lc.err"
	rc=$?
	set -e
}

letta memory status --agent "$A"
[ "$rc" -eq 0 ] || fail "letta memory status: rc $rc: $(cat "$TMP/lc.out" "$TMP/lc.err")"
jq -e '.dirty == false and .aheadOfRemote == false and .summary == "clean"' "$TMP/lc.out" >/dev/null ||
	fail "status: $(cat "$TMP/lc.out")"

letta memory export --agent "$A" --out "$TMP/export"
[ "$rc" -eq 0 ] || fail "letta memory export: rc $rc: $(cat "$TMP/lc.out" "$TMP/lc.err")"
jq -e --arg a "$A" '.agentId == $a' "$TMP/lc.out" >/dev/null || fail "export: $(cat "$TMP/lc.out")"
for f in system/persona.md system/human.md; do
	cmp -s "$mem/$f" "$TMP/export/$f" || fail "export lacks $f"
done
grep -qx 'Name: Ada' "$TMP/export/system/human.md" || fail "exported human.md: $(cat "$TMP/export/system/human.md")"

# A local commit: Letta Code sees it ahead of the remote (exit 2); a git push lands in the
# blocks; then it is clean again.
write_md "$mem/system/project.md" "The project" $'letta-sync\n'
git -C "$mem" add -A && git -C "$mem" commit -qm project
letta memory status --agent "$A"
[ "$rc" -eq 2 ] || fail "status after a local commit: rc $rc: $(cat "$TMP/lc.out")"
jq -e '.aheadOfRemote == true' "$TMP/lc.out" >/dev/null || fail "status: $(cat "$TMP/lc.out")"
git -C "$mem" push -q 2>"$TMP/git.err" || fail "push: $(cat "$TMP/git.err")"
blocks_of "$A"
expect_blocks '.project.value == "letta-sync\n"'
letta memory status --agent "$A"
[ "$rc" -eq 0 ] || fail "status after push: rc $rc: $(cat "$TMP/lc.out")"

# An API write, fetched with git: Letta Code's export has it.
sim_call PATCH "/v1/agents/$A/core-memory/blocks/human" '{"value":"Name: Grace\n"}'
git -C "$mem" pull -q --ff-only 2>"$TMP/git.err" || fail "pull: $(cat "$TMP/git.err")"
letta memory export --agent "$A" --out "$TMP/export2"
[ "$rc" -eq 0 ] || fail "second export: rc $rc"
grep -qx 'Name: Grace' "$TMP/export2/system/human.md" || fail "export after pull: $(cat "$TMP/export2/system/human.md")"
grep -q "$SIM_KEY" "$TMP/lc.out" && fail "Letta Code printed the key"
echo "ok"
