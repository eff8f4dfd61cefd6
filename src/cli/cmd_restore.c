/*
 * restore: puts back what a snapshot saved (issue 27). Objects the run deleted are created
 * again, overwritten ones get their saved fields back, agents get their saved fields and
 * attachments back; an agent that is gone is re-created by importing its agent file into the
 * same project. Only writes: nothing is deleted, and the attachments an agent gets back are
 * replaced in one PATCH per agent. Then the inventory records the restored objects (their new
 * ids and the hash of their content), so that the next diff shows the manifests' change again
 * instead of a conflict. A second restore of the same snapshot finds everything in place and
 * changes nothing.
 */
#include "api/apply.h"
#include "cli/cli.h"
#include "cli/memfs_decl.h"
#include "cli/memfs_sync.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/reconcile.h"
#include "cli/render_diff.h"
#include "cli/snapshot_save.h"
#include "core/memfiles.h"
#include "core/ownership.h"
#include "core/snapshot.h"
#include "repo/config.h"
#include "repo/memfs_snapshot.h"
#include "repo/snapshot.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "only", 0, OPT_MULTI, "<kind/name>...", "restore only these objects (Block/policy Agent/bob)" },
	{ "break-lease", 0, OPT_FLAG, NULL, "take the project's lease even if another run holds it" },
	OPT_END
};

static const char examples[] =
	"  letta-sync snapshots\n"
	"  letta-sync restore 20261206T101500Z-a1b2c3 --dry-run\n"
	"  letta-sync restore 20261206T101500Z-a1b2c3\n"
	"  letta-sync restore 20261206T101500Z-a1b2c3 --only Block/policy Agent/bob\n";

/*
 * The project's lease (sync's, cli/reconcile.c), taken before the first write and only when
 * something is written: a restore that finds everything in place writes nothing at all.
 */
struct lease {
	struct reconcile r; /* borrows the client and the remote state */
	int tried, taken, break_lease;
};

static int lease_take(struct lease *l, struct ls_error *err)
{
	if (l->tried)
		return 0;
	l->tried = 1;
	return reconcile_lease_take(&l->r, l->break_lease, &l->taken, err);
}

/* --only: {"Kind/name": true}, or NULL for everything; LS_EUSAGE on a bad word. */
static int parse_only(json_t **out, const struct opts *o, struct ls_error *err)
{
	int n = 0;
	const char **v = opts_values(o, "only", &n);

	*out = NULL;
	if (!opts_count(o, "only"))
		return 0;
	*out = json_object();
	for (int i = 0; i < n; i++) {
		const char *slash = strchr(v[i], '/');
		char kind[32];

		if (!slash || slash == v[i] || !slash[1] || (size_t)(slash - v[i]) >= sizeof(kind))
			goto bad;
		memcpy(kind, v[i], (size_t)(slash - v[i]));
		kind[slash - v[i]] = 0;
		if (own_kind_parse(kind) < 0)
			goto bad;
		json_object_set_new(*out, v[i], json_true());
		continue;
bad:
		json_decref(*out);
		*out = NULL;
		return ls_error_set(err, LS_EUSAGE,
				    "--only '%s': expected <Kind>/<name>, e.g. Block/policy or "
				    "Agent/bob",
				    v[i]);
	}
	if (!n)
		return ls_error_set(err, LS_EUSAGE, "--only needs at least one <Kind>/<name>");
	return 0;
}

/* The manifests, for the hashes restore records; NULL (with a warning) when they do not load. */
static struct desired_state *load_manifests(struct cli_ctx *ctx)
{
	struct desired_state *ds = xcalloc(1, sizeof(*ds));
	struct diag_list diags = DIAG_LIST_INIT;
	struct config_info info = CONFIG_INFO_INIT;
	struct ls_error e = LS_ERROR_INIT;

	*ds = (struct desired_state)DESIRED_STATE_INIT;
	if (config_load(ds, ".", &diags, &info, &e) < 0) {
		output_warn(ctx, "the manifests do not load (%s): restored objects keep the hash "
				 "they were saved with",
			    e.msg);
		desired_state_release(ds);
		free(ds);
		ds = NULL;
	}
	diag_list_release(&diags);
	config_info_release(&info);
	return ds;
}

/*
 * Agents of the snapshot that are gone: found again by name among the project's managed
 * agents (a restore that ran before re-created them), else re-created by importing their
 * agent file. map gets {old id: new id}; dry gets the planned imports.
 */
