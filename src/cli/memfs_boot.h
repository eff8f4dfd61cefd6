#ifndef LS_CLI_MEMFS_BOOT_H
#define LS_CLI_MEMFS_BOOT_H

/*
 * bootstrap of a memory-managed agent (issue 25): its Template declares memory: {dir}; the
 * files are read and checked before the agent is created, and pushed (one commit) once it
 * exists, then the agent is recompiled.
 */
#include "api/letta.h"
#include "cli/cli.h"
#include "core/memfiles.h"

#include <jansson.h>

struct memfs_boot {
	char *dir; /* the memory folder, relative to the config repository's root */
	struct memfile *f;
	size_t n;
};

/* Reads and checks root/dir (each problem logged as path:line:col; LS_EINVALID). */
int memfs_boot_load(struct memfs_boot *b, const char *root, const char *dir,
		    struct ls_error *err);
/*
 * Pushes the files to the new agent id's repository (the commit message names the config
 * commit), then recompiles it; *report gets {dir, files, commit} (or {dir, error}). Returns 0
 * or a negative ls_code with err set (the agent exists: the caller reports it as non-fatal).
 */
int memfs_boot_push(struct memfs_boot *b, struct cli_ctx *ctx, struct letta *api,
		    const char *root, const char *name, const char *id, const char *commit,
		    json_t **report, struct ls_error *err);
void memfs_boot_release(struct memfs_boot *b);

#endif
