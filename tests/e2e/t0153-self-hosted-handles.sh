#!/usr/bin/env bash
# The recipe of docs/self-hosted.md: examples/ on a self-hosted server whose providers serve
# none of its handles (here: letta-sim --models with Ollama handles only). diff refuses, naming
# each handle the plan sends with its manifest line; a project-layer file overrides the handles that a lower
# layer (base Template, org Folder) names, the project layer's own lines are edited, and then
# sync creates everything on the local models and converges.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
cat >"$TMP/models.json" <<'JSON'
{"llm": ["ollama/qwen3:8b", "ollama/llama3.2:3b"], "embedding": ["ollama/nomic-embed-text"]}
JSON
start_sim --models "$TMP/models.json"
export LETTA_SYNC_PROJECT=self-hosted-$RANDOM
export GITHUB_TOKEN=ghp_selfhosted_$RANDOM
cp -r "$LS_SOURCE_DIR/examples" "$TMP/examples"
cd "$TMP/examples"
git init -q -b main . && git add -A && git commit -qm examples

run diff
expect_rc 1
for h in openai/gpt-4o-mini anthropic/claude-opus-4; do
	expect_err "the server has no model '$h'"
done
expect_err "base/templates\.yaml:16:[0-9]+: .*no model 'openai/gpt-4o-mini'"
expect_err "project/agents\.yaml:21:[0-9]+: Agent 'review-bot': the server has no model 'anthropic/claude-opus-4'"
expect_err "org/folders\.yaml:9:[0-9]+: Folder 'handbook': the server has no embedding model 'openai/text-embedding-3-small'"
expect_err "nearest first: ollama/"
[ "$(curl -fsS "$SIM_URL/_sim/stats" | jq .writes)" -eq 0 ] || fail "diff wrote"

# The project layer overrides the lower ones (docs/self-hosted.md): a Folder override in a new
# project file, the handles in the project's assistant override, and the project's own lines.
cat >.letta/manifests/project/self-hosted.yaml <<'YAML'
# Local models for a self-hosted server: the org layer's Folder, overridden.
apiVersion: letta.ai/v1
kind: Folder
metadata: {name: handbook}
spec: {layer: project, embedding: ollama/nomic-embed-text}
YAML
sed -i 's#^    tags: \[project:agents-config\]$#&\n    modelConfig: {model: ollama/qwen3:8b, embedding: ollama/nomic-embed-text}#' \
	.letta/manifests/project/templates.yaml
sed -i 's#model: anthropic/claude-[a-z0-9-]*#model: ollama/qwen3:8b#; s#embedding: openai/text-embedding-3-small#embedding: ollama/nomic-embed-text#' \
	.letta/manifests/project/templates.yaml .letta/manifests/project/agents.yaml
grep -q 'modelConfig: {model: ollama/qwen3:8b' .letta/manifests/project/templates.yaml || fail "the assistant override was not added"
git add -A && git commit -qm "self-hosted models"
run validate
expect_rc 0
run sync
expect_rc 0
expect_out 'created Agent/review-bot'
curl -fsS -H "Authorization: Bearer $SIM_KEY" "$SIM_URL/v1/agents/?limit=100" >"$TMP/agents.json"
jq -e 'length == 4 and all(.[]; .model == "ollama/qwen3:8b")' "$TMP/agents.json" >/dev/null ||
	fail "agents not on the local model: $(jq -c '[.[] | {name, model}]' "$TMP/agents.json")"
curl -fsS -H "Authorization: Bearer $SIM_KEY" "$SIM_URL/v1/folders/" |
	jq -e '.[0].embedding_config.handle == "ollama/nomic-embed-text"' >/dev/null || fail "folder not on the local embedding"
run sync
expect_rc 0
run diff --json
expect_jq '.data | length == 0'
