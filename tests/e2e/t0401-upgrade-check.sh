#!/usr/bin/env bash
# upgrade --check (issue 11): per agent the current and available version and each change
# classed safe or breaking; channel precedence (--channel > channel: tag > stable); pinned
# moves only with --target, given with or without "v"; --exit-code; --dry-run sends no write;
# without --agent or --all the pinned agent (lastAgent) is the target, and without one either
# it is a usage error.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup bob:stable carol:beta pat:pinned
BOB=$(agent_id bob)

# Usage errors.
run upgrade --check
expect_rc 64
expect_err "no agent to upgrade: give --agent <id> or --all"
run upgrade --all --agent "$BOB" --check
expect_rc 64
run upgrade --all --check --channel betta
expect_rc 64
expect_err "unknown channel 'betta'"

# --check --all --json: one element per agent, diff-shaped changes.
before=$(writes)
run upgrade --all --check --json
expect_rc 0
[ "$(writes)" -eq "$before" ] || fail "--check sent write requests"
expect_jq '.ok and (.data | length) == 3'
expect_jq '.data | all(keys == (["agent","available","breaking","changes","channel","current","name"]))'
expect_jq '.data[] | select(.name == "bob") | .channel == "stable" and .current == "1.0.0"
	and .available == "1.1.0" and .breaking == false'
expect_jq '.data[] | select(.name == "bob") | .changes | all(keys == (["action","agent","breaking","fields","kind","name","section"]))'
expect_jq '[.data[] | select(.name == "bob") | .changes[] | select(.section == "memory_blocks")
	| .fields[0].to] == [["guide","policy"]]'
# The shared block the version needs is part of the upgrade, created (never updated).
expect_jq '[.data[] | select(.name == "bob") | .changes[] | select(.kind == "Block")
	| .action] == ["create"]'
expect_jq '.data[] | select(.name == "carol") | .channel == "beta" and .available == "2.0.0-beta.1"
	and .breaking == true'
expect_jq '[.data[] | select(.name == "carol") | .changes[] | select(.breaking) | .section]
	| sort == ["memory_blocks","model"]'
expect_jq '.data[] | select(.name == "pat") | .channel == "pinned" and .available == "1.0.0"
	and .changes == []'

# Human output names the versions and the breaking parts.
run upgrade --all --check
expect_rc 0
expect_out '^bob \(agent-[^)]*\) \[stable\]: 1\.0\.0 -> 1\.1\.0, [0-9]+ change\(s\), safe'
expect_out '^carol .*\[beta\]: 1\.0\.0 -> 2\.0\.0-beta\.1, .*BREAKING'
expect_out "breaking: detaches memory_blocks 'policy'; model change"
expect_out '^pat .*\[pinned\]: 1\.0\.0: pinned \(moves only with --target\)'
expect_out '2 of 3 agent\(s\) can be upgraded'

# --channel beats the agent's tag; --target moves a pinned agent, with or without "v".
run upgrade --agent bob --check --json --channel beta
expect_jq '.data[0].channel == "beta" and .data[0].available == "2.0.0-beta.1" and .data[0].breaking'
run upgrade --agent carol --check --json --channel stable
expect_jq '.data[0].channel == "stable" and .data[0].available == "1.1.0"'
run upgrade --agent pat --check --json --target 1.1.0
expect_jq '.data[0].available == "1.1.0" and (.data[0].changes | length) > 0'
cp "$TMP/out" "$TMP/plain.json"
run upgrade --agent pat --check --json --target v1.1.0
jq -e --slurpfile a "$TMP/plain.json" '.data == $a[0].data' "$TMP/out" >/dev/null ||
	fail "--target v1.1.0 and --target 1.1.0 differ"
run upgrade --agent pat --check --target 3.0.0
expect_rc 1
expect_err 'no version 3\.0\.0'

# --exit-code: 2 when an upgrade is available, 0 when none is.
run upgrade --agent bob --check --exit-code
expect_rc 2
run upgrade --agent pat --check --exit-code
expect_rc 0

# --dry-run: the same plan, zero writes.
before=$(writes)
run upgrade --all --dry-run --yes
expect_rc 0
expect_out 'Dry run: 2 of 3 agent\(s\) can be upgraded'
[ "$(writes)" -eq "$before" ] || fail "--dry-run sent $(( $(writes) - before )) writes"

# The pinned agent (lastAgent in .letta/settings.local.json) is the default target.
printf '{"lastAgent": "%s", "other": 1}\n' "$BOB" >.letta/settings.local.json
run upgrade --check --json
expect_rc 0
expect_jq '(.data | length) == 1 and .data[0].name == "bob"'
# --agent wins over the pin.
run upgrade --check --json --agent carol
expect_jq '.data[0].name == "carol"'
# A pinned agent that is gone: an error that says so.
printf '{"lastAgent": "agent-gone"}\n' >.letta/settings.local.json
run upgrade --check
expect_rc 1
expect_err "agent 'agent-gone' not found"

# An agent letta-sync does not manage is not upgraded.
sim_call POST /v1/agents/ '{"name": "handmade", "model": "openai/gpt-4o-mini", "tags": ["version:1.0.0"]}' -H "X-Project: $LETTA_SYNC_PROJECT"
expect_status 200
run upgrade --agent handmade --check
expect_rc 1
expect_err "agent 'handmade' is not managed by letta-sync"
run upgrade --all --check --json
expect_jq '(.data | length) == 3 and (.data | map(.name) | index("handmade") | not)'
