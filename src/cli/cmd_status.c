/*
 * status: per managed agent of the project (or the --agent one): id, name, project, template,
 * applied version, channel, last sync commit, drift counts from the planner and whether it is
 * the pinned agent (lastAgent). --extended adds blocks (label, characters/limit), tools,
 * folders, model, identities and tags. An unfinished rollout (upgrade --waves, recorded in
 * the inventory) gets a line, and "rollout" in --json's info.
 */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/memfs_status.h"
#include "cli/output.h"
#include "cli/reconcile.h"
#include "cli/rollout.h"
#include "core/ownership.h"
#include "repo/settings.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "extended", 0, OPT_FLAG, NULL,
	  "also show blocks, tools, folders, model, identities and tags" },
	OPT_END
};

static const char examples[] =
	"  letta-sync status\n"
	"  letta-sync status --agent agent-123 --extended\n"
	"  letta-sync status --json | jq '.data[] | {name, version}'\n";

static json_t *names(const json_t *arr, const char *key)
{
	json_t *out = json_array();
	const json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
	{
		const char *n = jsonx_get_str(o, key);

		json_array_append_new(out, json_string(n ? n : jsonx_get_str(o, "id") ? jsonx_get_str(o, "id") : "?"));
	}
	return out;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* The string members of arr, sorted. New reference. */
static json_t *sorted_strings(const json_t *arr)
{
	size_t i, n = 0;
	json_t **v = calloc(json_array_size(arr) + 1, sizeof(*v)), *out = json_array(), *x;

	json_array_foreach(arr, i, x)
		if (v && json_is_string(x))
			v[n++] = x;
	if (v)
		qsort(v, n, sizeof(*v), cmp_json_str);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/* The status of one agent. New reference. */
static json_t *agent_status(const struct reconcile *r, const json_t *a, const char *project,
			    const char *pinned, const json_t *inventory, int extended)
{
	const char *id = jsonx_get_str(a, "id");
	const json_t *tags = json_object_get(a, "tags"), *e;
	const char *channel = jsonx_array_prefixed(tags, "channel:");
	const char *commit = jsonx_array_prefixed(tags, "commit:");
	const json_t *last = json_object_get(json_object_get(a, "metadata"), "letta_sync");
	json_t *st, *drift, *sections = json_array();
	size_t counts[CHANGE_DRIFT + 1] = { 0 }, total = 0, i;

	json_array_foreach(inventory, i, e)
		if (jsonx_get_str(e, "id") && !strcmp(jsonx_get_str(e, "id"), id) &&
		    jsonx_get_str(e, "commit") && *jsonx_get_str(e, "commit"))
			commit = jsonx_get_str(e, "commit");
	/* The last sync, upgrade or bootstrap that wrote it records itself in its metadata. */
	if (jsonx_get_str(last, "commit") && *jsonx_get_str(last, "commit"))
		commit = jsonx_get_str(last, "commit");
	for (i = 0; i < r->plan.n; i++) {
		const struct plan_action *p = &r->plan.items[i];

		if (p->internal || !p->agent || strcmp(p->agent, id))
			continue;
		counts[p->change]++;
		if (p->change == CHANGE_DRIFT)
			continue;
		total++;
		if (p->section) {
			size_t k;
			int seen = 0;

			for (k = 0; k < json_array_size(sections); k++)
				if (!strcmp(json_string_value(json_array_get(sections, k)), p->section))
					seen = 1;
			if (!seen)
				json_array_append_new(sections, json_string(p->section));
		}
	}
	drift = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "total", (json_int_t)total,
			  "create", (json_int_t)counts[CHANGE_CREATE], "update",
			  (json_int_t)counts[CHANGE_UPDATE], "delete",
			  (json_int_t)(counts[CHANGE_DELETE] + counts[CHANGE_ORPHAN]), "conflict",
			  (json_int_t)counts[CHANGE_CONFLICT], "downgrade",
			  (json_int_t)counts[CHANGE_DOWNGRADE], "info", (json_int_t)counts[CHANGE_DRIFT],
			  "sections", sections);
	st = json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:s, s:s?, s:b, s:b, s:o}", "id", id, "name",
		       jsonx_get_str(a, "name"), "project", project, "template",
		       jsonx_array_prefixed(tags, "template:"), "version",
		       jsonx_array_prefixed(tags, "version:"), "channel",
		       channel ? channel : "stable", "last_sync_commit", commit, "managed",
		       own_agent_is_managed(a), "pinned",
		       pinned && !strcmp(pinned, id), "drift", drift);
	json_object_set_new(st, "last_sync",
			    json_is_object(last)
				    ? json_pack("{s:s?, s:s?, s:s?, s:s?}", "commit", commit, "version",
						jsonx_get_str(last, "version"), "at",
						jsonx_get_str(last, "at"), "by", jsonx_get_str(last, "by"))
				    : json_null());
	if (extended) {
		json_t *blocks = json_array(), *ids = json_array(), *t = json_array();
		const json_t *b;

		json_array_foreach(json_object_get(a, "blocks"), i, b)
			json_array_append_new(
				blocks, json_pack("{s:s?, s:s?, s:I, s:O?}", "label",
						  jsonx_get_str(b, "label"), "id", jsonx_get_str(b, "id"),
						  "characters",
						  (json_int_t)utf8_count(jsonx_get_str(b, "value")),
						  "limit", json_object_get(b, "limit")));
		json_array_foreach(json_object_get(a, "identities"), i, b)
			json_array_append_new(ids, json_string(jsonx_get_str(b, "identifier_key")
								       ? jsonx_get_str(b, "identifier_key")
								       : "?"));
		json_array_foreach(tags, i, b)
			json_array_append(t, (json_t *)b);
		json_object_set_new(st, "blocks", blocks);
		json_object_set_new(st, "tools", names(json_object_get(a, "tools"), "name"));
		json_object_set_new(st, "folders", names(json_object_get(a, "sources"), "name"));
		json_object_set_new(st, "model", jsonx_str_or_null(remote_agent_model(a)));
		json_object_set_new(st, "embedding", jsonx_str_or_null(remote_agent_embedding(a)));
		json_object_set_new(st, "identities", ids);
		json_object_set_new(st, "tags", sorted_strings(t));
		json_decref(t);
	}
	return st;
}

