#!/usr/bin/env bash
# issue 23: every agent setting a team keeps in git is created and updated: description,
# embedding, context window (context_window_limit), model_settings (compared whole),
# compaction_settings, reasoning, max_tokens, parallel_tool_calls, tool_rules, timezone,
# message_buffer_autoclear, max_files_open, per_file_view_window_char_limit, response_format,
# enable_sleeptime, and readOnly on a private block. Each converges (a second sync writes
# nothing); a typo gets file:line:col and did-you-mean.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
sync_setup
fleet() { # DESCRIPTION CONTEXT TZ EXTRA...
	{
		cat <<YAML
apiVersion: letta.ai/v1
kind: Template
metadata: {name: helper}
spec:
  layer: project
  default: true
  agent:
    name: helper
    system: "You help."
    description: "$1"
    modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small, contextWindow: $2}
    timezone: "$3"
    blocks: [{label: persona, value: "I help", readOnly: true}]
YAML
		shift 3
		for l in "$@"; do echo "    $l"; done
		printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: bob}\nspec: {layer: project, template: helper}\n'
	} | manifest fleet.yaml
}
ALL=('modelSettings: {provider_type: openai, temperature: 0.2, max_output_tokens: 2048}'
	'compactionSettings: {mode: sliding_window}'
	'reasoning: true' 'maxTokens: 2048' 'parallelToolCalls: false'
	'toolRules: [{type: run_first, tool_name: send_message}]'
	'messageBufferAutoclear: true' 'maxFilesOpen: 4' 'perFileViewWindowCharLimit: 9000'
	'responseFormat: {type: text}' 'enableSleeptime: false')
fleet "first" 32000 "Europe/Paris" "${ALL[@]}"
run sync
expect_rc 0
expect_agent bob '.description == "first" and .llm_config.context_window == 32000
	and .timezone == "Europe/Paris" and .model_settings.temperature == 0.2
	and .compaction_settings.mode == "sliding_window" and .llm_config.enable_reasoner == true
	and .llm_config.max_tokens == 2048 and .llm_config.parallel_tool_calls == false
	and .tool_rules == [{"type": "run_first", "tool_name": "send_message"}]
	and .message_buffer_autoclear == true and .max_files_open == 4
	and .per_file_view_window_char_limit == 9000 and .response_format.type == "text"
	and .enable_sleeptime == false
	and ([.blocks[] | select(.label == "persona") | .read_only] == [true])'
expect_writes 0 sync

# Updated in place: the description, the context window, the timezone, model_settings.
fleet "second" 64000 "UTC" "${ALL[@]/temperature: 0.2/temperature: 0.5}"
run diff --json
expect_rc 0
expect_jq '[.data[] | select(.name == "bob") | .fields[].path] | sort ==
	["context_window_limit","description","model_settings","timezone"]'
expect_jq '[.data[] | select(.name == "bob") | .section] | sort == ["model","settings"]'
run diff --only settings --json
expect_jq '[.data[] | .fields[].path] | sort == ["description","timezone"]'
expect_writes 1 sync # one PATCH for both sections (no shared objects: no inventory, no lease)
expect_agent bob '.description == "second" and .llm_config.context_window == 64000
	and .timezone == "UTC" and .model_settings == {"provider_type": "openai", "temperature": 0.5, "max_output_tokens": 2048}'
expect_writes 0 sync

# An embedding change is breaking for upgrade (like a model change), as the model.
sed -i 's|embedding: openai/text-embedding-3-small|embedding: openai/text-embedding-3-large|' .letta/manifests/project/fleet.yaml
git commit -qam "embedding"
run diff --json
expect_jq '[.data[] | select(.section == "model") | .breaking] == [true]'
run sync
expect_rc 0
expect_agent bob '.embedding == "openai/text-embedding-3-large"'

# A typo: file:line:col, did you mean.
sed -i 's/maxFilesOpen:/maxFileOpen:/' .letta/manifests/project/fleet.yaml
git commit -qam typo
run sync
expect_rc 1
expect_err 'fleet\.yaml:[0-9]+:[0-9]+: .*unknown field .spec\.agent\.maxFileOpen.'
expect_err "did you mean 'maxFilesOpen'"
