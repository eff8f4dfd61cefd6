#ifndef LS_CORE_PLAN_INT_H
#define LS_CORE_PLAN_INT_H

/* Helpers shared by plan.c (shared resources) and plan_agents.c (agents). Internal to core. */
#include "core/plan.h"

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
/* Records an object found unchanged (counted, and kept for diff --full). */
void pl_same(struct plan *p, enum res_kind kind, const char *name, const char *agent,
	     const char *section, const json_t *view);
/* "@ref:N"; caller frees. */
char *pl_ref(size_t ai);
void pl_field(json_t *fields, const char *path, const json_t *from, const json_t *to);
void pl_diff(json_t *fields, const char *prefix, const json_t *from, const json_t *to);
json_t *pl_norm(const json_t *v);
json_t *pl_str(const json_t *v);
json_t *pl_strset(const json_t *arr, int (*drop)(const char *));
const char *pl_spec_str(const struct resource *r, const char *key);
/* The managed fields of a desired resource / of a remote object (limited to want's keys). */
json_t *pl_want_view(const struct resource *r);
json_t *pl_have_view(enum res_kind kind, const json_t *o, const json_t *want);

/* Plans every managed agent (plan_agents.c); appends to p after the shared resources. */
int plan_agents(struct plan *p, const struct desired_state *want,
		const struct remote_state *have, const struct plan_opts *opts, const json_t *ids,
		struct ls_error *err);

/*
 * The merged agent spec (template, declaration, policies) the planner compares an agent with;
 * for core/pull.c. New reference.
 */
json_t *plan_agent_spec(const struct desired_state *want, const struct resource *tmpl,
			const struct resource *decl, const json_t *agent_tags);

#endif
