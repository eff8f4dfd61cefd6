#!/usr/bin/env bash
# validate: every problem of a broken repository, as path:line:col: severity: message on stdout,
# sorted by file and position, a summary line, exit 1; --json carries the same list.
. "$(dirname "$0")/lib-e2e.sh"

repo="$TMP/repo"
new_repo "$repo"
cd "$repo"
mkdir -p .letta/manifests/base .letta/manifests/org .letta/manifests/project
cat >.letta/manifests/base/blocks.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata:
  name: persona
spec:
  label: persona
  value: I help.
  limit: 5
---
apiVersion: letta.ai/v1
kind: Blok
metadata:
  name: typo
spec: {}
---
apiVersion: letta.ai/v1
kind: Block
metadata:
  name: notes
spec:
  lable: notes
  value: x
YAML
cat >.letta/manifests/org/tools.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Tool
metadata:
  name: lookup
spec:
  sourceType: python
  sourceCode: "def lookup(): pass"
  toolType: letta_core
  jsonSchema:
    type: function
    function:
      name: look_up
YAML
cat >.letta/manifests/project/agents.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Template
metadata:
  name: helper
spec:
  agent:
    name: helper
    blocks:
      - name: persona
      - name: notez
    tools: [lookup, send_message]
---
apiVersion: letta.ai/v1
kind: Agent
metadata:
  name: bot
spec:
  template: helpr
  channel: nightly
YAML
cat >.letta/manifests/project/bad.yaml <<'YAML'
a: [1, 2
YAML

run validate
expect_rc 1
cat >"$TMP/want" <<'OUT'
.letta/manifests/base/blocks.yaml:7:3: error: Block.persona: value is 7 characters, over its limit of 5
.letta/manifests/base/blocks.yaml:11:1: error: unknown kind 'Blok'
  hint: did you mean 'Block'?
.letta/manifests/base/blocks.yaml:20:1: error: Block.notes: Missing required field: spec.label
.letta/manifests/base/blocks.yaml:21:3: error: Block.notes: unknown field 'spec.lable'
  hint: did you mean 'label'?
.letta/manifests/org/tools.yaml:8:3: error: Tool.lookup: toolType 'letta_core' cannot be created through the Letta API (only custom tools can)
.letta/manifests/org/tools.yaml:12:7: error: Tool.lookup: jsonSchema.function.name must match metadata.name
.letta/manifests/project/agents.yaml:10:9: error: Template.helper: Block 'notez' is not defined
  hint: did you mean 'notes'?
.letta/manifests/project/agents.yaml:18:3: error: Agent.bot: Template 'helpr' is not defined
  hint: did you mean 'helper'?
.letta/manifests/project/agents.yaml:19:3: error: Agent.bot: Invalid channel: nightly
  hint: one of: stable, beta, pinned
.letta/manifests/project/bad.yaml:2:1: error: did not find expected ',' or ']' while parsing a flow sequence
10 errors, 0 warnings in 4 files
OUT
diff -u "$TMP/want" "$TMP/out" || fail "unexpected stdout"
[ ! -s "$TMP/err" ] || fail "stderr not empty: $(cat "$TMP/err")"

run validate --json
expect_rc 1
expect_jq '.ok == false and .command == "validate" and .error.code == "INVALID_CONFIG"'
expect_jq '.error.message == "10 errors in the configuration" and .error.hint == null'
expect_jq '.data | length == 10'
expect_jq '.data[0] == {"severity":"error","file":".letta/manifests/base/blocks.yaml","line":7,"col":3,"message":"Block.persona: value is 7 characters, over its limit of 5","hint":null}'
expect_jq '.data[1].hint == "did you mean '"'"'Block'"'"'?"'
expect_jq '[.data[] | .severity] | unique == ["error"]'

# Another command refuses to load the same manifests: never a partial state. (diff and sync
# call config_load; until they do, validate is the check.)
rm .letta/manifests/project/bad.yaml
run validate
expect_rc 1
expect_out '^9 errors, 0 warnings in 3 files$'
