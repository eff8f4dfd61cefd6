/*
 * A fixed pool of threads over the memory jobs (see memfs_pool.h): each thread takes the next
 * job index under a mutex. libgit2 is thread-safe for separate repository objects (each job
 * opens its own cache) once initialised, which the first job's open_cache does before any
 * thread starts (memfs_jobs_run initialises it on the calling thread).
 */
#include "cli/memfs_pool.h"

#include "repo/git.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct pool {
	struct memfs_job *jobs;
	size_t n, next;
	pthread_mutex_t mu;
};

static void run_one(struct memfs_job *j)
{
	j->rc = memfs_git_sync(&j->res, &j->o, j->f, j->n, &j->err);
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->mu);
		while (p->next < p->n && !p->jobs[p->next].run)
			p->next++;
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->mu);
		if (i == p->n)
			return NULL;
		if (interrupt_requested()) {
			p->jobs[i].rc = ls_error_set(&p->jobs[i].err, LS_EINTERRUPTED, "interrupted");
			continue;
		}
		run_one(&p->jobs[i]);
	}
}

void memfs_jobs_run(struct memfs_job *jobs, size_t n, int conc)
{
	struct pool p = { jobs, n, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t *th;
	size_t want = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		want += jobs[i].run != 0;
	if (conc < 1)
		conc = 1;
	if ((size_t)conc > want)
		conc = (int)want;
	if (conc <= 1) {
		worker(&p);
		return;
	}
	repo_git_ready();
	th = xcalloc((size_t)conc, sizeof(*th));
	for (k = 0; k < (size_t)conc; k++)
		if (pthread_create(&th[k], NULL, worker, &p))
			break;
	if (k == 0)
		worker(&p); /* no thread could start: run them here */
	for (size_t i = 0; i < k; i++)
		pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&p.mu);
}

void memfs_jobs_free(struct memfs_job *jobs, size_t n)
{
	for (size_t i = 0; jobs && i < n; i++) {
		free(jobs[i].id);
		buf_release(&jobs[i].url);
		buf_release(&jobs[i].cache);
		buf_release(&jobs[i].msg);
		if (jobs[i].run)
			memfs_git_result_release(&jobs[i].res);
		ls_error_clear(&jobs[i].err);
	}
	free(jobs);
}
