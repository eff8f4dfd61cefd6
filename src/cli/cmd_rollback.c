/*
 * rollback: moves agents back to an earlier version of the config repository (issue 28)
 * through upgrade's engine and the same planner: --to names the version, the changes are
 * shown as upgrade shows them (a downgrade, what diff would show), breaking changes need a
 * confirmation on a terminal or --yes (the downgrade alone is not one: it is what was asked),
 * and a snapshot of what it changes is always taken first. Agents whose version is not newer
 * than --to are left alone.
 */
#include "cli/cli.h"
#include "cli/opts.h"

#include <stdio.h>
#include <string.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "to", 0, OPT_VALUE, "<version>", "the earlier version to move back to (1.0.0 or v1.0.0)" },
	{ "all", 0, OPT_FLAG, NULL, "every managed agent of the project" },
	{ "yes", 'y', OPT_FLAG, NULL, "apply breaking changes without asking" },
	{ "concurrency", 0, OPT_VALUE, "<n>", "requests in flight at once (default 8)" },
	{ "fail-fast", 0, OPT_FLAG, NULL, "start no new agent after the first failure" },
	{ "break-lease", 0, OPT_FLAG, NULL, "take the project's lease even if another run holds it" },
	{ "quiet", 'q', OPT_FLAG, NULL, "no progress display on a terminal" },
	OPT_END
};

static const char examples[] =
	"  letta-sync rollback --to v1.0.0 --all --dry-run    # what would change\n"
	"  letta-sync rollback --to v1.0.0 --all --yes\n"
	"  letta-sync rollback --to 1.0.0 --agent agent-123\n";

int cmd_rollback(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	char *av[16];
	int ac = 0, ret;

	ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync rollback --to <version> [options]",
			 examples, &ctx->err);
	if (ret) {
		ret = ret > 0 ? 0 : ret; /* --help */
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	if (!opts_value(&o, "to")) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE, "rollback needs '--to <version>'");
		ls_error_hint(&ctx->err, "'letta-sync upgrade --check' shows each agent's version");
		goto out;
	}
	/* The global options are in ctx already; upgrade's engine gets the rest. */
	av[ac++] = (char *)"rollback";
	av[ac++] = (char *)"--target";
	av[ac++] = (char *)opts_value(&o, "to");
	if (opts_count(&o, "all"))
		av[ac++] = (char *)"--all";
	if (opts_count(&o, "yes"))
		av[ac++] = (char *)"--yes";
	if (opts_count(&o, "fail-fast"))
		av[ac++] = (char *)"--fail-fast";
	if (opts_count(&o, "break-lease"))
		av[ac++] = (char *)"--break-lease";
	if (opts_count(&o, "quiet"))
		av[ac++] = (char *)"--quiet";
	if (opts_value(&o, "concurrency")) {
		av[ac++] = (char *)"--concurrency";
		av[ac++] = (char *)opts_value(&o, "concurrency");
	}
	av[ac] = NULL;
	ret = upgrade_rollback(ac, av, ctx);
out:
	opts_release(&o);
	return ret;
}
