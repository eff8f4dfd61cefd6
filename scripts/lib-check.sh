# Sourced by the grep-based lint scripts (check-layers.sh, check-env.sh, check-banned.sh) with
# their arguments: moves to the repository root they name ($1, default .) and sets fail=0; each
# then calls flag once a rule and exits $fail.
cd "${1:-.}" || exit 1
fail=0

# flag MESSAGE HITS: when HITS (grep -n lines) is not empty, prints MESSAGE, then HITS, and sets
# fail=1.
flag() {
	[ -n "$2" ] || return 0
	echo "$1"
	echo "$2"
	fail=1
}
