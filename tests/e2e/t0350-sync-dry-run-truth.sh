#!/usr/bin/env bash
# Issue 20, item 9: the dry run reports and exits as the real run would (sync with conflicts,
# upgrade with breaking changes nobody can confirm), summaries count conflicts, and a
# shortened list diff still shows the element that changed.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
upgrade_setup bob:stable carol:beta
export CI=true

# upgrade --dry-run: breaking changes nobody can confirm (CI, no --yes) are refused as in the
# real run: exit 1, the same error; with --yes both go ahead.
expect_writes 0 upgrade --agent carol --dry-run
expect_rc 1
expect_err "agent 'carol' \(agent-[^)]*\): breaking changes need confirmation"
expect_err 'hint: --yes applies breaking changes'
expect_writes 0 upgrade --agent carol --dry-run --json
expect_rc 1
expect_jq '.ok == false and .error.details.agents[0].status == "refused" and (.data | length) == 1'
run upgrade --agent carol
expect_rc 1
expect_err "agent 'carol' \(agent-[^)]*\): breaking changes need confirmation"
expect_writes 0 upgrade --agent carol --dry-run --yes
expect_rc 0
expect_writes 0 upgrade --agent bob --dry-run
expect_rc 0

# upgrade --check: the long tags list is shortened to what changes, never cut before it.
run upgrade --check --agent bob
expect_rc 0
grep -F 'tags:' "$TMP/out" >"$TMP/tags" || fail "no tags line: $(cat "$TMP/out")"
grep -qE '^ +tags: -"version:1\.0\.0", \+"version:1\.1\.0" \([0-9]+ unchanged\)$' "$TMP/tags" ||
	fail "the tags line hides the change: $(cat "$TMP/tags")"

# A conflict: the shared block policy edited outside git.
id=$(sim_get "/v1/blocks/?label=policy" | jq -r '.[0].id')
sim_call PATCH "/v1/blocks/$id" '{"value":"edited in the ADE"}'
expect_status 200

# The dry run: exit 1 like the real run, the conflict in its summary, nothing written.
expect_writes 0 sync --dry-run
expect_rc 1
expect_out '^Dry run summary: .*, 1 conflict\(s\)$'
expect_err "^error: 1 object\(s\) in conflict would be left alone$"
expect_err 'hint: sync --force makes git win'
dry_rc=$rc
expect_writes 0 sync --dry-run --json
expect_rc 1
expect_jq '.ok == false and .error.code == "CONFLICT" and (.data | length) == 1
	and .error.details.dry_run == true and .error.details.summary.conflicts == 1
	and ([.error.details.changes[] | select(.action == "conflict" and .name == "policy")] | length) == 1'

# The real run exits the same way and counts the conflict in its summary.
run sync
[ "$rc" -eq "$dry_rc" ] || fail "sync --dry-run exited $dry_rc, sync $rc"
expect_out '^Sync completed with errors: .* 0 failed, 1 conflict\(s\)$'
sim_get "/v1/blocks/$id" | jq -e '.value == "edited in the ADE"' >/dev/null || fail "conflict overwritten"

# With --force both succeed: the dry run says so and writes nothing; the real run converges.
expect_writes 0 sync --dry-run --force
expect_rc 0
expect_out '^Dry run summary: .*, 0 conflict\(s\)$'
run sync --force
expect_rc 0
expect_writes 0 sync --dry-run
expect_rc 0

echo "ok: $TEST_NAME"
