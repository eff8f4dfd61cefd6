#ifndef LS_UTIL_JSONX_H
#define LS_UTIL_JSONX_H

#include <jansson.h>
#include <stddef.h>

/* Borrowed string member, or NULL when absent or not a string. */
const char *jsonx_get_str(const json_t *obj, const char *key);
/* Integer member or def. */
long long jsonx_get_int(const json_t *obj, const char *key, long long def);
/* Boolean member or def. */
int jsonx_get_bool(const json_t *obj, const char *key, int def);

/* A new JSON string of s, or JSON null when s is NULL. */
json_t *jsonx_str_or_null(const char *s);
/*
 * A new JSON string of s even when s is not valid UTF-8 (a file name, or a message quoting
 * one): each byte that is not part of a well-formed sequence becomes the four characters
 * "\xNN", so the text never vanishes (json_string() would return NULL). JSON null for NULL.
 */
json_t *jsonx_str_lossy(const char *s);

/*
 * Arrays of strings (an agent's tags, say). Members that are not strings are skipped, and a
 * NULL or non-array arr holds nothing. These helpers live here so that core and cli share one
 * copy; they know nothing of what the strings mean.
 */
/* Whether arr has the string s. */
int jsonx_array_has_str(const json_t *arr, const char *s);
/* What follows prefix in the first member starting with it, or NULL (borrowed from arr). */
const char *jsonx_array_prefixed(const json_t *arr, const char *prefix);

/*
 * Arrays of objects (a list the server returned, say); members that are not objects, or lack
 * a string key, are skipped.
 */
/* The first object whose string member key is value (borrowed from arr); NULL for a NULL value. */
const json_t *jsonx_array_find(const json_t *arr, const char *key, const char *value);
/* A new array of the objects' string members key, in order ("id" -> their ids). */
json_t *jsonx_array_pluck_str(const json_t *arr, const char *key);
/* Appends a formatted string to arr (a list of warnings, say); nothing when arr is NULL. */
void jsonx_array_addf(json_t *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Where "key" first appears as an object key in a JSON text (1-based line and column), for
 * error messages on values jansson accepted; line 1 column 1 when not found.
 */
void jsonx_key_pos(const char *text, size_t len, const char *key, int *line, int *col);

/* The dump flags of the canonical form (json_dump_callback() with them gives its bytes). */
#define JSONX_CANONICAL_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
/* Compact, sorted-keys canonical form (for hashing and comparing); caller frees. */
char *jsonx_canonical(const json_t *v);

#endif
