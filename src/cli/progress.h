#ifndef LS_CLI_PROGRESS_H
#define LS_CLI_PROGRESS_H

/*
 * The one-line progress display of long work (sync, pull, upgrade --all, bootstrap) on stderr:
 * "sync: 120/450 changes, 2 failed, 3.4s", redrawn in place and cleared at the end. Shown only
 * when stderr is a terminal, after the first second, and never with --json, --quiet or
 * TERM=dumb (which cannot redraw a line); NO_COLOR (or no colour) leaves it uncoloured.
 */
#include "cli/cli.h"

#include <stddef.h>
#include <time.h>

struct progress {
	int on;           /* the display may be shown */
	int color;
	const char *what; /* "sync" */
	const char *unit; /* "changes" */
	struct timespec start;
	int shown;        /* a line is on the screen */
	size_t done, total, failed;
};

/* clang-format off */
#define PROGRESS_INIT { 0, 0, NULL, NULL, { 0, 0 }, 0, 0, 0, 0 }
/* clang-format on */

/* Starts the clock; quiet is the command's --quiet. */
void progress_start(struct progress *p, const struct cli_ctx *ctx, int quiet, const char *what,
		    const char *unit, size_t total);
void progress_update(struct progress *p, size_t done, size_t total, size_t failed);
/* Clears the line, if one is shown. */
void progress_finish(struct progress *p);
/* progress_update() as a letta_progress_fn (ctx is the struct progress). */
void progress_letta(void *ctx, size_t done, size_t total, size_t failed);

#endif
