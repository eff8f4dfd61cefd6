#!/usr/bin/env bash
# Inline memory files (issue 25): memory: {files: [...]} with path, frontmatter fields, value
# or from_file and managed: true|seed|false. validate reports a bad entry at file:line:col with
# did-you-mean before anything is sent; `schema` describes memory.files. sync writes the
# rendered files (one commit); a seed file is created once and never updated (the agent's edit
# stays, git's new value is not written); a managed: false file is never written, and the
# agent's own file at that path is left alone.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
sync_setup

# The JSON Schema describes memory.files (its fields, path required).
run schema
expect_rc 0
jq -e '[.. | objects | select(has("properties") and (.properties | has("files")) and (.properties | has("dir")) and (.properties | has("skills")))] | length >= 1' "$TMP/out" >/dev/null ||
	fail "schema lacks memory.{dir,files,skills}"
jq -e '[.. | objects | select(has("properties") and (.properties | has("from_file")) and (.properties | has("managed")) and ((.required // []) | index("path")))] | length >= 1' "$TMP/out" >/dev/null ||
	fail "schema lacks memory.files items with path, from_file, managed"

agent_yaml() { # FILES-YAML
	{ helper_yaml "You help."; mem_agent_yaml "  memory:
    files:
$1"; } | manifest agents.yaml
}

# Broken entries: did-you-mean for a field and for managed, value and from_file together,
# read_only (protected), nothing sent.
agent_yaml '      - path: system/a.md
        descripton: A
        value: "a\n"
      - path: system/b.md
        description: B
        managed: sead
        value: "b\n"
      - path: system/c.md
        description: C
        value: "c\n"
        from_file: notes/c.md
      - path: system/d.md
        description: D
        read_only: true
        value: "d\n"'
run validate
expect_rc 1
expect_out "agents.yaml:21:9: error: Agent.mem: unknown field 'spec.memory.files\[0\].descripton'"
expect_out "did you mean 'description'"
expect_out "agents.yaml:25:9: error: Agent.mem: Invalid managed: sead"
expect_out "did you mean 'seed'"
expect_out "agents.yaml:30:9: error: Agent.mem: give value or from_file, not both"
expect_out "agents.yaml:33:9: error: Agent.mem: .read_only' is a protected field"
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 1
[ "$(sim_stats | jq .writes)" -eq 0 ] || fail "writes after an invalid manifest: $(sim_stats)"

# The real thing: a managed file from a value, one from a file, a seed, an unmanaged one.
mkdir -p notes
printf 'Release on Fridays.\n' >notes/process.md
agent_yaml '      - path: system/persona.md
        description: Who I am
        limit: 500
        value: "I keep notes.\n"
      - path: reference/process.md
        description: "How we release: the steps"
        from_file: notes/process.md
      - path: system/human.md
        description: The user
        managed: seed
        value: "Name: unknown\n"
      - path: system/scratch.md
        managed: false'
run diff
expect_rc 0
expect_out 'create system/persona.md'
mem_synced
[ "$(cat "$TMP/c/system/persona.md")" = "$(printf -- '---\ndescription: Who I am\nlimit: 500\n---\nI keep notes.')" ] ||
	fail "persona.md: $(cat "$TMP/c/system/persona.md")"
[ "$(cat "$TMP/c/reference/process.md")" = "$(printf -- '---\ndescription: "How we release: the steps"\n---\nRelease on Fridays.')" ] ||
	fail "process.md: $(cat "$TMP/c/reference/process.md")"
grep -qx 'Name: unknown' "$TMP/c/system/human.md" || fail "the seed file was not created: $(ls -R "$TMP/c")"
[ ! -e "$TMP/c/system/scratch.md" ] || fail "a managed: false file was written"
blocks_of "$A"
expect_blocks '.persona.limit == 500 and .human.value == "Name: unknown\n"'

# The agent edits the seed file and makes its own scratch.md; git changes the seed's value.
printf -- '---\ndescription: The user\n---\nName: Ada\n' >"$TMP/c/system/human.md"
printf -- '---\ndescription: Scratch\n---\nmine\n' >"$TMP/c/system/scratch.md"
git -C "$TMP/c" add -A && git -C "$TMP/c" commit -qm "agent edits"
git_push "$TMP/c"
[ "$rc" -eq 0 ] || fail "agent push: $(cat "$TMP/git.err")"
sed -i 's/Name: unknown/Name: from git/' .letta/manifests/project/agents.yaml
git commit -qam "seed value changed"
sim_admin POST /_sim/stats/reset >/dev/null
run sync
expect_rc 0
expect_out 'Already in sync'
[ "$(stat_count "$RP")" -eq 0 ] || fail "pushed for a seed or unmanaged file: $(sim_stats)"
git -C "$TMP/c" pull -q
grep -qx 'Name: Ada' "$TMP/c/system/human.md" || fail "the seed file was updated: $(cat "$TMP/c/system/human.md")"
grep -qx 'mine' "$TMP/c/system/scratch.md" || fail "the agent's scratch.md was touched"

# The agent deletes the seed file: it is created again (seed: created when missing).
git -C "$TMP/c" rm -q system/human.md && git -C "$TMP/c" commit -qm "drop human"
git_push "$TMP/c"
run sync
expect_rc 0
git -C "$TMP/c" pull -q
grep -qx 'Name: from git' "$TMP/c/system/human.md" || fail "the missing seed file was not created again"
