# Sourced by the memory-files sync tests (t0560-t0589) after lib-e2e.sh, lib-sync.sh and
# lib-memfs.sh: a config repository with the agent "mem" declaring memory: {dir: memory/mem}.

# mem_manifest: agents.yaml with the Template "helper" and the agent "mem" declaring
# memory: {dir: memory/mem}.
mem_manifest() {
	{ helper_yaml "You help."; mem_agent_yaml "  memory: {dir: memory/mem}"; } | manifest agents.yaml
}

# mem_setup: the repository, two memory files, one sync; sets $A (the agent's id) and clones
# its memory into $TMP/c (the agent's own working copy).
mem_setup() {
	sync_setup
	mem_manifest
	mkdir -p memory/mem
	write_md memory/mem/system/persona.md "Who I am" $'one\ntwo\nthree\nfour\nfive\nsix\nseven\n'
	write_md memory/mem/reference/notes.md "Notes" $'a\nb\n'
	git add -A && git commit -qm memory
	mem_synced
}

# mem_synced: one sync (exit 0); sets $A (the agent "mem"'s id) and clones its memory into
# $TMP/c (the agent's own working copy, committing as "agent").
mem_synced() {
	run sync
	expect_rc 0
	A=$(sim_get "/v1/agents/?name=mem" | jq -r '.[0].id')
	memfs_clone "$A" "$TMP/c"
	git -C "$TMP/c" config user.name agent
	git -C "$TMP/c" config user.email agent@example.com
}

# agent_commit MSG: commits and pushes everything changed in $TMP/c (the agent's edit).
agent_commit() {
	git -C "$TMP/c" add -A
	git -C "$TMP/c" commit -qm "$1"
	git_push "$TMP/c"
	[ "$rc" -eq 0 ] || fail "agent push: $(cat "$TMP/git.err")"
}
