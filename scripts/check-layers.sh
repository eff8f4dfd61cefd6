#!/usr/bin/env bash
# Fails when a layer includes a header it must not (docs/contract/STYLE.md section 2). Includes are written
# from src/ ("core/plan.h"), so a grep over the #include lines is enough.
set -u
. "$(dirname "$0")/lib-check.sh"
check() { # dir, forbidden-regex, what
	local dir=$1 re=$2 what=$3
	[ -d "$dir" ] || return 0
	flag "layer violation: $dir must not include $what:" \
		"$(grep -RnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($re)" "$dir" --include='*.c' --include='*.h' || true)"
}
check src/util 'core/|api/|repo/|cli/|curl/|git2' 'other layers, libcurl or libgit2'
check src/core 'api/|repo/|cli/|curl/|git2|microhttpd|unistd\.h|sys/socket|dirent\.h|fcntl\.h' 'I/O headers or other layers'
check src/api 'repo/|cli/|git2|microhttpd' 'repo, cli, libgit2'
check src/repo 'api/|cli/|curl/|microhttpd' 'api, cli, libcurl'
check sim 'core/|api/|repo/|cli/|git2' 'core, api, repo, cli'
# letta-sim talks to a real MCP server (issue 21 item 5) only from sim/mcp_client.c.
flag "layer violation: only sim/mcp_client.c may use libcurl:" \
	"$(grep -RnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]curl/' sim --include='*.c' --include='*.h' | grep -v '^sim/mcp_client\.c:' || true)"
# core plans typed operations; the only route table is src/api/letta.c's (issue 22 item 1).
flag "layer violation: src/core names an API route (emit a typed operation; routes live in src/api/letta.c):" \
	"$(grep -RnF '/v1/' src/core --include='*.c' --include='*.h' || true)"
# A kind file (src/core/kinds/<kind>.c) has a small interface of its own: it includes only the
# kinds' headers, the model, the markers (core/markers.h), what a plan is and its builders
# (core/plan_types.h, core/plan_build.h), diagnostics (core/diag.h) and util, none of which
# reaches a kind file, so that the kind tables, the kind files and the planner, validate and
# pull that walk the table make no cycle (issue 22 item 2).
flag "layer violation: a kind file includes more than the kinds' headers, the model, the markers, the plan's types and builders, diagnostics and util:" \
	"$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' src/core/kinds/*.c src/core/kinds/*.h 2>/dev/null |
	grep -vE '^src/core/kinds/kinds\.[ch]:' |
	grep -vE '"(core/kinds/[a-z_]+\.h|core/(model|markers|plan_types|plan_build|diag)\.h|util/[a-z0-9_]+\.h)"' || true)"
# core must not touch the environment, clock or stdout either.
flag "layer violation: src/core does I/O, reads env or the clock:" \
	"$(grep -RnE '\b(getenv|fopen|printf|puts|time\(|clock_gettime|rand\()' src/core --include='*.c' | grep -vE 'snprintf|vsnprintf|buf_addf|//|/\*' || true)"
[ $fail -eq 0 ] && echo "layers: ok"
exit $fail
