#!/usr/bin/env bash
# letta-sim: the key is required on /v1 except health, /_sim needs none, slash mismatches
# answer 307 with a Location, unknown routes 404 and wrong methods 405.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

# No key, a wrong key, a malformed header: 401 {"detail":"Unauthorized"}.
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$SIM_URL/v1/agents/")
[ "$code" = 401 ] || fail "no key gave $code"
jq -e '. == {"detail":"Unauthorized"}' "$TMP/body" >/dev/null || fail "401 body: $(cat "$TMP/body")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "$SIM_URL/v1/blocks/")
[ "$code" = 401 ] || fail "wrong key gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $SIM_KEY" "$SIM_URL/v1/tools/")
[ "$code" = 401 ] || fail "key without Bearer gave $code"

# Health needs no key and answers {version, status}.
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$SIM_URL/v1/health/")
[ "$code" = 200 ] || fail "health gave $code"
jq -e '(.version|type) == "string" and (.status|type) == "string"' "$TMP/body" >/dev/null ||
	fail "health body: $(cat "$TMP/body")"

# The admin API needs no key.
sim_admin GET /_sim/stats | jq -e '.total >= 1' >/dev/null || fail "/_sim/stats without a key"

# The right key works.
sim_call GET /v1/agents/
expect_status 200
expect_body '. == []'

# Slash mismatch: 307 to the documented path, query kept; never followed by us.
sim_call GET '/v1/agents?limit=5&name=x'
expect_status 307
expect_header Location "http://127\\.0\\.0\\.1:[0-9]+/v1/agents/\\?limit=5&name=x"
sim_call GET /v1/projects/
expect_status 307
expect_header Location 'http://[^/]+/v1/projects'
sim_call GET /v1/blocks/count/
expect_status 307
expect_header Location 'http://[^/]+/v1/blocks/count'

# Unknown route 404 {"detail":"Not Found"}, known path with a wrong method 405.
sim_call GET /v1/nothing-here
expect_status 404
expect_body '.detail == "Not Found"'
sim_call DELETE /v1/agents/
expect_status 405
expect_body '.detail == "Method Not Allowed"'

# Without --api-key the simulator is open (self-hosted default).
stop_sim
SIM_KEY_SAVED=$SIM_KEY
"$SIM_BIN" --port 0 >"$TMP/open.out" 2>"$TMP/sim.log" &
OPEN_PID=$!
for _ in $(seq 50); do [ -s "$TMP/open.out" ] && break; sleep 0.1; done
url=$(sed -n '1s/^listening on //p' "$TMP/open.out")
[ -n "$url" ] || fail "no listening line"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/blocks/")
kill "$OPEN_PID"; wait "$OPEN_PID" 2>/dev/null || true
[ "$code" = 200 ] || fail "open simulator gave $code"
: "$SIM_KEY_SAVED"
echo ok
