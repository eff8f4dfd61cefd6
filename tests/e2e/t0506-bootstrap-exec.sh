#!/usr/bin/env bash
# bootstrap --exec replaces the process with `letta --agent <id> [--letta-args...]` (a
# stand-in on PATH records its arguments, environment and pid); --letta-path picks another
# executable; without letta the error names the install command and nothing is created.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup
templates
mkdir -p "$TMP/bin" "$TMP/other"
cat >"$TMP/bin/letta" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$TMP/letta.args"
echo "\$PPID" >"$TMP/letta.ppid"
[ -n "\$LETTA_API_KEY" ] && echo key >"$TMP/letta.env"
echo "letta ran"
exit 7
SH
chmod +x "$TMP/bin/letta"
sed "s|letta.args|other.args|" "$TMP/bin/letta" >"$TMP/other/letta-dev"
chmod +x "$TMP/other/letta-dev"
# A PATH without any letta (a real Letta Code installed on this machine must not interfere).
PATH_NO_LETTA=
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
	[ -n "$d" ] && [ ! -e "$d/letta" ] && PATH_NO_LETTA=${PATH_NO_LETTA:+$PATH_NO_LETTA:}$d
done

# Not installed: a clear error with the install hint; nothing created, nothing written.
n=$(agent_count)
PATH="$PATH_NO_LETTA" expect_writes 0 bootstrap --name nolet --exec
expect_rc 1
expect_err "Letta Code \\('letta'\\) was not found"
expect_err 'npm install -g @letta-ai/letta-code'
[ "$(agent_count)" -eq "$n" ] || fail "an agent was created although letta is missing"
run bootstrap --name nolet --exec --letta-path "$TMP/nowhere/letta"
expect_rc 1
expect_err "--letta-path '$TMP/nowhere/letta' is not an executable file"
run bootstrap --name nolet --letta-args --x
expect_rc 64

# Installed: the process becomes letta (its exit code is ours), with the new agent's id.
PATH="$TMP/bin:$PATH" run bootstrap --name ex --exec --skip-scope-sync --letta-args=--yolo more
expect_rc 7
expect_out 'Created agent ex'
expect_out 'letta ran'
ID=$(jq -r .lastAgent .letta/settings.local.json)
agents_named ex | jq -e --arg id "$ID" 'length == 1 and .[0].id == $id' >/dev/null || fail "ex not created"
printf -- '--agent\n%s\n--yolo\nmore\n' "$ID" | cmp -s - "$TMP/letta.args" ||
	fail "letta got: $(cat "$TMP/letta.args")"
[ -s "$TMP/letta.env" ] || fail "letta lost the environment"

# --letta-path.
run bootstrap --name ex2 --exec --skip-scope-sync --letta-path "$TMP/other/letta-dev"
expect_rc 7
ID2=$(jq -r .lastAgent .letta/settings.local.json)
printf -- '--agent\n%s\n' "$ID2" | cmp -s - "$TMP/other.args" || fail "letta-dev got: $(cat "$TMP/other.args")"

# --dry-run --exec launches nothing.
rm -f "$TMP/letta.args"
PATH="$TMP/bin:$PATH" run bootstrap --name ex3 --exec --dry-run
expect_rc 0
expect_out 'Would launch'
[ ! -e "$TMP/letta.args" ] || fail "dry run launched letta"
