#!/usr/bin/env bash
# Checks the Debian package of `make deb` (run by make check): its file list, its control
# fields (Depends names the package of every shared library the binaries link, as
# dpkg-shlibdeps found it), that its binaries run (--version, validate on examples/), and that
# the GitHub Action's install step installs it as a release (scripts/action/install.sh).
#   check-deb.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: check-deb.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)
deb=$build/letta-sync_${version}_${arch}.deb
fail() { echo "check-deb: $*" >&2; exit 1; }
[ -f "$deb" ] || fail "no $deb: run make deb"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The files: both binaries in /usr/bin, the man page, the completions; nothing else.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sort >"$tmp/files"
cat >"$tmp/want" <<'LIST'
./usr/bin/letta-sim
./usr/bin/letta-sync
./usr/share/bash-completion/completions/letta-sync
./usr/share/man/man1/letta-sync.1.gz
./usr/share/zsh/vendor-completions/_letta-sync
LIST
diff -u "$tmp/want" "$tmp/files" >&2 || fail "unexpected files in the package"
dpkg-deb -c "$deb" | awk '$1 ~ /^-/ && $6 ~ /^\.\/usr\/bin\// && $1 != "-rwxr-xr-x" {exit 1}' ||
	fail "a binary is not mode 0755"

# The control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = letta-sync ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), want $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
[ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] || fail "no Maintainer or Description"
depends=$(field Depends)
dpkg-deb -x "$deb" "$tmp/root"
# Every library a binary names (NEEDED) comes from a package that Depends lists.
for bin in "$tmp"/root/usr/bin/*; do
	for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		# awk reads to the end (no early exit): under pipefail an early exit would SIGPIPE
		# the writer and end the script with 141.
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l && !p {print $NF; p = 1}')
		[ -n "$path" ] || fail "$lib of ${bin##*/} is not installed here"
		pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | awk -F: 'NR == 1 {print $1}') ||
			pkg=$(dpkg -S "$path" | awk -F: 'NR == 1 {print $1}')
		grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" ||
			fail "${bin##*/} needs $lib (package $pkg), which Depends lacks: $depends"
	done
done
for pkg in libcurl4 libjansson4 libyaml-0-2 libgit2- libmicrohttpd12; do
	grep -q "$pkg" <<<"$depends" || fail "Depends lacks $pkg: $depends"
done

# The binaries run; the man page and the completion are what the sources hold.
[ "$("$tmp/root/usr/bin/letta-sync" --version)" = "$version" ] || fail "letta-sync --version"
"$tmp/root/usr/bin/letta-sim" --help >/dev/null 2>&1 || fail "letta-sim --help"
"$tmp/root/usr/bin/letta-sync" -C "$root/examples" validate >"$tmp/out" || fail "validate: $(cat "$tmp/out")"
grep -q '^ok: ' "$tmp/out" || fail "validate: $(cat "$tmp/out")"
zcat "$tmp/root/usr/share/man/man1/letta-sync.1.gz" | cmp -s - "$root/docs/man/letta-sync.1" || fail "man page differs"
cmp -s "$tmp/root/usr/share/bash-completion/completions/letta-sync" "$root/completions/letta-sync.bash" ||
	fail "bash completion differs"

# The action installs it as release v<version> (from a file:// release base, as from GitHub).
mkdir -p "$tmp/releases/v$version"
cp "$deb" "$tmp/releases/v$version/"
LS_RELEASE_BASE=file://$tmp/releases bash "$root/scripts/action/install.sh" --version "$version" \
	--src "$root" --dest "$tmp/tool" 2>"$tmp/err" || fail "install.sh: $(cat "$tmp/err")"
[ "$("$tmp/tool/bin/letta-sync" --version)" = "$version" ] || fail "the action's install does not run"
[ -f "$tmp/tool/share/man/man1/letta-sync.1.gz" ] || fail "the action's install lacks the man page"
echo "deb: ok ($(basename "$deb"), $(du -k "$deb" | cut -f1) KiB; Depends: $depends)"
