#ifndef LS_CORE_KINDS_IMPL_TABLE_H
#define LS_CORE_KINDS_IMPL_TABLE_H

/*
 * The kind-implementation table: each shared kind's file (struct kind_impl, core/kinds/impl.h)
 * by enum res_kind. Kept apart from the kind table (core/kinds/kinds.h), which names kinds and
 * calls no kind file: the planner, validate, pull and the hashes reach the kind files through
 * this table, and the kind files use the markers (core/markers.h) and the kind table without a
 * cycle (docs/architecture.md "The kind table").
 */
#include "core/kinds/impl.h"
#include "core/model.h"

#include <jansson.h>

/* Kind k's file, or NULL for a kind without one (Template, AgentPolicy, Agent). */
const struct kind_impl *kind_impl(enum res_kind k);

/*
 * The managed fields of a desired resource, and of a remote object limited to want's keys
 * (every managed field when want is NULL): the kind file's views; {} for a kind without one.
 * New references.
 */
json_t *kind_want_view(const struct resource *r);
json_t *kind_have_view(enum res_kind kind, const json_t *o, const json_t *want);
/*
 * Whether want equals kind_have_view(kind, o, want) (json_equal). *have is set to that view
 * when it had to be built (a kind without have_equal), else NULL: build it when needed.
 */
int kind_have_equals(enum res_kind kind, const json_t *o, const json_t *want, json_t **have);

#endif