static void join(struct buf *b, const json_t *arr)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		buf_addf(b, "%s%s", i ? ", " : "", json_string_value(v));
	if (!json_array_size(arr))
		buf_addstr(b, "(none)");
}

static void print_agent(struct cli_ctx *ctx, const json_t *s, int extended)
{
	/* The attached objects --extended lists, by name. */
	static const struct {
		const char *title, *key;
	} lists[] = {
		{ "Tools:", "tools" },
		{ "Folders:", "folders" },
		{ "Identities:", "identities" },
		{ "Tags:", "tags" },
	};
	const json_t *d = json_object_get(s, "drift"), *v, *ls = json_object_get(s, "last_sync");
	struct buf b = BUF_INIT;
	size_t i;

	output_line(ctx, "%sAgent %s%s (%s)%s", output_color("bold"),
		    jsonx_get_str(s, "name") ? jsonx_get_str(s, "name") : "(unnamed)",
		    json_is_true(json_object_get(s, "pinned")) ? " [pinned]" : "",
		    jsonx_get_str(s, "id"), output_color("reset"));
	output_line(ctx, "  Project:     %s", jsonx_get_str(s, "project"));
	output_line(ctx, "  Template:    %s",
		    jsonx_get_str(s, "template") ? jsonx_get_str(s, "template") : "(none)");
	output_line(ctx, "  Version:     %s",
		    jsonx_get_str(s, "version") ? jsonx_get_str(s, "version") : "(none)");
	output_line(ctx, "  Channel:     %s", jsonx_get_str(s, "channel"));
	if (json_is_object(ls))
		output_line(ctx, "  Last sync:   %.12s%s%s%s%s%s%s", jsonx_get_str(ls, "commit") ?
				    jsonx_get_str(ls, "commit") : "(no commit)",
			    jsonx_get_str(ls, "at") ? " at " : "",
			    jsonx_get_str(ls, "at") ? jsonx_get_str(ls, "at") : "",
			    jsonx_get_str(ls, "by") ? " by " : "",
			    jsonx_get_str(ls, "by") ? jsonx_get_str(ls, "by") : "",
			    jsonx_get_str(ls, "version") ? ", version " : "",
			    jsonx_get_str(ls, "version") ? jsonx_get_str(ls, "version") : "");
	else
		output_line(ctx, "  Last sync:   %s",
			    jsonx_get_str(s, "last_sync_commit") ? jsonx_get_str(s, "last_sync_commit")
								  : "(unknown)");
	if (json_object_get(s, "memory"))
		output_line(ctx, "  Memory:      %s",
			    memfs_state_text(json_object_get(s, "memory")));
	output_line(ctx, "  Managed:     %s", json_is_true(json_object_get(s, "managed")) ? "yes" : "no");
	output_line(ctx, "  Pinned:      %s", json_is_true(json_object_get(s, "pinned")) ? "yes" : "no");
	if (jsonx_get_int(d, "total", 0) == 0) {
		output_line(ctx, "  Drift:       in sync");
	} else {
		join(&b, json_object_get(d, "sections"));
		output_line(ctx,
			    "  Drift:       %lld change(s): %lld update, %lld create, %lld delete, "
			    "%lld conflict, %lld downgrade (%s)",
			    jsonx_get_int(d, "total", 0), jsonx_get_int(d, "update", 0),
			    jsonx_get_int(d, "create", 0), jsonx_get_int(d, "delete", 0),
			    jsonx_get_int(d, "conflict", 0), jsonx_get_int(d, "downgrade", 0), b.buf);
	}
	if (extended) {
		output_line(ctx, "  Model:       %s",
			    jsonx_get_str(s, "model") ? jsonx_get_str(s, "model") : "(unknown)");
		output_line(ctx, "  Embedding:   %s",
			    jsonx_get_str(s, "embedding") ? jsonx_get_str(s, "embedding") : "(unknown)");
		output_line(ctx, "  Blocks:      %zu", json_array_size(json_object_get(s, "blocks")));
		json_array_foreach(json_object_get(s, "blocks"), i, v)
		{
			if (json_is_integer(json_object_get(v, "limit")))
				output_line(ctx, "    - %s: %lld/%lld characters",
					    jsonx_get_str(v, "label") ? jsonx_get_str(v, "label") : "(no label)",
					    jsonx_get_int(v, "characters", 0), jsonx_get_int(v, "limit", 0));
			else
				output_line(ctx, "    - %s: %lld characters",
					    jsonx_get_str(v, "label") ? jsonx_get_str(v, "label") : "(no label)",
					    jsonx_get_int(v, "characters", 0));
		}
		for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			buf_reset(&b);
			join(&b, json_object_get(s, lists[i].key));
			output_line(ctx, "  %-13s%s", lists[i].title, b.buf);
		}
	}
	buf_release(&b);
}