static int bring_back_agents(struct cli_ctx *ctx, struct letta *api, const char *root,
			     const char *id, const json_t *content, const struct remote_state *rs,
			     const json_t *only, int dry, json_t *map, json_t *done,
			     struct lease *lease, struct ls_error *err)
{
	size_t i, j;
	json_t *ag, *x;

	json_array_foreach(json_object_get(content, "agents"), i, ag) {
		const char *old = jsonx_get_str(ag, "id"), *name = jsonx_get_str(ag, "name");
		const char *found = NULL;
		char *file;
		json_t *ids = NULL;
		int ret;

		if (!old || !name || remote_find_id(rs->agents, old) ||
		    !snapshot_only(only, KIND_AGENT, name))
			continue;
		json_array_foreach(rs->agents, j, x)
			if (own_agent_is_managed(x) && jsonx_get_str(x, "name") &&
			    !strcmp(jsonx_get_str(x, "name"), name))
				found = jsonx_get_str(x, "id");
		if (found) {
			json_object_set_new(map, old, json_string(found));
			continue;
		}
		file = snapshot_agent_file(root, id, old);
		if (!file) {
			output_warn(ctx, "Agent/%s (%s) is gone and the snapshot has no agent file "
					 "for it: not restored",
				    name, old);
			continue;
		}
		if (dry) {
			json_array_append_new(done, json_pack("{s:s, s:s, s:s, s:n}", "kind", "Agent",
							      "name", name, "action", "import",
							      "id"));
			free(file);
			continue;
		}
		if ((ret = lease_take(lease, err)) < 0) {
			free(file);
			return ret;
		}
		ret = letta_agent_import(&ids, api, file, name, err);
		free(file);
		if (ret < 0) {
			ls_error_hint(err, "nothing after it was restored; run the restore again: "
					   "it finds what is already back");
			return ret;
		}
		json_object_set(map, old, json_array_get(ids, 0));
		json_array_append_new(done, json_pack("{s:s, s:s, s:s, s:O}", "kind", "Agent", "name",
						      name, "action", "import", "id",
						      json_array_get(ids, 0)));
		output_line(ctx, "%sre-created%s Agent/%s (import of its agent file)",
			    output_color("green"), output_color("reset"), name);
		json_decref(ids);
	}
	return 0;
}

/*
 * Records the restored objects in the inventory: for each record whose object the snapshot's
 * inventory listed under the saved id, the entry comes back with the object's id now and the
 * hash of its restored content. One PATCH of the inventory block, only when it changes.
 */
static int record_inventory(struct cli_ctx *ctx, struct letta *api, const struct remote_state *rs,
			    const json_t *content, const json_t *records,
			    const struct apply_result *res, struct lease *lease, struct ls_error *err)
{
	const char *project = cli_project_slug(ctx);
	const json_t *inv = own_find_inventory(rs->blocks, project), *r;
	json_t *entries, *before, *value, *body, *out = NULL;
	const json_t *saved = json_object_get(content, "inventory");
	size_t i, j;
	char *text;
	int ret;

	if (!inv) {
		output_warn(ctx, "project '%s' has no inventory: nothing recorded", project);
		return 0;
	}
	entries = own_inventory_entries(inv);
	before = json_deep_copy(entries);
	json_array_foreach(records, i, r) {
		int kind = own_kind_parse(jsonx_get_str(r, "kind"));
		long action = (long)json_integer_value(json_object_get(r, "action"));
		const char *name = jsonx_get_str(r, "name"), *now = jsonx_get_str(r, "id");
		const json_t *old;
		json_t *e, *x;

		if (kind < 0)
			continue;
		if (action >= 0) {
			if (!res->status || res->status[action] != APPLY_DONE || !res->ids[action])
				continue;
			now = res->ids[action];
		}
		old = own_inventory_find(saved, (enum res_kind)kind, name);
		if (!old || !now || !jsonx_get_str(old, "id") ||
		    strcmp(jsonx_get_str(old, "id"), jsonx_get_str(r, "old_id")))
			continue;
		e = json_deep_copy(old);
		json_object_set_new(e, "id", json_string(now));
		if (jsonx_get_str(r, "hash") && *jsonx_get_str(r, "hash")) {
			json_object_set(e, "hash", json_object_get(r, "hash"));
			own_hash_stamp(e, own_hash_version_of(r));
		}
		json_array_foreach(entries, j, x)
			if (!strcmp(jsonx_get_str(x, "kind") ? jsonx_get_str(x, "kind") : "",
				    jsonx_get_str(r, "kind")) &&
			    !strcmp(jsonx_get_str(x, "name") ? jsonx_get_str(x, "name") : "", name))
				break;
		if (j < json_array_size(entries))
			json_array_set_new(entries, j, e);
		else
			json_array_append_new(entries, e);
	}
	if (json_equal(before, entries)) {
		json_decref(before);
		json_decref(entries);
		return 0;
	}
	if ((ret = lease_take(lease, err)) < 0) {
		json_decref(before);
		json_decref(entries);
		return ret;
	}
	value = json_pack("{s:i, s:s, s:o}", "version", 1, "project", project, "objects", entries);
	text = json_dumps(value, JSON_COMPACT);
	json_decref(value);
	body = json_pack("{s:s}", "value", text);
	free(text);
	ret = letta_update(&out, api, LETTA_BLOCK, jsonx_get_str(inv, "id"), body, err);
	json_decref(body);
	json_decref(out);
	json_decref(before);
	if (ret < 0)
		ls_error_hint(err, "the objects are back; run the restore again to record them");
	return ret;
}

