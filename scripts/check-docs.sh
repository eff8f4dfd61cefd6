#!/usr/bin/env bash
# Keeps every command's options table, its --help and docs/commands/<name>.md in agreement, as
# curl's test1139 does: each option --help lists must be in the doc, and each option the doc's
# tables list must be in --help.
set -euo pipefail
root=$1
bin=$2
fail=0
commands=$("$bin" --help 2>&1 | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
[ -n "$commands" ] || { echo "no commands found in letta-sync --help"; exit 1; }
for cmd in $commands; do
	doc="$root/docs/commands/$cmd.md"
	if [ ! -f "$doc" ]; then
		echo "$cmd: docs/commands/$cmd.md is missing"
		fail=1
		continue
	fi
	help=$("$bin" "$cmd" --help)
	opts=$(printf '%s\n' "$help" | grep -oE -- '(^|[ ,])--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+' | sort -u)
	for o in $opts; do
		grep -qE -- "$o([^a-z0-9-]|$)" "$doc" || { echo "$cmd: $o is in --help but not in $doc"; fail=1; }
	done
	# Options named in the doc's table rows must exist.
	documented=$(grep -E '^\|' "$doc" | grep -oE -- '`--[a-z][a-z0-9-]*' | tr -d '`' | sort -u)
	for o in $documented; do
		grep -qx -- "$o" <<<"$opts" || { echo "$cmd: $doc documents $o, which --help does not list"; fail=1; }
	done
	# Here-strings, not pipes: grep -q exits early and a writer's SIGPIPE would fail the
	# pipeline under pipefail.
	grep -q '^Examples:' <<<"$help" || { echo "$cmd: --help has no examples"; fail=1; }
done
# The man page and both completions name every command, and no other.
man_cmds=$(awk '/^\.SH COMMANDS/{on=1; next} /^\.SH/{on=0} on && prev == ".TP" && /^\.B /{print $2} {prev=$0}' \
	"$root/docs/man/letta-sync.1" | sort)
bash_cmds=$(sed -n 's/^[[:space:]]*local commands="\(.*\)"$/\1/p' "$root/completions/letta-sync.bash" | tr ' ' '\n' | sort)
zsh_cmds=$(sed -n "s/^[[:space:]]*'\([a-z-]*\):.*'\$/\1/p" "$root/completions/_letta-sync" | sort)
want=$(tr ' ' '\n' <<<"$commands" | grep -v '^$' | sort)
for pair in "docs/man/letta-sync.1:$man_cmds" "completions/letta-sync.bash:$bash_cmds" "completions/_letta-sync:$zsh_cmds"; do
	file=${pair%%:*}
	got=${pair#*:}
	if [ "$got" != "$want" ]; then
		echo "$file lists other commands than letta-sync --help:"
		diff <(echo "$want") <(echo "$got") | grep '^[<>]' | sed -e 's/^</  missing:/' -e 's/^>/  extra:/'
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "docs: ok ($(echo $commands | wc -w) commands)"
exit $fail
