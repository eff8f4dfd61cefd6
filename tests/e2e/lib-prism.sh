# Prism, the OpenAPI validating proxy, for the conformance tests (t0116, t0723); sourced after
# lib-e2e.sh and a started letta-sim. Prism (`make deps`: project-local node_modules/) runs in
# proxy mode with --errors: it validates each request and each response against
# tests/fixtures/letta-api/openapi.json and answers application/problem+json (422 for a request,
# 500 for a response) on any violation, logging a "✖" line. Without Prism the test is skipped.
PRISM=$LS_SOURCE_DIR/node_modules/.bin/prism
SPEC=${LETTA_OPENAPI:-$LS_SOURCE_DIR/tests/fixtures/letta-api/openapi.json}
PRISM_PID=
PRISM_URL=

# The one place where openapi.json and the real server disagree on a route letta-sync uses: the
# agent export (GET /v1/agents/{agent_id}/export) is typed `{"type": "string"}` (the router's
# `-> str` annotation; the TS SDK's AgentExportFileResponse = string), but the server answers the
# agent file itself, a JSON object with "agents" (docs/letta-sim.md, "Agent files"). Prism
# validates against a copy with that response typed as the object the server sends; everything
# else is the document as published.
prism_spec() {
	jq '.paths["/v1/agents/{agent_id}/export"].get.responses["200"].content["application/json"].schema =
		{"type": "object", "required": ["agents"]}' "$SPEC" >"$TMP/openapi-prism.json"
	SPEC=$TMP/openapi-prism.json
}

# Prism has no port 0: try ports below the ephemeral range until one binds.
prism_try() {
	local port
	for _ in $(seq 50); do
		port=$((10000 + RANDOM % 22000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
	done
	"$PRISM" proxy "$SPEC" "$SIM_URL" --errors --host 127.0.0.1 -p "$port" >"$TMP/prism.log" 2>&1 &
	PRISM_PID=$!
	PRISM_URL=http://127.0.0.1:$port
	# Up to 60 s: Prism (node) starts slowly on a loaded machine (make check runs 2 jobs).
	for _ in $(seq 600); do
		grep -q 'Prism is listening' "$TMP/prism.log" && return 0
		kill -0 $PRISM_PID 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# start_prism: Prism in front of $SIM_URL; sets PRISM_URL. Skips the test without Prism.
start_prism() {
	local ok=
	[ -x "$PRISM" ] || skip "no $PRISM: run 'make deps'"
	[ -f "$SPEC" ] || fail "no $SPEC"
	prism_spec
	# Keep the exit status for cleanup (lib-e2e.sh), which reads $? first; set +e so that
	# restoring a failing status does not end the trap before cleanup runs.
	trap 'st=$?; set +e; [ -n "$PRISM_PID" ] && kill $PRISM_PID 2>/dev/null; (exit $st); cleanup' EXIT
	for _ in 1 2 3 4 5; do
		if prism_try; then
			ok=1
			break
		fi
		kill $PRISM_PID 2>/dev/null || true
		grep -q EADDRINUSE "$TMP/prism.log" || break
	done
	[ -n "$ok" ] || fail "prism did not start: $(tail -5 "$TMP/prism.log")"
}

# prism_violations: the lines of Prism's log that report a refused request or response.
prism_violations() {
	grep -a '✖' "$TMP/prism.log" || true
}
