#ifndef LS_CORE_SCOPE_PLAN_H
#define LS_CORE_SCOPE_PLAN_H

/*
 * Scope sync's planner (docs/specs/scope-registry.md, docs/commands/scope-sync.md): from the
 * registry, the project's blocks and the agent's blocks, the plan (core/plan.h) that gives the
 * agent the scope registry block, the scope policy block, the blocks of every scope its
 * working directory (or a touched path) matches and its own lane block, and detaches scope
 * sync's own blocks of scopes that no longer match. Pure: api/scope_sync.c reads the lists
 * and runs the plan with api/apply.c; a dry run prints it and sends nothing.
 *
 * Blocks are found by label among the blocks that carry scope sync's markers (managed_by
 * letta-sync, source scope-sync, this project); a block with such a label that lacks them is
 * never adopted: the plan is refused (LS_ECONFLICT) before anything is written.
 */
#include "core/plan.h"
#include "core/scope.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

/* .letta/scope_registry.yaml's text -> out; errors name the file, line and column. */
int scope_registry_parse(struct scope_registry *out, const char *text, size_t len,
			 struct ls_error *err);

struct scope_plan_opts {
	const char *agent_id;
	const char *slug;           /* sanitised label slug ("acme_web") */
	const char *project;        /* the project for the markers, "" when none */
	const struct scope_registry *registry; /* NULL when there is none */
	const char *registry_text;  /* its text (the registry block's value) */
	size_t registry_len;
	const char *cwd;            /* repository-relative working directory ("" = the root) */
	const char *const *touched; /* repository-relative touched paths */
	size_t ntouched;
	const char *now;            /* ISO-8601 time for the lane block */
};

/*
 * Plans scope sync into out (initialised by the caller): one action per block, in the order
 * they are settled (registry, policy, scope blocks, lane, then detaches), each after the one
 * before it, so that a failure stops the rest. *report (new) gets {"registry": bool,
 * "matched_scopes": [...], "focus_scope": name|null, "cwd": ..., "blocks": [{"label", "kind",
 * "actions": [...]}], "warnings": [...]}, kind one of registry, policy, scope, lane and actions
 * create, update, attach, detach: what the plan does. blocks and attached are the project's
 * and the agent's blocks (wire JSON). Returns 0 or a negative ls_code (a squatted label:
 * LS_ECONFLICT) with *report untouched.
 */
int scope_plan(struct plan *out, json_t **report, const json_t *blocks, const json_t *attached,
	       const struct scope_plan_opts *o, struct ls_error *err);

#endif
