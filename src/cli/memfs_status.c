/*
 * Where an agent's memory files stand (issue 25), for status: in step, ahead (the agent edited
 * its memory since letta-sync last pushed), behind (git has changes sync would push),
 * conflicting (both changed the same lines), new (the agent gets its repository from the next
 * sync); and the warning a server history rewrite gives in diff, sync and status. status reads
 * each memory-managed agent's repository once (one ref advertisement; a fetch only when main
 * moved) and merges without pushing (cli/memfs_sync.c memfs_apply, push 0).
 */
#include "cli/memfs_status.h"

#include "cli/memfs_sync.h"
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

int memfs_status(struct reconcile *r, json_t *agents, struct ls_error *err)
{
	struct memfs_run m;
	json_t *changes = json_array(), *st, *a;
	struct buf human = BUF_INIT;
	size_t i, j;
	int ret;

	if ((ret = memfs_load(&m, r, err)) < 0)
		goto out;
	m.states = json_array();
	if ((ret = memfs_apply(&m, r, 0, 0, changes, &human, err)) < 0)
		goto out;
	json_array_foreach(agents, i, a) {
		json_array_foreach(m.states, j, st)
			if (jsonx_get_str(a, "id") && jsonx_get_str(st, "agent") &&
			    !strcmp(jsonx_get_str(a, "id"), jsonx_get_str(st, "agent"))) {
				json_t *copy = json_deep_copy(st);

				json_object_del(copy, "agent");
				json_object_set_new(a, "memory", copy);
			}
	}
out:
	json_decref(m.states);
	m.states = NULL;
	memfs_run_release(&m);
	json_decref(changes);
	buf_release(&human);
	return ret;
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
