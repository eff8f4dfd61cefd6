#!/usr/bin/env bash
# The action's install step (action.yml): puts letta-sync and letta-sim in DEST/bin.
#
#   install.sh --key --version V --src DIR          prints key=<cache key> (for actions/cache)
#   install.sh --version V --src DIR --dest DIR [--repository OWNER/NAME]
#
# V is `source` (build DIR, the action's own sources, with cmake) or a release version (1.2.3:
# the Debian package of release v1.2.3 of OWNER/NAME, unpacked into DEST; LS_RELEASE_BASE
# overrides https://github.com/OWNER/NAME/releases/download). A DEST that already holds a
# working letta-sync (a cache hit) is kept. Missing shared libraries are installed with apt.
set -euo pipefail
key_only=0 version=source src= dest= repository=
while [ $# -gt 0 ]; do
	case "$1" in
	--key) key_only=1; shift ;;
	--version) version=$2; shift 2 ;;
	--src) src=$2; shift 2 ;;
	--dest) dest=$2; shift 2 ;;
	--repository) repository=$2; shift 2 ;;
	*) echo "install.sh: unknown argument $1" >&2; exit 64 ;;
	esac
done
[ -n "$src" ] || { echo "install.sh: --src is required" >&2; exit 64; }
version=${version#v}

# The key of a source build is a hash of everything the build reads.
source_key() {
	(cd "$src" && find CMakeLists.txt cmake src sim templates docs/man completions -type f 2>/dev/null |
		LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16
}

if [ $key_only -eq 1 ]; then
	if [ "$version" = source ]; then
		echo "key=src-$(source_key)"
	else
		case "$version" in
		*[!0-9A-Za-z.+~-]*|"") echo "install.sh: invalid version '$version'" >&2; exit 64 ;;
		esac
		echo "key=v$version"
	fi
	exit 0
fi
[ -n "$dest" ] || { echo "install.sh: --dest is required" >&2; exit 64; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
apt_install() {
	echo "install.sh: apt-get install $*" >&2
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y -q --no-install-recommends "$@" >&2 ||
		{ $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q --no-install-recommends "$@" >&2; }
}
build_pkgs=(build-essential cmake pkg-config libcurl4-openssl-dev libjansson-dev libyaml-dev
	libgit2-dev libmicrohttpd-dev)

works() {
	[ -x "$dest/bin/letta-sync" ] && "$dest/bin/letta-sync" --version >/dev/null 2>&1
}
missing_libs() {
	[ -x "$dest/bin/letta-sync" ] && ldd "$dest/bin/letta-sync" "$dest/bin/letta-sim" 2>/dev/null | grep -q 'not found'
}

if [ -x "$dest/bin/letta-sync" ]; then
	echo "install.sh: letta-sync is in $dest (cached)" >&2
elif [ "$version" = source ]; then
	missing=()
	for p in "${build_pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
	build=$(mktemp -d)
	trap 'rm -rf "$build"' EXIT
	echo "install.sh: building letta-sync from $src" >&2
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLS_TESTS=OFF >&2
	cmake --build "$build" -j "$(nproc)" >&2
	cmake --install "$build" --prefix "$dest" >&2
else
	[ -n "$repository" ] || [ -n "${LS_RELEASE_BASE:-}" ] ||
		{ echo "install.sh: --repository is required for a release" >&2; exit 64; }
	base=${LS_RELEASE_BASE:-https://github.com/$repository/releases/download}
	arch=$(dpkg --print-architecture)
	deb=letta-sync_${version}_${arch}.deb
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	echo "install.sh: downloading $base/v$version/$deb" >&2
	curl -fsSL --retry 3 -o "$tmp/$deb" "$base/v$version/$deb"
	dpkg-deb -x "$tmp/$deb" "$tmp/root"
	mkdir -p "$dest"
	cp -a "$tmp/root/usr/." "$dest/"
	if missing_libs; then
		# The package's Depends, without versions and alternatives.
		mapfile -t deps < <(dpkg-deb -f "$tmp/$deb" Depends | tr ',' '\n' |
			sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' | grep -v '^$')
		apt_install "${deps[@]}"
	fi
fi
if missing_libs; then
	apt_install "${build_pkgs[@]}"
fi
works || { echo "install.sh: $dest/bin/letta-sync does not run" >&2; exit 1; }
echo "install.sh: $("$dest/bin/letta-sync" --version) in $dest/bin" >&2
