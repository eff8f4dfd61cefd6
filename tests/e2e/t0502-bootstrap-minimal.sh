#!/usr/bin/env bash
# bootstrap --minimal (and no template at all): only core memory (persona, human); the model
# comes from --model, else LETTA_DEFAULT_MODEL, else LETTA_MODEL, else the server's default
# (issue 23, t0528); --minimal with --template is a usage error.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
# The made-up handles below are served through --models (letta-sim refuses unknown handles as
# the real server does).
cat >"$TMP/models.json" <<'JSON'
{"llm": ["openai/gpt-4o-mini", "env/model", "default/model", "flag/model"],
 "embedding": ["openai/text-embedding-3-small", "emb/e", "flag/emb"]}
JSON
sync_setup --models "$TMP/models.json"
unset LETTA_DEFAULT_MODEL LETTA_MODEL LETTA_DEFAULT_EMBEDDING || true
templates

run bootstrap --name m --minimal --template helper
expect_rc 64
expect_err '--minimal and --template cannot be used together'

# No model anywhere: the server's default (t0528 tests the rule and the error).
run bootstrap --name m --minimal --skip-scope-sync --json
expect_rc 0
expect_jq '.data.model == "openai/gpt-4o-mini"'

# LETTA_MODEL, then LETTA_DEFAULT_MODEL over it, then --model over both.
LETTA_MODEL=env/model run bootstrap --name m1 --minimal --skip-scope-sync
expect_rc 0
LETTA_MODEL=env/model LETTA_DEFAULT_MODEL=default/model LETTA_DEFAULT_EMBEDDING=emb/e \
	run bootstrap --name m2 --minimal --skip-scope-sync
expect_rc 0
LETTA_DEFAULT_MODEL=default/model run bootstrap --name m3 --minimal --model flag/model \
	--embedding flag/emb --skip-scope-sync --json
expect_rc 0
expect_jq '.data.template == null and .data.model == "flag/model" and .data.embedding == "flag/emb"'
for n in m1:env/model m2:default/model m3:flag/model; do
	agents_named "${n%%:*}" | jq -e --arg m "${n#*:}" 'length == 1 and .[0].model == $m
		and ([.[0].blocks[].label] | sort) == ["human","persona"]
		and (.[0].tags | index("managed:letta-sync")) and (.[0].tags | map(startswith("template:")) | any | not)' \
		>/dev/null || fail "${n%%:*} is not a minimal agent on ${n#*:}: $(agents_named "${n%%:*}")"
done
agents_named m2 | jq -e '.[0].embedding == "emb/e"' >/dev/null || fail "LETTA_DEFAULT_EMBEDDING ignored"

# A template's modelConfig wins over --model.
run bootstrap --name t1 --model flag/model --skip-scope-sync
expect_rc 0
agents_named t1 | jq -e '.[0].model == "openai/gpt-4o-mini"' >/dev/null || fail "template model lost"

# Two templates and no default: minimal.
manifest templates.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Template
metadata: {name: a}
spec: {layer: project, agent: {name: a, system: "A"}}
---
apiVersion: letta.ai/v1
kind: Template
metadata: {name: b}
spec: {layer: project, agent: {name: b, system: "B"}}
YAML
LETTA_MODEL=env/model run bootstrap --name nodefault --skip-scope-sync --json
expect_rc 0
expect_jq '.data.template == null and .data.memory_blocks == ["persona","human"]'
