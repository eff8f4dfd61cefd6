#ifndef LS_CLI_MEMFS_DECL_H
#define LS_CLI_MEMFS_DECL_H

/*
 * The memory files an agent's declaration gives it (issue 25, docs/memory-files.md): the
 * folder memory.dir, the skills of memory.skills (each folder <name>/ becomes
 * skills/<name>/), and the inline memory.files (value or from_file, frontmatter fields,
 * managed: true|seed|false), in that order of precedence from lowest to highest: an inline
 * file replaces a folder's file with the same path.
 */
#include "core/memfiles.h"
#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>

/*
 * Reads the files of decl (an Agent's spec.memory or its Template's) under root (the config
 * repository's root) into *out, sorted by path, over the blocks moved into files (blocks:
 * memfiles_from_blocks(), may be NULL). LS_ENOTFOUND (with a hint naming what) when
 * a folder or a from_file is missing.
 */
int memfs_decl_files(struct memfile **out, size_t *n, const json_t *decl, const json_t *blocks,
		     const char *root, struct ls_error *err);

/* Whether decl declares any memory (dir, skills or files). */
int memfs_decl_any(const json_t *decl);
/* memory.dir, else "<agent>.memory" (kept in buf): a name for the agent's memory in messages. */
const char *memfs_decl_prefix(struct buf *buf, const json_t *decl, const char *agent);
/*
 * memfiles_check() of the files that are written (managed: false ones are not), each problem
 * at the file it comes from: memory.dir/<path>, memory.skills/<name>/..., a from_file, or
 * "<agent>.memory.files[<path>]" for an inline value.
 */
size_t memfs_decl_check(const struct memfile *f, size_t n, const json_t *decl, const char *agent,
			struct diag_list *diags);

/*
 * The agent's own change in plan p (create or update, applied), or -1: its memory files are
 * counted with it (issue 25: "counted with the agent's other changes"), not as a second one.
 */
struct plan;
int memfs_agent_change(const struct plan *p, const char *decl);

/*
 * Adds what a memory merge found beyond its file changes to the report: files letta-sync
 * shipped that no manifest declares now (orphans: "sync --prune removes them"; kept: --prune
 * left them, the agent changed them). ch is the agent's memory_files change already in
 * changes, or NULL (then an entry with action orphan is added when there are orphans).
 */
void memfs_report_orphans(const char *decl, const char *id, const json_t *orphans,
			  const json_t *kept, json_t *ch, json_t *changes, struct buf *human);

/*
 * The files a sync would write for an agent that has no repository yet ([{path, change,
 * diff}]): agent is its state on the server (NULL: created by the run). The server makes the
 * repository from the agent's attached blocks when it gets the tag, so a block that stays
 * attached (not a shared Block moved into a file, see memfiles_from_blocks: moved) is its
 * file already: a seed file there is not written, a managed one is an update from the block
 * as the server renders it. Unmanaged files are never written.
 */
json_t *memfs_preview(const struct memfile *f, size_t n, const json_t *agent, const json_t *moved);

/* The API's retry settings (LETTA_SYNC_MAX_RETRIES ...) for the git transport's fetches. */
void memfs_retry_opts(int *retries, long *base_ms, long *max_ms);

/*
 * Points o (zeroed first) at agent id's memory repository, with ctx's base URL and key: url
 * <base>/v1/git/<id>/state.git (docs/contract/memfs.md "URL") and the bare cache
 * <root>/.letta/cache/memfs/<id>.git, written to url and cache (reset first; o borrows them).
 */
struct cli_ctx;
struct memfs_git_opts;
void memfs_git_opts_at(struct memfs_git_opts *o, struct buf *url, struct buf *cache,
		       const struct cli_ctx *ctx, const char *root, const char *id);

#endif
