#!/usr/bin/env bash
# init: bare, in an empty git repository, writes the skeleton (project slug from the folder's
# name) and validate passes on it; --ci github adds the workflows; it refuses to overwrite any
# file (and then writes nothing); a re-run converges; --dry-run and --json.
. "$(dirname "$0")/lib-e2e.sh"

skeleton=".letta/project.json .letta/schema.json .letta/manifests/base/blocks.yaml
.letta/manifests/org/blocks.yaml .letta/manifests/project/templates.yaml"
workflows=".github/workflows/letta-sync-diff.yml .github/workflows/letta-sync-diff-comment.yml
.github/workflows/letta-sync-staging-sync.yml"

# Bare, in an empty repository whose name is not a slug.
repo=$TMP/My_Agents.Config
new_repo "$repo"
cd "$repo"
run init
expect_rc 0
for f in $skeleton; do
	[ -f "$f" ] || fail "init did not write $f"
	expect_out "^created $f\$"
done
[ ! -e .github ] || fail "init wrote workflows without --ci github"
[ "$(jq -r .slug .letta/project.json)" = my-agents-config ] || fail "slug: $(cat .letta/project.json)"
[ "$(jq -r .name .letta/project.json)" = my-agents-config ] || fail "name: $(cat .letta/project.json)"
grep -qx '\*\*/.letta/settings.local.json' .gitignore || fail ".gitignore: $(cat .gitignore)"
for f in .letta/manifests/*/*.yaml; do
	grep -q '^# ' "$f" || fail "$f has no comment"
	head -n 1 "$f" | grep -qx '# yaml-language-server: $schema=../../schema.json' || fail "$f: no schema line"
done
"$LS_BIN" schema | cmp -s - .letta/schema.json || fail ".letta/schema.json is not letta-sync schema"
run validate
expect_rc 0
expect_out '^ok: 3 resources in 4 files$'
# What it wrote is a project the other commands resolve.
run context --json
expect_jq '.data.project.slug == "my-agents-config"'

# A re-run converges: everything is in place, nothing changes, .gitignore keeps one line.
git add -A && git commit -qm init
run init
expect_rc 0
expect_out 'nothing to do'
[ -z "$(git status --porcelain)" ] || fail "a re-run changed files: $(git status --porcelain)"
[ "$(grep -c settings.local.json .gitignore)" -eq 1 ] || fail ".gitignore: $(cat .gitignore)"

# --ci github adds only the workflows; they name the action.
run init --ci github --json
expect_rc 0
expect_jq '.ok and (.data.created | sort) == ([".github/workflows/letta-sync-diff-comment.yml", ".github/workflows/letta-sync-diff.yml", ".github/workflows/letta-sync-staging-sync.yml"]) and (.data.kept | length) == 5'
for f in $workflows; do
	[ -f "$f" ] || fail "no $f"
	cmp -s "$f" "$LS_SOURCE_DIR/templates/github/workflows/${f##*/}" || fail "$f is not its template"
done
grep -qE 'uses: [A-Za-z0-9_.-]+/letta-sync@v1' .github/workflows/letta-sync-diff.yml || fail "the diff workflow does not use the action"
grep -q 'workflow_run' .github/workflows/letta-sync-diff-comment.yml || fail "no workflow_run trigger"
grep -q 'environment: staging' .github/workflows/letta-sync-staging-sync.yml || fail "no approval gate"

# Refuses to overwrite: one file differs, nothing is written, the file is untouched.
new_repo "$TMP/other"
cd "$TMP/other"
mkdir -p .letta/manifests/org
echo "# mine" >.letta/manifests/org/blocks.yaml
run init --project team-bots --ci github
expect_rc 1
expect_err "'.letta/manifests/org/blocks.yaml' already exists"
expect_err 'exists: .letta/manifests/org/blocks.yaml'
[ "$(cat .letta/manifests/org/blocks.yaml)" = "# mine" ] || fail "init overwrote a file"
[ ! -e .letta/project.json ] && [ ! -e .github ] && [ ! -e .gitignore ] || fail "init wrote files while refusing"
run init --project team-bots --json
expect_rc 1
expect_jq '.ok == false and .error.code == "CONFLICT" and (.error.message | test("already exists"))'

# --dry-run lists and writes nothing; --project and --name set the project.
rm -rf .letta
run init --project team-bots --name "Team bots" --dry-run
expect_rc 0
expect_out '^would create .letta/project.json$'
[ ! -e .letta ] && [ ! -e .gitignore ] || fail "--dry-run wrote files"
run init --project team-bots --name "Team bots"
expect_rc 0
[ "$(jq -c . .letta/project.json)" = '{"slug":"team-bots","name":"Team bots"}' ] || fail "$(cat .letta/project.json)"
run validate
expect_rc 0

# A directory name with nothing to make a slug of, and a bad --ci: usage errors.
mkdir "$TMP/___" && cd "$TMP/___"
run init
expect_rc 64
expect_err 'cannot make a project slug'
expect_err 'init --project'
run init --ci gitlab --project x
expect_rc 64
expect_err "unknown CI system 'gitlab'"
[ ! -e .letta ] || fail "a usage error wrote files"
