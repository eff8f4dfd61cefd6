/* Taking a snapshot before a destructive run (see snapshot_save.h). */
#include "cli/snapshot_save.h"

#include "cli/output.h"
#include "cli/render_diff.h"
#include "core/snapshot.h"
#include "repo/config.h"
#include "repo/snapshot.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

const char *cli_project_slug(const struct cli_ctx *ctx)
{
	return ctx->target.project.slug ? ctx->target.project.slug
	       : ctx->target.project.id ? ctx->target.project.id
					: "";
}

char *cli_snapshot_root(void)
{
	char *root = NULL;
	struct ls_error e = LS_ERROR_INIT;

	if (config_find_root(&root, ".", &e) < 0 || !root) {
		ls_error_clear(&e);
		free(root);
		return xstrdup(".");
	}
	return root;
}

int cli_snapshot_save(struct cli_ctx *ctx, struct letta *api, json_t *content,
		      const struct plan *plan, const char *command, const char *commit,
		      char **id_out, struct ls_error *err)
{
	json_t *files = json_object(), *meta, *ag, *plan_json = NULL;
	char *root = cli_snapshot_root();
	size_t i;
	int ret = 0;

	/* Every agent file at once, at most the client's concurrency in flight. */
	{
		size_t n = json_array_size(json_object_get(content, "agents"));
		struct http_req *reqs = xcalloc(n + 1, sizeof(*reqs));

		json_array_foreach(json_object_get(content, "agents"), i, ag)
			letta_req_export(&reqs[i], api, json_string_value(json_object_get(ag, "id")));
		ret = n ? letta_run(api, reqs, n, err) : 0;
		json_array_foreach(json_object_get(content, "agents"), i, ag) {
			const char *id = json_string_value(json_object_get(ag, "id"));
			json_t *doc = NULL;

			if (ret == 0 && (ret = letta_export_doc(&doc, &reqs[i], id, err)) == 0) {
				snapshot_scrub(doc);
				json_object_set_new(files, id, doc);
			}
			http_req_release(&reqs[i]);
		}
		free(reqs);
		if (ret < 0) {
			ls_error_hint(err, "nothing was changed; '--no-snapshot' runs without a "
					   "snapshot (no undo)");
			goto out;
		}
	}
	meta = json_pack("{s:s, s:s, s:o, s:o, s:s}", "command", command, "commit",
			 commit ? commit : "", "project", output_project_json(ctx), "contents",
			 snapshot_contents(content), "memory",
			 "agent memory repositories (MemFS) are not saved yet");
	json_object_set_new(json_object_get(meta, "contents"), "agent_files",
			    json_integer((json_int_t)json_object_size(files)));
	if (plan)
		plan_json = render_diff_data(plan);
	ret = snapshot_write(id_out, root, meta, content, plan_json, files, err);
	if (ret < 0)
		ls_error_hint(err, "nothing was changed; '--no-snapshot' runs without a snapshot "
				   "(no undo)");
	json_decref(meta);
out:
	(void)ctx;
	json_decref(plan_json);
	json_decref(files);
	json_decref(content);
	free(root);
	return ret;
}

int cli_snapshot_before(struct cli_ctx *ctx, struct letta *api, const struct remote_state *rs,
			const struct plan *plan, const char *command, const char *commit,
			int no_snapshot, char **id_out, struct ls_error *err)
{
	char *id = NULL;
	int ret;

	if (id_out)
		*id_out = NULL;
	if (!snapshot_needed(plan))
		return 0;
	if (no_snapshot) {
		output_warn(ctx, "no snapshot taken (--no-snapshot): what this run deletes or "
				 "overwrites cannot be restored");
		return 0;
	}
	{
		json_t *content = snapshot_collect(plan, rs);

		snapshot_add_inventory(content, rs, cli_project_slug(ctx));
		ret = cli_snapshot_save(ctx, api, content, plan, command, commit, &id, err);
	}
	if (ret < 0)
		return ret;
	log_info("snapshot %s saved: 'letta-sync restore %s' undoes this %s", id, id, command);
	if (id_out)
		*id_out = id;
	else
		free(id);
	return 0;
}
