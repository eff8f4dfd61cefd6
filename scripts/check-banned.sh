#!/usr/bin/env bash
# Rejects functions we never use, as git's banned.h does.
set -u
. "$(dirname "$0")/lib-check.sh"
flag "banned functions (use snprintf, buf_*, strtol, strtok_r):" \
	"$(grep -RnE '\b(strcpy|strcat|sprintf|vsprintf|strtok|gets|atoi|atol)[[:space:]]*\(' src sim --include='*.c' --include='*.h' || true)"
[ $fail -eq 0 ] || exit 1
echo "banned: ok"
