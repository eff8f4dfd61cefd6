/*
 * schema: prints the JSON Schema (draft 2020-12) of manifest documents, generated from the
 * tables validate uses (core/schema.c); with --kind, the schema of one kind. Needs no
 * repository, no key and sends no request.
 */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "core/schema.h"

#include <stdio.h>
#include <stdlib.h>

static const struct opt_spec spec[] = {
	{ "kind", 0, OPT_VALUE, "<kind>", "only this kind: Block, Tool, MCPServer, Template, Folder, Identity, AgentPolicy, Agent" },
	CLI_COMMON_OPTS,
	OPT_END
};

static const char examples[] =
	"  letta-sync schema > .letta/schema.json\n"
	"  letta-sync schema --kind Block\n"
	"  # in a manifest: # yaml-language-server: $schema=../../schema.json\n";

int cmd_schema(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	const char *kind_name;
	json_t *schema = NULL;
	char *text = NULL;
	int kind = -1;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync schema [--kind <kind>] [options]",
			     examples, &ctx->err);

	if (ret)
		goto out;
	ret = opts_no_args(&o, &ctx->err);
	if (ret < 0)
		goto out;
	kind_name = opts_value(&o, "kind");
	if (kind_name) {
		const char *kinds[KIND__COUNT + 1];
		const char *guess;

		kind = res_kind_parse(kind_name);
		if (kind < 0) {
			for (int k = 0; k < KIND__COUNT; k++)
				kinds[k] = res_kind_name((enum res_kind)k);
			kinds[KIND__COUNT] = NULL;
			ret = ls_error_set(&ctx->err, LS_EUSAGE, "unknown kind '%s'", kind_name);
			guess = cli_suggest(kind_name, kinds);
			if (guess)
				ls_error_hint(&ctx->err, "did you mean '%s'?", guess);
			else
				ls_error_hint(&ctx->err, "kinds: Block, Tool, MCPServer, Template, Folder, "
							 "Identity, AgentPolicy, Agent");
			goto out;
		}
	}
	schema = schema_manifest(kind);
	if (ctx->g.json) {
		output_json_ok(ctx, schema, NULL);
		schema = NULL;
		goto out;
	}
	text = json_dumps(schema, JSON_INDENT(2));
	if (!text) {
		ret = ls_error_set(&ctx->err, LS_EINTERNAL, "cannot encode the schema");
		goto out;
	}
	fputs(text, stdout);
	fputc('\n', stdout);
out:
	free(text);
	json_decref(schema);
	opts_release(&o);
	return ret;
}
