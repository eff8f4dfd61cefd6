#!/usr/bin/env bash
# The staging workflow's steps: a dry run (always first), then the sync, for every config root
# of the repository. The project comes from LETTA_SYNC_PROJECT.
#
#   staging-sync.sh --bin PATH [--dry-run] [--agent ID] [--force true|false] [--summary FILE]
#                   [--count FILE]   (writes the number of changes made, or planned with --dry-run)
set -euo pipefail
bin=letta-sync dry_run=0 agent= force=false summary=/dev/null count=/dev/null
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--dry-run) dry_run=1; shift ;;
	--agent) agent=$2; shift 2 ;;
	--force) force=$2; shift 2 ;;
	--summary) summary=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	*) echo "staging-sync.sh: unknown argument $1" >&2; exit 64 ;;
	esac
done
case "$bin" in /*) ;; */*) bin="$PWD/$bin" ;; esac
args=(sync)
[ $dry_run -eq 1 ] && args+=(--dry-run)
[ -n "$agent" ] && args+=(--agent "$agent")
[ "$force" = true ] && args+=(--force)
status=0
changes=0
echo 0 >"$count"
roots=$(bash "$(dirname "$0")/changed-roots.sh" "")
[ -n "$roots" ] || { echo "no config roots found"; exit 0; }
{
	echo "## letta-sync $([ $dry_run -eq 1 ] && echo 'dry run' || echo 'sync') to \`${LETTA_SYNC_PROJECT:-?}\`"
	echo
} >>"$summary"
while IFS= read -r root; do
	echo "== $root: letta-sync ${args[*]}"
	set +e
	"$bin" -C "$root" "${args[@]}" 2>&1 | tee /tmp/staging-sync.$$.log
	rc=${PIPESTATUS[0]}
	set -e
	{
		echo "### \`$root\` (exit $rc)"
		echo '```'
		cat /tmp/staging-sync.$$.log
		echo '```'
	} >>"$summary"
	# "Sync complete: 1 created, 2 updated, 0 deleted, ..." or "Dry run summary: 1 to create, ..."
	line=$(grep -E '^(Sync complete|Sync completed with errors|Dry run summary):' \
		/tmp/staging-sync.$$.log | tail -n 1 || true)
	n=$({ grep -oE '[0-9]+' <<<"$line" || true; } | head -n 3 | awk '{s += $1} END {print s + 0}')
	changes=$((changes + ${n:-0}))
	echo "$changes" >"$count"
	rm -f /tmp/staging-sync.$$.log
	[ $rc -eq 0 ] || status=1
done <<<"$roots"
exit $status
