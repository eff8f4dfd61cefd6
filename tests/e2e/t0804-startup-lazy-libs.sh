#!/usr/bin/env bash
# Start-up (issue 26): letta-sync loads libcurl and libgit2 only when a command uses them
# (src/lazy/lazy.c, --as-needed): --version, --help and validate load neither; context reads
# git (libgit2, no libcurl); diff against the server loads both and works.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
readelf -d "$LS_BIN" >/dev/null 2>&1 || skip "readelf is not installed"
if readelf -d "$LS_BIN" | grep -qE 'NEEDED.*(libcurl|libgit2)'; then
	fail "letta-sync links libcurl or libgit2 at start: $(readelf -d "$LS_BIN" | grep NEEDED)"
fi

# loaded CMD...: the shared libraries the dynamic loader initialised for letta-sync CMD.
# (Checked with here-strings: `echo "$libs" | grep -q` under pipefail fails when grep exits
# before echo has written everything, as it did once under ASan.)
loaded() {
	LD_DEBUG=libs "$LS_BIN" "$@" 2>&1 >/dev/null | sed -n 's/.*calling init: //p' || true
}
sync_setup
policy_yaml | manifest blocks.yaml

for cmd in "--version" "--help" "validate"; do
	libs=$(loaded $cmd)
	grep -qE 'libcurl|libgit2' <<<"$libs" && fail "letta-sync $cmd loaded: $libs"
	grep -q 'libjansson' <<<"$libs" || fail "LD_DEBUG shows no library for $cmd: $libs"
done
run validate
expect_rc 0

libs=$(loaded context)
grep -q 'libgit2' <<<"$libs" || fail "context should load libgit2: $libs"
grep -q 'libcurl' <<<"$libs" && fail "context should not load libcurl: $libs"

libs=$(loaded diff)
grep -q 'libcurl' <<<"$libs" || fail "diff should load libcurl: $libs"
run diff
expect_rc 0
expect_out 'Block/policy: create'
