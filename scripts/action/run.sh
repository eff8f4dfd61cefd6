#!/usr/bin/env bash
# The action's run step (action.yml): runs LS_COMMAND with LS_ARGS (split on whitespace) in the
# current directory and writes the step outputs exit-code, changes and report to GITHUB_OUTPUT
# (stdout when unset). Exits with the command's exit code.
#
#   diff          letta-sync diff --json (to count changes), then --format markdown (the report)
#   sync          letta-sync sync --json; changes = summary created+updated+deleted (or the
#                 planned create+update+delete with --dry-run)
#   diff-report   scripts/ci/diff-report.sh over the config roots changed since --base SHA:
#                 diff mode with LETTA_API_KEY, validate mode without it (fork pull requests)
#   staging-sync  scripts/ci/staging-sync.sh (a summary in GITHUB_STEP_SUMMARY)
#   anything else letta-sync <command> <args>, its stdout as the report
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ci=$(cd "$here/../ci" && pwd)
cmd=${LS_COMMAND:?LS_COMMAND is not set}
bin=${LS_BIN:-letta-sync}
out=${GITHUB_OUTPUT:-/dev/stdout}
dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/letta-sync-action.$$
mkdir -p "$dir"
read -r -a args <<<"${LS_ARGS:-}"
changes=0
report=

case "$cmd" in
diff)
	report=$dir/diff.md
	"$bin" diff --json "${args[@]}" >"$dir/diff.json"
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 2 ]; then
		changes=$(jq '.data | length' "$dir/diff.json")
		"$bin" diff --format markdown "${args[@]}" >"$report"
	else
		jq -r '"error: " + .error.message' "$dir/diff.json" >"$report" 2>/dev/null || cp "$dir/diff.json" "$report"
	fi
	;;
sync)
	report=$dir/sync.json
	"$bin" sync --json "${args[@]}" >"$report"
	rc=$?
	changes=$(jq '(.data // .error.details // {}) | .summary // {} |
		[.created, .updated, .deleted, .create, .update, .delete] | map(. // 0) | add' "$report" 2>/dev/null || echo 0)
	;;
diff-report)
	report=$dir/comment.md
	base= fail=false mode=diff
	set -- "${args[@]}"
	while [ $# -gt 0 ]; do
		case "$1" in
		--base) base=$2; shift 2 ;;
		--fail-on-breaking) fail=$2; shift 2 ;;
		*) echo "run.sh: diff-report: unknown argument $1" >&2; exit 64 ;;
		esac
	done
	# No key (a fork's pull request gets no secrets): validate only.
	[ -n "${LETTA_API_KEY:-}${LETTA_SERVER_PASSWORD:-}" ] && [ "${LS_FORK:-false}" != true ] || mode=validate
	bash "$ci/changed-roots.sh" "$base" HEAD >"$dir/roots.txt"
	LS_PATH_BIN=$(command -v "$bin")
	bash "$ci/diff-report.sh" --mode "$mode" --bin "$LS_PATH_BIN" --roots "$dir/roots.txt" \
		--out "$report" --fail-on-breaking "$fail" --count "$dir/count"
	rc=$?
	changes=$(cat "$dir/count" 2>/dev/null || echo 0)
	;;
staging-sync)
	report=$dir/summary.md
	: >"$report"
	bash "$ci/staging-sync.sh" --bin "$(command -v "$bin")" "${args[@]}" --summary "$report" --count "$dir/count"
	rc=$?
	changes=$(cat "$dir/count" 2>/dev/null || echo 0)
	[ -z "${GITHUB_STEP_SUMMARY:-}" ] || cat "$report" >>"$GITHUB_STEP_SUMMARY"
	;;
*)
	report=$dir/$cmd.txt
	"$bin" "$cmd" "${args[@]}" >"$report"
	rc=$?
	;;
esac
cat "$report" 2>/dev/null
{
	echo "exit-code=$rc"
	echo "changes=${changes:-0}"
	echo "report=$report"
} >>"$out"
exit $rc
