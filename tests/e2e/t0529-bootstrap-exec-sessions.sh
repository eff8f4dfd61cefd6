#!/usr/bin/env bash
# issue 23: bootstrap --exec opens the new agent in current Letta Code, which prefers
# sessionsByServer[<server key>] and lastSession over lastAgent in .letta/settings.local.json
# (docs/contract/memfs.md; server key: the base URL without scheme and trailing slash). bootstrap sets this
# server's entry and lastSession to the new agent (a stale conversationId dropped), keeps the
# other servers' entries and every unknown field, and writes atomically. The stand-in `letta`
# resolves the agent with that precedence and records what it would open.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup
templates
mkdir -p "$TMP/bin" .letta
cat >"$TMP/bin/letta" <<SH
#!/bin/sh
# Letta Code's choice: sessionsByServer[this server] > lastSession > lastAgent.
key=\$(printf '%s' "\$LETTA_BASE_URL" | sed -e 's|^[a-z]*://||' -e 's|/*\$||')
jq -r --arg k "\$key" '.sessionsByServer[\$k].agentId // .lastSession.agentId // .lastAgent' \
	.letta/settings.local.json >"$TMP/opened"
printf '%s\n' "\$@" >"$TMP/letta.args"
SH
chmod +x "$TMP/bin/letta"
KEY=$(printf '%s' "$LETTA_BASE_URL" | sed -e 's|^[a-z]*://||' -e 's|/*$||')
cat >.letta/settings.local.json <<JSON
{"lastAgent": "agent-old", "permissions": {"allow": ["Bash(ls)"]},
 "lastSession": {"agentId": "agent-old", "conversationId": "conv-old", "pinned": true},
 "sessionsByServer": {"api.letta.com": {"agentId": "agent-cloud", "conversationId": "conv-c"},
                      "$KEY": {"agentId": "agent-old", "conversationId": "conv-old", "note": "x"}}}
JSON

PATH="$TMP/bin:$PATH" run bootstrap --name coded --exec --skip-scope-sync
expect_rc 0
NEW=$(agents_named coded | jq -r '.[0].id')
[ "$(cat "$TMP/opened")" = "$NEW" ] || fail "Letta Code would open $(cat "$TMP/opened"), not $NEW"
jq -e --arg k "$KEY" --arg a "$NEW" '
	.lastAgent == $a and .permissions == {"allow": ["Bash(ls)"]}
	and .lastSession == {"agentId": $a, "pinned": true}
	and .sessionsByServer["api.letta.com"] == {"agentId": "agent-cloud", "conversationId": "conv-c"}
	and .sessionsByServer[$k] == {"agentId": $a, "note": "x"}' .letta/settings.local.json >/dev/null ||
	fail "settings.local.json: $(cat .letta/settings.local.json)"
ls -a .letta | grep -v -E '^(\.|\.\.|settings\.local\.json|manifests)$' | grep . && fail "a temporary file was left in .letta/"

# A file without any session yet: both are created.
echo '{}' >.letta/settings.local.json
PATH="$TMP/bin:$PATH" run bootstrap --name second --exec --skip-scope-sync
expect_rc 0
NEW=$(agents_named second | jq -r '.[0].id')
[ "$(cat "$TMP/opened")" = "$NEW" ] || fail "Letta Code would open $(cat "$TMP/opened"), not $NEW"
jq -e --arg k "$KEY" --arg a "$NEW" '.sessionsByServer == {($k): {"agentId": $a}} and .lastSession == {"agentId": $a}' \
	.letta/settings.local.json >/dev/null || fail "settings.local.json: $(cat .letta/settings.local.json)"
true
