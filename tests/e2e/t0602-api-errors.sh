#!/usr/bin/env bash
# Each kind of API failure becomes one clear error naming the object, where and what to do,
# and the key never shows (issue 6).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-api.sh"
needs_sim
start_sim --seed 3

# 401 with a wrong key, and without one.
LETTA_API_KEY=wrong-key-0123456789 api list block
expect_rc 1
expect_err "^error: LETTA_API_KEY was rejected by $SIM_URL \\(401\\)$"
expect_err '^hint: check LETTA_API_KEY, and that LETTA_BASE_URL'
expect_err '^code: AUTH$'
env -u LETTA_API_KEY "$API_BIN" list block >"$TMP/out" 2>"$TMP/err" && fail "no key accepted"
expect_err "requires an API key \\(401\\)"
expect_err '^hint: set LETTA_API_KEY \(or LETTA_SERVER_PASSWORD for a self-hosted server started with --secure\)$'

# 404 names the object.
missing=block-00000000-0000-4000-8000-000000000000
api fetch block $missing
expect_rc 1
expect_err "^error: block '$missing' not found \\(404\\): Block with id '$missing' not found$"
expect_err "^where: GET /v1/blocks/$missing$"
expect_err '^code: NOT_FOUND$'
api delete agent agent-00000000-0000-4000-8000-000000000000
expect_rc 1
expect_err "^error: agent 'agent-00000000-0000-4000-8000-000000000000' not found \\(404\\): Agent not found with id='\\['agent-00000000-0000-4000-8000-000000000000'\\]'"
expect_err '^where: DELETE /v1/agents/'

# 422 shows the server's detail.
api create block '{"label":"no_value"}'
expect_rc 1
expect_err "^error: block 'no_value' was rejected by the server \\(422\\): .+"
expect_err '^where: POST /v1/blocks/$'
expect_err '^code: API$'

# 409 on a unique name: an object without our marker is a conflict ...
api create folder '{"name":"docs","embedding":"openai/text-embedding-3-small"}'
expect_rc 0
api create folder '{"name":"docs","embedding":"openai/text-embedding-3-small"}'
expect_rc 1
expect_err "^error: conflict on folder 'docs' \\(409\\): .+"
expect_err '^code: CONFLICT$'
# ... and one with our marker is adopted, not duplicated.
body='{"name":"kb","embedding":"openai/text-embedding-3-small","metadata":{"managed_by":"letta-sync","source":"Folder/kb"}}'
api create folder "$body"
expect_rc 0
first=$(jq -r .id "$TMP/out")
api create folder "$body"
expect_rc 0
expect_jq ".id == \"$first\""
[ "$(sim_state | jq '[.folders[] | select(.name == "kb")] | length')" -eq 1 ] || fail "folder kb duplicated"

# No server: curl's reason and the URL.
LETTA_BASE_URL=http://127.0.0.1:1 LETTA_SYNC_MAX_RETRIES=1 LETTA_SYNC_RETRY_BASE_MS=1 api list tool
expect_rc 1
expect_err '^error: cannot reach http://127.0.0.1:1/v1/tools/: .+ \(after 2 attempts\)$'
expect_err '^where: GET /v1/tools/$'
expect_err '^code: NETWORK$'

# -v: one line per request, with status, time and attempt; no key, no Authorization.
api -v list block label=persona
expect_rc 0
expect_err '^\[verbose\] http: GET /v1/blocks/\?label=persona&limit=[0-9]+ -> 200 \([0-9]+ ms, attempt 1\)$'
if grep -qi 'authorization\|bearer' "$TMP/err"; then fail "-v shows the Authorization header"; fi
exit 0
