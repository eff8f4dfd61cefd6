#!/usr/bin/env bash
# letta-sim MemFS (docs/contract/memfs.md "Layout of the repository", issue 24): both layouts. The system/
# layout (nested labels, reference/ not in the prompt) and the root layout, chosen by a root
# MEMORY.md: an index without frontmatter, other root .md files with exactly name and
# description are the blocks, a child folder counts only with its own MEMORY.md. API writes
# render in the layout the repository uses.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-memfs.sh"
needs_sim
start_sim

# --- system/ layout: nested labels; reference/ and other folders are not blocks.
A=$(memfs_agent sys '[]')
memfs_clone "$A" "$TMP/s"
[ -z "$(git -C "$TMP/s" ls-files)" ] || fail "an agent without blocks has files"
write_md "$TMP/s/system/project/tooling/bun.md" "Bun notes" $'Use bun.\n'
write_md "$TMP/s/system/human.md" "The user" $'Ada\n' $'limit: 500\n'
write_md "$TMP/s/reference/history.md" "Old history" $'long ago\n'
printf 'anything\n' >"$TMP/s/notes.md"
git -C "$TMP/s" add -A && git -C "$TMP/s" commit -qm sys
git_push "$TMP/s"
[ "$rc" -eq 0 ] || fail "system layout push: $(cat "$TMP/git.err")"
blocks_of "$A"
expect_blocks 'keys == ["human","project/tooling/bun"] and .human.limit == 500 and ."project/tooling/bun".value == "Use bun.\n"'
bun=$(jq -r '."project/tooling/bun".id' "$TMP/blocks")
sim_call PATCH "/v1/blocks/$bun" '{"value":"Use bun 1.2.\n"}'
expect_status 200
git -C "$TMP/s" pull -q --ff-only
grep -qx 'Use bun 1.2.' "$TMP/s/system/project/tooling/bun.md" || fail "nested label not written back"

# --- root layout.
B=$(memfs_agent root '[{"label":"persona","value":"old persona\n","description":"Who I am"}]')
memfs_clone "$B" "$TMP/r"
cd "$TMP/r"
git rm -q -r system
printf '# Memory\n\n- persona.md: who I am\n- team/: the team\n' >MEMORY.md
printf -- '---\nname: persona\ndescription: Who I am\n---\nI am a root-layout agent.\n' >persona.md
printf -- '---\nname: style\ndescription: How I write\n---\nShort sentences.\n' >style.md
mkdir -p team scratch
printf '# Team\n' >team/MEMORY.md
printf -- '---\nname: alice\ndescription: Alice\n---\nAlice runs CI.\n' >team/alice.md
printf 'no frontmatter: not memory, since scratch/ has no MEMORY.md\n' >scratch/todo.md
git add -A && git commit -qm "root layout"
cd - >/dev/null
git_push "$TMP/r"
[ "$rc" -eq 0 ] || fail "root layout push: $(cat "$TMP/git.err")"
blocks_of "$B"
expect_blocks 'keys == ["persona","style"] and .persona.value == "I am a root-layout agent.\n" and .style.description == "How I write"'

# The rules of the root layout.
rr() { # refused in the root layout: MESSAGE-REGEX
	git -C "$TMP/r" add -A
	git -C "$TMP/r" commit -qm "bad: $1"
	git_push "$TMP/r"
	[ "$rc" -ne 0 ] || fail "root layout accepted: $1"
	grep -qE -- "remote: .*$1" "$TMP/git.err" || fail "no /$1/: $(cat "$TMP/git.err")"
	git -C "$TMP/r" reset -q --hard origin/main
	git -C "$TMP/r" clean -qfdx
}
printf -- '---\nname: x\ndescription: X\nlimit: 10\n---\nv\n' >"$TMP/r/x.md"
rr "x.md: unknown frontmatter key 'limit' \(allowed: name description\)"
printf -- '---\ndescription: Y\n---\nv\n' >"$TMP/r/y.md"
rr "y.md: missing required field 'name'"
printf -- '---\nname: z\n---\nv\n' >"$TMP/r/z.md"
rr "z.md: missing required field 'description'"
printf -- '---\ndescription: index\n---\n# Memory\n' >"$TMP/r/MEMORY.md"
rr 'MEMORY.md: the index MEMORY.md takes no frontmatter'
printf 'bob\n' >"$TMP/r/team/bob.md"
rr 'team/bob.md: missing frontmatter'
blocks_of "$B"
expect_blocks 'keys == ["persona","style"]'

# API writes render as root-layout files (name and description).
sim_call PATCH "/v1/agents/$B/core-memory/blocks/style" '{"value":"Very short sentences.\n"}'
expect_status 200
git -C "$TMP/r" pull -q --ff-only
printf -- '---\nname: style\ndescription: How I write\n---\nVery short sentences.\n' >"$TMP/want"
cmp -s "$TMP/want" "$TMP/r/style.md" || fail "root-layout render: $(cat "$TMP/r/style.md")"
[ -f "$TMP/r/MEMORY.md" ] && [ ! -d "$TMP/r/system" ] || fail "an API write changed the layout"
# Deleting a root file detaches its block.
git -C "$TMP/r" rm -q style.md && git -C "$TMP/r" commit -qm "drop style"
git_push "$TMP/r"
[ "$rc" -eq 0 ] || fail "drop style: $(cat "$TMP/git.err")"
blocks_of "$B"
expect_blocks 'keys == ["persona"]'
echo "ok"
