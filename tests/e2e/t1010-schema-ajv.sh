#!/usr/bin/env bash
# schema: `letta-sync schema` is a JSON Schema (2020-12) that a real validator (npm ajv-cli, in
# strict mode) compiles, and it agrees with `validate` on every test file: examples/ and the
# templates of `init` pass both; each file of tests/fixtures/schema/bad fails both; each file of
# tests/fixtures/schema/good passes both. A file is checked alone, in a repository of its own
# (directly under .letta/manifests/, its layer in spec.layer); ajv checks each document.
. "$(dirname "$0")/lib-e2e.sh"

AJV_DIR=$LS_SOURCE_DIR/tests/npm/ajv
AJV=$AJV_DIR/node_modules/.bin/ajv
[ -x "$AJV" ] || fail "no $AJV: run 'make deps' (scripts/install-deps.sh installs tests/npm/ajv)"
command -v node >/dev/null || fail "no node: run 'make deps'"

"$LS_BIN" schema >"$TMP/schema.json" || fail "letta-sync schema failed"
jq -e '."$schema" == "https://json-schema.org/draft/2020-12/schema"' "$TMP/schema.json" >/dev/null ||
	fail "not a 2020-12 schema"
"$AJV" compile --spec=draft2020 --allow-union-types -s "$TMP/schema.json" >"$TMP/out" 2>&1 ||
	fail "ajv does not compile the schema: $(cat "$TMP/out")"

# ajv_files FILE...: checks every document of the files with one ajv run; fills ajv_result
# (file -> pass or fail: a document ajv refuses, or YAML that js-yaml cannot parse).
declare -A ajv_result
ajv_files() {
	local dir j f i r
	dir=$(mktemp -d "$TMP/docs.XXXXXX")
	node "$AJV_DIR/split-docs.cjs" "$dir" "$@" >"$dir/list"
	for f in "$@"; do ajv_result[$f]=pass; done
	if ls "$dir"/*.json >/dev/null 2>&1; then
		"$AJV" validate --spec=draft2020 --allow-union-types -s "$TMP/schema.json" \
			-d "$dir/*.json" --errors=text >"$dir/ajv.out" 2>&1 || true
	fi
	while read -r j f i; do
		if [ "$j" = - ]; then
			ajv_result[$f]=fail
			continue
		fi
		r=$(grep -F "$dir/$j " "$dir/ajv.out" | head -n 1 | awk '{print $2}')
		case "$r" in
		valid) ;;
		invalid) ajv_result[$f]=fail ;;
		*) fail "ajv said nothing about $f (document $i): $(cat "$dir/ajv.out")" ;;
		esac
	done <"$dir/list"
}
all_pass() {
	local f
	for f in "$@"; do [ "${ajv_result[$f]}" = pass ] || return 1; done
}

# validate_file FILE: 0 when letta-sync validate accepts FILE alone in a config repository
# (with the Tool source file of tests/fixtures/schema/repo-files).
validate_file() {
	local repo
	repo=$(mktemp -d "$TMP/repo.XXXXXX")
	cp -r "$LS_SOURCE_DIR/tests/fixtures/schema/repo-files/." "$repo/"
	mkdir -p "$repo/.letta/manifests"
	cp "$1" "$repo/.letta/manifests/"
	"$LS_BIN" -C "$repo" validate >"$TMP/out" 2>"$TMP/err"
}

# Whole repositories: examples/ and what init writes.
(cd "$LS_SOURCE_DIR/examples" && "$LS_BIN" validate >/dev/null) || fail "validate fails on examples/"
files=$(find "$LS_SOURCE_DIR/examples/.letta/manifests" -name '*.yaml' | sort)
ajv_files $files
all_pass $files || fail "ajv rejects examples/: $(cat "$TMP"/docs.*/ajv.out)"
new_repo "$TMP/init"
"$LS_BIN" -C "$TMP/init" init --ci github >/dev/null || fail "init failed"
"$LS_BIN" -C "$TMP/init" validate >/dev/null || fail "validate fails on init's repository"
files=$(find "$TMP/init/.letta/manifests" -name '*.yaml' | sort)
[ "$(echo "$files" | wc -l)" -eq 3 ] || fail "init wrote other manifests: $files"
ajv_files $files
all_pass $files || fail "ajv rejects init's manifests"
cmp -s "$TMP/init/.letta/schema.json" "$TMP/schema.json" || fail "init's .letta/schema.json is not letta-sync schema"

nbad=0 ngood=0 disagree=
ajv_files "$LS_SOURCE_DIR"/tests/fixtures/schema/bad/*.yaml "$LS_SOURCE_DIR"/tests/fixtures/schema/good/*.yaml
for f in "$LS_SOURCE_DIR"/tests/fixtures/schema/bad/*.yaml; do
	nbad=$((nbad + 1))
	v=pass a=pass
	validate_file "$f" || v=fail
	a=${ajv_result[$f]}
	[ $v = fail ] && [ $a = fail ] || disagree="$disagree $(basename "$f")(validate $v, ajv $a)"
done
for f in "$LS_SOURCE_DIR"/tests/fixtures/schema/good/*.yaml; do
	ngood=$((ngood + 1))
	v=pass a=pass
	validate_file "$f" || v="fail: $(head -n 3 "$TMP/out")"
	a=${ajv_result[$f]}
	[ "$v" = pass ] && [ $a = pass ] || disagree="$disagree $(basename "$f")(validate $v, ajv $a)"
done
[ -z "$disagree" ] || fail "schema and validate disagree on:$disagree"
[ $nbad -ge 40 ] && [ $ngood -ge 8 ] || fail "the corpus is too small: $nbad bad, $ngood good"

# One kind: --kind Block accepts a Block and refuses a Tool.
"$LS_BIN" schema --kind Block >"$TMP/schema.json"
ajv_files "$LS_SOURCE_DIR/tests/fixtures/schema/good/block.yaml" "$LS_SOURCE_DIR/tests/fixtures/schema/good/tool.yaml"
[ "${ajv_result[$LS_SOURCE_DIR/tests/fixtures/schema/good/block.yaml]}" = pass ] || fail "--kind Block refuses a Block"
[ "${ajv_result[$LS_SOURCE_DIR/tests/fixtures/schema/good/tool.yaml]}" = fail ] || fail "--kind Block accepts a Tool"
run schema --kind blok
expect_rc 64
expect_err "unknown kind 'blok'"
expect_err "did you mean 'Block'"
run schema --kind Tool --json
expect_rc 0
expect_jq '.ok and .data.title == "Tool" and .data.properties.kind.const == "Tool"'
echo "schema and validate agree on $nbad bad and $ngood good files, examples/ and init's repository"
