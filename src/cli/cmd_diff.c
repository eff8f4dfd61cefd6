/*
 * diff: what sync would change, per shared resource and per agent section, as a field-level
 * unified diff (or --json: one element per change in .data, seed drift in .info). Sends only
 * read requests.
 */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/memfs_sync.h"
#include "cli/output.h"
#include "cli/reconcile.h"
#include "cli/render_diff.h"
#include "cli/rollout.h"
#include "util/buf.h"
#include "util/jsonx.h"

#include <stdio.h>
#include <string.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "full", 0, OPT_FLAG, NULL, "also show unchanged objects and fields" },
	{ "format", 0, OPT_VALUE, "<fmt>", "text (default) or markdown (a pull-request comment)" },
	{ "exit-code", 0, OPT_FLAG, NULL, "exit 2 when there are changes" },
	{ "out", 0, OPT_VALUE, "<file>", "save the plan (for sync --plan) with fingerprints" },
	{ "only", 0, OPT_MULTI, "<section>...", "agent sections to compare (default: all)" },
	{ "prune", 0, OPT_FLAG, NULL, "show orphans as the deletes sync --prune would make" },
	{ "force", 0, OPT_FLAG, NULL, "show what sync --force would do" },
	{ "adopt", 0, OPT_FLAG, NULL, "show what sync --adopt would do" },
	{ "model", 0, OPT_VALUE, "<handle>", "model for agents whose template names none" },
	{ "embedding", 0, OPT_VALUE, "<handle>", "embedding for folders and agents without one" },
	{ "waves", 0, OPT_VALUE, "<list>", "also show the waves sync --waves would apply (1,10%,100%)" },
	{ "canary-tag", 0, OPT_VALUE, "<tag>", "with --waves: agents with this tag go first" },
	OPT_END
};

static const char examples[] =
	"  letta-sync diff\n"
	"  letta-sync diff --full --agent agent-123\n"
	"  letta-sync diff --json | jq '.data | length'\n"
	"  letta-sync diff --exit-code   # 2 when sync would change something\n"
	"  letta-sync diff --format markdown > comment.md\n"
	"  letta-sync diff --format markdown --waves 1,10%,100% > comment.md\n"
	"  letta-sync diff --out plan.json && letta-sync sync --plan plan.json\n";

int cmd_diff(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct reconcile r;
	struct reconcile_opts ro = { 0, 0, NULL, NULL, 0, 0, 0, 0 };
	struct buf out = BUF_INIT;
	const char *format;
	struct memfs_run mem = { NULL, 0, 0, 0, 0, NULL, 0, NULL };
	json_t *mchanges = json_array();
	struct buf mhuman = BUF_INIT;
	struct rollout rw;
	json_t *waves = NULL;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync diff [options]", examples,
			     &ctx->err);

	memset(&r, 0, sizeof(r));
	memset(&rw, 0, sizeof(rw));
	if (ret) {
		ret = ret > 0 ? 0 : ret; /* --help */
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	if ((ret = reconcile_parse_only(&ro.sections, &o, &ctx->err)) < 0)
		goto out;
	format = opts_value(&o, "format");
	if (format && strcmp(format, "text") && strcmp(format, "markdown")) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "unknown format '%s' for --format; valid: text, markdown", format);
		goto out;
	}
	if (!opts_value(&o, "waves") && opts_value(&o, "canary-tag")) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE, "'--canary-tag' needs '--waves'");
		goto out;
	}
	if (opts_value(&o, "waves") &&
	    (ret = rollout_init(&rw, opts_value(&o, "waves"), NULL, NULL, NULL,
				opts_value(&o, "canary-tag"), 0, &ctx->err)) < 0)
		goto out;
	reconcile_parse_plan_opts(&ro, &o);
	if (opts_count(&o, "full"))
		ro.plan_flags |= PLAN_KEEP_SAME; /* the unchanged objects are shown */
	if ((ret = reconcile_prepare(&r, ctx, &ro, &ctx->err)) < 0)
		goto out;
	/* The waves sync --waves would apply the agents' changes in (issue 28). */
	if (rw.nwaves)
		waves = rollout_plan_waves(&rw, &r.plan, r.rs.agents);
	/* Memory files (issue 25): checked, fetched and merged, nothing pushed. */
	if ((ret = memfs_load(&mem, &r, &ctx->err)) < 0 ||
	    (ret = memfs_apply(&mem, &r, 0, (ro.plan_flags & PLAN_FORCE) != 0, mchanges, &mhuman,
			       &ctx->err)) < 0)
		goto out;

	if (opts_value(&o, "out") &&
	    (ret = reconcile_save_plan(&r, opts_value(&o, "out"), &ctx->err)) < 0)
		goto out;
	if (ctx->g.json) {
		json_t *data = render_diff_data(&r.plan);

		json_t *e;
		size_t i;

		/* --waves: each agent's change says its wave. */
		json_array_foreach(data, i, e)
			rollout_mark_wave(e, waves);
		json_array_extend(data, mchanges);
		output_json_ok(ctx, data, render_diff_info(&r.plan));
	} else if (format && !strcmp(format, "markdown")) {
		render_diff_markdown(&out, &r.plan);
		fputs(out.buf, stdout);
		if (mhuman.len)
			printf("\n### Memory files\n\n```diff\n%s```\n", mhuman.buf);
		if (waves) {
			buf_reset(&out);
			rollout_waves_markdown(&out, waves);
			fputs(out.buf, stdout);
		}
	} else {
		render_diff_human(&out, &r.plan, opts_count(&o, "full") ? RENDER_FULL : 0);
		fputs(out.buf, stdout);
		if (mhuman.len)
			fputs(mhuman.buf, stdout);
		if (waves) {
			const json_t *w, *a;
			size_t i, j;

			json_array_foreach(waves, i, w)
			{
				buf_reset(&out);
				json_array_foreach(json_object_get(w, "agents"), j, a)
					buf_addf(&out, "%s%s", j ? ", " : "", jsonx_get_str(a, "name"));
				printf("wave %zu of %zu: %s\n", i + 1, json_array_size(waves),
				       out.len ? out.buf : "(none)");
			}
		}
	}
	if (opts_count(&o, "exit-code") && (plan_count_changes(&r.plan) || mem.changed || mem.conflicts))
		ret = LS_ECHANGES;
out:
	json_decref(waves);
	rollout_release(&rw);
	memfs_run_release(&mem);
	json_decref(mchanges);
	buf_release(&mhuman);
	buf_release(&out);
	reconcile_release(&r);
	opts_release(&o);
	return ret;
}
