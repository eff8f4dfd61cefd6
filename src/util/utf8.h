#ifndef LS_UTIL_UTF8_H
#define LS_UTIL_UTF8_H

#include <stddef.h>

/*
 * The number of Unicode code points in the UTF-8 text s (bytes that are not continuation
 * bytes), 0 for NULL. Letta's block limits count these "characters", not bytes; validate,
 * upgrade and status all count with this one function.
 */
size_t utf8_count(const char *s);

#endif
