/*
 * Identities (digest 5.7). Part 2 fills in the routes; the renderer is shared with agents.c
 * (AgentState.identities).
 */
#include "sim.h"

json_t *identity_render(const json_t *i)
{
	return obj_public(i);
}
