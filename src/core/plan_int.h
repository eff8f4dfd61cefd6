#ifndef LS_CORE_PLAN_INT_H
#define LS_CORE_PLAN_INT_H

/*
 * The agent planner's entry points (plan_agents.c), for plan.c and pull.c. Internal to core.
 * plan_agents.c builds with core/plan_build.h and calls neither of them.
 */
#include "core/plan.h"

#include <stdarg.h>

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
