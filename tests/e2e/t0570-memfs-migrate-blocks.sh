#!/usr/bin/env bash
# Migration from blocks (issue 25): an agent whose memory letta-sync manages as blocks (the
# shared Block policy and the private block notes of its Template) starts declaring memory
# files. diff shows what moves before anything is sent (the shared Block becomes the file
# system/policy.md; the private notes is the agent's file already: nothing written); one sync tags the agent and pushes once; nothing is lost: the agent's own
# edit of its private block is its file's body (the same block), the shared Block is detached
# from this agent (unchanged, for the others) and its content is the agent's own block now,
# made by the push. Afterwards a Block edit in git reaches the file, and syncs are no-ops.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
sync_setup
write_agents() { # MEMORY-LINE
	{ policy_yaml; echo ---; helper_yaml "You help."; cat <<YAML
    blocks:
      - name: policy
      - {label: notes, value: "n1\n", description: Notes, limit: 1000}
YAML
		mem_agent_yaml "$1"; } | manifest agents.yaml
}
write_agents ""
run sync
expect_rc 0
A=$(sim_get "/v1/agents/?name=mem" | jq -r '.[0].id')
blocks_of "$A"
cp "$TMP/blocks" "$TMP/before"
policy_id=$(jq -r .policy.id "$TMP/before")
notes_id=$(jq -r .notes.id "$TMP/before")
# The agent edits its private block (its own memory).
sim_call PATCH "/v1/blocks/$notes_id" '{"value":"agent notes\n"}'
expect_status 200

write_agents '  memory:
    files:
      - {path: system/persona.md, description: Who I am, value: "I help.\n"}'
run diff
expect_rc 0
expect_out 'git-memory-enabled'
# The private block stays the agent's (its block is the file): nothing to write for it.
! grep -q 'system/notes.md' "$TMP/out" || fail "diff writes over the agent's notes: $(cat "$TMP/out")"
expect_out '^  create system/policy.md$'
expect_out '^    \+be kind$'
expect_out '^  create system/persona.md$'
expect_out 'memory_blocks'
run diff --json
expect_jq '[.data[] | select(.section == "memory_files") | .files[].path] | sort == ["system/persona.md", "system/policy.md"]'

sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
sim_stats >"$TMP/stats"
jq -e --arg rp "$RP" '(.requests[$rp] // 0) == 1' "$TMP/stats" >/dev/null || fail "pushes: $(cat "$TMP/stats")"
jq -e '[.requests | keys[] | select(test("^POST /v1/blocks") or test("^DELETE"))] | length == 0' "$TMP/stats" >/dev/null ||
	fail "blocks created or deleted through the API: $(jq -c .requests "$TMP/stats")"
jq -e '(.requests["PATCH /v1/agents/{agent_id}"] // 0) == 1' "$TMP/stats" >/dev/null || fail "agent patches: $(jq -c .requests "$TMP/stats")"
memfs_clone "$A" "$TMP/c"
[ "$(cat "$TMP/c/system/notes.md")" = "$(printf -- '---\ndescription: Notes\nlimit: 1000\n---\nagent notes')" ] ||
	fail "the agent's notes were lost: $(cat "$TMP/c/system/notes.md")"
grep -qx 'be kind' "$TMP/c/system/policy.md" || fail "policy.md: $(cat "$TMP/c/system/policy.md")"
grep -qx 'I help.' "$TMP/c/system/persona.md" || fail "persona.md missing"
blocks_of "$A"
jq -e --arg p "$policy_id" --arg n "$notes_id" '.policy.id != $p and .notes.id == $n and .notes.value == "agent notes\n" and .policy.value == "be kind" and .persona.value == "I help.\n"' "$TMP/blocks" >/dev/null ||
	fail "blocks after the move: $(cat "$TMP/blocks") (before: $(cat "$TMP/before"))"
sim_get "/v1/blocks/$policy_id" | jq -e '.value == "be kind" and ((.description // "") == "")' >/dev/null ||
	fail "the shared Block was changed: $(sim_get "/v1/blocks/$policy_id")"
[ "$(sim_get /_sim/state | jq '[.blocks[] | select(.label == "notes")] | length')" -eq 1 ] ||
	fail "the private block was duplicated"

# Converged: no push, one ref advertisement.
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed again: $(sim_stats)"
run diff --exit-code
expect_rc 0

# The shared Block changes in git: the API writes the Block, one push the agent's file.
sed -i 's/value: "be kind"/value: "be very kind"/' .letta/manifests/project/agents.yaml
git commit -qam "policy"
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
[ "$(stat_count "$RP")" -eq 1 ] || fail "pushes for a Block change: $(sim_stats)"
sim_get "/v1/blocks/$policy_id" | jq -e '.value == "be very kind"' >/dev/null || fail "the shared Block was not updated"
git -C "$TMP/c" pull -q
grep -qx 'be very kind' "$TMP/c/system/policy.md" || fail "policy.md: $(cat "$TMP/c/system/policy.md")"
run diff --exit-code
expect_rc 0
