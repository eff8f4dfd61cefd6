#ifndef LS_CORE_SOURCE_H
#define LS_CORE_SOURCE_H

/*
 * The texts the desired state was read from, for path:line:col. Positions are not kept for
 * every value (that would cost more memory than the values themselves): a lookup re-parses the
 * file once and caches its position tables, which only happens for files that have problems.
 * Refcounted, shared by the manifest set and the desired state built from it.
 */
#include <stddef.h>

struct source_store;

struct source_store *source_store_new(void);
struct source_store *source_store_ref(struct source_store *s);
/* Drops a reference; frees the store with the last one. Accepts NULL. */
void source_store_unref(struct source_store *s);

/* Adds a file (name repository-relative; the text is copied) and returns its index. */
size_t source_store_add(struct source_store *s, const char *name, const char *text, size_t len);
size_t source_store_count(const struct source_store *s);
/* The file's name, "" for an unknown index (borrowed from the store). */
const char *source_store_name(const struct source_store *s, size_t file);

/*
 * Where the value at pointer (JSON pointer) of document doc (0-based, counting every document
 * of the file) was written: returns 1 when found, 0 when the nearest ancestor's position was
 * used instead, with *line 0 when nothing is known.
 */
int source_store_pos(struct source_store *s, size_t file, size_t doc, const char *pointer,
		     int *line, int *col);

#endif
