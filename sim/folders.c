/*
 * Folders (digest 5.6; ids `source-...`) and their files. Part 2 fills in the routes; the
 * renderer is shared with agents.c (AgentState.sources).
 */
#include "sim.h"

json_t *folder_render(const json_t *f)
{
	return obj_public(f);
}
