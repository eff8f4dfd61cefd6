/*
 * What a memory run (cli/memfs_sync.c memfs_apply) reports about one agent, for diff, sync and
 * status (issue 25): the warning a server history rewrite gives, and where the agent's memory
 * stands (in step, ahead, behind, conflicting, new). A file of its own so that memfs_sync.c
 * (which reports) and memfs_status.c (which runs memfs_apply for status) call it one way.
 */
#include "cli/memfs_report.h"

#include "cli/output.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <string.h>

void memfs_warn_rewritten(struct cli_ctx *ctx, const char *decl, const char *id,
			  const struct memfs_git_result *res)
{
	const char *msg = "Agent '%s' (%s): the server rewrote its memory history (the base "
			  "letta-sync recorded, %.12s, is no longer on main); nothing is "
			  "force-pushed, and the base is re-established only for files whose "
			  "content still matches (files both sides changed since are conflicts)";

	if (ctx)
		output_warn(ctx, msg, decl, id, res->lost_base);
	else
		log_warn(msg, decl, id, res->lost_base);
}

json_t *memfs_state(const char *decl, const char *id, int rc, const struct ls_error *err,
		    const struct memfs_git_result *res)
{
	const char *state;
	size_t pending = res->files ? json_array_size(res->files) : 0;
	size_t conflicts = res->conflicts ? json_array_size(res->conflicts) : 0;

	if (rc < 0)
		state = "error";
	else if (!res->head[0])
		state = "new";
	else if (conflicts)
		state = "conflicting";
	else if (res->agent_edits)
		state = "ahead";
	else if (pending)
		state = "behind";
	else
		state = "in_step";
	return json_pack("{s:s, s:s, s:s, s:b, s:I, s:I, s:b, s:s?, s:s?, s:s?}", "name", decl,
			 "agent", id, "state", state, "agent_edits", res->agent_edits, "pending",
			 (json_int_t)pending, "conflicts", (json_int_t)conflicts,
			 "history_rewritten", res->rewritten, "head",
			 res->head[0] ? res->head : NULL, "base", res->base[0] ? res->base : NULL,
			 "error", rc < 0 ? err->msg : NULL);
}

const char *memfs_state_text(const json_t *mem)
{
	const char *s = jsonx_get_str(mem, "state");

	if (!s)
		return NULL;
	if (!strcmp(s, "in_step"))
		return "in step";
	if (!strcmp(s, "ahead"))
		return "ahead (the agent edited its memory since the last sync; sync keeps its edits)";
	if (!strcmp(s, "behind"))
		return "behind (git has memory changes; sync pushes them)";
	if (!strcmp(s, "conflicting"))
		return "conflicting (the agent and git changed the same lines; see diff)";
	if (!strcmp(s, "new"))
		return "new (sync gives the agent its memory repository)";
	return "unknown (its memory repository could not be read)";
}
