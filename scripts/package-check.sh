#!/usr/bin/env bash
# make package-check: installs the Debian package of `make deb` into a clean Debian root (made
# once by mmdebstrap, cached as BUILD_DIR/debian-<suite>.tar) with apt, which must resolve its
# Depends from the Debian archive, then runs `letta-sync --version`, `letta-sync validate` on
# examples/ and `letta-sync init` + `validate` in a new git repository there; then the GitHub
# Action's source install (scripts/action/install.sh --version source). Needs root (chroot),
# mmdebstrap and the Debian archive; takes minutes, so it is not part of make check.
#   package-check.sh BUILD_DIR [SUITE]
set -euo pipefail
build=${1:?usage: package-check.sh BUILD_DIR [SUITE]}
build=$(cd "$build" && pwd)
suite=${2:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
src=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb=$build/letta-sync_${version}_$(dpkg --print-architecture).deb
fail() { echo "package-check: $*" >&2; exit 1; }
[ -f "$deb" ] || fail "no $deb: run make deb"
[ "$(id -u)" -eq 0 ] || fail "needs root (chroot)"
command -v mmdebstrap >/dev/null || fail "needs mmdebstrap: apt-get install mmdebstrap"

cache=$build/debian-$suite.tar
if [ ! -s "$cache" ]; then
	echo "package-check: creating a clean $suite root (once; cached in $cache)" >&2
	mmdebstrap --variant=apt --mode=root --format=tar "$suite" "$cache.tmp" "$mirror" >&2
	mv "$cache.tmp" "$cache"
fi
root=$(mktemp -d "${TMPDIR:-/tmp}/ls-pkg.XXXXXX")
cleanup() {
	for m in dev/pts dev proc; do umount "$root/$m" 2>/dev/null || true; done
	rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$cache"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/letta-sync.deb"
cp -r "$src/examples" "$root/tmp/examples"
# Nothing of the package's dependencies is in the clean root: apt must bring them.
chroot "$root" dpkg -s libgit2-1.5 libjansson4 >/dev/null 2>&1 && fail "the clean root already has the libraries"
chroot "$root" /bin/sh -ec '
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends /tmp/letta-sync.deb git
	echo "== letta-sync --version: $(letta-sync --version)"
	test "$(letta-sync --version)" = "'"$version"'"
	letta-sync -C /tmp/examples validate
	command -v letta-sim
	test -f /usr/share/man/man1/letta-sync.1.gz
	test -f /usr/share/bash-completion/completions/letta-sync
	mkdir /tmp/new && cd /tmp/new && git init -q && letta-sync init --ci github && letta-sync validate
' || fail "the package does not install or run in a clean $suite root"

# The GitHub Action's other install path: a build of the action's own sources (version
# `source`), as on a runner with an empty cache (the deb path is checked by check-deb.sh).
dest=$(mktemp -d "${TMPDIR:-/tmp}/ls-action.XXXXXX")
trap 'cleanup; rm -rf "$dest"' EXIT
bash "$src/scripts/action/install.sh" --version source --src "$src" --dest "$dest" >/dev/null 2>"$dest.log" ||
	{ cat "$dest.log" >&2; fail "the action's source install failed"; }
rm -f "$dest.log"
[ "$("$dest/bin/letta-sync" --version)" = "$version" ] || fail "the action's source build does not run"
echo "package-check: ok (letta-sync $version installed and ran in a clean $suite root; the action's source install works)"
