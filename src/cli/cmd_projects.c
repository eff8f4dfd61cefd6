/*
 * projects: lists the organisation's Letta Cloud projects (`projects list`) or creates one
 * (`projects create <name>`, idempotent: an existing project with that slug or name is
 * reported, not duplicated). Self-hosted servers have no projects and answer 404.
 */
#include "api/letta.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "util/buf.h"
#include "util/jsonx.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "slug", 0, OPT_VALUE, "<slug>", "create: the project's slug (the original's option)" },
	{ "name", 0, OPT_VALUE, "<name>", "create: the project's display name" },
	OPT_END
};

static const struct opt_spec list_spec[] = {
	CLI_COMMON_OPTS,
	OPT_END
};

static const struct opt_spec create_spec[] = {
	CLI_COMMON_OPTS,
	{ "slug", 0, OPT_VALUE, "<slug>", "the project's slug (the original's option; default: <name>)" },
	{ "name", 0, OPT_VALUE, "<name>", "the project's display name (default: the slug)" },
	OPT_END
};

static const char examples[] =
	"  letta-sync projects list\n"
	"  letta-sync projects list --json | jq -r '.data.projects[].slug'\n"
	"  letta-sync projects create staging\n";

static const char *const subcommands[] = { "list", "create", NULL };

/* A 404 on /v1/projects: the route does not exist on a self-hosted server. */
static int explain_404(int ret, struct cli_ctx *ctx)
{
	if (ret == LS_ENOTFOUND && ctx->err.http_status == 404) {
		ls_error_clear(&ctx->err);
		ret = ls_error_set(&ctx->err, LS_ENOTFOUND,
				   "this server has no projects (self-hosted Letta)");
		ls_error_where(&ctx->err, "GET /v1/projects");
		ls_error_hint(&ctx->err, "projects exist on Letta Cloud only; a self-hosted server "
					 "ignores --project");
	}
	return ret;
}

/* Opens the API (*api, the caller frees it) and reads the organisation's projects (*list). */
static int open_and_list(struct letta **api, json_t **list, struct cli_ctx *ctx)
{
	int ret;

	if ((ret = cli_ctx_resolve(ctx, &ctx->err)) < 0)
		return ret;
	if ((ret = cli_open_api(api, ctx, 0, &ctx->err)) < 0)
		return ret;
	return explain_404(letta_projects_list(list, *api, NULL, &ctx->err), ctx);
}

static json_t *project_json(const json_t *p)
{
	return json_pack("{s:s?, s:s?, s:s?}", "id", jsonx_get_str(p, "id"), "slug",
			 jsonx_get_str(p, "slug"), "name", jsonx_get_str(p, "name"));
}

static int do_list(struct cli_ctx *ctx)
{
	struct letta *api = NULL;
	json_t *list = NULL, *out = json_array(), *p;
	size_t i;
	int ret;

	if ((ret = open_and_list(&api, &list, ctx)) < 0)
		goto out;
	json_array_foreach(list, i, p)
	{
		json_array_append_new(out, project_json(p));
		output_line(ctx, "%s  (%s)  %s", jsonx_get_str(p, "slug") ? jsonx_get_str(p, "slug") : "",
			    jsonx_get_str(p, "id") ? jsonx_get_str(p, "id") : "",
			    jsonx_get_str(p, "name") ? jsonx_get_str(p, "name") : "");
	}
	if (!json_array_size(out))
		output_line(ctx, "No projects found.");
	if (ctx->g.json)
		output_json_ok(ctx, json_pack("{s:O}", "projects", out), NULL);
out:
	json_decref(list);
	json_decref(out);
	letta_free(api);
	return ret;
}

/* Trimmed, lower-case: how the original compared slugs and names. */
static void normalise(struct buf *out, const char *s)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s; s++)
		buf_addch(out, (char)tolower((unsigned char)*s));
	n = out->len;
	while (n && isspace((unsigned char)out->buf[n - 1]))
		n--;
	buf_setlen(out, n);
}

static int same(const char *a, const char *b)
{
	struct buf x = BUF_INIT, y = BUF_INIT;
	int eq;

	if (!a || !b)
		return 0;
	normalise(&x, a);
	normalise(&y, b);
	eq = !strcmp(x.buf, y.buf);
	buf_release(&x);
	buf_release(&y);
	return eq;
}