int cmd_status(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct reconcile r;
	struct reconcile_opts ro = { 0, 0, NULL, NULL, 0, 0, 0, 0 };
	struct buf root = BUF_INIT;
	char *pinned = NULL;
	const char *project, *want;
	json_t *data = json_array(), *inventory = NULL;
	const json_t *a, *rollout;
	int ret, extended;
	size_t i, nmanaged = 0;

	memset(&r, 0, sizeof(r));
	ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync status [options]", examples,
			 &ctx->err);
	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	extended = opts_count(&o, "extended") > 0;
	/*
	 * The planner computes every agent's drift; --agent only selects what is shown, so that
	 * an unmanaged agent can be shown too (the planner refuses to plan one).
	 */
	if ((ret = cli_ctx_resolve(ctx, &ctx->err)) < 0)
		goto out;
	want = ctx->target.agent;
	ctx->target.agent = NULL;
	ro.keep_warnings = 1; /* --agent: only those about it, below */
	ret = reconcile_prepare(&r, ctx, &ro, &ctx->err);
	ctx->target.agent = (char *)want;
	if (ret < 0)
		goto out;
	project = ctx->target.project.slug ? ctx->target.project.slug
		  : ctx->target.project.id ? ctx->target.project.id
					   : "";
	settings_root(&root, ".");
	if (settings_last_agent(&pinned, root.buf, &ctx->err) < 0) {
		output_warn(ctx, "%s", ctx->err.msg);
		ls_error_clear(&ctx->err);
	}
	inventory = own_inventory_entries(own_find_inventory(r.rs.blocks, project));
	json_array_foreach(r.rs.agents, i, a)
	{
		const char *id = jsonx_get_str(a, "id"), *name = jsonx_get_str(a, "name");

		if (!id)
			continue;
		if (want ? strcmp(want, id) && (!name || strcmp(want, name))
			 : !own_agent_is_managed(a))
			continue;
		json_array_append_new(data, agent_status(&r, a, project, pinned, inventory,
							 extended));
		nmanaged++;
	}
	/* Memory files (issue 25): in step, ahead or conflicting. */
	if ((ret = memfs_status(&r, data, &ctx->err)) < 0)
		goto out;
	if (want && !nmanaged) {
		ret = ls_error_set(&ctx->err, LS_ENOTFOUND, "agent '%s' not found in project '%s'",
				   want, *project ? project : "(none)");
		goto out;
	}
	/*
	 * The plan's warnings; with --agent only those naming that agent (by its name in quotes,
	 * or its id): status --agent X prints only what concerns X.
	 */
	{
		const json_t *w, *shown = json_array_get(data, 0);
		struct buf qname = BUF_INIT;

		if (want && jsonx_get_str(shown, "name"))
			buf_addf(&qname, "'%s'", jsonx_get_str(shown, "name"));
		json_array_foreach(r.plan.warnings, i, w)
		{
			const char *t = json_string_value(w);

			if (!t || (want && !(qname.len && strstr(t, qname.buf)) &&
				   !strstr(t, jsonx_get_str(shown, "id"))))
				continue;
			output_warn(ctx, "%s", t);
		}
		buf_release(&qname);
	}
	rollout = rollout_state_find(own_find_inventory(r.rs.blocks, project));
	if (ctx->g.json) {
		output_json_ok(ctx, json_incref(data),
			       rollout ? json_pack("{s:O}", "rollout", rollout) : NULL);
		goto out;
	}
	json_array_foreach(data, i, a)
	{
		if (i)
			output_line(ctx, "%s", "");
		print_agent(ctx, a, extended);
	}
	if (!want) {
		if (nmanaged)
			output_line(ctx, "%s", "");
		output_line(ctx, "%zu managed agent(s) in project '%s'; pinned: %s", nmanaged,
			    *project ? project : "(none)", pinned ? pinned : "(none)");
	}
	if (rollout) {
		struct buf line = BUF_INIT;

		rollout_state_describe(&line, rollout);
		output_line(ctx, "Rollout in progress: %s; 'letta-sync upgrade --resume' continues "
				 "it, '--abort' undoes it",
			    line.buf);
		buf_release(&line);
	}
out:
	json_decref(data);
	json_decref(inventory);
	free(pinned);
	buf_release(&root);
	reconcile_release(&r);
	opts_release(&o);
	return ret;
}
