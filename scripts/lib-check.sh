# Sourced by the grep-based lint scripts (check-layers.sh, check-env.sh, check-banned.sh): each
# sets fail=0, calls flag once a rule and exits $fail.

# flag MESSAGE HITS: when HITS (grep -n lines) is not empty, prints MESSAGE, then HITS, and sets
# fail=1.
flag() {
	[ -n "$2" ] || return 0
	echo "$1"
	echo "$2"
	fail=1
}
