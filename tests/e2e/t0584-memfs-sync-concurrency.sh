#!/usr/bin/env bash
# Agents' memory handled concurrently (issue 25, --concurrency): eight memory-managed agents
# (a Template's folder, two with their own) synced with --concurrency 4 get their files, one
# push each; the agents' own edits are kept; a no-op sync sends at most one ref advertisement
# per agent and no POST to any git route; --concurrency 1 ends in the same state.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
sync_setup
R1="GET /v1/git/{agent_id}/state.git/info/refs"

{ helper_yaml "You help."; echo "    memory: {dir: memory/shared}"
for i in 1 2 3 4 5 6 7 8; do
	own=""
	[ $i -le 2 ] && own=", memory: {dir: memory/own$i}"
	printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: a%s}\nspec: {layer: project, template: helper%s}\n' $i "$own"
done; } | manifest agents.yaml
write_md memory/shared/system/persona.md "Who I am" $'shared\none\ntwo\n'
write_md memory/shared/reference/faq.md "FAQ" $'q\n'
for i in 1 2; do write_md memory/own$i/system/persona.md "Who I am" "own $i"$'\n'; done
git add -A && git commit -qm memory
sim_admin POST /_sim/stats/reset >/dev/null
run sync --concurrency 4 --json
expect_rc 0
expect_jq '[.data.changes[] | select(.section == "memory_files" and .commit != null)] | length == 8'
[ "$(stat_count "$RP")" -eq 8 ] || fail "pushes: $(sim_stats)"
ids() { sim_get "/v1/agents/?limit=100" | jq -r '.[] | select(.name | test("^a[0-9]$")) | "\(.name) \(.id)"' | sort; }
[ "$(ids | wc -l)" -eq 8 ] || fail "agents: $(ids)"
check_files() {
	ids | while read -r name id; do
		rm -rf "$TMP/m" && memfs_clone "$id" "$TMP/m"
		case $name in a1|a2) src=memory/own${name#a} ;; *) src=memory/shared ;; esac
		for f in $(cd "$src" && find . -type f | sed 's|^\./||'); do
			cmp -s "$src/$f" "$TMP/m/$f" || fail "$name: $f: $(cat "$TMP/m/$f" 2>&1)"
		done
	done
}
check_files

# No-op: at most one ref advertisement per agent, no git POST.
sim_admin POST /_sim/stats/reset >/dev/null
run sync --concurrency 4
expect_rc 0
expect_out 'Already in sync'
[ "$(stat_count "$R1")" -le 8 ] && [ "$(stat_count "$UP")" -eq 0 ] && [ "$(stat_count "$RP")" -eq 0 ] || fail "no-op: $(sim_stats)"

# a5 edits its own memory; git edits the shared folder: every shared agent gets git's edit,
# a5 keeps its own.
A5=$(ids | awk '$1 == "a5" {print $2}')
memfs_clone "$A5" "$TMP/c5"
sed -i 's/^two$/TWO (a5)/' "$TMP/c5/system/persona.md"
git -C "$TMP/c5" -c user.name=agent -c user.email=a@example.com commit -qam "a5 edit"
git_push "$TMP/c5"
[ "$rc" -eq 0 ] || fail "a5 push: $(cat "$TMP/git.err")"
sed -i 's/^q$/Q (git)/' memory/shared/reference/faq.md
git commit -qam "faq"
sim_admin POST /_sim/stats/reset >/dev/null
run sync --concurrency 1
expect_rc 0
[ "$(stat_count "$RP")" -eq 6 ] || fail "pushes: $(sim_stats)"
git -C "$TMP/c5" pull -q --ff-only
grep -qx 'TWO (a5)' "$TMP/c5/system/persona.md" || fail "a5's edit lost"
grep -qx 'Q (git)' "$TMP/c5/reference/faq.md" || fail "git's edit missing on a5"
ids | grep -v '^a5 ' | grep -v '^a[12] ' | while read -r name id; do
	rm -rf "$TMP/m" && memfs_clone "$id" "$TMP/m"
	grep -qx 'Q (git)' "$TMP/m/reference/faq.md" || fail "$name lacks git's edit"
done
