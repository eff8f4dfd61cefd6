# Sourced by the MemFS tests (t0170-t0179) after lib-e2e.sh: git-backed agent memory served by
# letta-sim over git smart HTTP (docs/contract/memfs.md), driven with the git program.

command -v git >/dev/null || skip "no git program"

# The git routes as /_sim/stats counts them: the ref advertisement, a fetch, a push.
IR="GET /v1/git/{agent_id}/state.git/info/refs"
UP="POST /v1/git/{agent_id}/state.git/git-upload-pack"
RP="POST /v1/git/{agent_id}/state.git/git-receive-pack"

# memfs_agent NAME [BLOCKS-JSON]: creates an agent tagged git-memory-enabled; prints its id.
memfs_agent() {
	local blocks=${2:-'[{"label":"persona","value":"I am a test agent.\n","description":"Who I am"},{"label":"human","value":"Name: Ada\n","description":"The user","limit":5000}]'}
	sim_call POST /v1/agents/ "{\"name\":\"$1\",\"model\":\"openai/gpt-4o-mini\",\"tags\":[\"git-memory-enabled\"],\"memory_blocks\":$blocks}"
	expect_status 200
	body_get .id
}

# git_url AGENT [KEY]: the clone URL with Basic credentials (user letta, the API key).
git_url() {
	local hostport=${SIM_URL#http://}
	printf 'http://letta:%s@%s/v1/git/%s/state.git' "${2:-$SIM_KEY}" "$hostport" "$1"
}

# memfs_clone AGENT DIR: clones main into DIR.
memfs_clone() {
	git clone -q "$(git_url "$1")" "$2" 2>"$TMP/git.err" || fail "clone of $1 failed: $(cat "$TMP/git.err")"
}

# git_push DIR: pushes main; sets $rc and leaves git's stderr in $TMP/git.err.
git_push() {
	set +e
	git -C "$1" push -q origin main 2>"$TMP/git.err"
	rc=$?
	set -e
}

# blocks_of AGENT: the agent's blocks as a JSON object label -> {value, description, limit,
# read_only}, in $TMP/blocks.
blocks_of() {
	sim_call GET "/v1/agents/$1/core-memory/blocks?limit=1000"
	expect_status 200
	jq 'map({key: .label, value: {value, description, limit, read_only, id}}) | from_entries' "$TMP/body" >"$TMP/blocks"
}

expect_blocks() { # JQ on $TMP/blocks
	jq -e "$1" "$TMP/blocks" >/dev/null || fail "blocks: jq '$1' is not true on: $(cat "$TMP/blocks")"
}

# remote_main AGENT: main's commit id on the server.
remote_main() {
	git ls-remote "$(git_url "$1")" refs/heads/main | cut -f1
}

# stat_count KEY: how many requests /_sim/stats counted under "METHOD /route".
stat_count() {
	sim_stats | jq --arg k "$1" '.requests[$k] // 0'
}

# write_md PATH DESCRIPTION VALUE [EXTRA-FRONTMATTER]: a system-layout memory file.
write_md() {
	mkdir -p "$(dirname "$1")"
	printf -- '---\ndescription: %s\n%s---\n%s' "$2" "${4-}" "$3" >"$1"
}
