#!/usr/bin/env bash
# sync --interactive: on a terminal, each conflict is asked about (local = git wins, remote =
# keep it, diff, skip); without a terminal it is a usage error.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
command -v script >/dev/null || skip "needs script(1) for a terminal"
sync_setup

manifest blocks.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: one}
spec: {layer: project, label: one, value: "git one"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: two}
spec: {layer: project, label: two, value: "git two"}
---
apiVersion: letta.ai/v1
kind: Block
metadata: {name: three}
spec: {layer: project, label: three, value: "git three"}
YAML
run sync
expect_rc 0
for l in one two three; do
	id=$(sim_get "/v1/blocks/?label=$l" | jq -r '.[0].id')
	sim_call PATCH "/v1/blocks/$id" "{\"value\":\"ade $l\"}"
	expect_status 200
done

run sync --interactive </dev/null
expect_rc 64
expect_err 'needs a terminal'

# one: show the diff, then keep local (git wins); two: keep remote; three: skip.
printf 'd\nl\nr\ns\n' >"$TMP/answers"
set +e
script -qec "'$LS_BIN' sync --interactive" /dev/null <"$TMP/answers" >"$TMP/out" 2>&1
irc=$?
set -e
grep -q 'value: "ade one" -> "git one"' "$TMP/out" || fail "the diff was not shown: $(cat "$TMP/out")"
sim_get "/v1/blocks/?label=one" | jq -e '.[0].value == "git one"' >/dev/null || fail "local did not win for one: $(cat "$TMP/out")"
sim_get "/v1/blocks/?label=two" | jq -e '.[0].value == "ade two"' >/dev/null || fail "remote was not kept for two"
sim_get "/v1/blocks/?label=three" | jq -e '.[0].value == "ade three"' >/dev/null || fail "skip wrote three"
grep -q "Block/two: kept as it is on the server; 'letta-sync pull' brings it into git" "$TMP/out" ||
	fail "keep remote did not say how to bring it into git: $(cat "$TMP/out")"
grep -q 'Block/three: kept as it is' "$TMP/out" && fail "skip is not keep remote: $(cat "$TMP/out")"
for l in one two three; do
	grep -qE "(^|\? )Block/$l: edited outside git" "$TMP/out" || fail "not asked about $l: $(cat "$TMP/out")"
done
# Still a conflict for two and three; one is settled.
run diff --json
expect_jq '[.data[] | select(.action == "conflict") | .name] | sort == ["three","two"]'
[ "$irc" -eq 1 ] || fail "a conflict left alone exits 1, got $irc: $(cat "$TMP/out")"
