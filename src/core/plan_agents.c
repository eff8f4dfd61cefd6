/* The reconcile planner for agents (issue 9). */
#include "core/plan_int.h"
#include "util/xalloc.h"

int plan_agents(struct plan *p, const struct desired_state *want,
		const struct remote_state *have, const struct plan_opts *opts,
		struct ls_error *err)
{
	(void)p;
	(void)want;
	(void)have;
	(void)opts;
	(void)err;
	return 0;
}
