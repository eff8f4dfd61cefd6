#ifndef LS_CLI_MEMFS_UPGRADE_H
#define LS_CLI_MEMFS_UPGRADE_H

/* upgrade for agent memory as files (issue 25; docs/memory-files.md "upgrade"). */
#include "cli/cli.h"
#include "core/model.h"

#include <jansson.h>

/*
 * The agent wire (as read) moving to version tag (ds: that version's desired state; commit: its
 * commit; current_tag: the tag of its applied version, or NULL): when its Template declares
 * memory: {dir}, the files at tag, plus the removal of those current_tag had and tag lacks,
 * merged with the agent's main (git wins). push 0: *change gets the change object (section
 * memory_files, breaking when a file is removed) or NULL when nothing changes; push 1: the
 * same, pushed. Returns 0 or a negative ls_code.
 */
int memfs_upgrade_agent(struct cli_ctx *ctx, const struct desired_state *ds, const json_t *wire,
			const char *tag, const char *commit, const char *current_tag, int push,
			json_t **change, struct ls_error *err);

#endif
