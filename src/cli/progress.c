/* The progress line of long work on stderr (progress.h). */
#include "cli/progress.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double elapsed(const struct progress *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - p->start.tv_sec) + (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
}

void progress_start(struct progress *p, const struct cli_ctx *ctx, int quiet, const char *what,
		    const char *unit, size_t total)
{
	const char *term = getenv("TERM");

	memset(p, 0, sizeof(*p));
	p->what = what;
	p->unit = unit;
	p->total = total;
	p->on = !quiet && !ctx->g.json && isatty(STDERR_FILENO) && term && *term &&
		strcmp(term, "dumb") != 0;
	p->color = p->on && log_use_color(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

static void draw(struct progress *p)
{
	double t = elapsed(p);

	if (!p->on || (!p->shown && t < 1.0))
		return;
	fprintf(stderr, "\r\033[K%s%s:%s %zu/%zu %s", p->color ? "\033[1m" : "", p->what,
		p->color ? "\033[0m" : "", p->done, p->total, p->unit);
	if (p->failed)
		fprintf(stderr, ", %s%zu failed%s", p->color ? "\033[31m" : "", p->failed,
			p->color ? "\033[0m" : "");
	fprintf(stderr, ", %.1fs", t);
	fflush(stderr);
	p->shown = 1;
}

void progress_update(struct progress *p, size_t done, size_t total, size_t failed)
{
	p->done = done;
	p->total = total;
	p->failed = failed;
	draw(p);
}

void progress_finish(struct progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = 0;
	p->on = 0;
}

void progress_letta(void *ctx, size_t done, size_t total, size_t failed)
{
	progress_update(ctx, done, total, failed);
}
