/*
 * backup: takes the snapshot sync takes before a destructive change, on demand (a nightly CI
 * job's command): every object the project's inventory records and every managed agent with
 * its agent file (--all, the default), or one agent (--agent X) with its agent file.
 */
#include "api/apply.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/snapshot_save.h"
#include "core/snapshot.h"
#include "repo/git.h"
#include "repo/snapshot.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "all", 0, OPT_FLAG, NULL, "every managed object and agent of the project (the default)" },
	OPT_END
};

static const char examples[] =
	"  letta-sync backup --all\n"
	"  letta-sync backup --agent agent-123\n"
	"  letta-sync backup --all --json | jq -r .data.id\n";

int cmd_backup(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct letta *api = NULL;
	struct remote_state rs = REMOTE_STATE_INIT;
	struct git_facts gf;
	struct ls_error gerr = LS_ERROR_INIT;
	json_t *content = NULL;
	char *id = NULL, *commit = NULL;
	const char *agent;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync backup [--agent X | --all]",
			     examples, &ctx->err);

	remote_state_init(&rs);
	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	if (opts_count(&o, "all") && ctx->g.agent) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE, "--all and --agent exclude each other");
		goto out;
	}
	if ((ret = cli_ctx_resolve(ctx, &ctx->err)) < 0)
		goto out;
	/* Only an agent named on the command line: a pinned agent does not narrow a backup. */
	agent = opts_count(&o, "all") ? NULL : ctx->g.agent;
	if ((ret = cli_open_api_as_given(&api, ctx, &ctx->err)) < 0)
		goto out;
	if ((ret = apply_read_remote(&rs, api, &ctx->err)) < 0)
		goto out;
	content = snapshot_collect_all(&rs, cli_project_slug(ctx), agent);
	if (agent && !json_array_size(json_object_get(content, "agents"))) {
		ret = ls_error_set(&ctx->err, LS_ENOTFOUND,
				   "no managed agent '%s' in the project", agent);
		ls_error_hint(&ctx->err, "'letta-sync status' lists the managed agents");
		goto out;
	}
	snapshot_add_inventory(content, &rs, cli_project_slug(ctx));
	memset(&gf, 0, sizeof(gf));
	if (git_facts_read(&gf, ".", &gerr) == 0 && gf.head)
		commit = strdup(gf.head);
	git_facts_release(&gf);
	ls_error_clear(&gerr);
	if (ctx->g.dry_run) {
		json_t *c = snapshot_contents(content);

		if (ctx->g.json)
			output_json_ok(ctx, json_pack("{s:b, s:o}", "dry_run", 1, "contents", c), NULL);
		else {
			output_line(ctx, "Dry run: a backup would save %lld object(s) and %lld agent(s)",
				    (long long)json_array_size(json_object_get(content, "objects")),
				    (long long)json_array_size(json_object_get(content, "agents")));
			json_decref(c);
		}
		goto out;
	}
	{
		json_t *c = snapshot_contents(content);

		ret = cli_snapshot_save(ctx, api, content, NULL, "backup", commit, &id, &ctx->err);
		content = NULL;
		if (ret < 0) {
			json_decref(c);
			goto out;
		}
		/* As written: with the agent files and memory bundles it holds. */
		{
			char *root = cli_snapshot_root();
			json_t *meta = NULL, *saved = NULL;
			struct ls_error e = LS_ERROR_INIT;

			if (snapshot_read(&meta, &saved, root, id, &e) == 0 &&
			    json_is_object(json_object_get(meta, "contents"))) {
				json_decref(c);
				c = json_incref(json_object_get(meta, "contents"));
			}
			ls_error_clear(&e);
			json_decref(meta);
			json_decref(saved);
			free(root);
		}
		if (ctx->g.json)
			output_json_ok(ctx, json_pack("{s:s, s:o}", "id", id, "contents", c), NULL);
		else {
			output_line(ctx, "snapshot %s saved: 'letta-sync restore %s' puts it back", id,
				    id);
			json_decref(c);
		}
	}
out:
	json_decref(content);
	remote_state_release(&rs);
	letta_free(api);
	free(id);
	free(commit);
	opts_release(&o);
	return ret;
}
