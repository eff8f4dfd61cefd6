#!/usr/bin/env bash
# Rejects functions we never use, as git's banned.h does.
set -u
root=${1:-.}
cd "$root" || exit 1
hits=$(grep -RnE '\b(strcpy|strcat|sprintf|vsprintf|strtok|gets|atoi|atol)[[:space:]]*\(' src sim --include='*.c' --include='*.h' || true)
if [ -n "$hits" ]; then
	echo "banned functions (use snprintf, buf_*, strtol, strtok_r):"
	echo "$hits"
	exit 1
fi
echo "banned: ok"
