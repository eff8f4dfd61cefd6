/*
 * Recompile after sync (issue 25): a running agent sees a change of its memory files or of its
 * system prompt only once the server rebuilds its prompt (docs/contract/memfs.md "Behaviour":
 * "Running agents see memory changes only after a recompile (POST /v1/agents/{id}/recompile)").
 * sync asks for it once per agent whose memory was pushed or whose system prompt was written in
 * this run, all agents at once (the client's --concurrency); a no-op sync asks for none.
 */
#include "cli/memfs_recompile.h"

#include "api/http.h"
#include "cli/output.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Whether the change (as sync reports it) wrote an agent's memory files or system prompt. */
static int wants_recompile(const json_t *e)
{
	const char *kind = jsonx_get_str(e, "kind"), *sec = jsonx_get_str(e, "section");
	const char *st = jsonx_get_str(e, "status");

	if (!kind || strcmp(kind, "Agent") || !jsonx_get_str(e, "agent") || !sec)
		return 0;
	/* memory_files: pushed (a commit); other sections: applied. */
	if (!strcmp(sec, "memory_files"))
		return jsonx_get_str(e, "commit") != NULL;
	return !strcmp(sec, "system_prompt") && st && !strcmp(st, "done");
}

json_t *memfs_recompile_targets(const json_t *changes)
{
	json_t *ids = json_array(), *e;
	size_t i;

	json_array_foreach(changes, i, e)
		if (wants_recompile(e) &&
		    !jsonx_array_has_str(ids, jsonx_get_str(e, "agent")))
			json_array_append_new(ids, json_string(jsonx_get_str(e, "agent")));
	return ids;
}

json_t *memfs_recompile(struct cli_ctx *ctx, struct letta *api, const json_t *ids)
{
	size_t n = json_array_size(ids);
	struct http_req *reqs;
	struct ls_error err = LS_ERROR_INIT;
	json_t *done = json_array();

	if (!n || !api)
		return done;
	reqs = xcalloc(n, sizeof(*reqs));
	for (size_t i = 0; i < n; i++)
		letta_req_recompile(&reqs[i], api, json_string_value(json_array_get(ids, i)));
	letta_run(api, reqs, n, &err);
	for (size_t i = 0; i < n; i++) {
		const char *id = json_string_value(json_array_get(ids, i));

		if (reqs[i].ret < 0)
			/*
			 * The change itself landed; only the prompt is stale until the next recompile
			 * (which a later sync does not repeat: it finds nothing to change).
			 */
			output_warn(ctx, "agent %s: the recompile failed (%s); the running agent sees "
					 "its new memory after its next recompile (POST "
					 "/v1/agents/%s/recompile)",
				    id, reqs[i].err.msg, id);
		else
			json_array_append_new(done, json_string(id));
		http_req_release(&reqs[i]);
	}
	free(reqs);
	ls_error_clear(&err);
	if (json_array_size(done))
		log_info("recompiled %zu agent(s)", json_array_size(done));
	return done;
}
