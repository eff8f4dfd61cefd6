#!/usr/bin/env bash
# Prints the config roots (directories holding a .letta/) that changed between BASE and HEAD,
# one per line: "." for the repository's own .letta/, "partners/<name>" for a partner's.
# Without a usable BASE, prints every config root of the repository.
set -euo pipefail
base=${1:-}
head=${2:-HEAD}

all_roots() {
	[ -d .letta ] && echo "."
	for d in partners/*/.letta; do
		[ -d "$d" ] && dirname "$d"
	done
	return 0
}

if [ -z "$base" ] || [ "$base" = "0000000000000000000000000000000000000000" ] ||
	! git cat-file -e "$base^{commit}" 2>/dev/null; then
	all_roots
	exit 0
fi
git diff --name-only "$base...$head" | while IFS= read -r f; do
	case "$f" in
	.letta/*) echo "." ;;
	partners/*/.letta/*) echo "$f" | cut -d/ -f1-2 ;;
	esac
done | sort -u | while IFS= read -r root; do
	# A root whose .letta/ was deleted entirely has nothing left to diff.
	[ -d "$root/.letta" ] && echo "$root"
done
exit 0
