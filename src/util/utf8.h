#ifndef LS_UTIL_UTF8_H
#define LS_UTIL_UTF8_H

#include <stddef.h>

/*
 * The number of Unicode code points in the UTF-8 text s (bytes that are not continuation
 * bytes), 0 for NULL. Letta's block limits count these "characters", not bytes; validate,
 * upgrade and status all count with this one function.
 */
size_t utf8_count(const char *s);
/*
 * The length (1 to 4) of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when the bytes at s are not one (or s is at NUL).
 */
size_t utf8_seq_len(const char *s);

#endif
