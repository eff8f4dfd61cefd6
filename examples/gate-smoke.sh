#!/bin/sh
# A rollout gate for 'letta-sync upgrade --all --waves ... --gate examples/gate-smoke.sh'
# (docs/commands/upgrade.md, "Rollouts"): sends each agent of the wave one message and fails
# when an agent does not answer. letta-sync sets LETTA_SYNC_WAVE, LETTA_SYNC_WAVES,
# LETTA_SYNC_WAVE_AGENTS (comma-separated ids) and LETTA_BASE_URL; LETTA_API_KEY comes from
# your environment (letta-sync never passes it as an argument).
set -eu
echo "gate: wave $LETTA_SYNC_WAVE of $LETTA_SYNC_WAVES: $LETTA_SYNC_WAVE_AGENTS"
auth=""
[ -n "${LETTA_API_KEY:-}" ] && auth="Authorization: Bearer $LETTA_API_KEY"
for id in $(echo "$LETTA_SYNC_WAVE_AGENTS" | tr , ' '); do
	reply=$(curl -fsS -m 60 -H "Content-Type: application/json" ${auth:+-H "$auth"} \
		-d '{"messages": [{"role": "user", "content": "ping: answer pong"}]}' \
		"$LETTA_BASE_URL/v1/agents/$id/messages") || { echo "gate: $id did not answer" >&2; exit 1; }
	echo "$reply" | grep -q assistant_message || { echo "gate: $id gave no answer" >&2; exit 1; }
done
echo "gate: wave $LETTA_SYNC_WAVE passed"
