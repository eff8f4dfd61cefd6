#!/usr/bin/env bash
# make install PREFIX=<tmp> installs a working binary, the man page and completions.
. "$(dirname "$0")/lib-e2e.sh"

build=$(dirname "$LS_BIN")
DESTDIR="$TMP/dest" cmake --install "$build" --prefix /opt/ls >"$TMP/out" 2>"$TMP/err" ||
	fail "cmake --install failed: $(cat "$TMP/err")"
root="$TMP/dest/opt/ls"
[ -x "$root/bin/letta-sync" ] || fail "no binary"
[ -x "$root/bin/letta-sim" ] || fail "no simulator"
[ "$("$root/bin/letta-sync" --version)" = "0.1.0" ] || fail "installed binary does not run"
zcat "$root/share/man/man1/letta-sync.1.gz" | grep -q '^.TH LETTA-SYNC 1' || fail "bad man page"
[ -f "$root/share/zsh/site-functions/_letta-sync" ] || fail "no zsh completion"
comp="$root/share/bash-completion/completions/letta-sync"
[ -f "$comp" ] || fail "no bash completion"

# The bash completion completes commands and a command's options from its --help.
got=$(PATH="$root/bin:$PATH" bash -c '
	. "'"$comp"'"
	COMP_WORDS=(letta-sync con); COMP_CWORD=1; _letta_sync; echo "${COMPREPLY[*]}"
	COMP_WORDS=(letta-sync context --js); COMP_CWORD=2; _letta_sync; echo "${COMPREPLY[*]}"
	COMP_WORDS=(letta-sync --project p sy); COMP_CWORD=3; _letta_sync; echo "${COMPREPLY[*]}"')
[ "$got" = "context
--json
sync" ] || fail "completion gave: $got"
echo ok
