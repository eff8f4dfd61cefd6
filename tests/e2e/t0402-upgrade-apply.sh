#!/usr/bin/env bash
# upgrade (issue 11): a safe step is applied and recorded as version:<v>; the shared block the
# version needs is created once, but an existing shared block changes only through sync;
# breaking changes and downgrades are refused (exit 1, naming the agent and the changes)
# without a terminal or --yes, and applied with --yes; a pinned agent moves only with
# --target; a second upgrade writes nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup bob:stable carol:beta pat:pinned
export CI=true # never prompt, even on a terminal

# bob (stable): 1.0.0 -> 1.1.0, safe.
run upgrade --agent bob
expect_rc 0
expect_out 'bob .*1\.0\.0 -> 1\.1\.0'
expect_out 'Upgrade complete: 1 upgraded'
expect_agent bob '.system == "You help a lot." and (.tags | index("version:1.1.0"))
	and (.tags | index("version:1.0.0") | not) and ([.blocks[].label] | sort) == ["guide","policy"]
	and .model == "openai/gpt-4o-mini"'
# policy's value changed in v1.1.0, but an existing shared object changes only through sync.
sim_get /v1/blocks/?label=policy | jq -e 'length == 1 and .[0].value == "be kind"' >/dev/null ||
	fail "upgrade changed the shared block policy: $(sim_get /v1/blocks/?label=policy)"
sim_get /v1/blocks/?label=guide | jq -e 'length == 1' >/dev/null || fail "guide not created once"
# The other agents are untouched.
expect_agent carol '(.tags | index("version:1.0.0")) and .system == "You help."'
expect_agent pat '(.tags | index("version:1.0.0"))'

# Already there: nothing to write.
expect_writes 0 upgrade --agent bob
expect_out 'Upgrade complete: 0 upgraded, 1 up to date'

# carol (beta): the breaking pre-release is refused without --yes and changes nothing.
expect_writes 0 upgrade --agent carol
expect_rc 1
expect_err "agent 'carol' \(agent-[^)]*\): breaking changes need confirmation: detaches memory_blocks 'policy'; model change"
expect_err 'hint: --yes applies breaking changes'
expect_agent carol '(.tags | index("version:1.0.0")) and .model == "openai/gpt-4o-mini"'
run upgrade --agent carol --json
expect_rc 1
expect_jq '.ok == false and (.error.message | test("carol"))'
expect_jq '.error.details.agents[0].status == "refused" and .error.details.agents[0].breaking'

# With --yes it applies; the guide block is reused, not created again.
run upgrade --agent carol --yes
expect_rc 0
expect_agent carol '(.tags | index("version:2.0.0-beta.1")) and .model == "openai/gpt-4o"
	and ([.blocks[].label] | sort) == ["guide"]'
sim_get /v1/blocks/?label=guide | jq -e 'length == 1' >/dev/null || fail "guide duplicated"

# A downgrade (--target lower than the applied version) is breaking too.
expect_writes 0 upgrade --agent carol --target 1.0.0
expect_rc 1
expect_err "downgrade from 2\.0\.0-beta\.1 to 1\.0\.0"
run upgrade --agent carol --target v1.0.0 --yes
expect_rc 0
expect_agent carol '(.tags | index("version:1.0.0")) and .model == "openai/gpt-4o-mini"
	and ([.blocks[].label] | sort) == ["policy"]'

# pat (pinned) does not move on its channel, only with --target.
expect_writes 0 upgrade --agent pat
expect_rc 0
expect_out 'pinned'
run upgrade --agent pat --target 1.1.0 --json
expect_rc 0
expect_jq '.data[0].status == "upgraded" and .data[0].available == "1.1.0"'
expect_agent pat '(.tags | index("version:1.1.0")) and (.tags | index("channel:pinned"))'

# sync afterwards sees the recorded versions: pat is pinned, carol is on 1.0.0 < work tree.
run diff --json
expect_rc 0

# A version that no longer describes an agent (its template is gone there) does not pretend to
# upgrade it: exit 1, the agent named, its version tag unchanged.
cat >.letta/manifests/project/fleet.yaml <<YAML
apiVersion: letta.ai/v1
kind: Template
metadata: {name: other}
spec:
  layer: project
  agent: {name: other, system: "Other.", modelConfig: {model: openai/gpt-4o-mini}}
YAML
git add -A && git commit -q -m "v3: no helper" && git tag v3.0.0
expect_writes 0 upgrade --agent bob
expect_rc 1
expect_err "agent 'bob' \(agent-[^)]*\): version 3\.0\.0 does not describe it"
expect_agent bob '(.tags | index("version:1.1.0"))'
