#!/usr/bin/env bash
# scripts/check-cycles.py on small planted trees (issue 22 item 6): it fails on a cycle of calls,
# of includes and of headers, names the chain, lets an allow-listed cycle pass, fails on a stale
# allow-list line, and passes a tree whose files depend one way only.
# Usage: test-check-cycles.sh [SOURCE_DIR]
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
check="$root/scripts/check-cycles.py"
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# mk NAME: a fresh tree $tmp/NAME with src/ and sim/; files come from the case's heredocs.
mk() { t="$tmp/$1"; mkdir -p "$t/src/core" "$t/sim" "$t/scripts"; }
put() { mkdir -p "$(dirname "$t/$1")"; cat >"$t/$1"; }
# build: compiles every .c as CMake lays out objects (<dir>/CMakeFiles/<target>.dir/<file>.c.o).
build() {
	local f dir
	for f in $(cd "$t" && find src sim -name '*.c'); do
		dir="$t/build/$(dirname "$f")/CMakeFiles/fixture.dir"
		mkdir -p "$dir"
		"$cc" -std=c11 -c -I"$t/src" -I"$t/sim" "$t/$f" -o "$dir/$(basename "$f").o" || exit 1
	done
}
run() { # expected-rc, then extra arguments
	local want=$1
	shift
	out=$(python3 "$check" --root "$t" --build "$t/build" "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL [$case]: exit $rc, want $want:"
		echo "$out"
		fails=$((fails + 1))
	fi
}
has() {
	if ! grep -qF -- "$1" <<<"$out"; then
		echo "FAIL [$case]: the output lacks '$1':"
		echo "$out"
		fails=$((fails + 1))
	fi
}

# 1. Two files that call each other (no include between them): a cycle, with the chain.
case=calls
mk $case
put src/core/a.c <<'EOF'
int b_value(void);
int a_value(void) { return 1; }
int a_twice(void) { return 2 * b_value(); }
EOF
put src/core/b.c <<'EOF'
int a_value(void);
int b_value(void) { return a_value() + 1; }
EOF
build
run 1 --allow ""
has "cycle: src/core/a.c src/core/b.c depend on each other in a circle:"
has "src/core/a.c -> src/core/b.c -> src/core/a.c"
has "src/core/a.c -> src/core/b.c: calls b_value()"
has "src/core/b.c -> src/core/a.c: calls a_value()"

# 2. The same cycle, allow-listed: passes and says so.
printf '# known\nsrc/core/a.c src/core/b.c  # until it is split\n' >"$t/scripts/cycles-allow.txt"
run 0
has "known cycle (scripts/cycles-allow.txt:2): src/core/a.c src/core/b.c"
has "cycles: ok"

# 3. A third file joins the circle: the allow-list line no longer matches the cycle (fails).
put src/core/c.c <<'EOF'
int a_twice(void);
int c_value(void) { return a_twice(); }
EOF
put src/core/b.c <<'EOF'
int a_value(void);
int c_value(void);
int b_value(void) { return a_value() + c_value(); }
EOF
rm -rf "$t/build"
build
run 1
has "cycle: src/core/a.c src/core/b.c src/core/c.c depend on each other in a circle:"
has "src/core/c.c -> src/core/a.c -> src/core/b.c -> src/core/c.c"
has "scripts/cycles-allow.txt:2: no cycle src/core/a.c src/core/b.c any more: remove the line"

# 4. Includes alone: x.c includes y.h and y.c includes x.h (a variable used, no call back).
case=includes
mk $case
put src/core/x.h <<'EOF'
extern int x_count;
EOF
put src/core/y.h <<'EOF'
int y_fn(void);
EOF
put src/core/x.c <<'EOF'
#include "core/x.h"
#include "core/y.h"
int x_count = 1;
EOF
put src/core/y.c <<'EOF'
#include "core/x.h"
#include "core/y.h"
int y_fn(void) { return x_count; }
EOF
build
run 1 --allow ""
has "src/core/x.c -> src/core/y.c: includes src/core/y.h"
has "src/core/y.c -> src/core/x.c: includes src/core/x.h, uses x_count"

# 5. Headers that include each other, with no code at all.
case=headers
mk $case
put sim/p.h <<'EOF'
#ifndef P_H
#define P_H
#include "q.h"
#endif
EOF
put sim/q.h <<'EOF'
#ifndef Q_H
#define Q_H
#include "p.h"
#endif
EOF
put sim/main.c <<'EOF'
#include "p.h"
int main(void) { return 0; }
EOF
build
run 1 --allow ""
has "sim/p.h -> sim/q.h -> sim/p.h"

# 6. One way only (a shared file both sides call, as sim/links.c is): passes; a stale
#    allow-list line fails.
case=oneway
mk $case
put sim/links.c <<'EOF'
int unlink_all(int id) { return id; }
EOF
put sim/agents.c <<'EOF'
int unlink_all(int id);
int agents_delete(int id) { return unlink_all(id); }
EOF
put sim/tools.c <<'EOF'
int unlink_all(int id);
int tools_delete(int id) { return unlink_all(id); }
EOF
build
run 0 --allow ""
has "cycles: ok"
printf 'sim/agents.c sim/tools.c\n' >"$t/scripts/cycles-allow.txt"
run 1
has "scripts/cycles-allow.txt:1: no cycle sim/agents.c sim/tools.c any more: remove the line"

# 6b. letta-sim's resource files (those with a route array) call no other resource file, even
#     one way: agents.c calling blocks.c's block_render() fails; both calling links.c passes.
case=resources
mk $case
put sim/links.c <<'EOF'
int block_render(int id) { return id; }
EOF
put sim/blocks.c <<'EOF'
int block_render(int id);
const char *const blocks_routes[] = { "GET /v1/blocks/", 0 };
int blocks_get(int id) { return block_render(id); }
EOF
put sim/agents.c <<'EOF'
int block_render(int id);
const char *const agents_routes[] = { "GET /v1/agents/", 0 };
int agents_get(int id) { return block_render(id); }
EOF
build
run 0 --allow ""
rm "$t/sim/links.c"
put sim/blocks.c <<'EOF'
const char *const blocks_routes[] = { "GET /v1/blocks/", 0 };
int block_render(int id) { return id; }
EOF
rm -rf "$t/build"
build
run 1 --allow ""
has "sim/agents.c calls the resource file sim/blocks.c (calls block_render())"

# 7. sim/ links with src/util/ only: a name sim/ defines and src/core/ calls is no edge.
case=trees
mk $case
put sim/store.c <<'EOF'
int core_fn(void);
int store_init(void) { return core_fn(); }
EOF
put src/core/init.c <<'EOF'
int store_init(void);
int core_fn(void) { return 0; }
int core_start(void) { return store_init(); }
EOF
put src/core/store.c <<'EOF'
int store_init(void) { return 1; }
EOF
build
run 0 --allow ""

if [ $fails -ne 0 ]; then
	echo "check-cycles self-test: $fails failure(s)"
	exit 1
fi
echo "check-cycles self-test: ok"
