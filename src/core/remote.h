#ifndef LS_CORE_REMOTE_H
#define LS_CORE_REMOTE_H

/*
 * The observed remote state: what the server returned, kept as wire JSON (snake_case, exactly
 * as received) so that nothing is lost between reading and planning. Filled by the api layer
 * (api/apply.c reads every list with full paging); read by core/plan.c. Pure data, no I/O.
 *
 * Every member is a JSON array (never NULL after remote_state_init()):
 *   blocks       BlockResponse[] of the project (templates excluded), the inventory included
 *   tools        Tool[] visible to the project
 *   folders      Folder[]; the api layer may add "files": FileMetadata[] to each
 *   mcp_servers  the flat MCP server objects of the MCP server list
 *   identities   Identity[]
 *   agents       AgentState[] of the project with tags, blocks, tools, sources and identities
 *                loaded (include=agent.tags&include=agent.blocks&...)
 */
#include "util/error.h"

#include <jansson.h>

struct remote_state {
	json_t *blocks;
	json_t *tools;
	json_t *folders;
	json_t *mcp_servers;
	json_t *identities;
	json_t *agents;
};

/* clang-format off */
#define REMOTE_STATE_INIT { NULL, NULL, NULL, NULL, NULL, NULL }
/* clang-format on */

/* Sets every list to an empty array. */
void remote_state_init(struct remote_state *rs);
void remote_state_release(struct remote_state *rs);

/*
 * A fingerprint of every object read: {id: {"kind", "name", "sha256"}}, the hash of the
 * object's canonical JSON. Agents are reduced to what sync manages (name, system, tags, model,
 * the ids of their blocks, tools, folders and identities), so using an agent (messages, run
 * times) does not change it; folder files to their ids and names. New reference.
 */
json_t *remote_fingerprints(const struct remote_state *rs);

/*
 * Whether every list holds only objects with a string "id", as the API promises; the planner
 * refers to remote objects by id and cannot plan against anything else. Returns 0, or LS_EAPI
 * naming the list and the entry.
 */
int remote_state_check(const struct remote_state *rs, struct ls_error *err);

/*
 * An agent's model handle as the server reports it: "model", else llm_config's "handle", else
 * its "model"; NULL when none (borrowed from a). The planner and status read it alike.
 */
const char *remote_agent_model(const json_t *a);
/*
 * Its embedding handle alike: "embedding", else embedding_config's "handle", else its
 * "embedding_model" (status).
 */
const char *remote_agent_embedding(const json_t *a);

/* The object with that "id" in list, or NULL (borrowed). */
const json_t *remote_find_id(const json_t *list, const char *id);

#endif
