#!/usr/bin/env bash
# Scope sync plans, then applies (issue 22 item 4): a dry run prints the plan and sends no
# write; the real run does exactly what the dry run said (the same blocks and actions, one
# write request per action, the same reads); a block squatting a scope label refuses the plan
# before anything is written (it used to attach the blocks before it first); a second run
# converges (nothing planned, no write).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-boot.sh"
sync_setup
export LETTA_SYNC_PROJECT=acme
templates
cat >.letta/scope_registry.yaml <<'YAML'
scopes:
  - scope: repo
    match: {path_prefixes: ["./"]}
    attach: {block_types: [project]}
  - scope: API Layer
    match: {path_prefixes: [services/api]}
    attach: {block_types: [conventions, decisions]}
  - scope: Mobile
    match: {path_prefixes: [apps/mobile]}
    attach: {block_types: [conventions]}
  - scope: Docs
    match: {path_prefixes: [docs]}
    attach: {block_types: [style]}
YAML
mkdir -p services/api apps/mobile docs
touch services/api/.keep apps/mobile/.keep docs/.keep
git add -A && git commit -qm registry
run sync
expect_rc 0
run bootstrap --name ann --skip-scope-sync --json
expect_rc 0
ANN=$(jq -r .data.agent.id "$TMP/out")

total() { sim_stats | jq .total; }

# agree ARGS...: a dry run, then the real run, agree; the real run sends one write per action.
agree() {
	local t0 t1 t2 w0 w1 w2 nact
	run scope-sync --agent "$ANN" --dry-run "$@"
	expect_rc 0
	sed -e 's/^Scope sync (dry run):/Scope sync:/' -e 's/^  would /  /' "$TMP/out" >"$TMP/dry.txt"
	t0=$(total)
	w0=$(writes)
	run scope-sync --agent "$ANN" --dry-run --json "$@"
	expect_rc 0
	t1=$(total)
	w1=$(writes)
	[ "$w1" = "$w0" ] || fail "the dry run wrote $((w1 - w0)) time(s)"
	jq '.data | del(.dry_run)' "$TMP/out" >"$TMP/dry.json"
	jq -e '.data.dry_run == true' "$TMP/out" >/dev/null || fail "not a dry run: $(cat "$TMP/out")"
	run scope-sync --agent "$ANN" --json "$@"
	expect_rc 0
	t2=$(total)
	w2=$(writes)
	jq '.data | del(.dry_run)' "$TMP/out" >"$TMP/real.json"
	jq -e '.data.dry_run == false' "$TMP/out" >/dev/null || fail "a dry run: $(cat "$TMP/out")"
	diff "$TMP/dry.json" "$TMP/real.json" >&2 || fail "the real run did not do what the dry run said"
	nact=$(jq '[.blocks[].actions[]] | length' "$TMP/real.json")
	[ $((w2 - w1)) -eq "$nact" ] || fail "$nact action(s) planned, $((w2 - w1)) write(s) sent"
	# The same reads: the real run's requests are the dry run's plus its writes.
	[ $((t2 - t1 - (w2 - w1))) -eq $((t1 - t0)) ] ||
		fail "reads differ: dry run $((t1 - t0)) request(s), real run $((t2 - t1 - (w2 - w1))) read(s)"
	# The human report of the dry run, "would" aside, is what the real run reports.
	jq -r '.blocks[] | select(.actions | length > 0) | "  \(.actions | join(", ")) \(.label) (\(.kind))"' \
		"$TMP/real.json" >"$TMP/real.txt"
	{ grep '^  ' "$TMP/dry.txt" || true; } | diff - "$TMP/real.txt" >&2 || fail "the dry run's report differs"
	return 0
}

# A first run: every block created or attached.
agree --cwd services/api
jq -e '.matched_scopes == ["repo","API Layer"] and ([.blocks[].actions | join(",")] | index("create,attach")) != null' \
	"$TMP/real.json" >/dev/null || fail "first run: $(cat "$TMP/real.json")"
# Converged: nothing planned, nothing written.
agree --cwd services/api
jq -e '[.blocks[].actions[]] | length == 0' "$TMP/real.json" >/dev/null || fail "not converged: $(cat "$TMP/real.json")"

# The registry edited and another directory: update, create, attach and detach in one plan.
sed -i 's/block_types: \[style\]/block_types: [style, faq]/' .letta/scope_registry.yaml
git commit -qam "registry: faq"
agree --cwd apps/mobile --touched docs/x.md
jq -e '[.blocks[] | select(.kind == "registry") | .actions[]] == ["update"] and
	([.blocks[] | select(.actions == ["detach"])] | length) == 2 and
	([.blocks[] | select(.actions == ["create","attach"])] | length) == 3' "$TMP/real.json" >/dev/null ||
	fail "second plan: $(cat "$TMP/real.json")"

# A foreign block squats a label the plan needs: refused before any write, even of the blocks
# before it in the plan (the registry's update, the Mobile block's attachment).
sed -i 's/block_types: \[style, faq\]/block_types: [style]/' .letta/scope_registry.yaml
git commit -qam "registry: no faq"
PID=$(sim_get "/v1/projects?name=acme" | jq -r '(.projects // .)[0].id')
sim_call POST /v1/blocks/ "{\"label\":\"scope_acme_docs_style\",\"value\":\"mine\",\"metadata\":{\"owner\":\"me\"},\"project_id\":\"$PID\"}"
expect_status 200
OWN=$(sim_get "/v1/blocks/?label=scope_acme_docs_style" | jq -r '[.[] | select(.metadata.source == "scope-sync")][0].id')
sim_call DELETE "/v1/blocks/$OWN"
expect_status 200
expect_writes 0 scope-sync --agent "$ANN" --touched docs/x.md
expect_rc 1
expect_err "block 'scope_acme_docs_style' exists and was not created by scope sync: not adopted"
echo ok
