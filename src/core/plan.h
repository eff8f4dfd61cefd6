#ifndef LS_CORE_PLAN_H
#define LS_CORE_PLAN_H

/*
 * The reconcile planner: desired state (manifests) + observed remote state -> an ordered list
 * of actions (core/plan_types.h), each with the field-level changes it makes and the typed
 * operations that make them. Pure: no I/O. api/apply.c runs a plan; cli/render_diff.c prints it.
 * core/plan.c plans the shared kinds and the inventory, core/plan_agents.c the agents.
 */
#include "core/plan_types.h"

/*
 * Computes the plan that moves have to want. *out (initialised by the caller) gets the
 * actions; returns 0, or a negative ls_code with err set (e.g. a secret that does not resolve
 * with PLAN_NEED_SECRETS).
 */
int plan_compute(struct plan *out, const struct desired_state *want,
		 const struct remote_state *have, const struct plan_opts *opts,
		 struct ls_error *err);

/* Whether a shared object of kind k is planned under --only sections (0 = all): Blocks
 * belong to memory_blocks, Tools to tools, MCP servers to mcp_servers, Folders to folders,
 * Identities to identities. */
int plan_kind_in_sections(enum res_kind k, unsigned sections);

/*
 * What apply knows while running a plan: for each action, whether it succeeded and the id of
 * its result. Used to resolve "@ref:N", "@self" and {"@if"} (see core/plan_types.h).
 */
struct plan_results {
	char **ids; /* [n]: the id of action i's result, NULL when unknown */
	int *ok;    /* [n]: 1 succeeded, 0 not (yet), -1 failed or skipped */
	size_t n;
};

/*
 * A copy of a request id (or any string holding references) or body with every reference
 * resolved for action self. Returns NULL (and sets err) when a "@ref" names an action without
 * an id. REQ_STRINGIFY_VALUE turns body.value into its compact JSON text.
 */
char *plan_resolve_id(const char *s, const struct plan_results *res, size_t self,
		      struct ls_error *err);
json_t *plan_resolve_body(const json_t *body, unsigned flags, const struct plan_results *res,
			  size_t self, struct ls_error *err);

#endif
