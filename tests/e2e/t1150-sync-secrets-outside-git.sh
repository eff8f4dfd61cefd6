#!/usr/bin/env bash
# issue 23: agent secrets set outside git are reported, never dropped silently. The agent
# answers carry which secrets are set (include=agent.secrets); the API client keeps the names
# only, never the values. A write replaces the whole set, so when the manifest's secrets change
# while the server has secrets git does not know, that write is held back as a conflict on the
# agent (exit 1, both names shown, nothing written) until they are declared or --force drops
# them; while nothing is written, diff and sync warn that they exist. No value is ever printed.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
sync_setup
export GH_TOKEN=ghp-$RANDOM$RANDOM$RANDOM EXTRA_TOKEN=ext-$RANDOM$RANDOM$RANDOM
HAND=hand-$RANDOM$RANDOM$RANDOM
fleet() { # SECRETS
	{
		helper_yaml "You help."
		echo "    secrets: {$1}"
		printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: bob}\nspec: {layer: project, template: helper}\n'
	} | manifest fleet.yaml
}
secrets_of() { sim_admin GET /_sim/state | jq -c --arg n "$1" '.agents[] | select(.name == $n) | ._secrets'; }
nosecret() {
	if grep -qF -e "$GH_TOKEN" -e "$EXTRA_TOKEN" -e "$HAND" "$TMP/out" "$TMP/err"; then fail "a secret value was printed: $*"; fi
}

fleet 'GITHUB_TOKEN: "${GH_TOKEN}"'
run sync
expect_rc 0
id=$(agent_json bob | jq -r .id)

# Someone sets a secret by hand (the API replaces the set: both are sent).
sim_call PATCH "/v1/agents/$id" "{\"secrets\": {\"GITHUB_TOKEN\": \"$GH_TOKEN\", \"HAND_SET\": \"$HAND\"}}"
expect_status 200

# Nothing to write: reported as a warning, kept, 0 writes.
expect_writes 0 sync -v
expect_rc 0
expect_err "agent 'bob': secrets 'HAND_SET' are set on the server outside git"
nosecret no-op
run diff --json
expect_rc 0
expect_jq '[.warnings[] | select(test("HAND_SET"))] | length == 1'
nosecret diff

# The manifest's secrets change: the write would drop HAND_SET, so it is held back (a conflict).
fleet 'GITHUB_TOKEN: "${GH_TOKEN}", EXTRA: "${EXTRA_TOKEN}"'
run diff --json
expect_jq '[.data[] | select(.action == "conflict" and .section == "settings" and (.reason | test("HAND_SET")))] | length == 1'
expect_writes 0 sync -v
expect_rc 1
expect_err "conflict Agent/bob \\[settings\\]: secrets 'HAND_SET' were set on the server outside git"
nosecret conflict
[ "$(secrets_of bob)" = "{\"GITHUB_TOKEN\":\"$GH_TOKEN\",\"HAND_SET\":\"$HAND\"}" ] ||
	fail "the secrets changed: $(secrets_of bob | sed 's/[a-z]*-[0-9]*/<value>/g')"

# Declared in git: no longer outside, written with the rest.
export HAND_TOKEN=$HAND
fleet 'GITHUB_TOKEN: "${GH_TOKEN}", EXTRA: "${EXTRA_TOKEN}", HAND_SET: "${HAND_TOKEN}"'
expect_writes 1 sync
expect_rc 0
[ "$(secrets_of bob)" = "{\"GITHUB_TOKEN\":\"$GH_TOKEN\",\"EXTRA\":\"$EXTRA_TOKEN\",\"HAND_SET\":\"$HAND\"}" ] ||
	fail "declared secret not written"

# Set by hand again, then --force: git wins, the hand-set one is dropped with a warning.
sim_call PATCH "/v1/agents/$id" "{\"secrets\": {\"GITHUB_TOKEN\": \"$GH_TOKEN\", \"EXTRA\": \"$EXTRA_TOKEN\", \"HAND_SET\": \"$HAND\", \"LATE\": \"$HAND\"}}"
expect_status 200
fleet 'GITHUB_TOKEN: "${GH_TOKEN}"'
expect_writes 1 sync --force
expect_rc 0
expect_err "--force removes secrets 'LATE', set on the server outside git"
nosecret force
[ "$(secrets_of bob)" = "{\"GITHUB_TOKEN\":\"$GH_TOKEN\"}" ] || fail "--force did not replace the set"
expect_writes 0 sync
expect_rc 0
