#!/usr/bin/env bash
# issue 23: `letta-sync bootstrap --name my-agent --minimal` as the seed writes it, with nothing
# naming a model (no template, --model, LETTA_DEFAULT_MODEL or LETTA_MODEL): the model is the
# server's default from GET /v1/models/ by the documented rule (letta/letta-free when served,
# else the first model the server lists), and a warning says which. A server that lists no
# model: the error names every source and nothing is written.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
models() { printf '{"llm": [%s], "embedding": ["openai/text-embedding-3-small"]}\n' "$1" >"$TMP/models.json"; }
models '"acme/first", "acme/second"'
sync_setup --models "$TMP/models.json"
unset LETTA_DEFAULT_MODEL LETTA_MODEL LETTA_DEFAULT_EMBEDDING || true

run bootstrap --name my-agent --minimal
expect_rc 0
expect_err "warning: no model named .*: using 'acme/first', the first model the server lists \(GET /v1/models/\)"
agents_named my-agent | jq -e '.[0].model == "acme/first"' >/dev/null ||
	fail "my-agent's model: $(agents_named my-agent | jq -c '.[0].model')"

# The seed's default on Letta Cloud wins wherever it is in the list; --json says which model.
models '"acme/first", "letta/letta-free"'
start_sim --models "$TMP/models.json"
run bootstrap --name cloud --minimal --skip-scope-sync --json
expect_rc 0
expect_jq '.ok and .data.model == "letta/letta-free" and (.warnings | map(test("letta/letta-free")) | any)'

# A named model still wins, and reads no list.
run bootstrap --name named --minimal --model acme/first --skip-scope-sync
expect_rc 0
if grep -q 'no model named' "$TMP/err"; then fail "warned although --model was given"; fi

# No model on the server: the error, before any write.
models ''
start_sim --models "$TMP/models.json"
before=$(writes)
run bootstrap --name none --minimal
expect_rc 1
expect_err "no model for agent 'none'"
for w in modelConfig.model --model LETTA_DEFAULT_MODEL LETTA_MODEL; do
	expect_err "$w"
done
[ "$(writes)" -eq "$before" ] || fail "a failed bootstrap wrote something"
