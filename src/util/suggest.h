#ifndef LS_UTIL_SUGGEST_H
#define LS_UTIL_SUGGEST_H

#include <stddef.h>

/* Edit distance (insert, delete, substitute, transpose), case-insensitive. */
size_t suggest_distance(const char *a, const char *b);
/* Words and candidates longer than this are never suggested. */
#define SUGGEST_MAX_LEN 64

/*
 * The candidate closest to word, when close enough to be a likely typo (distance at most 2,
 * and less than half the word), else NULL. candidates is NULL-terminated.
 */
const char *suggest(const char *word, const char *const *candidates);

#endif
