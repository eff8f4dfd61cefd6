/* Gathers flags, environment and repository facts for core/target.c. */
#include "cli/cli.h"
#include "api/letta.h"
#include "repo/files.h"
#include "repo/git.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/suggest.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

const char *cli_suggest(const char *word, const char *const *candidates)
{
	return suggest(word, candidates);
}

/* getenv without LETTA_SYNC_CONCURRENCY, which --concurrency replaces (unread, unchecked). */
static char *env_but_concurrency(const char *name)
{
	return strcmp(name, "LETTA_SYNC_CONCURRENCY") ? getenv(name) : NULL;
}

/*
 * The one way a command gets a client: the key rule first (core/target.c, before any
 * request), then the settings, as values.
 */
static int open_api(struct letta **out, struct cli_ctx *ctx, int resolve, struct ls_error *err)
{
	struct letta_opts o = LETTA_OPTS_INIT;
	int ret;

	if ((ret = target_check_key(&ctx->target, err)) < 0)
		return ret;
	if ((ret = letta_opts_env(&o, ctx->concurrency > 0 ? env_but_concurrency : getenv,
				  err)) < 0)
		return ret;
	if (ctx->concurrency > 0)
		o.http.concurrency = ctx->concurrency;
	o.http.api_key = ctx->secret;
	return letta_open(out, &ctx->target, &o, resolve, err);
}

int cli_open_api(struct letta **out, struct cli_ctx *ctx, int resolve, struct ls_error *err)
{
	const char *slug;
	int ret = open_api(out, ctx, resolve, err);

	if (ret < 0 || !resolve)
		return ret;
	slug = letta_project_slug(*out);
	if (!ctx->target.project.slug && ctx->target.project.id && slug)
		ctx->target.project.slug = xstrdup(slug);
	return 0;
}

int cli_open_api_as_given(struct letta **out, struct cli_ctx *ctx, struct ls_error *err)
{
	return open_api(out, ctx, 1, err);
}

const char *cli_secret_env(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

int cli_ctx_resolve(struct cli_ctx *ctx, struct ls_error *err)
{
	struct target_inputs in;
	struct git_facts git;
	struct buf local = BUF_INIT, local_text = BUF_INIT;
	struct buf reg = BUF_INIT, reg_text = BUF_INIT;
	int ret = 0;

	if (ctx->target_resolved)
		return 0;
	memset(&in, 0, sizeof(in));
	memset(&git, 0, sizeof(git));
	in.cli_project = ctx->g.project;
	in.cli_org = ctx->g.org;
	in.cli_agent = ctx->g.agent;
	in.env_sync_project = getenv("LETTA_SYNC_PROJECT");
	in.env_letta_project = getenv("LETTA_PROJECT");
	in.env_smarty_project = getenv("SMARTY_PROJECT");
	in.env_sync_org = getenv("LETTA_SYNC_ORG");
	in.env_smarty_org = getenv("SMARTY_ORG");
	in.env_sync_agent = getenv("LETTA_SYNC_AGENT");
	in.env_smarty_agent = getenv("SMARTY_AGENT");
	in.env_base_url = getenv("LETTA_BASE_URL");
	in.env_api_url = getenv("LETTA_API_URL");
	in.env_api_key = getenv("LETTA_API_KEY");
	in.env_server_password = getenv("LETTA_SERVER_PASSWORD");
	redact_secret(in.env_api_key);
	redact_secret(in.env_server_password);
	/* The credential, read here only and handed down as a value (ctx->secret). */
	ctx->secret = in.env_api_key && *in.env_api_key			? in.env_api_key
		      : in.env_server_password && *in.env_server_password ? in.env_server_password
									  : NULL;

	if (files_find_up(&local, ".", ".letta/project.json")) {
		ret = files_read(&local_text, local.buf, 1 << 20, err);
		if (ret < 0)
			goto out;
		in.local_path = local.buf;
		in.local_text = local_text.buf;
		in.local_len = local_text.len;
	}
	if (files_find_up(&reg, ".", ".letta/registry.json")) {
		ret = files_read(&reg_text, reg.buf, 1 << 20, err);
		if (ret < 0)
			goto out;
		in.registry_path = reg.buf;
		in.registry_text = reg_text.buf;
		in.registry_len = reg_text.len;
		git_facts_read(&git, ".", err);
		in.remote_url = git.remote_url;
		in.branch = git.branch;
	}
	ret = target_resolve(&ctx->target, &in, err);
	if (ret < 0)
		goto out;
	ctx->target_resolved = 1;
	for (int i = 0; i < ctx->target.ntried; i++)
		log_verbose("Project resolution attempted: %s",
			    target_source_name(ctx->target.tried[i]));
	if (ctx->target.project_source != TARGET_SRC_NONE) {
		char *f = project_ref_format(&ctx->target.project);

		log_verbose("Resolved project: %s (via %s)", f,
			    target_source_name(ctx->target.project_source));
		free(f);
	} else {
		log_verbose("No project resolved");
	}
out:
	git_facts_release(&git);
	buf_release(&local);
	buf_release(&local_text);
	buf_release(&reg);
	buf_release(&reg_text);
	return ret;
}
