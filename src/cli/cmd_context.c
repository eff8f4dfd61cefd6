/*
 * context: shows the resolved project, org, agent, base URL and key presence, each with its
 * source. Sends no request and works offline, with or without a key.
 */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "repo/git.h"
#include "util/jsonx.h"

#include <stdlib.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	OPT_END
};

static const char examples[] =
	"  letta-sync context\n"
	"  letta-sync context --project staging -v\n"
	"  letta-sync context --json | jq .data.project\n";

static json_t *context_json(const struct target *t)
{
	json_t *project = json_null();

	if (t->project_source != TARGET_SRC_NONE)
		project = json_pack("{s:o, s:o, s:o, s:s, s:o}",
				    "slug", jsonx_str_or_null(t->project.slug),
				    "id", jsonx_str_or_null(t->project.id),
				    "name", jsonx_str_or_null(t->project.name),
				    "source", target_source_name(t->project_source),
				    "from", jsonx_str_or_null(t->project_from));
	return json_pack("{s:o, s:{s:o, s:o}, s:{s:o, s:o}, s:{s:s, s:s, s:b}, s:{s:b, s:o}, s:{s:o, s:o, s:o}}",
			 "project", project,
			 "org", "value", jsonx_str_or_null(t->org), "source", jsonx_str_or_null(t->org_from),
			 "agent", "value", jsonx_str_or_null(t->agent), "source", jsonx_str_or_null(t->agent_from),
			 "base_url", "value", t->base_url, "source", t->base_url_from, "cloud", t->cloud,
			 "api_key", "set", t->key_set, "source", t->key_set ? json_string("LETTA_API_KEY") : json_null(),
			 "repo", "key", jsonx_str_or_null(t->repo_key), "mapping", jsonx_str_or_null(t->mapping_key),
			 "branch_override", jsonx_str_or_null(t->branch_pattern));
}

static void print_human(struct cli_ctx *ctx, const struct target *t, const char *version)
{
	if (t->project_source != TARGET_SRC_NONE) {
		char *f = project_ref_format(&t->project);

		output_line(ctx, "project:   %s", f);
		if (t->project.slug && t->project.id)
			output_line(ctx, "           slug %s, id %s", t->project.slug, t->project.id);
		output_line(ctx, "           via %s (%s)", target_source_name(t->project_source),
			    t->project_from);
		if (t->branch_pattern)
			output_line(ctx, "           branch override '%s' of mapping '%s'",
				    t->branch_pattern, t->mapping_key);
		free(f);
	} else {
		output_line(ctx, "project:   (none)");
		output_line(ctx, "           set --project, LETTA_SYNC_PROJECT, or .letta/project.json");
	}
	output_line(ctx, "org:       %s%s%s%s", t->org ? t->org : "(none)", t->org ? " (via " : "",
		    t->org ? t->org_from : "", t->org ? ")" : "");
	output_line(ctx, "agent:     %s%s%s%s", t->agent ? t->agent : "(all managed agents)",
		    t->agent ? " (via " : "", t->agent ? t->agent_from : "", t->agent ? ")" : "");
	output_line(ctx, "base URL:  %s (%s%s)", t->base_url, t->base_url_from,
		    t->cloud ? ", Letta Cloud" : ", self-hosted");
	if (t->key_set)
		output_line(ctx, "API key:   set (LETTA_API_KEY)");
	else if (t->cloud)
		output_line(ctx, "API key:   not set: export LETTA_API_KEY before talking to Letta Cloud");
	else
		output_line(ctx, "API key:   not set%s", t->password_set ? " (LETTA_SERVER_PASSWORD set)" : "");
	output_line(ctx, "version:   %s (newest semver tag reachable from HEAD)", version);
}

int cmd_context(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	char *version = NULL;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync context [options]", examples,
			     &ctx->err);

	if (ret)
		goto out;
	ret = opts_no_args(&o, &ctx->err);
	if (ret < 0)
		goto out;
	ret = cli_ctx_resolve(ctx, &ctx->err);
	if (ret < 0)
		goto out;
	git_worktree_version(&version, ".", &ctx->err);
	if (ctx->g.json) {
		json_t *data = context_json(&ctx->target);

		json_object_set_new(json_object_get(data, "repo"), "version", json_string(version));
		output_json_ok(ctx, data, NULL);
	} else {
		print_human(ctx, &ctx->target, version);
	}
out:
	free(version);
	opts_release(&o);
	return ret;
}
