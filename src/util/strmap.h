#ifndef LS_UTIL_STRMAP_H
#define LS_UTIL_STRMAP_H

/*
 * A hash map from (tag, string) to a size_t, for look-ups built once per run over thousands of
 * objects (the planner's indexes, issue 26): one array, no allocation per entry, keys borrowed.
 *
 * The caller keeps every key string alive and unchanged for as long as the map is used (they
 * are strings inside the jansson values being indexed). tag separates namespaces (a kind), so
 * that "Block" + "x" needs no "Block/x" string. Open addressing with linear probing; grows at
 * half full, so a look-up stays O(1) however many entries there are.
 */
#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	const char *key; /* NULL: empty */
	uint32_t hash;
	unsigned tag;
	size_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

/* clang-format off */
#define STRMAP_INIT { NULL, 0, 0 }
/* clang-format on */

/*
 * The value of (tag, key), inserting it with value `fresh` when absent (*added set to 1 then,
 * else 0; added may be NULL). Returns a pointer to the value, valid until the next insertion.
 */
size_t *strmap_put(struct strmap *m, unsigned tag, const char *key, size_t fresh, int *added);
/* Makes room for n entries in all (no growth while they are put). */
void strmap_reserve(struct strmap *m, size_t n);
/* The value of (tag, key), or NULL when absent. */
const size_t *strmap_get(const struct strmap *m, unsigned tag, const char *key);
void strmap_release(struct strmap *m);

#endif
