/* Diagnostics collected while loading the configuration; see diag.h. */
#include "core/diag.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_add(struct diag_list *dl, enum diag_severity sev, const char *file, int line, int col,
	      const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	struct diag *d;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (b.len > DIAG_MSG_MAX) {
		/* Messages quote values from the files; a hostile one must not flood the output. */
		size_t cut = DIAG_MSG_MAX;

		while (cut > 0 && ((unsigned char)b.buf[cut] & 0xC0) == 0x80)
			cut--;
		buf_setlen(&b, cut);
		buf_addstr(&b, "...");
	}
	dl->items = xgrow(dl->items, sizeof(*dl->items), dl->n + 1, &dl->alloc);
	d = &dl->items[dl->n];
	d->severity = sev;
	d->file = xstrdup(file ? file : "");
	d->line = line;
	d->col = col;
	d->msg = buf_detach(&b);
	d->hint = NULL;
	d->seq = dl->n;
	dl->n++;
	if (sev == DIAG_ERROR)
		dl->nerrors++;
	else
		dl->nwarnings++;
}

void diag_hint(struct diag_list *dl, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!dl->n)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(dl->items[dl->n - 1].hint);
	dl->items[dl->n - 1].hint = buf_detach(&b);
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	int c = strcmp(a->file, b->file);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int diag_same(const struct diag *a, const struct diag *b)
{
	return a->severity == b->severity && !strcmp(a->file, b->file) && a->line == b->line &&
	       a->col == b->col && !strcmp(a->msg, b->msg);
}

static void diag_release_one(struct diag *d)
{
	free(d->file);
	free(d->msg);
	free(d->hint);
}

void diag_list_sort(struct diag_list *dl)
{
	size_t w = 0;

	if (dl->n > 1)
		qsort(dl->items, dl->n, sizeof(*dl->items), diag_cmp);
	for (size_t i = 0; i < dl->n; i++) {
		if (w && diag_same(&dl->items[w - 1], &dl->items[i])) {
			if (dl->items[i].severity == DIAG_ERROR)
				dl->nerrors--;
			else
				dl->nwarnings--;
			diag_release_one(&dl->items[i]);
			continue;
		}
		dl->items[w++] = dl->items[i];
	}
	dl->n = w;
}

void diag_list_release(struct diag_list *dl)
{
	if (!dl)
		return;
	for (size_t i = 0; i < dl->n; i++)
		diag_release_one(&dl->items[i]);
	free(dl->items);
	memset(dl, 0, sizeof(*dl));
}

const char *diag_severity_name(enum diag_severity sev)
{
	return sev == DIAG_ERROR ? "error" : "warning";
}
