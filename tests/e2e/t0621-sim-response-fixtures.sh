#!/usr/bin/env bash
# letta-sim answers the routes letta-sync uses with every field the real server returns
# (issue 21 item 7): for each route, its answer has every top-level field of the route's
# response fixture (tests/fixtures/letta-api/responses/, built from openapi.json) and fits the
# route's schema (checked with python3-jsonschema; lint/response-fixtures checks the fixtures).
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed (make deps)"
start_sim
python3 "$LS_SOURCE_DIR/tests/tools/response_fixtures.py" sim "$SIM_URL" "$SIM_KEY" >"$TMP/out" 2>&1 ||
	fail "$(cat "$TMP/out")"
grep -q '^24 routes, 0 problems$' "$TMP/out" || fail "unexpected report: $(cat "$TMP/out")"
