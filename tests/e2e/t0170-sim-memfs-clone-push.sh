#!/usr/bin/env bash
# letta-sim MemFS (docs/contract/memfs.md, issue 24): clone over git smart HTTP, a push of several commits
# creates, updates and detaches blocks; an API write becomes a commit on main at once (author
# Letta <noreply@letta.com>) and shows up in `git pull`; a stale writer's push is refused as a
# non-fast-forward and changes nothing; /_sim/stats counts the git routes.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
start_sim
A=$(memfs_agent mem)
R1="GET /v1/git/{agent_id}/state.git/info/refs"
sim_admin POST /_sim/stats/reset >/dev/null

# Clone: the repository is made from the agent's blocks, system/<label>.md with frontmatter.
memfs_clone "$A" "$TMP/c1"
[ "$(git -C "$TMP/c1" ls-files | sort | tr '\n' ' ')" = "system/human.md system/persona.md " ] ||
	fail "files: $(git -C "$TMP/c1" ls-files)"
printf -- '---\ndescription: The user\nlimit: 5000\n---\nName: Ada\n' >"$TMP/want"
cmp -s "$TMP/want" "$TMP/c1/system/human.md" || fail "human.md: $(cat "$TMP/c1/system/human.md")"
[ "$(git -C "$TMP/c1" log -1 --format='%an <%ae>')" = "Letta <noreply@letta.com>" ] ||
	fail "author: $(git -C "$TMP/c1" log -1 --format='%an <%ae>')"
[ "$(stat_count "$R1")" -ge 1 ] && [ "$(stat_count "$UP")" -ge 1 ] || fail "stats: $(sim_stats)"

# A push of three commits: add a nested file, edit one, delete one.
cd "$TMP/c1"
write_md system/project/conventions.md "Project conventions" $'We write C11.\n'
git add -A && git commit -qm "add conventions"
sed -i 's/Ada/Ada Lovelace/' system/human.md
git commit -qam "edit human"
git rm -q system/persona.md
git commit -qm "drop persona"
mkdir -p reference && write_md reference/notes.md "Notes read on demand" $'not in the prompt\n'
git add -A && git commit -qm "reference notes"
cd - >/dev/null
git_push "$TMP/c1"
[ "$rc" -eq 0 ] || fail "push refused: $(cat "$TMP/git.err")"
[ "$(remote_main "$A")" = "$(git -C "$TMP/c1" rev-parse HEAD)" ] || fail "main did not move"
[ "$(stat_count "$RP")" -eq 1 ] || fail "receive-pack count: $(sim_stats)"
blocks_of "$A"
expect_blocks 'keys == ["human","project/conventions"]'
expect_blocks '.human.value == "Name: Ada Lovelace\n" and .human.limit == 5000 and .human.description == "The user"'
expect_blocks '."project/conventions".value == "We write C11.\n" and ."project/conventions".description == "Project conventions"'
# The detached block still exists (detach, not delete).
persona_count=$(sim_get '/v1/blocks/?label=persona' | jq length)
[ "$persona_count" -eq 1 ] || fail "persona block was deleted, not detached"

# API write -> a commit on main at once; git pull shows it.
before=$(remote_main "$A")
sim_call PATCH "/v1/agents/$A/core-memory/blocks/human" '{"value":"Name: Grace\n"}'
expect_status 200
after=$(remote_main "$A")
[ "$before" != "$after" ] || fail "a block PATCH made no commit"
git -C "$TMP/c1" pull -q --ff-only 2>"$TMP/git.err" || fail "pull: $(cat "$TMP/git.err")"
grep -qx 'Name: Grace' "$TMP/c1/system/human.md" || fail "pull did not bring the PATCH: $(cat "$TMP/c1/system/human.md")"
[ "$(git -C "$TMP/c1" log -1 --format='%an <%ae>')" = "Letta <noreply@letta.com>" ] || fail "API commit author"
[ "$(git -C "$TMP/c1" rev-parse HEAD~1)" = "$before" ] || fail "the API commit is not on top of main"

