#ifndef LS_REPO_MEMFS_GIT_H
#define LS_REPO_MEMFS_GIT_H

/*
 * An agent's memory repository (MemFS, docs/contract/memfs.md) over git's smart HTTP
 * protocol with libgit2: fetch, three-way merge with the config repository's files, one
 * commit, push (issue 25). No git program, no key on disk or in a URL: the key is handed to
 * libgit2 by a credential callback as Basic letta:<key>; TLS is verified (libgit2's default,
 * never overridden). The clone is a bare repository in a cache folder; a killed run leaves at
 * most objects and a tracking ref there, which the next fetch simply reuses.
 */
#include "core/memfiles.h"
#include "util/error.h"

#include <jansson.h>

#define MEMFS_GIT_AUTHOR "letta-sync"
#define MEMFS_GIT_EMAIL  "letta-sync@noreply.letta-sync"
#define MEMFS_GIT_TRIES  3 /* pushes refused as non-fast-forward before giving up */

struct memfs_git_opts {
	const char *url;     /* <base>/v1/git/<agent-id>/state.git */
	const char *key;     /* the API key (Basic letta:<key>), or NULL */
	const char *cache;   /* the bare repository's folder (made when missing) */
	const char *message; /* the commit message */
	int force;           /* git wins for files both sides changed */
	int push;            /* 0: plan only (diff, --dry-run) */
	/*
	 * sync --interactive's answers for conflicted files, {path: "git"|"agent"}: git wins the
	 * file's overlapping hunks, or the agent's file is kept. NULL: none.
	 */
	const json_t *resolve;
};

struct memfs_git_result {
	char head[41];    /* the agent's main as fetched (the last fetch) */
	char base[41];    /* the last commit letta-sync pushed (author letta-sync), "" when none */
	char pushed[41];  /* the commit pushed, "" when nothing was */
	json_t *files;     /* [{path, change: create|update|delete, diff}]: the agent's head -> result */
	json_t *conflicts; /* [{path, diff}] overlapping edits (base -> agent vs base -> git) */
	int tries;         /* pushes sent */
	/* main's files differ from those the last letta-sync merge left: the agent edited since */
	int agent_edits;
	/*
	 * The server rewrote history: the base this cache recorded (lost_base) is no longer on
	 * main (letta-code#2203). Never force-pushed over; the base is re-established only for
	 * the files whose content still matches it (the others are conflicts).
	 */
	int rewritten;
	char lost_base[41];
};

void memfs_git_result_release(struct memfs_git_result *r);

/*
 * A want entry with data NULL is a file git removes (upgrade: the new version lacks it): gone
 * unless the agent changed it since (then a conflict, which o->force settles for git).
 *
 * Fetches main, merges the files want (paths relative to the memory root) into it and, with
 * o->push and something to change, commits and pushes; a push refused because the agent moved
 * (non-fast-forward) fetches and merges again, up to MEMFS_GIT_TRIES times. A push whose reply
 * was lost is settled by the next fetch. Returns 0 (conflicts, if any, in out->conflicts:
 * nothing was pushed), or a negative ls_code with err set.
 */
int memfs_git_sync(struct memfs_git_result *out, const struct memfs_git_opts *o,
		   const struct memfile *want, size_t n, struct ls_error *err);


/*
 * pull: fetches the agent's main (o->url, o->key, o->cache) and reads every file of its tree
 * into out (paths relative to the memory root, sorted); head_hex gets main's commit id.
 */
int memfs_git_read(struct memfile **out, size_t *n, char head_hex[41],
		   const struct memfs_git_opts *o, struct ls_error *err);

/*
 * Reads every regular file under dir (recursively, sorted by path, dot-folders such as .git
 * skipped but .memfs.config.json kept) as memory files with paths relative to dir.
 */
int memfs_read_dir(struct memfile **out, size_t *n, const char *dir, struct ls_error *err);
void memfs_files_free(struct memfile *f, size_t n);
#endif
