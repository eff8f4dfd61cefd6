#!/usr/bin/env bash
# Builds the PR comment of the diff workflow: for each config root, `letta-sync diff` as a
# markdown report (or `validate` only, in validate mode: fork PRs have no secrets). Exits 1 when
# a root failed, or when --fail-on-breaking true and a root has breaking changes or downgrades.
#
#   diff-report.sh --mode diff|validate --bin PATH --roots FILE --out FILE [--fail-on-breaking true|false]
#                  [--count FILE]   (writes the number of changes of every root, 0 in validate mode)
set -euo pipefail
mode=diff bin=letta-sync roots= out=/dev/stdout fail_on_breaking=false count=/dev/null
while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=$2; shift 2 ;;
	--bin) bin=$2; shift 2 ;;
	--roots) roots=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--fail-on-breaking) fail_on_breaking=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	*) echo "diff-report.sh: unknown argument $1" >&2; exit 64 ;;
	esac
done
case "$bin" in /*) ;; */*) bin="$PWD/$bin" ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
breaking=0
changes=0
echo 0 >"$count"

{
	echo "## letta-sync diff"
	echo
	if [ "$mode" = validate ]; then
		echo "> This pull request comes from a fork or the repository has no \`LETTA_API_KEY\`"
		echo "> secret, so only \`letta-sync validate\` ran: nothing was compared with the server."
		echo
	fi
} >"$tmp/comment.md"

if [ -z "$roots" ] || [ ! -s "$roots" ]; then
	echo "No Letta configuration changed." >>"$tmp/comment.md"
	cp "$tmp/comment.md" "$out"
	exit 0
fi

while IFS= read -r root; do
	[ -n "$root" ] || continue
	title=$root
	[ "$root" = "." ] && title="(repository root)"
	echo "### \`$title\`" >>"$tmp/comment.md"
	echo >>"$tmp/comment.md"
	if [ "$mode" = validate ]; then
		set +e
		"$bin" -C "$root" validate >"$tmp/out" 2>"$tmp/err"
		rc=$?
		set -e
		if [ $rc -eq 0 ]; then
			echo ":white_check_mark: valid — $(tail -n 1 "$tmp/out")" >>"$tmp/comment.md"
		else
			status=1
			{ echo ":x: invalid configuration:"; echo; echo '```'; cat "$tmp/out" "$tmp/err"; echo '```'; } >>"$tmp/comment.md"
		fi
		echo >>"$tmp/comment.md"
		continue
	fi
	set +e
	"$bin" -C "$root" diff --json >"$tmp/json" 2>"$tmp/err"
	jrc=$?
	"$bin" -C "$root" diff --format markdown >"$tmp/md" 2>>"$tmp/err"
	mrc=$?
	set -e
	if [ $jrc -ne 0 ] || [ $mrc -ne 0 ]; then
		status=1
		msg=$(jq -r '.error.message // empty' "$tmp/json" 2>/dev/null || true)
		{ echo ":x: diff failed: ${msg:-see the job log}"; echo; echo '```'; tail -n 20 "$tmp/err"; echo '```'; } >>"$tmp/comment.md"
	else
		cat "$tmp/md" >>"$tmp/comment.md"
		changes=$((changes + $(jq '.data | length' "$tmp/json")))
		echo "$changes" >"$count"
		n=$(jq '[.data[] | select(.breaking == true or .action == "downgrade")] | length' "$tmp/json")
		[ "$n" -gt 0 ] && breaking=1
	fi
	echo >>"$tmp/comment.md"
done <"$roots"

if [ $breaking -eq 1 ]; then
	if [ "$fail_on_breaking" = true ]; then
		echo ":no_entry: Breaking changes or downgrades found; this check fails (fail_on_breaking)." >>"$tmp/comment.md"
		status=1
	else
		echo ":warning: Breaking changes or downgrades found." >>"$tmp/comment.md"
	fi
fi
cp "$tmp/comment.md" "$out"
exit $status
