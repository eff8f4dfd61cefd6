#ifndef LS_CORE_MEMFILES_H
#define LS_CORE_MEMFILES_H

/*
 * Agent memory as files (MemFS, docs/contract/memfs.md; issue 25): the rules a set of
 * memory files must follow before anything is pushed, and the per-file three-way decision of
 * sync. Pure: the caller (cli/memfs_sync.c) reads the files and talks git.
 */
#include "core/diag.h"
#include "core/model.h"
#include "util/buf.h"

#include <stddef.h>

#define MEMFILES_TAG "git-memory-enabled"

/* How a declared file is written (managed: true|seed|false, as for blocks). */
enum memfile_mode {
	MEMFILE_MANAGED = 0, /* written and merged on every sync */
	MEMFILE_SEED,        /* written when the agent's memory lacks it, never updated */
	MEMFILE_UNMANAGED,   /* declared (never pruned) but never written: the agent's */
};

/* One file of an agent's memory: path relative to the memory root ("system/human.md"). */
struct memfile {
	char *path;
	char *data;
	size_t len;
	int mode; /* enum memfile_mode */
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
/* Whether the merged spec declares memory files (spec.memory with dir, files or skills). */
int memfiles_managed(const json_t *agent_spec);
/* managed: of an inline file: absent or true, "seed", false. */
enum memfile_mode memfiles_mode(const json_t *managed);

/*
 * An inline file's content (spec.memory.files[i]): when it gives frontmatter fields (name,
 * description, limit), a --- block of them, then body; else body as it is.
 */
void memfiles_render(struct buf *out, const json_t *file, const char *body, size_t len);

/*
 * Checks a memory declaration (an Agent's spec.memory, base "/spec", or a Template's
 * spec.agent.memory, base "/spec/agent") beyond its field types: paths relative and inside
 * the repository, one entry per path, value or from_file, managed true|false|seed, read_only
 * (protected), limit. Problems go to diags at the manifest's line:col.
 */
void memfiles_validate_decl(const struct desired_state *ds, const struct resource *r,
			    const json_t *mem, const char *base, struct diag_list *diags);

/*
 * The memory declaration of the agent named name: its Agent's spec.memory, else its Template's
 * spec.agent.memory. NULL when it has none (borrowed).
 */
const json_t *memfiles_decl(const struct desired_state *ds, const char *name);

/*
 * Migration from blocks (issue 25): the blocks the manifests give a memory-managed agent (its
 * Agent's spec.blocks, else its Template's spec.agent.blocks) become memory files
 * system/<label>.md: the value is the body, description (else the label, as the server
 * renders it) and limit the frontmatter. A shared Block keeps its managed mode; a private
 * block (label and value) is a seed, as private blocks are (created once, then the agent's).
 * read-only blocks stay blocks (read_only cannot be pushed). Returns
 * [{label, path, content, mode, shared}] (empty when the agent does not manage memory as
 * files); the planner leaves these labels to the files (core/plan_agents.c): an attached
 * private block stays (the server makes its file that block), an attached shared Block is
 * detached in the update that tags the agent, before the push, which then makes the file the
 * agent's own block (pushed while the shared Block is attached, the file would rewrite it for
 * every agent: the server projects each file onto the attached block of its label).
 */
json_t *memfiles_from_blocks(const struct desired_state *ds, const char *agent);

/*
 * A block as the server renders it into system/<label>.md (sim/memfs.c block_file, system
 * layout): description (else the label), limit when >= 0, read_only when set, then the value.
 */
void memfiles_render_block(struct buf *out, const char *label, const char *desc,
			   const char *value, long long limit, int read_only);

#endif
