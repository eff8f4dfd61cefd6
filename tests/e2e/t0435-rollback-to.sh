#!/usr/bin/env bash
# rollback --to <version> (issue 28): agents on 1.1.0 move back to 1.0.0 through the planner.
# --dry-run shows the downgrade (the changes diff would show) and writes nothing; the detach of
# Block guide is breaking, so without --yes (CI) it is refused and nothing is written; with
# --yes a snapshot is taken first, then every agent is back at 1.0.0 (server state checked)
# and 'restore <snapshot>' undoes the rollback. Agents not newer than --to are left alone;
# a second rollback writes nothing.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup a1:stable a2:stable a3:stable
export CI=true
run upgrade --all
expect_rc 0
for a in a1 a2 a3; do expect_agent "$a" '(.tags | index("version:1.1.0"))'; done

# Usage.
run rollback --all
expect_rc 64
expect_err "rollback needs '--to <version>'"
expect_writes 0 rollback --to v9.9.9 --all
expect_rc 1
expect_err 'no version v9.9.9 in this repository'

# The dry run: the downgrade and its changes, nothing written, no snapshot.
snaps=$(find .letta -maxdepth 2 -path "*/snapshots/*" -type d | wc -l)
expect_writes 0 rollback --to v1.0.0 --all --dry-run --json
expect_rc 1
expect_jq '[.error.details.agents[] | select(.current == "1.1.0" and .available == "1.0.0")] | length == 3'
expect_jq '[.error.details.agents[] | .changes[] | select(.section == "memory_blocks" and .breaking)] | length == 3'
expect_jq '[.error.details.agents[] | select(.status == "refused")] | length == 3'
expect_writes 0 rollback --to v1.0.0 --all --dry-run --yes
expect_rc 0
expect_out 'a1 \(agent-[^)]*\) \[stable\]: 1.1.0 -> 1.0.0 \(downgrade\), [0-9]+ change\(s\), BREAKING'
expect_out 'memory_blocks: \["guide","policy"\] -> \["policy"\]'
expect_out '^Dry run: 3 of 3 agent\(s\) can be rolled back'
[ "$(find .letta -maxdepth 2 -path "*/snapshots/*" -type d | wc -l)" = "$snaps" ] || fail "the dry run took a snapshot"

# Breaking without --yes: refused, nothing written.
expect_writes 0 rollback --to v1.0.0 --all
expect_rc 1
expect_err 'breaking changes need confirmation'

# One agent, with --yes: a snapshot first, then only a1 moves.
run rollback --to 1.0.0 --agent a1 --yes --json
expect_rc 0
expect_jq '.data[0].status == "rolled_back" and .data[0].current == "1.1.0"'
expect_err "snapshot [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6} saved: 'letta-sync restore"
SNAP=$(grep -oE 'snapshot [0-9]{8}T[0-9]{6}Z-[0-9a-f]{6} saved' "$TMP/err" | awk '{print $2}')
[ -d ".letta/snapshots/$SNAP" ] || fail "no snapshot $SNAP: $(ls .letta/snapshots)"
expect_agent a1 '(.tags | index("version:1.0.0")) and ([.tags[] | select(startswith("version:"))] | length == 1)'
expect_agent a1 '.system == "You help." and ([.memory.blocks[]? // .blocks[]? | .label] | index("guide") | not)'
expect_agent a2 '(.tags | index("version:1.1.0"))'

# All: a1 is not newer than 1.0.0 (left alone), a2 and a3 move back.
run rollback --to v1.0.0 --all --yes --json
expect_rc 0
expect_jq '[.data[] | select(.status == "rolled_back") | .name] | sort == ["a2", "a3"]'
expect_jq '[.data[] | select(.status == "up_to_date") | .name] == ["a1"]'
for a in a1 a2 a3; do expect_agent "$a" '(.tags | index("version:1.0.0")) and .system == "You help."'; done
# Converged: a second rollback writes nothing; rolling "back" to a newer version moves nothing.
expect_writes 0 rollback --to v1.0.0 --all --yes
expect_rc 0
expect_out 'Rollback complete: 0 rolled back, 3 unchanged'
expect_writes 0 rollback --to v1.1.0 --all --yes
expect_rc 0
expect_out 'not newer than the version to roll back to'
# The snapshot undoes the rollback of a1.
run restore "$SNAP"
expect_rc 0
expect_agent a1 '(.tags | index("version:1.1.0")) and .system == "You help a lot."'
echo ok
