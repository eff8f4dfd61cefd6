#!/usr/bin/env bash
# upgrade in a monorepo (issue 11): the config root partners/x is mapped to its path in the
# repository, each version's manifests are read from git's objects (uncommitted edits in the
# work tree do not count), and the work tree is left exactly as it was.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim
REPO=$TMP/mono
new_repo "$REPO"
X=$REPO/partners/x
mkdir -p "$X/.letta/manifests/project" "$REPO/.letta/manifests/project"
export LETTA_SYNC_PROJECT=e2e-$TEST_NAME
fleet() {
	cat >"$X/.letta/manifests/project/fleet.yaml" <<YAML
apiVersion: letta.ai/v1
kind: Template
metadata: {name: helper}
spec:
  layer: project
  agent:
    name: helper
    system: "$1"
    modelConfig: {model: openai/gpt-4o-mini}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: mono}
spec: {layer: project, template: helper}
YAML
}
# A decoy at the repository root: never read for partners/x.
echo 'not: [valid' >"$REPO/.letta/manifests/project/broken.yaml"
fleet "Version one."
git -C "$REPO" add -A && git -C "$REPO" commit -q -m one && git -C "$REPO" tag v1.0.0
run -C "$X" sync
expect_rc 0
fleet "Version two."
git -C "$REPO" add -A && git -C "$REPO" commit -q -m two && git -C "$REPO" tag v1.1.0
fleet "Uncommitted."
git -C "$REPO" status --porcelain >"$TMP/status.before"

run -C "$X" upgrade --all --check --json
expect_rc 0
expect_jq '.data[0].current == "1.0.0" and .data[0].available == "1.1.0"'
expect_jq '[.data[0].changes[] | select(.section == "system_prompt") | .fields[0].to] == ["Version two."]'
run -C "$X" upgrade --all
expect_rc 0
sim_get "/v1/agents/?name=mono&include=agent.tags" | jq -e '.[0].system == "Version two."
	and (.[0].tags | index("version:1.1.0"))' >/dev/null || fail "mono not on 1.1.0"
git -C "$REPO" status --porcelain >"$TMP/status.after"
cmp -s "$TMP/status.before" "$TMP/status.after" || fail "the work tree changed"
grep -q Uncommitted "$X/.letta/manifests/project/fleet.yaml" || fail "the work tree file changed"
