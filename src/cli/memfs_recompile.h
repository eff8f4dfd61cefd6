#ifndef LS_CLI_MEMFS_RECOMPILE_H
#define LS_CLI_MEMFS_RECOMPILE_H

/*
 * sync's recompile step (issue 25): the agents whose memory files were pushed or whose system
 * prompt was written are recompiled (POST /v1/agents/{id}/recompile), so that running agents
 * see the change; sync --no-recompile skips it.
 */
#include "api/letta.h"
#include "cli/cli.h"

#include <jansson.h>

/*
 * The agent ids (each once, in order) that sync's changes (the array sync --json reports) ask
 * to recompile: section memory_files with a pushed commit, section system_prompt applied.
 */
json_t *memfs_recompile_targets(const json_t *changes);
/*
 * Recompiles the agents ids names, all at once (the client's concurrency). A failure is a
 * warning (the change itself landed). Returns the ids recompiled (a new array).
 */
json_t *memfs_recompile(struct cli_ctx *ctx, struct letta *api, const json_t *ids);

#endif
