#ifndef LS_REPO_MEMFS_GIT_INT_H
#define LS_REPO_MEMFS_GIT_INT_H

/*
 * Inside the repo layer only: memfs_git.c's cache, fetch and push for repo/memfs_snapshot.c
 * (the snapshot's memory bundles), so that both speak to the server the same way (the key by
 * a credential callback and a header in memory, never on disk or in a URL).
 */
#include "repo/memfs_git.h"
#include "util/buf.h"

#include <git2.h>

/* LS_EFAIL in err, "what: " and libgit2's last error (which it clears). */
int memfs_git_err(struct ls_error *err, const char *what);

/*
 * One step back on a first-parent line: *c becomes its first parent (the old *c is freed).
 * 0 at a root commit or when the parent cannot be read (*c is left as it was).
 */
int memfs_git_first_parent(git_commit **c);

/* Opens the bare cache repository o->cache (made when missing). */
int memfs_git_open(git_repository **repo, const struct memfs_git_opts *o, struct ls_error *err);

/* Fetches the agent's main into refs/remotes/origin/main; *have: whether it has one. */
int memfs_git_fetch(git_repository *repo, const struct memfs_git_opts *o, git_oid *head, int *have,
		    struct ls_error *err);

/* [{path, change, diff}]: the per-file unified diffs a -> b. New reference. */
json_t *memfs_git_diff(git_repository *repo, git_tree *a, git_tree *b);

/*
 * Pushes the local refs/heads/main to the agent's main (never forced). *rejected: the server
 * refused it (the agent moved), its reason appended to why.
 */
int memfs_git_push_main(git_repository *repo, const struct memfs_git_opts *o, int *rejected,
			struct buf *why, struct ls_error *err);

#endif
