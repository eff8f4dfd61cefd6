#ifndef LS_CLI_MEMFS_STATUS_H
#define LS_CLI_MEMFS_STATUS_H

/*
 * Where each memory-managed agent's memory stands (status), and the report of a server
 * history rewrite (issue 25; docs/memory-files.md).
 */
#include "cli/cli.h"
#include "cli/reconcile.h"
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
/*
 * status: reads each memory-managed agent's repository once (no push) and sets "memory" (the
 * state without "agent") on the elements of agents (status objects with "id") it concerns.
 */
int memfs_status(struct reconcile *r, json_t *agents, struct ls_error *err);
/* The state as status prints it. */
const char *memfs_state_text(const json_t *mem);

#endif
