#ifndef LS_CLI_MEMFS_REPORT_H
#define LS_CLI_MEMFS_REPORT_H

/*
 * What a memory run reports about one agent (issue 25; docs/memory-files.md): the server
 * history-rewrite warning and the agent's memory state.
 */
#include "cli/cli.h"
#include "repo/memfs_git.h"

#include <jansson.h>

/* stderr and the --json warnings (ctx NULL: stderr only). */
void memfs_warn_rewritten(struct cli_ctx *ctx, const char *decl, const char *id,
			  const struct memfs_git_result *res);
/*
 * One agent's memory state: {name, agent, state: in_step|ahead|behind|conflicting|new|error,
 * agent_edits, pending, conflicts, history_rewritten, head, base, error}.
 */
json_t *memfs_state(const char *decl, const char *id, int rc, const struct ls_error *err,
		    const struct memfs_git_result *res);
/* The state as status prints it. */
const char *memfs_state_text(const json_t *mem);

#endif
