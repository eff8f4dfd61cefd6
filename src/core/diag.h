#ifndef LS_CORE_DIAG_H
#define LS_CORE_DIAG_H

/*
 * Diagnostics: the problems found while loading and validating the configuration, each with
 * its place (file, line, column). Loading collects every one of them instead of stopping at the
 * first, so `validate` can report them all; any error makes the configuration unusable.
 */
#include <stddef.h>

enum diag_severity { DIAG_ERROR = 0, DIAG_WARNING };

/* Longer messages are cut (at a character boundary) and end in "...". */
#define DIAG_MSG_MAX 1000

struct diag {
	enum diag_severity severity;
	char *file;    /* repository-relative path; "" when the problem has no file */
	int line, col; /* 1-based; 0 when unknown */
	char *msg;     /* "Block.persona: Missing required field: spec.label" */
	char *hint;    /* "did you mean 'label'?", or NULL */
	size_t seq;    /* insertion order, the tie-breaker of diag_list_sort */
};

struct diag_list {
	struct diag *items;
	size_t n;
	size_t alloc;
	size_t nerrors;
	size_t nwarnings;
};

/* clang-format off */
#define DIAG_LIST_INIT { NULL, 0, 0, 0, 0 }
/* clang-format on */

/* Adds one diagnostic; file may be NULL, hint may be NULL. */
__attribute__((format(printf, 6, 7))) void diag_add(struct diag_list *dl,
						    enum diag_severity sev, const char *file,
						    int line, int col, const char *fmt, ...);
/* Sets the hint of the last diagnostic added (printf-like). */
__attribute__((format(printf, 2, 3))) void diag_hint(struct diag_list *dl, const char *fmt, ...);
/* Sorts by file, line, column, then insertion order; drops exact duplicates. */
void diag_list_sort(struct diag_list *dl);
void diag_list_release(struct diag_list *dl);
/* "error" or "warning". */
const char *diag_severity_name(enum diag_severity sev);

#endif
