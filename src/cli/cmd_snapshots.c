/*
 * snapshots: lists the local snapshots under .letta/snapshots/ (issue 27), oldest first: id
 * (what restore takes), time, the command that took it, the commit, what is inside and the
 * size. --prune-older-than <age> removes the older ones. `snapshots show <id>` details one:
 * its objects, its agents with their agent files and memory bundles.
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
	"  letta-sync snapshots --prune-older-than 30d\n"
	"  letta-sync snapshots show 20261206T101500Z-a1b2c3\n";

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

/* snapshots show <id>: what one snapshot holds, memory bundles included. */
static int show(struct cli_ctx *ctx, const char *root, const char *id, const json_t *list)
{
	json_t *meta = NULL, *content = NULL, *agents = json_array(), *objects = json_array(), *x;
	const json_t *listed = jsonx_array_find(list, "id", id), *mem;
	struct buf c = BUF_INIT;
	size_t i, j;
	int ret;

	if ((ret = snapshot_read(&meta, &content, root, id, &ctx->err)) < 0)
		goto out;
	mem = json_object_get(meta, "memory");
	json_array_foreach(json_object_get(content, "objects"), i, x)
		json_array_append_new(objects, json_pack("{s:O, s:O, s:O}", "kind", or_null(x, "kind"),
							 "name", or_null(x, "name"), "id",
							 or_null(x, "id")));
	json_array_foreach(json_object_get(content, "agents"), i, x) {
		const char *aid = jsonx_get_str(x, "id");
		char *af = aid ? snapshot_agent_file(root, id, aid) : NULL;
		json_t *m = json_null(), *e;

		json_array_foreach((json_t *)mem, j, e)
			if (aid && jsonx_get_str(e, "agent") && !strcmp(jsonx_get_str(e, "agent"), aid))
				m = json_pack("{s:O, s:O}", "head", or_null(e, "head"), "bundle",
					      or_null(e, "bundle"));
		json_array_append_new(agents,
				      json_pack("{s:O, s:O, s:O, s:b, s:o}", "id", or_null(x, "id"),
						"name", or_null(x, "name"), "touched",
						or_null(x, "touched"), "agent_file", af != NULL,
						"memory", m));
		free(af);
	}
	if (ctx->g.json) {
		json_t *data = json_deep_copy(meta);

		json_object_set(data, "size", listed ? or_null(listed, "size") : json_null());
		json_object_set(data, "objects", objects);
		json_object_set(data, "agents", agents);
		json_object_del(data, "memory");
		output_json_ok(ctx, data, NULL);
		goto out;
	}
	contents_text(&c, json_object_get(meta, "contents"));
	output_line(ctx, "Snapshot %s", id);
	output_line(ctx, "  time:     %s", jsonx_get_str(meta, "time") ? jsonx_get_str(meta, "time") : "");
	output_line(ctx, "  command:  %s", jsonx_get_str(meta, "command") ? jsonx_get_str(meta, "command") : "");
	output_line(ctx, "  commit:   %s", jsonx_get_str(meta, "commit") && *jsonx_get_str(meta, "commit")
						   ? jsonx_get_str(meta, "commit")
						   : "-");
	output_line(ctx, "  size:     %lld bytes",
		    listed ? (long long)json_integer_value(json_object_get(listed, "size")) : 0LL);
	output_line(ctx, "  contents: %s", c.buf);
	json_array_foreach(objects, i, x)
		output_line(ctx, "  %s/%s (%s)", jsonx_get_str(x, "kind"), jsonx_get_str(x, "name"),
			    jsonx_get_str(x, "id") ? jsonx_get_str(x, "id") : "");
	json_array_foreach(agents, i, x) {
		const json_t *m = json_object_get(x, "memory");

		output_line(ctx, "  Agent/%s (%s)%s", jsonx_get_str(x, "name"), jsonx_get_str(x, "id"),
			    json_is_true(json_object_get(x, "agent_file")) ? ": agent file" : "");
		if (json_is_object(m))
			output_line(ctx, "    memory bundle %s (main %.7s)", jsonx_get_str(m, "bundle"),
				    jsonx_get_str(m, "head") ? jsonx_get_str(m, "head") : "");
	}
	output_line(ctx, "'letta-sync restore %s --dry-run' shows what a restore would change", id);
out:
	buf_release(&c);
	json_decref(meta);
	json_decref(content);
	json_decref(agents);
	json_decref(objects);
	return ret;
}

int cmd_snapshots(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	json_t *list = NULL, *data = json_array(), *s, *removed = json_array();
	char *root = NULL;
	long long age = -1, now = (long long)time(NULL);
	size_t i;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync snapshots [options] | snapshots show <id>", examples,
			     &ctx->err);

	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	if (o.nargs && !(o.nargs == 2 && !strcmp(o.args[0], "show"))) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE, o.nargs == 1 && !strcmp(o.args[0], "show")
								 ? "snapshots show takes one snapshot id"
								 : "unexpected argument '%s'",
				   o.args[0]);
		ls_error_hint(&ctx->err, "letta-sync snapshots [--prune-older-than <age>] | snapshots show <id>");
		goto out;
	}
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
	if (o.nargs == 2) {
		ret = show(ctx, root, o.args[1], list);
		goto out;
	}
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
