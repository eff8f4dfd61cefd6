#!/usr/bin/env bash
# Errors keep the server's words (issue 21 item 3): a 404 names what the server did not find,
# and a 404 caused by a reference inside the body (here an unknown block id in an agent create)
# is reported as that, not as "agent 'x' not found"; the agents that need it say which failed.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-api.sh"
needs_sim
start_sim

gone=block-00000000-0000-4000-8000-0000000000aa
api create agent "{\"name\":\"review-bot\",\"model\":\"openai/gpt-4o-mini\",\"block_ids\":[\"$gone\"]}"
expect_rc 1
expect_err "^error: agent 'review-bot' refers to something the server does not have \\(404\\): Block with id '$gone' not found$"
expect_err '^where: POST /v1/agents/$'
expect_err '^code: NOT_FOUND$'
if grep -q "agent 'review-bot' not found" "$TMP/err"; then
	fail "the reference's 404 was reported as the agent missing: $(cat "$TMP/err")"
fi

# A 404 on the object itself keeps the server's detail too.
api fetch block "$gone"
expect_rc 1
expect_err "^error: block '$gone' not found \\(404\\): Block with id '$gone' not found$"
