#ifndef LS_CORE_KINDS_VIEW_H
#define LS_CORE_KINDS_VIEW_H

/*
 * Helpers for a kind's views (the JSON objects of the fields letta-sync manages, wire names,
 * the server's defaults filled in; equal views mean no change and the content hash is the
 * hash of the view) and for pull's spec writers. Pure; calls nothing in core but ownership's
 * marker names.
 */
#include "core/kinds/impl.h"
#include "core/model.h"

#include <jansson.h>
#include <stdarg.h>

/* A deep copy without null object members (null and absent mean the same). New reference. */
json_t *view_norm(const json_t *v);
/* v if it is a string, else "". New reference. */
json_t *view_str(const json_t *v);
/* A sorted, de-duplicated array of the strings in arr, without those drop() rejects. */
json_t *view_strset(const json_t *arr, int (*drop)(const char *));
/* The sorted keys of an object, as an array. */
json_t *view_keys(const json_t *obj);
/* metadata without the ownership markers (managed_by, source, project, hash, files). */
json_t *view_user_metadata(const json_t *m);
/* Whether metadata key k is an ownership marker (view_user_metadata drops them). */
int view_is_marker_key(const char *k);
/* Whether a tag is one of letta-sync's own (markers, not the user's). */
int view_is_own_tag(const char *t);
/* A deep copy without null members, object keys in sorted order (what pull writes). */
json_t *view_sorted_copy(const json_t *v);
/* spec[key] / metadata[key] of a desired resource as a string, or NULL. */
const char *view_spec_str(const struct resource *r, const char *key);
const char *view_meta_str(const struct resource *r, const char *key);
/* The first of a, b, c that is not NULL, else "". */
const char *view_first_str(const char *a, const char *b, const char *c);
/* A warning of pull's (x->warnings), printf-like; view_vwarn() appends to any array. */
__attribute__((format(__printf__, 2, 3))) void view_pull_warn(const struct kind_pull *x,
							      const char *fmt, ...);
void view_vwarn(json_t *warnings, const char *fmt, va_list ap);

#endif
