#ifndef LS_UTIL_XALLOC_H
#define LS_UTIL_XALLOC_H

#include <stddef.h>

/*
 * Allocation that does not fail from the caller's side: on exhaustion these print
 * "out of memory" on stderr and exit(1), as tmux's xmalloc does.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows *ptr to hold at least n elements of size sz; *alloc is the capacity in elements. */
void *xgrow(void *ptr, size_t sz, size_t n, size_t *alloc);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Routes jansson's allocations through the functions above. Call once at start-up. */
void xalloc_setup_jansson(void);

/*
 * LS_FREE_AT_EXIT is 1 when a command frees its large structures before the process exits:
 * sanitizer builds (LeakSanitizer must see every block freed) or -DLS_FREE_AT_EXIT=1. Elsewhere
 * a command may leave them to the kernel, kept reachable from a static (docs/performance.md).
 */
#ifndef LS_FREE_AT_EXIT
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_LEAK__)
#define LS_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer) || \
	__has_feature(memory_sanitizer)
#define LS_FREE_AT_EXIT 1
#endif
#endif
#endif
#ifndef LS_FREE_AT_EXIT
#define LS_FREE_AT_EXIT 0
#endif

#define UNUSED __attribute__((unused))

#define BUG(...) ls_bug(__FILE__, __LINE__, __VA_ARGS__)
__attribute__((noreturn, format(printf, 3, 4))) void ls_bug(const char *file, int line,
							    const char *fmt, ...);

#endif
