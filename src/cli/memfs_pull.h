#ifndef LS_CLI_MEMFS_PULL_H
#define LS_CLI_MEMFS_PULL_H

/*
 * pull for agent memory as files (issue 25; docs/memory-files.md "pull"): the memory-managed
 * agents' files read from their repositories and written into the config repository.
 */
#include "cli/cli.h"
#include "core/model.h"

#include <jansson.h>

struct memfs_pull_agent;

struct memfs_pull {
	struct memfs_pull_agent *a;
	size_t n;
	json_t *dirs; /* {agent name: memory folder}: pull_opts.memory_dirs */
};

/*
 * The managed agents of agents (the server's list) tagged git-memory-enabled (only the one
 * only names, when not NULL) and their folders: the memory.dir that local's Agent or Template
 * declares, else memory/<name> (mp->dirs). Reads and writes nothing.
 */
int memfs_pull_prepare(struct memfs_pull *mp, const json_t *agents,
		       const struct desired_state *local, const char *only);
/*
 * Reads each agent's memory (its cache under root/.letta/cache/memfs, checked to stay inside
 * the repository) and checks every path it would write or remove under root (no link out of
 * the repository). Writes nothing else.
 */
int memfs_pull_fetch(struct memfs_pull *mp, struct cli_ctx *ctx, const char *root,
		     struct ls_error *err);
/*
 * Writes the files that differ (atomically) and removes the folder's files main lacks (with
 * dry_run: only says so), each listed in files ({path, documents: 0, written, agent[,
 * removed]}) and counted in *written.
 */
int memfs_pull_write(struct memfs_pull *mp, struct cli_ctx *ctx, const char *root, int dry_run,
		     json_t *files, size_t *written, struct ls_error *err);
void memfs_pull_release(struct memfs_pull *mp);

#endif
