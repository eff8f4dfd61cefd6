/*
 * snapshots: lists the local snapshots under .letta/snapshots/ (issue 27), oldest first: id
 * (what restore takes), time, the command that took it, the commit, what is inside and the
 * size. --prune-older-than <age> removes the older ones.
 */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/snapshot_save.h"
#include "repo/snapshot.h"
#include "util/buf.h"
#include "util/jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "prune-older-than", 0, OPT_VALUE, "<age>", "remove snapshots older than <age> (30d, 12h, 90m)" },
	OPT_END
};

static const char examples[] =
	"  letta-sync snapshots\n"
	"  letta-sync snapshots --json | jq -r '.data[-1].id'\n"
	"  letta-sync snapshots --prune-older-than 30d\n";

/* "30d", "12h", "90m", "45s" -> seconds; -1 when malformed. */
static long long parse_age(const char *s)
{
	char *end;
	long long n;

	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	n = strtoll(s, &end, 10);
	if (n < 0 || n > 100000000 || !end[0] || end[1])
		return -1;
	switch (*end) {
	case 'd':
		return n * 86400;
	case 'h':
		return n * 3600;
	case 'm':
		return n * 60;
	case 's':
		return n;
	default:
		return -1;
	}
}

static json_t *or_null(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? v : json_null();
}

static void contents_text(struct buf *b, const json_t *contents)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach((json_t *)contents, k, v) {
		if (!json_integer_value(v))
			continue;
		buf_addf(b, "%s%lld %s", first ? "" : ", ", (long long)json_integer_value(v), k);
		first = 0;
	}
	if (first)
		buf_addstr(b, "nothing");
}

int cmd_snapshots(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	json_t *list = NULL, *data = json_array(), *s, *removed = json_array();
	char *root = NULL;
	long long age = -1, now = (long long)time(NULL);
	size_t i;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync snapshots [options]", examples,
			     &ctx->err);

	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	if (opts_value(&o, "prune-older-than") &&
	    (age = parse_age(opts_value(&o, "prune-older-than"))) < 0) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "--prune-older-than '%s': expected a number and a unit: 30d, 12h, "
				   "90m or 45s",
				   opts_value(&o, "prune-older-than"));
		goto out;
	}
	root = cli_snapshot_root();
	if ((ret = snapshot_list(&list, root, &ctx->err)) < 0)
		goto out;
	json_array_foreach(list, i, s) {
		const char *id = jsonx_get_str(s, "id");
		long long t = snapshot_id_time(id);

		if (age >= 0 && t >= 0 && now - t > age) {
			if (ctx->g.dry_run) {
				output_line(ctx, "would remove %s", id);
			} else if ((ret = snapshot_remove(root, id, &ctx->err)) < 0) {
				goto out;
			} else {
				output_line(ctx, "removed %s", id);
			}
			json_array_append_new(removed, json_string(id));
			continue;
		}
		json_array_append_new(data,
				      json_pack("{s:s, s:O, s:O, s:O, s:O, s:O}", "id", id, "time",
						or_null(s, "time"), "command",
						or_null(s, "command"), "commit",
						or_null(s, "commit"), "contents",
						or_null(s, "contents"), "size",
						or_null(s, "size")));
	}
	if (ctx->g.json) {
		json_t *info = json_array_size(removed) ? json_pack("{s:O}", ctx->g.dry_run
									     ? "would_remove"
									     : "removed",
								    removed)
							 : NULL;

		output_json_ok(ctx, json_incref(data), info);
		goto out;
	}
	if (!json_array_size(data)) {
		output_line(ctx, "No snapshots under .letta/snapshots/");
		goto out;
	}
	output_line(ctx, "%-23s  %-20s  %-8s  %-8s  %8s  %s", "ID", "TIME", "COMMAND", "COMMIT",
		    "SIZE", "CONTENTS");
	json_array_foreach(data, i, s) {
		struct buf c = BUF_INIT;
		const char *commit = jsonx_get_str(s, "commit");

		contents_text(&c, json_object_get(s, "contents"));
		output_line(ctx, "%-23s  %-20s  %-8s  %-8.8s  %8lld  %s", jsonx_get_str(s, "id"),
			    jsonx_get_str(s, "time") ? jsonx_get_str(s, "time") : "",
			    jsonx_get_str(s, "command") ? jsonx_get_str(s, "command") : "",
			    commit && *commit ? commit : "-",
			    (long long)json_integer_value(json_object_get(s, "size")), c.buf);
		buf_release(&c);
	}
out:
	json_decref(list);
	json_decref(data);
	json_decref(removed);
	free(root);
	opts_release(&o);
	return ret;
}
