/*
 * validate: loads everything under .letta/ (manifests, sourceFiles, scope registry, project and
 * registry files) and reports every problem as path:line:col: error: message on stdout, then a
 * summary line. Exits 1 when there is an error. Sends no request.
 */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "repo/config.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	OPT_END
};

static const char examples[] =
	"  letta-sync validate\n"
	"  letta-sync validate -C partners/acme\n"
	"  letta-sync validate --json | jq '.data[] | select(.severity == \"error\")'\n";

static json_t *diags_json(const struct diag_list *dl)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];

		/* A file name need not be UTF-8: the diagnostic must not vanish (issue 20). */
		json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
				      "severity", diag_severity_name(d->severity),
				      "file", d->file[0] ? jsonx_str_lossy(d->file) : json_null(),
				      "line", d->line ? json_integer(d->line) : json_null(),
				      "col", d->line ? json_integer(d->col) : json_null(),
				      "message", jsonx_str_lossy(d->msg),
				      "hint", jsonx_str_lossy(d->hint)));
	}
	return arr;
}

static void print_diag(struct cli_ctx *ctx, const struct diag *d)
{
	struct buf where = BUF_INIT;
	const char *color = output_color(d->severity == DIAG_ERROR ? "red" : "yellow");

	if (d->file[0] && d->line)
		buf_addf(&where, "%s:%d:%d: ", d->file, d->line, d->col);
	else if (d->file[0])
		buf_addf(&where, "%s: ", d->file);
	output_line(ctx, "%s%s%s:%s %s", where.buf, color, diag_severity_name(d->severity),
		    output_color("reset"), d->msg);
	if (d->hint)
		output_line(ctx, "  hint: %s", d->hint);
	buf_release(&where);
}

int cmd_validate(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct desired_state ds = DESIRED_STATE_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	struct config_info info = CONFIG_INFO_INIT;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync validate [options]", examples,
			     &ctx->err);

	if (ret)
		goto out;
	ret = opts_no_args(&o, &ctx->err);
	if (ret < 0)
		goto out;
	ret = config_load(&ds, ".", &diags, &info, &ctx->err);
	/* The hint to run validate is for the other commands. */
	if (ret < 0)
		ctx->err.hint[0] = '\0';
	if (info.manifests)
		log_verbose("Discovered manifests at: %s/%s (%s)", info.root, info.manifests,
			    info.legacy ? "legacy-packages-examples" : "letta-manifests");
	if (ctx->g.json) {
		if (ret < 0)
			output_json_error_data(ctx, &ctx->err, diags_json(&diags));
		else
			output_json_ok(ctx, diags_json(&diags), NULL);
		goto out;
	}
	for (size_t i = 0; i < diags.n; i++)
		print_diag(ctx, &diags.items[i]);
	if (diags.nerrors || ret < 0) {
		output_line(ctx, "%zu error%s, %zu warning%s in %zu file%s", diags.nerrors,
			    diags.nerrors == 1 ? "" : "s", diags.nwarnings,
			    diags.nwarnings == 1 ? "" : "s", info.nfiles, info.nfiles == 1 ? "" : "s");
		ctx->err_reported = 1;
		if (ret == 0)
			ret = LS_EINVALID;
	} else {
		struct buf w = BUF_INIT;

		if (diags.nwarnings)
			buf_addf(&w, ", %zu warning%s", diags.nwarnings, diags.nwarnings == 1 ? "" : "s");
		output_line(ctx, "ok: %zu resource%s in %zu file%s%s", info.nresources,
			    info.nresources == 1 ? "" : "s", info.nfiles, info.nfiles == 1 ? "" : "s",
			    w.buf);
		buf_release(&w);
	}
out:
	desired_state_release(&ds);
	diag_list_release(&diags);
	config_info_release(&info);
	opts_release(&o);
	return ret;
}
