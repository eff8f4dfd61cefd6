#ifndef LS_REPO_MEMFS_SNAPSHOT_H
#define LS_REPO_MEMFS_SNAPSHOT_H

/*
 * An agent's memory repository (MemFS) in snapshots (issue 27): saved as a git bundle of its
 * main, put back as a new commit on top of the agent's main (never a force-push, never a
 * rewrite of the agent's history). Fetch and push are memfs_git.c's (the key handed to libgit2
 * by a credential callback, never on disk or in a URL).
 *
 * The bundle is git's v2 format (git's Documentation/gitformat-bundle.txt), which libgit2 does
 * not write: the line "# v2 git bundle", a line "<commit> HEAD" and one "<commit>
 * refs/heads/main", an empty line, then a packfile of every object reachable from that commit
 * (git_packbuilder over a revision walk), so that it has no prerequisites: `git bundle verify`
 * accepts it and `git clone <file>` makes a working copy of the memory.
 */
#include "repo/memfs_git.h"

#define MEMFS_RESTORE_TRAILER "Letta-Sync-Restore: " /* + the snapshot id, in restore commits */

/*
 * Fetches the agent's main (o->url, o->key, o->cache) and writes it as a bundle to path (a new
 * file, mode 0600, fsync'd). head gets main's commit. LS_ENOTFOUND when the repository has no
 * main (nothing written).
 */
int memfs_git_bundle(char head[41], const struct memfs_git_opts *o, const char *path,
		     struct ls_error *err);

struct memfs_restore_result {
	char head[41];     /* the agent's main as fetched (the last fetch) */
	char snapshot[41]; /* the bundle's main */
	char base[41];     /* the letta-sync commit whose changes are undone, "" when none */
	char pushed[41];   /* the restore commit pushed, "" when none */
	json_t *files;     /* [{path, change, diff}]: the agent's head -> the restored memory */
	int already;       /* a restore of this snapshot is letta-sync's latest commit on main */
	int tries;         /* pushes sent */
};

void memfs_restore_result_release(struct memfs_restore_result *r);

/*
 * Puts the memory of bundle (a file memfs_git_bundle wrote) back: one new commit on the agent's
 * main, author letta-sync, message o->message plus the trailer MEMFS_RESTORE_TRAILER
 * snapshot_id. What letta-sync's own commits changed since the snapshot is undone and what the
 * agent committed since is kept: a three-way merge whose base is the newest commit on main's
 * first-parent line written by letta-sync after the bundle's main (a sync's merge or an
 * earlier restore), ours the bundle's files (they win overlapping hunks), theirs main. Without
 * such a commit the memory gets the bundle's files exactly. Nothing is pushed when main already
 * has those files or when a restore of snapshot_id is letta-sync's latest commit on main (a
 * second restore). A push refused because the agent moved is merged again, up to
 * MEMFS_GIT_TRIES times; o->push 0 only computes out->files (restore --dry-run).
 */
int memfs_git_restore(struct memfs_restore_result *out, const struct memfs_git_opts *o,
		      const char *bundle, const char *snapshot_id, struct ls_error *err);

#endif
