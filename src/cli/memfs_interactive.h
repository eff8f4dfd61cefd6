#ifndef LS_CLI_MEMFS_INTERACTIVE_H
#define LS_CLI_MEMFS_INTERACTIVE_H

/* sync --interactive for memory files (issue 25; docs/memory-files.md). */
#include "cli/memfs_sync.h"

/*
 * Merges each agent's memory without pushing and asks, on the terminal, about each file in
 * conflict: git wins, keep the agent's, diff, skip. The answers go to m->resolve. Returns 0 or
 * a negative ls_code (LS_EINTERRUPTED when stdin ends).
 */
int memfs_ask(struct memfs_run *m, struct reconcile *r, struct cli_ctx *ctx);

#endif
