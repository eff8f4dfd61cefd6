#!/usr/bin/env bash
# validate: discovery. Files directly under .letta/manifests/ go to their spec.layer; other
# directories and files are ignored (with a warning for directories); the legacy
# packages/examples tree works with a deprecation warning; a missing manifest directory and
# sourceFiles or symlinks that leave the repository are errors.
. "$(dirname "$0")/lib-e2e.sh"

block() { # name label [layer]
	printf 'apiVersion: letta.ai/v1\nkind: Block\nmetadata:\n  name: %s\nspec:\n  label: %s\n  value: v\n%s' \
		"$1" "$2" "${3:+  layer: $3
}"
}

repo="$TMP/repo"
new_repo "$repo"
cd "$repo"

# No manifest directory at all.
mkdir .letta
run validate
expect_rc 1
[ "$(cat "$TMP/out")" = "error: no manifests found: neither $(pwd -P)/.letta/manifests nor $(pwd -P)/packages/examples exists
  hint: create .letta/manifests/ with base/, org/ and project/ subdirectories
1 error, 0 warnings in 0 files" ] || fail "stdout: $(cat "$TMP/out")"

# A root-level file in its spec.layer, an ignored directory, ignored files.
mkdir -p .letta/manifests/base .letta/manifests/shared
block b1 one >.letta/manifests/base/a.yaml
block b2 two project >.letta/manifests/extra.yml
block b3 three >.letta/manifests/shared/x.yaml
block b4 four >.letta/manifests/base/.hidden.yaml
echo 'not yaml: [' >.letta/manifests/base/README.md
run validate
expect_rc 0
[ "$(cat "$TMP/out")" = ".letta/manifests/shared: warning: directory '.letta/manifests/shared' is not a layer (base, org, project) and is ignored
ok: 2 resources in 2 files, 1 warning" ] || fail "stdout: $(cat "$TMP/out")"

# A root-level file without spec.layer.
block b5 five >.letta/manifests/nolayer.JSON.yaml
run validate
expect_rc 1
expect_out '^\.letta/manifests/nolayer\.JSON\.yaml:5:1: error: Block\.b5: Missing required field: spec\.layer$'
expect_out '^  hint: files directly under \.letta/manifests/ name their layer in spec\.layer$'
rm .letta/manifests/nolayer.JSON.yaml

# A manifest symlink that leaves the repository.
block outside out >"$TMP/outside.yaml"
ln -s "$TMP/outside.yaml" .letta/manifests/base/link.yaml
run validate
expect_rc 1
expect_out "^\.letta/manifests/base/link\.yaml: error: '\.letta/manifests/base/link\.yaml' leaves the repository \(a symbolic link to outside it\)$"
rm .letta/manifests/base/link.yaml

# Tool sourceFiles: relative to the manifest, inside the repository.
mkdir -p .letta/manifests/org tools
printf 'def t(): pass\n' >tools/t.py
printf 'def t(): pass\n' >"$TMP/t.py"
ln -s "$TMP/t.py" tools/escape.py
tool() { # name file
	printf 'apiVersion: letta.ai/v1\nkind: Tool\nmetadata:\n  name: %s\nspec:\n  sourceType: python\n  sourceFile: %s\n  jsonSchema: {type: function, function: {name: %s}}\n---\n' "$1" "$2" "$1"
}
{ tool t ../../../tools/t.py; tool u ../../../tools/missing.py; tool v ../../../tools/escape.py; tool w ../../../../t.py; } >.letta/manifests/org/tools.yaml
run validate
expect_rc 1
cat >"$TMP/want" <<'OUT'
.letta/manifests/org/tools.yaml:16:3: error: Tool.u: sourceFile '../../../tools/missing.py' does not exist
.letta/manifests/org/tools.yaml:25:3: error: Tool.v: sourceFile '../../../tools/escape.py' leaves the repository
.letta/manifests/org/tools.yaml:34:3: error: Tool.w: sourceFile '../../../../t.py' leaves the repository
.letta/manifests/shared: warning: directory '.letta/manifests/shared' is not a layer (base, org, project) and is ignored
3 errors, 1 warning in 7 files
OUT
diff -u "$TMP/want" "$TMP/out" || fail "sourceFile checks"
rm -rf .letta/manifests/org tools .letta/manifests/shared

# Files load in sorted order, whatever the directory order: a duplicate is reported on the later file.
block b1 other >.letta/manifests/base/z.yaml
run validate
expect_rc 1
expect_out "^\.letta/manifests/base/z\.yaml:4:3: error: Duplicate Block name: b1$"
expect_out "^  hint: first defined in the base layer at \.letta/manifests/base/a\.yaml:1:1$"
rm .letta/manifests/base/z.yaml

# Folder files: a pattern that matches nothing warns; a match through a symlink to outside fails.
mkdir -p .letta/manifests/org
printf 'apiVersion: letta.ai/v1\nkind: Folder\nmetadata:\n  name: f\nspec:\n  embedding: e\n  files:\n    - docs/*.md\n' >.letta/manifests/org/f.yaml
run validate
expect_rc 0
[ "$(cat "$TMP/out")" = ".letta/manifests/org/f.yaml:8:7: warning: Folder.f: file pattern 'docs/*.md' matches no file
ok: 3 resources in 3 files, 1 warning" ] || fail "folder: $(cat "$TMP/out")"
mkdir docs
echo hi >docs/a.md
run validate
expect_rc 0
expect_out '^ok: 3 resources in 3 files$'
ln -s "$TMP/outside.yaml" docs/out.md
run validate
expect_rc 1
expect_out "^\.letta/manifests/org/f\.yaml:8:7: error: Folder\.f: 'docs/out\.md' leaves the repository \(a symbolic link to outside it\)$"
rm -rf docs .letta/manifests/org

# Legacy packages/examples, with a deprecation warning.
legacy="$TMP/legacy"
new_repo "$legacy"
mkdir -p "$legacy/packages/examples/base" "$legacy/packages/examples/project-smarty-dev"
block lb one base >"$legacy/packages/examples/base/blocks.yaml"
block lp two project >"$legacy/packages/examples/project-smarty-dev/blocks.yaml"
cd "$TMP"
run -C legacy validate
expect_rc 0
[ "$(cat "$TMP/out")" = "packages/examples: warning: Using deprecated manifest location: packages/examples. Please migrate your manifests to .letta/manifests for future compatibility.
ok: 2 resources in 2 files, 1 warning" ] || fail "legacy: $(cat "$TMP/out")"

# The nearest .letta wins over an outer .git (a monorepo's partners/<name>/.letta).
mkdir -p "$repo/partners/acme/.letta/manifests/org"
block pb partner org >"$repo/partners/acme/.letta/manifests/org/b.yaml"
run -C "$repo/partners/acme" validate --json
expect_rc 0
expect_jq '.data == []'
