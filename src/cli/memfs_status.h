#ifndef LS_CLI_MEMFS_STATUS_H
#define LS_CLI_MEMFS_STATUS_H

/*
 * Where each memory-managed agent's memory stands, for status (issue 25; docs/memory-files.md).
 * The states themselves and the history-rewrite warning are cli/memfs_report.h's.
 */
#include "cli/memfs_report.h"
#include "cli/reconcile.h"

#include <jansson.h>

/*
 * status: reads each memory-managed agent's repository once (no push) and sets "memory" (the
 * state without "agent") on the elements of agents (status objects with "id") it concerns.
 */
int memfs_status(struct reconcile *r, json_t *agents, struct ls_error *err);

#endif
