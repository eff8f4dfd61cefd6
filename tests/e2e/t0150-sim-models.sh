#!/usr/bin/env bash
# letta-sim: the model lists (GET /v1/models/, GET /v1/models/embedding; openapi.json Model and
# EmbeddingModel) and the real server's refusal of unknown handles (issue 21 item 2): agent
# create/modify with an unknown model is 404 "Handle X not found", an unknown embedding (agent
# or folder) a 400 "Embedding model X not found", and nothing is created or changed. The
# built-in list has every handle examples/ uses; --models FILE replaces it.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call GET /v1/models/
expect_status 200
expect_body 'type == "array" and all(.[]; (.handle|type) == "string" and .model_type == "llm"
	and (.name|type) == "string" and (.context_window|type) == "number" and (.max_context_window|type) == "number")'
# Every model and embedding handle examples/ names is served by default.
for h in $(grep -rhoE '(model|embedding): [a-z_]+/[A-Za-z0-9._-]+' "$LS_SOURCE_DIR/examples" | awk '{print $2}' | sort -u); do
	sim_call GET /v1/models/
	m=$(body_get "any(.[]; .handle == \"$h\")")
	sim_call GET /v1/models/embedding
	e=$(body_get "any(.[]; .handle == \"$h\")")
	[ "$m" = true ] || [ "$e" = true ] || fail "examples/ handle $h is not served by default"
done
sim_call GET '/v1/models/?provider_name=anthropic'
expect_body 'length > 0 and all(.[]; .provider_name == "anthropic")'
sim_call GET /v1/models/embedding
expect_status 200
expect_body 'any(.[]; .handle == "openai/text-embedding-3-small" and .embedding_dim == 1536 and .model_type == "embedding")'

# Unknown handles: the server's words and statuses; nothing is created.
sim_call POST /v1/agents/ '{"name":"a","model":"openai/x","memory_blocks":[{"label":"p","value":"v"}]}'
expect_status 404
expect_body '.detail == "Handle openai/x not found"'
sim_call POST /v1/agents/ '{"name":"a","model":"openai/gpt-4o-mini","embedding":"openai/y"}'
expect_status 400
expect_body '.detail == "Embedding model openai/y not found"'
sim_call GET /v1/agents/count
expect_body '. == 0'
sim_call GET /v1/blocks/count
expect_body '. == 0'
sim_call POST /v1/folders/ '{"name":"f","embedding":"openai/y"}'
expect_status 400
expect_body '.detail == "Embedding model openai/y not found"'
sim_call GET /v1/folders/count
expect_body '. == 0'

# Known handles: the configs come from the list.
sim_call POST /v1/agents/ '{"name":"a","model":"anthropic/claude-opus-4","embedding":"openai/text-embedding-3-large"}'
expect_status 200
expect_body '.llm_config.handle == "anthropic/claude-opus-4" and .llm_config.model_endpoint_type == "anthropic"
	and .embedding_config.embedding_dim == 3072'
aid=$(body_get .id)
sim_call PATCH "/v1/agents/$aid" '{"model":"openai/nope","description":"changed"}'
expect_status 404
expect_body '.detail == "Handle openai/nope not found"'
sim_call PATCH "/v1/agents/$aid" '{"embedding":"openai/nope","description":"changed"}'
expect_status 400
sim_call GET "/v1/agents/$aid"
expect_body '.model == "anthropic/claude-opus-4" and .description == null'
sim_call PATCH "/v1/agents/$aid" '{"model":"openai/gpt-4o"}'
expect_status 200
expect_body '.llm_config.handle == "openai/gpt-4o"'

# --models FILE replaces the lists: strings or objects with "handle".
cat >"$TMP/models.json" <<'JSON'
{"llm": ["ollama/qwen3:8b", {"handle": "openai/gpt-4o-mini", "context_window": 64000}],
 "embedding": [{"handle": "ollama/nomic-embed-text", "embedding_dim": 768}]}
JSON
start_sim --models "$TMP/models.json"
sim_call GET /v1/models/
expect_body '[.[].handle] == ["ollama/qwen3:8b","openai/gpt-4o-mini"] and .[0].provider_type == "ollama" and .[1].context_window == 64000'
sim_call GET /v1/models/embedding
expect_body '[.[].handle] == ["ollama/nomic-embed-text"] and .[0].embedding_dim == 768'
sim_call POST /v1/agents/ '{"name":"a","model":"openai/gpt-4o"}'
expect_status 404
sim_call POST /v1/folders/ '{"name":"f","embedding":"ollama/nomic-embed-text"}'
expect_status 200
expect_body '.embedding_config.embedding_dim == 768'

# A bad --models file stops the simulator with a usage error.
echo '{"llm": [1]}' >"$TMP/bad.json"
set +e
"$SIM_BIN" --port 0 --models "$TMP/bad.json" >"$TMP/o" 2>"$TMP/e"
brc=$?
set -e
[ "$brc" -eq 64 ] || fail "bad --models: exit $brc"
grep -q 'llm' "$TMP/e" || fail "bad --models: $(cat "$TMP/e")"
