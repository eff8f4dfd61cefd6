#!/usr/bin/env bash
# issue 23: agent secrets (secrets: {NAME: "${ENV_VAR}"}, a map as in the API). A literal value
# in git is a validation error that says so (file:line:col). Values come from the environment
# and never appear in any output; the server does not echo them, so they are compared by
# source (recorded in the agent's metadata, never the value): written on create, again only
# when a source changes or with --force (the whole set, as the API replaces it); a missing
# variable stops sync before any write.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-upgrade.sh"
sync_setup
export GH_TOKEN=ghp-$RANDOM$RANDOM$RANDOM OTHER_TOKEN=oth-$RANDOM$RANDOM$RANDOM
fleet() { # SECRETS
	{
		helper_yaml "You help."
		echo "    secrets: {$1}"
		printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: bob}\nspec: {layer: project, template: helper}\n'
	} | manifest fleet.yaml
}
secrets_of() { sim_admin GET /_sim/state | jq -c --arg n "$1" '.agents[] | select(.name == $n) | ._secrets'; }
nosecret() { # the values never appear in output
	if grep -qF -e "$GH_TOKEN" -e "$OTHER_TOKEN" "$TMP/out" "$TMP/err"; then fail "a secret value was printed: $*"; fi
}

fleet 'GITHUB_TOKEN: "${GH_TOKEN}"'
run sync --json
expect_rc 0
nosecret create
[ "$(secrets_of bob)" = "{\"GITHUB_TOKEN\":\"$GH_TOKEN\"}" ] || fail "bob's secrets: $(secrets_of bob | sed 's/[a-z]*-[0-9]*/<value>/g')"
expect_agent bob '.metadata.letta_sync.secrets == {"GITHUB_TOKEN": "${GH_TOKEN}"}'
expect_writes 0 sync
nosecret second

# The value changes in the environment only: not written (the server cannot tell us); --force writes it.
export GH_TOKEN=ghp-new-$RANDOM$RANDOM
expect_writes 0 sync
expect_writes 1 sync --force
[ "$(secrets_of bob)" = "{\"GITHUB_TOKEN\":\"$GH_TOKEN\"}" ] || fail "--force did not write the new value"

# A source changes: written, the whole set; diff shows names only.
fleet 'GITHUB_TOKEN: "${OTHER_TOKEN}", EXTRA: "${GH_TOKEN}"'
run diff --json
expect_rc 0
expect_jq '[.data[] | .fields[] | select(.path == "secrets")] == [{"path": "secrets", "from": ["GITHUB_TOKEN"], "to": ["GITHUB_TOKEN", "EXTRA"]}]'
nosecret diff
run sync -v
expect_rc 0
nosecret sync
[ "$(secrets_of bob)" = "{\"GITHUB_TOKEN\":\"$OTHER_TOKEN\",\"EXTRA\":\"$GH_TOKEN\"}" ] || fail "the set was not replaced"
expect_writes 0 sync

# A variable that is not set: an error naming it, before any write.
fleet 'GITHUB_TOKEN: "${NOT_SET_ANYWHERE}"'
expect_writes 0 sync
expect_rc 1
expect_err "secret 'GITHUB_TOKEN' refers to \\$\\{NOT_SET_ANYWHERE\\}, which is not set"

# A literal in git: a validation error, with its place.
fleet 'GITHUB_TOKEN: "ghp-literal"'
run validate
expect_rc 1
expect_out "fleet\\.yaml:[0-9]+:[0-9]+: error: .*secret 'GITHUB_TOKEN' is a literal value"
