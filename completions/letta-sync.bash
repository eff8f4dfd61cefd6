# bash completion for letta-sync. Options come from `letta-sync <command> --help`, so they
# never drift from the binary.
_letta_sync() {
	local cur prev words cword cmd i
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local commands="backup bootstrap context diff init projects pull restore rollback schema scope-sync snapshots status sync upgrade validate"
	cmd=
	for ((i = 1; i < cword; i++)); do
		case "${words[i]}" in
		--project|--org|--agent|--channel|-C) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	case "$prev" in
	--channel) COMPREPLY=($(compgen -W "stable beta pinned" -- "$cur")); return ;;
	-C|--cwd|--out|--plan|--letta-path) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--prune-older-than) COMPREPLY=($(compgen -W "7d 30d 90d" -- "$cur")); return ;;
	--only) [ "$cmd" = restore ] && return
		COMPREPLY=($(compgen -W "system_prompt memory_blocks tools folders tags model identities mcp_servers settings memory_files" -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "text markdown" -- "$cur")); return ;;
	--kind) COMPREPLY=($(compgen -W "Block Tool MCPServer Template Folder Identity AgentPolicy Agent" -- "$cur")); return ;;
	--ci) COMPREPLY=($(compgen -W "github none" -- "$cur")); return ;;
	--to|--target) COMPREPLY=($(compgen -W "$(git tag -l 'v*' 2>/dev/null)" -- "$cur")); return ;;
	--waves) COMPREPLY=($(compgen -W "1,10%,100% 1,50%,100%" -- "$cur")); return ;;
	--wait|--gate-timeout) COMPREPLY=($(compgen -W "30s 5m 10m 1h" -- "$cur")); return ;;
	--gate) COMPREPLY=($(compgen -c -f -- "$cur")); return ;;
	esac
	if [ -z "$cmd" ]; then
		if [[ "$cur" == -* ]]; then
			COMPREPLY=($(compgen -W "--project --org --agent --dry-run --json --channel --verbose -C --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	if [[ "$cur" == -* ]]; then
		local opts
		opts=$("${words[0]}" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif [ "$cmd" = projects ]; then
		COMPREPLY=($(compgen -W "list create" -- "$cur"))
	elif [ "$cmd" = snapshots ] && [ "$prev" = show ]; then
		COMPREPLY=($(compgen -W "$("${words[0]}" snapshots 2>/dev/null | awk 'NR > 1 {print $1}')" -- "$cur"))
	elif [ "$cmd" = snapshots ]; then
		COMPREPLY=($(compgen -W "show" -- "$cur"))
	elif [ "$cmd" = restore ]; then
		# The ids `letta-sync snapshots` lists (its first column, after the header).
		COMPREPLY=($(compgen -W "$("${words[0]}" snapshots 2>/dev/null | awk 'NR > 1 {print $1}')" -- "$cur"))
	fi
}
complete -F _letta_sync letta-sync
