/* Taking a snapshot before a destructive run (see snapshot_save.h). */
#include "cli/snapshot_save.h"

#include "cli/memfs_decl.h"
#include "cli/output.h"
#include "cli/render_diff.h"
#include "core/memfiles.h"
#include "core/snapshot.h"
#include "repo/config.h"
#include "repo/memfs_snapshot.h"
#include "repo/snapshot.h"
#include "util/buf.h"
#include "util/jsonx.h"
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

/*
 * The memory repository (MemFS, docs/contract/memfs.md) of each agent of content that has one
 * (tag git-memory-enabled: without it every git route is a 404), fetched over the transport
 * of memory files (repo/memfs_git.c: the key by a credential callback, never on disk or in a
 * URL) and written as a git bundle into *stage (made on first use). bundles gets {agent id:
 * path}, memory [{agent, name, head, bundle}]. A repository without a main has nothing to keep.
 */
static int save_memory(struct cli_ctx *ctx, const char *root, const json_t *content,
		       json_t *bundles, json_t *memory, char **stage, struct ls_error *err)
{
	struct buf url = BUF_INIT, cache = BUF_INIT, path = BUF_INIT;
	json_t *ag;
	size_t i;
	int ret = 0;

	json_array_foreach(json_object_get(content, "agents"), i, ag) {
		const char *id = jsonx_get_str(ag, "id"), *name = jsonx_get_str(ag, "name");
		struct memfs_git_opts o;
		char head[41];

		if (!id || !jsonx_array_has_str(json_object_get(json_object_get(ag, "object"), "tags"),
						MEMFILES_TAG))
			continue;
		if (!*stage && (ret = snapshot_stage(stage, root, err)) < 0)
			break;
		memfs_git_opts_at(&o, &url, &cache, ctx, root, id);
		buf_reset(&path);
		buf_addf(&path, "%s/%s.bundle", *stage, id);
		ret = memfs_git_bundle(head, &o, path.buf, err);
		if (ret == LS_ENOTFOUND) {
			log_info("Agent '%s' (%s): its memory repository has no main yet: nothing to save",
				 name ? name : "", id);
			ls_error_clear(err);
			ret = 0;
			continue;
		}
		if (ret < 0) {
			ls_error_where(err, "Agent '%s' (%s): memory repository", name ? name : "", id);
			break;
		}
		json_object_set_new(bundles, id, json_string(path.buf));
		json_array_append_new(memory, json_pack("{s:s, s:s, s:s, s:s++}", "agent", id, "name",
							name ? name : "", "head", head, "bundle",
							"memory/", id, ".bundle"));
		log_info("Agent '%s': memory repository saved (main %.7s)", name ? name : id, head);
	}
	buf_release(&url);
	buf_release(&cache);
	buf_release(&path);
	return ret;
}

int cli_snapshot_save(struct cli_ctx *ctx, struct letta *api, json_t *content,
		      const struct plan *plan, const char *command, const char *commit,
		      char **id_out, struct ls_error *err)
{
	json_t *files = json_object(), *meta, *ag, *plan_json = NULL;
	json_t *bundles = json_object(), *memory = json_array();
	char *root = cli_snapshot_root(), *stage = NULL;
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
	if ((ret = save_memory(ctx, root, content, bundles, memory, &stage, err)) < 0) {
		ls_error_hint(err, "nothing was changed; '--no-snapshot' runs without a snapshot "
				   "(no undo)");
		goto out;
	}
	meta = json_pack("{s:s, s:s, s:o, s:o, s:O}", "command", command, "commit",
			 commit ? commit : "", "project", output_project_json(ctx), "contents",
			 snapshot_contents(content), "memory", memory);
	json_object_set_new(json_object_get(meta, "contents"), "agent_files",
			    json_integer((json_int_t)json_object_size(files)));
	json_object_set_new(json_object_get(meta, "contents"), "memory_bundles",
			    json_integer((json_int_t)json_array_size(memory)));
	if (plan)
		plan_json = render_diff_data(plan);
	ret = snapshot_write(id_out, root, meta, content, plan_json, files, bundles, err);
	if (ret < 0)
		ls_error_hint(err, "nothing was changed; '--no-snapshot' runs without a snapshot "
				   "(no undo)");
	json_decref(meta);
out:
	snapshot_stage_remove(stage);
	free(stage);
	json_decref(bundles);
	json_decref(memory);
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
	return cli_snapshot_before_memory(ctx, api, rs, plan, NULL, command, commit, no_snapshot,
					  id_out, err);
}

int cli_snapshot_before_memory(struct cli_ctx *ctx, struct letta *api,
			       const struct remote_state *rs, const struct plan *plan,
			       const json_t *memory_agents, const char *command, const char *commit,
			       int no_snapshot, char **id_out, struct ls_error *err)
{
	char *id = NULL;
	json_t *ag;
	size_t i;
	int ret;

	if (id_out)
		*id_out = NULL;
	if (!snapshot_needed(plan) && !json_array_size(memory_agents))
		return 0;
	if (no_snapshot) {
		output_warn(ctx, "no snapshot taken (--no-snapshot): what this run deletes or "
				 "overwrites cannot be restored");
		return 0;
	}
	{
		json_t *content = snapshot_collect(plan, rs);

		json_array_foreach(memory_agents, i, ag)
			snapshot_add_agent(content, ag, 0);
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