/* The file-level changes of a memory restore, as diff prints memory files. */
static void memory_human(struct buf *h, const char *name, const char *id, const json_t *files)
{
	buf_addf(h, "~ Agent %s: memory_files (%zu file(s) back as in snapshot %s)\n", name,
		 json_array_size(files), id);
	memfs_files_human(h, files);
}

struct memory_tally {
	size_t restored, failed;
};

/*
 * Step 6: each memory repository (MemFS) the snapshot holds is put back as one new commit on
 * the agent's main (repo/memfs_snapshot.h: never a force-push; what the agent committed since
 * stays). Runs after the agents got their tags back (the tag git-memory-enabled gives an agent
 * its repository). A dry run (and a real one first, to take the lease only when it pushes)
 * computes the file-level changes without pushing. done gets one entry per agent whose memory
 * changes (would change), human (may be NULL) their diffs.
 */
static void restore_memory(struct cli_ctx *ctx, const char *root, const char *id,
			   const json_t *content, const struct remote_state *rs, const json_t *only,
			   const json_t *map, int dry, json_t *done, struct buf *human,
			   struct memory_tally *t, struct lease *lease)
{
	json_t *ag;
	size_t i;

	json_array_foreach(json_object_get(content, "agents"), i, ag) {
		const char *old = jsonx_get_str(ag, "id"), *name = jsonx_get_str(ag, "name");
		const char *now = old;
		struct memfs_git_opts o;
		struct memfs_restore_result res;
		struct ls_error e = LS_ERROR_INIT;
		struct buf url = BUF_INIT, cache = BUF_INIT, msg = BUF_INIT;
		char *bundle;
		json_t *entry = NULL;
		int rc;

		if (!old || !name || !snapshot_only(only, KIND_AGENT, name) ||
		    !(bundle = snapshot_memory_bundle(root, id, old)))
			continue;
		if (jsonx_get_str(map, old))
			now = jsonx_get_str(map, old);
		if (!remote_find_id(rs->agents, now)) {
			/* Gone: a dry run plans its import first; a real one could not bring it back. */
			if (dry)
				json_array_append_new(done, json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind",
								      "Agent", "name", name, "section",
								      "memory_files", "action", "create",
								      "reason", "pushed once the agent is re-created"));
			if (dry && human)
				buf_addf(human, "+ Agent %s: memory_files (pushed as in snapshot %s once the agent is re-created)\n",
					 name, id);
			free(bundle);
			continue;
		}
		memfs_git_opts_at(&o, &url, &cache, ctx, root, now);
		buf_addf(&msg, "letta-sync: restore memory of %s from snapshot %s\n", name, id);
		o.message = msg.buf;
		rc = memfs_git_restore(&res, &o, bundle, id, &e);
		if (rc == 0 && !dry && json_array_size(res.files)) {
			memfs_restore_result_release(&res);
			o.push = 1;
			if ((rc = lease_take(lease, &e)) == 0)
				rc = memfs_git_restore(&res, &o, bundle, id, &e);
		}
		if (rc < 0) {
			const json_t *cur = remote_find_id(rs->agents, now);

			log_error("Agent/%s (%s): memory: %s", name, now, e.msg);
			if (cur && !jsonx_array_has_str(json_object_get(cur, "tags"), MEMFILES_TAG))
				log_error("Agent/%s has no tag '%s' now, so no memory repository: give "
					  "it the tag back (a sync of its manifest does) and run the "
					  "restore again",
					  name, MEMFILES_TAG);
			t->failed++;
			entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "Agent", "name",
					  name, "agent", now, "section", "memory_files", "action",
					  "update", "status", "failed", "error", e.msg);
		} else if (json_array_size(res.files)) {
			entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:s*, s:s*}", "kind",
					  "Agent", "name", name, "agent", now, "section",
					  "memory_files", "action", "update", "files", res.files,
					  "snapshot_head", res.snapshot, "base",
					  *res.base ? res.base : NULL, "commit",
					  *res.pushed ? res.pushed : NULL);
			if (!dry) {
				json_object_set_new(entry, "status", json_string("done"));
				t->restored++;
				output_line(ctx, "%srestored%s memory of Agent/%s (commit %.7s on the "
						 "agent's main, %zu file(s))",
					    output_color("green"), output_color("reset"), name,
					    res.pushed, json_array_size(res.files));
			} else if (human) {
				memory_human(human, name, id, res.files);
			}
		}
		if (entry)
			json_array_append_new(done, entry);
		memfs_restore_result_release(&res);
		free(bundle);
		buf_release(&url);
		buf_release(&cache);
		buf_release(&msg);
	}
}