static int do_create(struct cli_ctx *ctx, const char *slug, const char *name)
{
	struct letta *api = NULL;
	json_t *list = NULL, *made = NULL, *p;
	const json_t *found = NULL;
	size_t i;
	int ret;

	if ((ret = open_and_list(&api, &list, ctx)) < 0)
		goto out;
	json_array_foreach(list, i, p)
		if (same(jsonx_get_str(p, "slug"), slug))
			found = p;
	json_array_foreach(list, i, p)
		if (!found && same(jsonx_get_str(p, "name"), name))
			found = p;
	if (!found) {
		if (ctx->g.dry_run) {
			output_line(ctx, "would create project %s", name);
			if (ctx->g.json)
				output_json_ok(ctx,
					       json_pack("{s:n, s:b, s:b}", "project", "created", 0,
							 "dry_run", 1),
					       NULL);
			goto out;
		}
		if ((ret = explain_404(letta_project_create(&made, api, name, &ctx->err), ctx)) < 0)
			goto out;
		found = made;
	}
	output_line(ctx, "%s: %s", made ? "Created project" : "Project already exists",
		    jsonx_get_str(found, "slug") ? jsonx_get_str(found, "slug") : name);
	output_line(ctx, "  ID: %s", jsonx_get_str(found, "id") ? jsonx_get_str(found, "id") : "");
	output_line(ctx, "  Name: %s",
		    jsonx_get_str(found, "name") ? jsonx_get_str(found, "name") : "");
	if (ctx->g.json)
		output_json_ok(ctx,
			       json_pack("{s:o, s:b}", "project", project_json(found), "created",
					 made != NULL),
			       NULL);
out:
	json_decref(list);
	json_decref(made);
	letta_free(api);
	return ret;
}

int cmd_projects(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	const char *sub = argc > 1 ? argv[1] : NULL;
	int ret;

	memset(&o, 0, sizeof(o));
	if (sub && !strcmp(sub, "list")) {
		ret = opts_parse(&o, list_spec, argc - 1, argv + 1, ctx,
				 "letta-sync projects list [options]", examples, &ctx->err);
		if (ret == 0 && (ret = opts_no_args(&o, &ctx->err)) == 0)
			ret = do_list(ctx);
	} else if (sub && !strcmp(sub, "create")) {
		ret = opts_parse(&o, create_spec, argc - 1, argv + 1, ctx,
				 "letta-sync projects create <name> [options]", examples, &ctx->err);
		if (ret == 0) {
			const char *slug = opts_value(&o, "slug");
			const char *name = opts_value(&o, "name");

			if (o.nargs > 1) {
				ret = ls_error_set(&ctx->err, LS_EUSAGE,
						   "projects create takes one name, got %d", o.nargs);
			} else {
				if (o.nargs == 1 && !name)
					name = o.args[0];
				if (!slug)
					slug = name;
				if (!name)
					name = slug;
				if (!name || !*name)
					ret = ls_error_set(&ctx->err, LS_EUSAGE,
							   "projects create needs a name: letta-sync "
							   "projects create <name>");
				else
					ret = do_create(ctx, slug, name);
			}
		}
	} else {
		ret = opts_parse(&o, spec, argc, argv, ctx,
				 "letta-sync projects list|create <name> [options]", examples,
				 &ctx->err);
		if (ret == 0) {
			const char *word = o.nargs ? o.args[0] : NULL;
			const char *close = word ? cli_suggest(word, subcommands) : NULL;

			if (word && !strcmp(word, "list") && o.nargs == 1)
				ret = do_list(ctx); /* global options came first */
			else if (word && !strcmp(word, "create") && o.nargs == 2)
				ret = do_create(ctx, opts_value(&o, "slug") ? opts_value(&o, "slug") : o.args[1],
						opts_value(&o, "name") ? opts_value(&o, "name") : o.args[1]);
			else if (word)
				ret = ls_error_set(&ctx->err, LS_EUSAGE,
						   "unknown projects sub-command '%s'; valid: list, create",
						   word);
			else
				ret = ls_error_set(&ctx->err, LS_EUSAGE,
						   "projects needs a sub-command: list or create");
			if (ret < 0 && ret != LS_EUSAGE)
				close = NULL;
			if (close && ret == LS_EUSAGE)
				ls_error_hint(&ctx->err, "did you mean '%s'?", close);
		}
	}
	if (ret > 0)
		ret = 0; /* --help */
	opts_release(&o);
	return ret;
}
