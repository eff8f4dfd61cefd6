#ifndef LS_CLI_MEMFS_POOL_H
#define LS_CLI_MEMFS_POOL_H

/*
 * Agents' memory handled concurrently (issue 25: "Agents are handled concurrently
 * (--concurrency)"): each job is one agent's fetch, merge and push (repo/memfs_git.c), each in
 * its own cache repository, so jobs share nothing; at most conc run at once.
 */
#include "repo/memfs_git.h"
#include "util/buf.h"

struct memfs_job {
	char *id;    /* the agent's id, NULL when it is not on the server */
	int fresh;   /* diff: the agent gets its repository from this sync (nothing to fetch) */
	int run;     /* set by the caller: run memfs_git_sync for this job */
	struct buf url, cache, msg;
	struct memfs_git_opts o;
	const struct memfile *f;
	size_t n;
	int rc; /* memfs_git_sync's, when run */
	struct ls_error err;
	struct memfs_git_result res;
};

/* Runs the jobs marked run, at most conc at once (after Ctrl-C, none is started). */
void memfs_jobs_run(struct memfs_job *jobs, size_t n, int conc);
void memfs_jobs_free(struct memfs_job *jobs, size_t n);

#endif
