#!/usr/bin/env bash
# validate: hostile files never crash or hang: binary data, invalid UTF-8, alias bombs, deep
# nesting, huge files and scalars each give an error naming the file, quickly.
. "$(dirname "$0")/lib-e2e.sh"

repo="$TMP/repo"
new_repo "$repo"
cd "$repo"
m=.letta/manifests/base
mkdir -p $m

check() { # file expected-stdout-regex
	SECONDS=0
	run validate
	expect_rc 1
	expect_out "$2"
	[ "$SECONDS" -lt 10 ] || fail "$1 took ${SECONDS}s"
	rm -f "$1"
}

printf 'a: 1\n\0\0\0binary' >$m/bin.yaml
check $m/bin.yaml '^\.letta/manifests/base/bin\.yaml:2:1: error: binary file \(NUL byte at offset 5\)$'

printf 'kind: Block\nname: caf\xe9\n' >$m/latin1.yaml
check $m/latin1.yaml '^\.letta/manifests/base/latin1\.yaml:2:10: error: invalid UTF-8 \(byte 0xe9 at offset 21\)$'

{
	echo 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
	for i in $(seq 1 15); do
		p=$((i - 1))
		echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
	done
} >$m/bomb.yaml
check $m/bomb.yaml '^\.letta/manifests/base/bomb\.yaml:[0-9]+:[0-9]+: error: too many nodes \(more than 200000 after expanding aliases\)$'

head -c 100000 /dev/zero | tr '\0' '[' >$m/deep.yaml
check $m/deep.yaml '^\.letta/manifests/base/deep\.yaml:1:65: error: nesting too deep \(more than 64 levels\)$'

head -c 100000 /dev/zero | tr '\0' '[' >$m/deep.json
check $m/deep.json '^\.letta/manifests/base/deep\.json:1:[0-9]+: error: (maximum parsing depth|nesting too deep)'

{ printf 'a: "'; head -c 2000000 /dev/zero | tr '\0' 'x'; printf '"\n'; } >$m/scalar.yaml
check $m/scalar.yaml '^\.letta/manifests/base/scalar\.yaml:1:4: error: scalar too long \(more than 1 MiB\)$'

head -c 9000000 /dev/zero | tr '\0' '#' >$m/huge.yaml
check $m/huge.yaml '^\.letta/manifests/base/huge\.yaml: error: Failed to read manifest file: file too large \(the limit is 8 MiB\)$'

printf '\xff\xfe\x00\x00' >$m/utf32.json
check $m/utf32.json '^\.letta/manifests/base/utf32\.json:1:1: error: invalid UTF-8'

# Nothing left: clean again.
run validate
expect_rc 0
