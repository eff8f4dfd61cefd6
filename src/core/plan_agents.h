#ifndef LS_CORE_PLAN_AGENTS_H
#define LS_CORE_PLAN_AGENTS_H

/*
 * The agent planner (plan_agents.c): its entry points for plan.c, pull.c and bootstrap.c.
 * Internal to core. plan_agents.c builds with core/plan_build.h and calls none of them.
 */
#include "core/plan_types.h"

#include <stdarg.h>

/* Plans every managed agent (plan_agents.c); appends to p after the shared resources. */
int plan_agents(struct plan *p, const struct desired_state *want,
		const struct remote_state *have, const struct plan_opts *opts,
		const char *const *ids, struct ls_error *err);

/*
 * The merged agent spec (template, declaration, policies) the planner compares an agent with;
 * for core/pull.c. New reference.
 */
json_t *plan_agent_spec(const struct desired_state *want, const struct resource *tmpl,
			const struct resource *decl, const json_t *agent_tags);

/*
 * Adds to an agent create body the settings a merged agent spec (camelCase) sets:
 * description, embedding, context_window_limit, model_settings, reasoning, max_tokens,
 * parallel_tool_calls, compaction_settings, tool_rules, timezone, message_buffer_autoclear,
 * max_files_open, per_file_view_window_char_limit, response_format, enable_sleeptime.
 * Shared by sync's creates and bootstrap.
 */
void plan_agent_settings_body(json_t *body, const json_t *spec);

#endif
