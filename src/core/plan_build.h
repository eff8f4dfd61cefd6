#ifndef LS_CORE_PLAN_BUILD_H
#define LS_CORE_PLAN_BUILD_H

/*
 * Helpers that add to a plan (core/plan.h): actions, their typed operations, dependencies,
 * reasons and field-level changes. Used by plan.c, plan_agents.c and snapshot.c; calls
 * none of them. Internal to core.
 */
#include "core/plan_types.h"

#include <stdarg.h>

/* Appends an action and returns its index (pointers into p->items move on growth). */
size_t pl_add(struct plan *p, enum res_kind kind, const char *name, enum plan_change change);
/*
 * Appends an operation to action ai (see enum plan_op for what id and parent are); takes body.
 * The request is valid until the next one is added.
 */
struct plan_request *pl_op(struct plan *p, size_t ai, enum plan_op op, enum plan_target target,
			   const char *id, const char *parent, json_t *body_take, unsigned flags);
void pl_dep(struct plan *p, size_t ai, size_t dep);
__attribute__((format(printf, 3, 4))) void pl_reason(struct plan *p, size_t ai, const char *fmt,
						     ...);
/* Records an object found unchanged: counted, and kept for diff --full unless view is NULL. */
void pl_same(struct plan *p, enum res_kind kind, const char *name, const char *agent,
	     const char *section, const json_t *view);
/* "@ref:N"; caller frees. */
char *pl_ref(size_t ai);
void pl_field(json_t *fields, const char *path, const json_t *from, const json_t *to);
/* Field-level differences from -> to under prefix; objects are compared key by key. */
void pl_diff(json_t *fields, const char *prefix, const json_t *from, const json_t *to);

#endif
