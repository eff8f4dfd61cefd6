#!/usr/bin/env bash
# context resolves project, org, agent and base URL from every source, and fails clearly on
# malformed config files.
. "$(dirname "$0")/lib-e2e.sh"

repo="$TMP/repo"
new_repo "$repo"
cd "$repo"

# Nothing configured.
run context --json
expect_rc 0
expect_jq '.ok == true and .command == "context" and .data.project == null'
expect_jq '.data.base_url.value == "https://api.letta.com" and .data.api_key.set == false'

# --project wins over everything; -v prints exactly the README's lines.
mkdir -p .letta
echo '{"slug":"local-proj","id":"proj_local1","name":"Local"}' >.letta/project.json
LETTA_SYNC_PROJECT=envproj run context --project staging -v
expect_rc 0
[ "$(cat "$TMP/err")" = "[verbose] Project resolution attempted: cli
[verbose] Resolved project: staging (via cli)" ] || fail "verbose lines: $(cat "$TMP/err")"

# Env order: LETTA_SYNC_PROJECT > LETTA_PROJECT > SMARTY_PROJECT.
LETTA_PROJECT=b SMARTY_PROJECT=c LETTA_SYNC_PROJECT=a run context --json
expect_jq '.data.project.slug == "a" and .data.project.source == "env"'
LETTA_PROJECT=b SMARTY_PROJECT=c run context --json
expect_jq '.data.project.slug == "b" and .data.project.from == "LETTA_PROJECT"'
SMARTY_PROJECT=proj_c run context --json
expect_jq '.data.project.id == "proj_c" and .data.project.slug == null'

# Local project.json, found from a subdirectory.
mkdir -p sub/dir
cd sub/dir
run context --json
expect_jq '.data.project.slug == "local-proj" and .data.project.source == "local"'
cd "$repo"

# -C runs as if started there.
cd "$TMP"
run -C "$repo/sub" context --json
expect_jq '.data.project.id == "proj_local1"'
cd "$repo"

# Registry mapping through the origin remote, with a branch override, then the default.
rm .letta/project.json
cat >.letta/registry.json <<'JSON'
{
  "version": "1.0",
  "defaultProject": {"slug": "fallback"},
  "mappings": {
    "Acme/Agents": {"projectSlug": "agents", "projectId": "proj_agents",
                    "branches": {"release/*": {"projectSlug": "agents-release"}}}
  }
}
JSON
git remote add origin git@github.com:acme/agents.git
run context --json
expect_jq '.data.project.slug == "agents" and .data.project.source == "registry"'
git checkout -q -b release/1.2
run context --json
expect_jq '.data.project.slug == "agents-release" and .data.repo.branch_override == "release/*"'
git remote set-url origin https://github.com/other/repo
run context --json -v
expect_jq '.data.project.slug == "fallback" and .data.project.source == "default"'
expect_err 'attempted: registry'
expect_err 'attempted: default'

# Malformed files are errors with path:line:col, also as one JSON document.
printf '{\n  "version": "1.0",\n  "mappings": {,}\n}\n' >.letta/registry.json
run context
expect_rc 1
expect_err 'registry.json:3:[0-9]+: invalid JSON'
run context --json
expect_rc 1
expect_jq '.ok == false and .error.code == "INVALID_CONFIG" and (.error.where | test("registry.json:3:"))'
printf '{\n  "slgu": "x"\n}\n' >.letta/project.json
run context
expect_rc 1
expect_err "project.json:2:3: unknown key 'slgu'"
expect_err "did you mean 'slug'"

# Org, agent (with legacy env) and base URL alias; the key is reported, never printed.
rm .letta/project.json .letta/registry.json
SMARTY_ORG=o1 SMARTY_AGENT=agent-1 LETTA_API_URL=http://localhost:8283/ LETTA_API_KEY=$SIM_KEY run context --json
expect_jq '.data.org.value == "o1" and .data.org.source == "SMARTY_ORG"'
expect_jq '.data.agent.value == "agent-1" and .data.base_url.value == "http://localhost:8283"'
expect_jq '.data.base_url.source == "LETTA_API_URL" and .data.base_url.cloud == false and .data.api_key.set == true'

# Usage errors exit 64, with a hint.
run contxt
expect_rc 64
expect_err "did you mean 'context'"
run context --bogus --json
expect_rc 64
expect_jq '.ok == false and .error.code == "USAGE"'
echo ok
