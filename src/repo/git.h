#ifndef LS_REPO_GIT_H
#define LS_REPO_GIT_H

#include "util/buf.h"
#include "util/error.h"

#include <stddef.h>

/* What the config repository's git says, read with libgit2. Every field may be NULL. */
struct git_facts {
	char *workdir;     /* the work tree's top directory (a worktree's own root), no trailing / */
	char *commondir;   /* the main repository's .git directory */
	char *remote_url;  /* remote.origin.url */
	char *branch;      /* current branch short name; NULL when detached or unborn */
	char *head;        /* HEAD commit id (40 hex), NULL when unborn */
	int is_worktree;   /* a linked worktree (.git is a file) */
};

/* Call once at start-up and shut-down; libgit2 itself is initialised on first use. */
void repo_git_init(void);
void repo_git_shutdown(void);
/* Initialises libgit2 now (once; repo_git_shutdown() undoes it): for code that uses libgit2
 * without opening the config repository through this file (repo/memfs_git.c). */
void repo_git_ready(void);

/* Fills out for the repository containing dir; returns 0 with all NULL outside git. */
int git_facts_read(struct git_facts *out, const char *dir, struct ls_error *err);
void git_facts_release(struct git_facts *f);

/* A semver tag of the config repository. */
struct git_version {
	char *tag;       /* "v1.2.0" */
	char *version;   /* "1.2.0" */
	char commit[41]; /* the tagged commit */
	int release;     /* not a pre-release */
};

/*
 * Every semver tag of the repository containing dir, sorted by version (ascending). Sets
 * *n = 0 outside git or without tags.
 */
int git_versions_list(struct git_version **out, size_t *n, const char *dir, struct ls_error *err);
void git_versions_free(struct git_version *v, size_t n);

/*
 * The work tree's version: the highest semver tag reachable from HEAD ("1.1.0"), "0.0.0" when
 * there is none, no commit, or no git. Commits after the tag do not change it. out is xmalloc'd.
 */
int git_worktree_version(char **out, const char *dir, struct ls_error *err);

/* A file read from a commit's tree. */
struct git_blob_file {
	char *path;   /* relative to the repository root: ".letta/manifests/base/blocks.yaml" */
	char *data;   /* NUL-terminated copy of the blob */
	size_t len;
};

/*
 * Every file under subdir (e.g. ".letta"; "" for the whole tree) of the tree of rev ("v1.2.0", a commit id), read from
 * the object database without touching the work tree, in path order. Blobs larger than max are
 * an error naming the file.
 */
int git_tree_files(struct git_blob_file **out, size_t *n, const char *dir, const char *rev,
		   const char *subdir, size_t max, struct ls_error *err);
void git_tree_files_free(struct git_blob_file *f, size_t n);

/*
 * Appends the file at path (relative to the repository root) of rev's tree to out, from the
 * object database. LS_ENOTFOUND when there is no such file (or it is a symbolic link).
 */
int git_blob_read(struct buf *out, const char *dir, const char *rev, const char *path,
		  size_t max, struct ls_error *err);

#endif
