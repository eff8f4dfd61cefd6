#!/usr/bin/env bash
# A self-hosted server needs no key (issue 21 item 6): letta-sim --no-auth serves every request
# as the real server does without --secure, ignoring --api-key; letta-sync with LETTA_API_KEY
# unset works against it (context, diff, sync, status, pull) and a second sync writes nothing. Letta Cloud still needs a key (t0004).
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
sync_setup --no-auth
unset LETTA_API_KEY

# letta-sim --no-auth: no key, and a key that is not --api-key's, are both served.
sim_call GET /v1/blocks/ '' -H 'Authorization:'
expect_status 200
sim_call GET /v1/blocks/ '' -H 'Authorization: Bearer not-the-key'
expect_status 200

policy_yaml | manifest policy.yaml
{
	helper_yaml "be helpful"
	echo '    blocks: [{name: policy}]'
	printf -- '---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {name: helper}\nspec: {layer: project}\n'
} | manifest agents.yaml

run context
expect_rc 0
expect_out 'self-hosted'
run diff
expect_rc 0
run sync
expect_rc 0
expect_out 'created Agent/helper'
expect_writes 0 sync
expect_rc 0
run status
expect_rc 0
run pull --dry-run
expect_rc 0

# A server started with --secure (letta-sim --api-key) wants the password: the error says where
# to put it, and LETTA_SERVER_PASSWORD works in place of LETTA_API_KEY.
start_sim
unset LETTA_API_KEY
run diff
expect_rc 1
expect_err 'requires an API key \(401\)'
expect_err '^hint: set LETTA_API_KEY \(or LETTA_SERVER_PASSWORD for a self-hosted server started with --secure\)$'
LETTA_SERVER_PASSWORD=$SIM_KEY run diff
expect_rc 0
