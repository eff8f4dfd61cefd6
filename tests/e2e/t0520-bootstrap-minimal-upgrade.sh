#!/usr/bin/env bash
# issue 23: an agent made from no template (bootstrap --minimal) has nothing to upgrade.
# bootstrap's own auto-upgrade leaves it alone, and upgrade --all (and --check, and --json)
# reports it as skipped with the reason and exits 0, without a write, while a templated agent
# next to it is upgraded.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup
unset LETTA_DEFAULT_MODEL LETTA_MODEL LETTA_DEFAULT_EMBEDDING || true
export CI=true
templates
git tag v1.0.0
run sync
expect_rc 0
run bootstrap --name tmpl --skip-scope-sync
expect_rc 0
# A newer version exists when the minimal agent is made: no auto-upgrade of a template-less agent.
git commit -q --allow-empty -m "1.1.0" && git tag v1.1.0
git checkout -q v1.0.0
before=$(writes)
LETTA_MODEL=openai/gpt-4o-mini run bootstrap --name bare --minimal --skip-scope-sync --json
expect_rc 0
expect_jq '.data.upgrade.upgraded == false and .data.upgrade.skipped == true'
git checkout -q -
BARE=$(jq -r .data.agent.id "$TMP/out")

run upgrade --all --check --json
expect_rc 0
expect_jq '[.data[] | select(.name == "bare")][0] | .status == "skipped" and (.reason | test("no template"))'
expect_jq '[.data[] | select(.name == "tmpl")][0] | .available == "1.1.0" and .status == null'

# Seen by the user: a line naming it and "skipped", the reason; exit 0.
before=$(writes)
run upgrade --all
expect_rc 0
expect_out "^bare \\($BARE\\) \\[stable\\]: skipped: no template"
expect_out 'Upgrade complete: 1 upgraded, 0 up to date, 1 skipped'
expect_agent() { agents_named "$1" | jq -e ".[0] | $2" >/dev/null || fail "$1: $2: $(agents_named "$1")"; }
expect_agent bare '(.tags | index("version:1.0.0"))'
expect_agent tmpl '(.tags | index("version:1.1.0"))'

# The pinned agent alone (upgrade without --agent) and --json: skipped, exit 0, no error.
expect_writes 0 upgrade --agent bare --json
expect_rc 0
expect_jq '.ok and .data[0].status == "skipped" and .data[0].error == null'
