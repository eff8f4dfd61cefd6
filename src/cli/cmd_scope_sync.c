/*
 * scope-sync: bootstrap's scope sync step on its own, for an existing agent (--agent, else
 * the pinned lastAgent): attaches the scope registry, scope policy, matched scope blocks and
 * the agent's lane block (docs/specs/scope-registry.md). Fails with exit 1 on any error.
 */
#include "api/letta.h"
#include "cli/agent_steps.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "repo/settings.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "cwd", 0, OPT_VALUE, "<dir>", "working directory matched against the scopes (default: .)" },
	{ "touched", 0, OPT_MULTI, "<path>...", "more paths that can make a scope match" },
	OPT_END
};

static const char examples[] =
	"  letta-sync scope-sync --agent agent-123\n"
	"  letta-sync scope-sync --cwd services/api --touched libs/api/client.c\n"
	"  letta-sync scope-sync --dry-run --json\n";

int cmd_scope_sync(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct scope_step_opts so;
	struct letta *api = NULL;
	struct buf root = BUF_INIT;
	char *pinned = NULL;
	json_t *res = NULL;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync scope-sync [options]",
			     examples, &ctx->err);

	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	if ((ret = cli_ctx_resolve(ctx, &ctx->err)) < 0)
		goto out;
	memset(&so, 0, sizeof(so));
	so.agent_id = ctx->target.agent;
	if (!so.agent_id) {
		settings_root(&root, ".");
		if ((ret = settings_last_agent(&pinned, root.buf, &ctx->err)) < 0)
			goto out;
		so.agent_id = pinned;
	}
	if (!so.agent_id) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE, "no agent: give --agent <id>");
		ls_error_hint(&ctx->err, "or pin one with 'letta-sync bootstrap' (lastAgent in "
					 ".letta/settings.local.json)");
		goto out;
	}
	so.cwd = opts_value(&o, "cwd");
	so.touched = opts_values(&o, "touched", &so.ntouched);
	so.dry_run = ctx->g.dry_run;

	if ((ret = cli_open_api(&api, ctx, 1, &ctx->err)) < 0)
		goto out;
	if ((ret = scope_step_run(&res, ctx, api, &so, &ctx->err)) < 0)
		goto out;
	scope_step_print(ctx, res);
	if (ctx->g.json)
		output_json_ok(ctx, json_incref(res), NULL);
out:
	json_decref(res);
	letta_free(api);
	free(pinned);
	buf_release(&root);
	opts_release(&o);
	return ret;
}
