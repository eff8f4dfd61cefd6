#!/usr/bin/env bash
# pull: the example project, synced to letta-sim, pulled into an empty directory (no git, no
# .letta) gives manifests that validate and that diff finds identical to the server; --dry-run
# writes nothing; a second pull rewrites the same bytes; the MCP token never reaches a file;
# pulling back into the examples repository keeps its deletion marker and changes nothing.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim
export LETTA_SYNC_PROJECT=pull-$RANDOM
export GITHUB_TOKEN=ghp_pulltest_$RANDOM$RANDOM

cp -r "$LS_SOURCE_DIR/examples" "$TMP/examples"
cd "$TMP/examples"
# Without the memory-managed agent notes-bot (its last document): pull does not write memory
# files yet (issue 25's pull item), so its round trip cannot be exact here.
sed -i '/^# Memory as files (docs\/memory-files.md)/,$d' .letta/manifests/project/agents.yaml
sed -i '${/^---$/d}' .letta/manifests/project/agents.yaml
rm -r memory
run sync
expect_rc 0

# --dry-run prints the files and writes nothing.
mkdir "$TMP/empty"
cd "$TMP/empty"
run pull --dry-run
expect_rc 0
expect_out '^# would write \.letta/manifests/project/blocks\.yaml'
expect_out '^kind: Agent$'
expect_out 'dry run: nothing written'
[ ! -e .letta ] || fail "--dry-run wrote files: $(find .letta -type f)"

run pull
expect_rc 0
expect_out '^wrote \.letta/manifests/project/blocks\.yaml \(5 documents\)$'
expect_out '^wrote \.letta/manifests/org/mcp-servers\.yaml \(1 document\)$'
expect_out '^wrote \.letta/manifests/project/agents\.yaml \(3 documents\)$'
expect_out '^wrote \.letta/folders/handbook/onboarding\.md$'
expect_out '^pulled [0-9]+ objects into 8 files$'
# The folder's files come back (letta-sync recorded their hashes when it uploaded them).
cmp .letta/folders/handbook/onboarding.md "$TMP/examples/docs/handbook/onboarding.md" ||
	fail "the folder file differs"
grep -q '\.letta/folders/handbook/\*' .letta/manifests/project/folders.yaml ||
	fail "no files pattern: $(cat .letta/manifests/project/folders.yaml)"
for f in blocks tools folders identities templates agents; do
	[ -f ".letta/manifests/project/$f.yaml" ] || fail "no project/$f.yaml"
done
[ -f .letta/project.json ] || fail "no .letta/project.json"
jq -e --arg p "$LETTA_SYNC_PROJECT" '.slug == $p' .letta/project.json >/dev/null ||
	fail "project.json: $(cat .letta/project.json)"

# The secret is a reference, never a value.
if grep -rqF "$GITHUB_TOKEN" .letta; then
	fail "the MCP token was written: $(grep -rlF "$GITHUB_TOKEN" .letta)"
fi
grep -q 'token: \${GITHUB_TOKEN}' .letta/manifests/org/mcp-servers.yaml ||
	fail "no token reference: $(cat .letta/manifests/org/mcp-servers.yaml)"

# Agents name their template and hold only what differs from it.
grep -q '^  template: reviewer$' .letta/manifests/project/agents.yaml || fail "no template"
# The templates (repository-side only) are rebuilt from their agents.
grep -q 'model: anthropic/claude-opus-4' .letta/manifests/project/templates.yaml ||
	fail "reviewer's model is missing: $(cat .letta/manifests/project/templates.yaml)"
grep -q 'tools: \[create_ticket, search_docs\]' .letta/manifests/project/agents.yaml ||
	fail "release-bot's tools override is missing: $(cat .letta/manifests/project/agents.yaml)"

run validate
expect_rc 0

# The round trip is exact: diff finds nothing to do (the pinned agent is only a warning).
unset LETTA_SYNC_PROJECT # from .letta/project.json now
run diff --exit-code --json
expect_rc 0
expect_jq '.ok == true and (.data | length) == 0'

# A second pull writes the same bytes.
cp -r .letta "$TMP/first"
run pull
expect_rc 0
diff -r "$TMP/first" .letta >/dev/null || fail "a second pull changed files: $(diff -r "$TMP/first" .letta)"

expect_out '^nothing to write: the manifests already describe the server \([0-9]+ objects\)$'

# --json reports the files (none changes now) and the objects.
run pull --json --dry-run
expect_rc 0
expect_jq '.ok == true and .command == "pull" and .data.dry_run == true and .data.layer == "project"'
expect_jq '[.data.objects[] | select(.kind == "Agent")] | length == 3'
expect_jq '.data.files == []'
# A file removed by hand (one nothing else refers to) is written again, alone.
rm .letta/manifests/project/agents.yaml
run pull --json --dry-run
expect_rc 0
expect_jq '.data.files | map(.path) == [".letta/manifests/project/agents.yaml"]'
run pull
expect_rc 0

# --all: an agent's own (unmarked) memory blocks stay with the agent, not shared Blocks.
run pull --all --json --dry-run
expect_rc 0
expect_jq '[.data.objects[] | select(.kind == "Block" and .name == "scratchpad")] | length == 0'
expect_jq '[.data.objects[] | select(.managed == false)] | length == 0'

# --layer: an unknown layer is a usage error; MCP servers stay in org, folders leave base.
run pull --layer bogus
expect_rc 64
expect_err "unknown layer 'bogus'"
rm -rf .letta/manifests .letta/folders
run pull --layer base
expect_rc 0
expect_out 'org/folders\.yaml'
expect_out 'base/blocks\.yaml'
run validate
expect_rc 0

# Back into the examples repository: what it describes stays where it is, the deletion marker
# of legacy_notes survives, and diff is still clean.
cd "$TMP/examples"
export LETTA_SYNC_PROJECT=$(jq -r .slug "$TMP/empty/.letta/project.json")
run pull
expect_rc 0
grep -q '_delete: true' .letta/manifests/project/blocks.yaml || fail "the deletion marker was dropped"
# Files whose documents do not change are left as they are, comments included.
for f in base/blocks.yaml org/mcp.yaml project/blocks.yaml project/templates.yaml; do
	cmp -s ".letta/manifests/$f" "$LS_SOURCE_DIR/examples/.letta/manifests/$f" ||
		fail "pull rewrote $f: $(diff "$LS_SOURCE_DIR/examples/.letta/manifests/$f" ".letta/manifests/$f")"
done
expect_out '^wrote \.letta/manifests/project/agents\.yaml \(3 documents\)$'
[ "$(grep -c '^wrote ' "$TMP/out")" -eq 1 ] || fail "pull wrote more than agents.yaml: $(cat "$TMP/out")"
run validate
expect_rc 0
run diff --exit-code
expect_rc 0
