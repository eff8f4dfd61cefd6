#!/usr/bin/env bash
# issue 23: an unknown manifest field gets "did you mean" in every command that loads
# manifests (diff, sync, upgrade, bootstrap, pull), not only in validate, with file:line:col;
# --json carries it too: the error's where and hint, and error.details.diagnostics.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup
export CI=true
good() { { policy_yaml; echo ---; helper_yaml "hi"; echo "    $1: [a]"; printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: bob}\nspec: {layer: project, template: helper}\n'; } | manifest all.yaml; }
good tags
git tag v1.0.0
run sync
expect_rc 0
good tagz
git tag v1.1.0
W='\.letta/manifests/project/all\.yaml:16:5'

for cmd in diff sync "bootstrap --name x" "pull --dry-run"; do
	run $cmd
	expect_rc 1
	expect_err "$W: Template\.helper: unknown field 'spec\.agent\.tagz'"
	expect_err "hint: did you mean 'tags'\?"
	run $cmd --json
	expect_rc 1
	expect_jq ".ok == false and .error.code == \"INVALID_CONFIG\" and .error.hint == \"did you mean 'tags'?\"
		and .error.where == \".letta/manifests/project/all.yaml:16:5\"
		and (.error.details.diagnostics | length == 1)
		and .error.details.diagnostics[0].hint == \"did you mean 'tags'?\"
		and .error.details.diagnostics[0].line == 16"
done

# upgrade reads the version's manifests at its tag.
run upgrade --all
expect_rc 1
expect_err "v1\.1\.0:$W: Template\.helper: unknown field 'spec\.agent\.tagz'"
expect_err "hint: did you mean 'tags'\?"
run upgrade --all --json
expect_rc 1
expect_jq '.error.hint == "did you mean '"'tags'"'?" and (.error.where | startswith("v1.1.0:.letta/manifests/project/all.yaml:16:5"))'
