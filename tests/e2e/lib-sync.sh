# Helpers for the sync/diff e2e tests (t03NN-sync-*.sh); sourced after lib-e2e.sh.

# sync_setup: a simulator, a git repo in $TMP/repo with .letta/manifests/project, and the
# environment letta-sync needs (a fresh project per test).
sync_setup() {
	needs_sim
	start_sim "$@"
	REPO=$TMP/repo
	new_repo "$REPO"
	mkdir -p "$REPO/.letta/manifests/project"
	export LETTA_SYNC_PROJECT=e2e-$TEST_NAME
	cd "$REPO"
}

# manifest FILE: writes stdin to .letta/manifests/project/FILE and commits it.
manifest() {
	cat >"$REPO/.letta/manifests/project/$1"
	git -C "$REPO" add -A
	git -C "$REPO" commit -q -m "edit $1"
}

# policy_yaml: the project Block "policy" ("be kind") that the agent tests share.
policy_yaml() {
	cat <<'YAML'
apiVersion: letta.ai/v1
kind: Block
metadata: {name: policy}
spec: {layer: project, label: policy, value: "be kind"}
YAML
}

# helper_yaml SYSTEM: the head of the default Template "helper" (gpt-4o-mini) that the agent
# tests share, up to its modelConfig; the caller appends the rest of spec.agent.
helper_yaml() {
	cat <<YAML
apiVersion: letta.ai/v1
kind: Template
metadata: {name: helper}
spec:
  layer: project
  default: true
  agent:
    name: helper
    system: "$1"
    modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}
YAML
}

# mem_agent_yaml [SPEC-LINES]: "---" and the Agent "mem" made from the Template "helper" in
# the project layer, that the memory-files tests share; SPEC-LINES (YAML lines indented by two
# spaces, under spec:) are added as given.
mem_agent_yaml() {
	cat <<'YAML'
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: mem}
spec:
  layer: project
  template: helper
YAML
	[ -z "${1:-}" ] || printf '%s\n' "$1"
}

# bob_yaml [BLOCKS [TOOLS]]: the default Template "t" (system "hi", gpt-4o-mini) and the Agent
# "bob" made from it, that the prune and 409 tests share. BLOCKS and TOOLS are spec.agent's
# blocks and tools as YAML flow lists (e.g. "[{name: shared}]"); a line is left out when its
# argument is not given.
bob_yaml() {
	cat <<YAML
apiVersion: letta.ai/v1
kind: Template
metadata: {name: t}
spec:
  layer: project
  default: true
  agent:
    name: t
    system: "hi"
    modelConfig: {model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}
YAML
	[ $# -lt 1 ] || printf '    blocks: %s\n' "$1"
	[ $# -lt 2 ] || printf '    tools: %s\n' "$2"
	cat <<YAML
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: t}
YAML
}

# mcp_fleet SERVER TYPE URL TOOLS: the org MCPServer SERVER (serverType TYPE at URL, in
# org/mcp.yaml) and the default Template "t" whose agents take TOOLS from it ("all" or a YAML
# flow list), with the Agent "bob" on the stable channel; commits both.
mcp_fleet() {
	mkdir -p "$REPO/.letta/manifests/org"
	cat >"$REPO/.letta/manifests/org/mcp.yaml" <<YAML
apiVersion: letta.ai/v1
kind: MCPServer
metadata: {name: $1}
spec: {layer: org, serverType: $2, serverUrl: "$3"}
YAML
	manifest agents.yaml <<YAML
apiVersion: letta.ai/v1
kind: Template
metadata: {name: t}
spec:
  layer: project
  default: true
  agent: {name: t, modelConfig: {model: openai/gpt-4o-mini}, mcpTools: [{server: $1, tools: $4}]}
---
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: bob}
spec: {layer: project, template: t, channel: stable}
YAML
}

# lookup_tool_yaml [DOC [TAGS [EXTRA]]]: the project Tool "lookup", a Python function of one
# string q, that the tool tests share. DOC is its docstring's first line and its schema's
# description (default "Look things up."); TAGS its spec.tags ("[search]" unless given, "" for
# none); EXTRA one more spec line after the tags (e.g. "returnCharLimit: 50000").
lookup_tool_yaml() {
	local doc=${1:-Look things up.} tags=${2-[search]} extra=${3-}
	printf 'apiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: lookup}\nspec:\n  layer: project\n  sourceType: python\n'
	[ -z "$tags" ] || printf '  tags: %s\n' "$tags"
	[ -z "$extra" ] || printf '  %s\n' "$extra"
	cat <<YAML
  sourceCode: |
    def lookup(q: str) -> str:
        """$doc

        Args:
            q: what to look for
        """
        return q
  jsonSchema:
    type: function
    function:
      name: lookup
      description: "$doc"
      parameters: {type: object, properties: {q: {type: string, description: what to look for}}, required: [q]}
YAML
}

writes() {
	sim_stats | jq .writes
}

# expect_writes N CMD...: runs letta-sync CMD and checks it sent exactly N write requests.
expect_writes() {
	local want=$1 before after
	shift
	before=$(writes)
	run "$@"
	after=$(writes)
	[ $((after - before)) -eq "$want" ] ||
		fail "letta-sync $* sent $((after - before)) writes, expected $want; stdout: $(cat "$TMP/out"); stderr: $(cat "$TMP/err")"
}

# changes: the number of changes diff --json reports (the README's recipe).
changes() {
	"$LS_BIN" diff --json >"$TMP/diff.json" 2>"$TMP/diff.err" || fail "diff failed: $(cat "$TMP/diff.err")"
	jq '.data | length' "$TMP/diff.json"
}

# needs_route PATH: skips when the simulator does not serve a list route yet.
needs_route() {
	sim_call GET "$1"
	[ "$status" != 404 ] || skip "letta-sim has no $1"
}