int cmd_restore(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct letta *api = NULL;
	struct remote_state rs = REMOTE_STATE_INIT;
	struct plan p = PLAN_INIT;
	struct apply_result res = APPLY_RESULT_INIT;
	struct restore_opts ro;
	struct desired_state *ds = NULL;
	struct lease lease;
	json_t *meta = NULL, *content = NULL, *only = NULL, *records = NULL, *map = json_object();
	json_t *done = json_array(), *w;
	struct memory_tally mem = { 0, 0 };
	char *root = NULL;
	const char *id, *snap_project;
	size_t i, failed = 0, restored = 0;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync restore <id> [options]",
			     examples, &ctx->err);

	remote_state_init(&rs);
	memset(&lease, 0, sizeof(lease));
	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	lease.break_lease = opts_count(&o, "break-lease");
	if (o.nargs != 1) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "restore takes one snapshot id ('letta-sync snapshots' lists them)");
		goto out;
	}
	id = o.args[0];
	if ((ret = parse_only(&only, &o, &ctx->err)) < 0)
		goto out;
	root = cli_snapshot_root();
	if ((ret = snapshot_read(&meta, &content, root, id, &ctx->err)) < 0)
		goto out;
	if ((ret = cli_ctx_resolve(ctx, &ctx->err)) < 0)
		goto out;
	snap_project = jsonx_get_str(json_object_get(meta, "project"), "slug");
	if (snap_project && ctx->target.project.slug &&
	    strcmp(snap_project, ctx->target.project.slug)) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "snapshot %s was taken in project '%s', not '%s'", id, snap_project,
				   ctx->target.project.slug);
		ls_error_hint(&ctx->err, "run it with --project %s", snap_project);
		goto out;
	}
	if ((ret = cli_open_api_as_given(&api, ctx, &ctx->err)) < 0)
		goto out;
	if ((ret = apply_read_remote(&rs, api, &ctx->err)) < 0)
		goto out;
	ds = load_manifests(ctx);
	lease.r.ctx = ctx;
	lease.r.api = api;
	lease.r.rs = rs;
	if ((ret = bring_back_agents(ctx, api, root, id, content, &rs, only, ctx->g.dry_run, map,
				     done, &lease, &ctx->err)) < 0)
		goto out;
	if (!ctx->g.dry_run && json_array_size(done)) {
		/* The imported agents (and their blocks) are planned against as they are now. */
		if ((ret = apply_read_remote(&rs, api, &ctx->err)) < 0)
			goto out;
		lease.r.rs = rs;
	}
	memset(&ro, 0, sizeof(ro));
	ro.project = cli_project_slug(ctx);
	ro.project_id = letta_project_id(api);
	ro.only = only;
	ro.agent_ids = map;
	ro.ds = ds;
	if ((ret = snapshot_restore_plan(&p, &records, content, &rs, &ro, &ctx->err)) < 0)
		goto out;
	json_array_foreach(p.warnings, i, w)
		output_warn(ctx, "%s", json_string_value(w));

	if (ctx->g.dry_run) {
		struct buf b = BUF_INIT, mh = BUF_INIT;
		size_t nimport = json_array_size(done), nmem;

		restore_memory(ctx, root, id, content, &rs, only, map, 1, done, &mh, &mem, &lease);
		nmem = json_array_size(done) - nimport - mem.failed;
		if (mem.failed)
			ret = ls_error_set(&ctx->err, LS_EFAIL,
					   "the memory of %zu agent(s) could not be read", mem.failed);
		if (ctx->g.json) {
			json_t *changes = render_diff_data(&p), *data;

			json_array_extend(changes, done);
			data = json_pack("{s:s, s:b, s:o}", "snapshot", id, "dry_run", 1, "changes",
					 changes);
			if (ret < 0) {
				output_error_details(ctx, &ctx->err, data);
				ctx->err_reported = 1;
			} else {
				output_json_ok(ctx, data, NULL);
			}
		} else {
			if (p.n || !nmem)
				render_diff_human(&b, &p, 0);
			fputs(b.buf, stdout);
			fputs(mh.buf, stdout);
			output_line(ctx, "Dry run: %zu object(s) and %zu agent memor%s to restore from %s%s",
				    p.n, nmem, nmem == 1 ? "y" : "ies", id,
				    nimport ? " (and agents to re-create)" : "");
		}
		buf_release(&b);
		buf_release(&mh);
		goto out;
	}

	if (p.n && (ret = lease_take(&lease, &ctx->err)) < 0)
		goto out;
	if (p.n)
		ret = apply_plan(&res, api, &p, &ctx->err);
	for (i = 0; i < p.n; i++) {
		const struct plan_action *a = &p.items[i];
		enum apply_status s = res.status ? res.status[i] : APPLY_SKIPPED;
		json_t *e = render_action_json(a);

		json_object_set_new(e, "status",
				    json_string(s == APPLY_DONE ? "done"
						: s == APPLY_FAILED || s == APPLY_BLOCKED ? "failed"
											  : "skipped"));
		json_object_set_new(e, "id", res.ids && res.ids[i] ? json_string(res.ids[i])
					     : a->id		    ? json_string(a->id)
								    : json_null());
		json_object_set_new(e, "error", s == APPLY_FAILED || s == APPLY_BLOCKED
							? json_string(res.errs[i].msg)
							: json_null());
		json_array_append_new(done, e);
		if (s == APPLY_FAILED || s == APPLY_BLOCKED) {
			failed++;
			log_error("%s/%s: %s", own_kind_name(a->kind), a->name, res.errs[i].msg);
		} else if (s == APPLY_DONE) {
			restored++;
			output_line(ctx, "%s%s%s %s/%s%s", output_color("green"),
				    a->change == CHANGE_CREATE ? "re-created"
				    : a->change == CHANGE_DELETE ? "removed"
				    : a->kind == KIND_AGENT   ? "restored"
							      : "put back",
				    output_color("reset"), own_kind_name(a->kind), a->name,
				    a->change == CHANGE_DELETE ? " (a copy the import made; the original is attached again)"
							       : "");
		}
	}
	if (ret == LS_EINTERRUPTED)
		goto report;
	ls_error_clear(&ctx->err);
	ret = 0;
	/* The memory repositories, once the agents have their tags (and so repositories) back. */
	restore_memory(ctx, root, id, content, &rs, only, map, 0, done, NULL, &mem, &lease);
	restored += mem.restored;
	failed += mem.failed;
	/* The inventory last: it records only what is back. */
	{
		struct ls_error e = LS_ERROR_INIT;

		if (record_inventory(ctx, api, &rs, content, records, &res, &lease, &e) < 0) {
			log_error("%s", e.msg);
			failed++;
		}
	}
	if (failed) {
		ret = ls_error_set(&ctx->err, LS_EFAIL, "%zu of %zu restore step(s) failed", failed,
				   p.n + 1 + mem.restored + mem.failed);
		ls_error_hint(&ctx->err, "run the restore again once the cause is fixed: what is "
					 "back stays, the rest is retried");
	}
report:
	if (ctx->g.json) {
		json_t *data = json_pack("{s:s, s:b, s:O, s:{s:I, s:I}}", "snapshot", id, "dry_run", 0,
					 "changes", done, "summary", "restored", (json_int_t)restored,
					 "failed", (json_int_t)failed);

		if (ret < 0) {
			output_error_details(ctx, &ctx->err, data);
			ctx->err_reported = 1;
		} else {
			output_json_ok(ctx, data, NULL);
		}
	} else if (ret == 0) {
		if (!p.n && !json_array_size(done))
			output_line(ctx, "Nothing to restore: everything in %s is in place", id);
		else
			output_line(ctx, "Restore complete: %zu object(s) restored from %s", restored,
				    id);
	}
out:
	if (lease.taken)
		reconcile_lease_release(&lease.r);
	json_decref(lease.r.lease);
	apply_result_release(&res);
	plan_release(&p);
	remote_state_release(&rs);
	if (ds) {
		desired_state_release(ds);
		free(ds);
	}
	letta_free(api);
	json_decref(meta);
	json_decref(content);
	json_decref(only);
	json_decref(records);
	json_decref(map);
	json_decref(done);
	free(root);
	opts_release(&o);
	return ret;
}
