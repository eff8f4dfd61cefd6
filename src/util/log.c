#include "util/log.h"
#include "util/buf.h"
#include "util/redact.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int verbose;
static int quiet;

void log_set_verbose(int v)
{
	verbose = v;
}

int log_is_verbose(void)
{
	return verbose;
}

void log_set_quiet(int q)
{
	quiet = q;
}

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	struct buf line = BUF_INIT;

	buf_addstr(&line, prefix);
	buf_vaddf(&line, fmt, ap);
	redact_buf(&line);
	buf_addch(&line, '\n');
	fwrite(line.buf, 1, line.len, stderr);
	fflush(stderr);
	buf_release(&line);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	emit("[verbose] ", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

int log_use_color(int fd)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (no_color && no_color[0])
		return 0;
	if (!term || !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}
