#ifndef LS_CORE_MEMFILES_H
#define LS_CORE_MEMFILES_H

/*
 * Agent memory as files (MemFS, docs/contract/memfs.md; issue 25): the rules a set of
 * memory files must follow before anything is pushed, and the per-file three-way decision of
 * sync. Pure: the caller (cli/memfs_sync.c) reads the files and talks git.
 */
#include "core/diag.h"
#include "core/model.h"

#include <stddef.h>

#define MEMFILES_TAG "git-memory-enabled"

/* One file of an agent's memory: path relative to the memory root ("system/human.md"). */
struct memfile {
	char *path;
	char *data;
	size_t len;
};

/*
 * Checks the files (the whole memory an agent is given) with the server's rules, as letta-sim
 * (sim/memfs.c tree_check) and Letta Code's pre-commit hook enforce them: the layout (a root
 * MEMORY.md chooses the root layout), frontmatter keys and values, skills as folders,
 * .memfs.config.json limits. Each problem is an error diagnostic at prefix/<path>:line:col
 * (prefix is the memory folder in the config repository). Returns the number of errors.
 */
size_t memfiles_check(const struct memfile *f, size_t n, const char *prefix,
		      struct diag_list *diags);

/* The memory folder an agent's merged spec declares (spec.memory.dir), or NULL. */
const char *memfiles_dir(const json_t *agent_spec);

/*
 * The memory declaration of the agent named name: its Agent's spec.memory, else its Template's
 * spec.agent.memory. NULL when it has none (borrowed).
 */
const json_t *memfiles_decl(const struct desired_state *ds, const char *name);

#endif
