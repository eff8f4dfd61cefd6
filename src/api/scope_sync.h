#ifndef LS_API_SCOPE_SYNC_H
#define LS_API_SCOPE_SYNC_H

/*
 * Scope sync (docs/specs/scope-registry.md): makes sure an agent has the scope registry block,
 * the scope policy block, the blocks of every scope its working directory (or a touched path)
 * matches, and its own lane scopes block. It reads the project's blocks and the agent's,
 * plans (core/scope_plan.h: what is decided, and the rules) and applies the plan with
 * api/apply.c, as sync does. With dry_run the plan is reported and nothing is written.
 */
#include "api/letta.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

struct scope_sync_opts {
	const char *agent_id;
	const char *slug;           /* sanitised label slug ("acme_web") */
	const char *project;        /* the project for the markers, "" when none */
	const char *registry_text;  /* .letta/scope_registry.yaml's text, NULL when absent */
	size_t registry_len;
	const char *cwd;            /* repository-relative working directory ("" = the root) */
	const char *const *touched; /* repository-relative touched paths */
	size_t ntouched;
	const char *now;            /* ISO-8601 time for the lane block */
	int dry_run;
};

/*
 * Runs scope sync. *out (new) gets {"registry":bool, "matched_scopes":[...],
 * "focus_scope":name|null, "cwd":..., "dry_run":bool, "blocks":[{"label","kind","actions":
 * [...]}], "warnings":[...]} where kind is registry, policy, scope or lane and actions are
 * create, update, attach, detach (what was done, or with dry_run what would be). Returns 0,
 * or a negative ls_code (an unreadable registry is LS_EINVALID; a squatted label LS_ECONFLICT,
 * before any write; a failed request its own code, the requests after it not sent) with *out
 * untouched.
 */
int scope_sync_run(json_t **out, struct letta *api, const struct scope_sync_opts *o,
		   struct ls_error *err);

#endif
