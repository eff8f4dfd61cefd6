#ifndef LS_CLI_AGENT_STEPS_H
#define LS_CLI_AGENT_STEPS_H

/*
 * Steps that act on one agent and that several commands share: scope sync (bootstrap's step
 * 4 and the scope-sync command) and moving one agent to its channel's latest version through
 * the planner (bootstrap's auto-upgrade; the upgrade command can call it too).
 */
#include "api/letta.h"
#include "cli/cli.h"

#include <jansson.h>

struct scope_step_opts {
	const char *agent_id;
	const char *cwd;            /* --cwd, NULL: the current directory */
	const char *const *touched; /* --touched */
	int ntouched;
	int dry_run;
};

/*
 * Gathers what scope sync needs (the config root and its .letta/scope_registry.yaml, the
 * project slug, the working directory relative to the root, the time) and runs it. *out as
 * scope_sync_run() describes, plus "root".
 */
int scope_step_run(json_t **out, struct cli_ctx *ctx, struct letta *api,
		   const struct scope_step_opts *o, struct ls_error *err);

/* Prints a scope sync result (human mode) and passes its warnings to output_warn(). */
void scope_step_print(struct cli_ctx *ctx, const json_t *res);

/*
 * The newest version of the config repository on channel ("stable": newest release tag,
 * "beta": newest tag, "pinned": none). *out is xmalloc'd ("1.2.0") or NULL when there is none.
 */
int channel_latest(char **out, const char *channel, struct ls_error *err);

struct upgrade_one_opts {
	const char *agent_id;
	const char *channel;
	const char *current;  /* the agent's applied version */
	const char *project;  /* slug for markers, "" when none */
	const char *model, *embedding; /* --model / --embedding fallbacks */
	int dry_run;
};

/*
 * Moves one agent to its channel's latest version when that is newer than o->current: reads
 * the manifests of that tag from git (without touching the work tree), plans this agent
 * against them and applies only its actions and what they need. *out (new) gets {"current",
 * "available" (or null), "upgraded": bool, "changes": [...]}. Returns 0 or a negative code.
 */
int upgrade_one_agent(json_t **out, struct letta *api, const struct upgrade_one_opts *o,
		      struct ls_error *err);

#endif
