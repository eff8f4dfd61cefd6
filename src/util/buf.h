#ifndef LS_UTIL_BUF_H
#define LS_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable string, never NULL, always NUL-terminated (git's strbuf). BUF_INIT points at a
 * shared empty string, so an initialised buf can be read without allocating.
 */
struct buf {
	char *buf;
	size_t len;
	size_t alloc;
};

extern char buf_empty[];
/* clang-format off */
#define BUF_INIT { buf_empty, 0, 0 }
/* clang-format on */

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addstr(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
__attribute__((format(printf, 2, 3))) void buf_addf(struct buf *b, const char *fmt, ...);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_setlen(struct buf *b, size_t len);
/* Hands the string to the caller (free() it) and leaves b empty. */
char *buf_detach(struct buf *b);

#endif