# Attach and detach through the API are commits too.
sim_call POST /v1/blocks/ '{"label":"shared","value":"team facts\n","description":"Shared facts"}'
S=$(body_get .id)
sim_call PATCH "/v1/agents/$A/core-memory/blocks/attach/$S"
expect_status 200
git -C "$TMP/c1" pull -q --ff-only
[ -f "$TMP/c1/system/shared.md" ] || fail "attach did not add system/shared.md"
sim_call PATCH "/v1/blocks/$S" '{"description":"Shared team facts"}'
git -C "$TMP/c1" pull -q --ff-only
grep -qx 'description: Shared team facts' "$TMP/c1/system/shared.md" || fail "block PATCH by id"
sim_call PATCH "/v1/agents/$A/core-memory/blocks/detach/$S"
git -C "$TMP/c1" pull -q --ff-only
[ ! -e "$TMP/c1/system/shared.md" ] || fail "detach did not remove system/shared.md"
# Agent PATCH of block_ids and a block DELETE are commits too.
sim_call PATCH "/v1/agents/$A" "{\"block_ids\":$(sim_get "/v1/agents/$A/core-memory/blocks" | jq -c --arg s "$S" '[.[].id] + [$s]')}"
expect_status 200
git -C "$TMP/c1" pull -q --ff-only
[ -f "$TMP/c1/system/shared.md" ] || fail "agent PATCH block_ids did not add system/shared.md"
sim_call DELETE "/v1/blocks/$S"
expect_status 200
git -C "$TMP/c1" pull -q --ff-only
[ ! -e "$TMP/c1/system/shared.md" ] || fail "block DELETE did not remove system/shared.md"
# reference/ is left alone by API commits.
[ -f "$TMP/c1/reference/notes.md" ] || fail "reference/notes.md lost"

# A stale writer: a second clone, then an API write, then its push is a non-fast-forward.
memfs_clone "$A" "$TMP/c2"
sim_call PATCH "/v1/agents/$A/core-memory/blocks/human" '{"value":"Name: Linus\n"}'
head_before=$(remote_main "$A")
write_md "$TMP/c2/system/stale.md" "Stale" $'x\n'
git -C "$TMP/c2" add -A && git -C "$TMP/c2" commit -qm stale
git_push "$TMP/c2"
[ "$rc" -ne 0 ] || fail "a stale push was accepted"
grep -qE 'rejected|fetch first|non-fast-forward' "$TMP/git.err" || fail "refusal: $(cat "$TMP/git.err")"
[ "$(remote_main "$A")" = "$head_before" ] || fail "a refused push moved main"
blocks_of "$A"
expect_blocks '(has("stale")|not) and .human.value == "Name: Linus\n"'
# A forced push is refused too (receive.denyNonFastForwards).
set +e
git -C "$TMP/c2" push -q --force origin main 2>"$TMP/git.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a force push was accepted"
[ "$(remote_main "$A")" = "$head_before" ] || fail "a force push moved main"

# The writer fetches, merges and pushes again (docs/contract/memfs.md "Behaviour").
git -C "$TMP/c2" pull -q --no-rebase --no-edit 2>"$TMP/git.err" || fail "merge: $(cat "$TMP/git.err")"
git_push "$TMP/c2"
[ "$rc" -eq 0 ] || fail "push after merge: $(cat "$TMP/git.err")"
blocks_of "$A"
expect_blocks '.stale.value == "x\n" and .human.value == "Name: Linus\n"'

# Recompile (openapi: POST /v1/agents/{agent_id}/recompile -> the compiled prompt, a string).
sim_call POST "/v1/agents/$A/recompile"
expect_status 200
expect_body 'type == "string" and contains("<stale>") and contains("Name: Linus")'
[ "$(stat_count "POST /v1/agents/{agent_id}/recompile")" -eq 1 ] || fail "recompile not counted"
echo "ok"
