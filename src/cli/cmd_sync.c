/* sync: not implemented yet; see the issue that delivers it. */
#include "cli/cli.h"
#include "cli/opts.h"

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	OPT_END
};

int cmd_sync(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync sync [options]", NULL,
			     &ctx->err);

	if (ret == 0)
		ret = ls_error_set(&ctx->err, LS_EFAIL, "'sync' is not implemented yet");
	opts_release(&o);
	return ret;
}
