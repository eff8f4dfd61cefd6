/*
 * sync: plan, then apply the plan in dependency order (shared resources, the inventory, then
 * agents) with bounded parallel requests. --dry-run sends no write request. One failing object
 * does not stop independent ones; each failure is reported and the run exits 1; running it
 * again converges.
 */
#include "cli/cli.h"
#include "cli/memfs_interactive.h"
#include "cli/memfs_recompile.h"
#include "cli/memfs_sync.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/reconcile.h"
#include "cli/render_diff.h"
#include "cli/rollout.h"
#include "cli/snapshot_save.h"
#include "core/ownership.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "concurrency", 0, OPT_VALUE, "<n>", "requests in flight at once (default 8)" },
	{ "force", 0, OPT_FLAG, NULL, "git wins: overwrite conflicts, move pinned agents, downgrade" },
	{ "prune", 0, OPT_FLAG, NULL, "delete orphans (inventory objects no manifest describes)" },
	{ "adopt", 0, OPT_FLAG, NULL, "take over unmarked objects that have a manifest's name" },
	{ "only", 0, OPT_MULTI, "<section>...", "agent sections to sync (default: all)" },
	{ "model", 0, OPT_VALUE, "<handle>", "model for agents whose template names none" },
	{ "embedding", 0, OPT_VALUE, "<handle>", "embedding for folders and agents without one" },
	{ "plan", 0, OPT_VALUE, "<file>", "apply exactly the plan diff --out saved, or refuse" },
	{ "break-lease", 0, OPT_FLAG, NULL, "take the project's lease even if another sync holds it" },
	{ "interactive", 0, OPT_FLAG, NULL, "on a terminal, decide each conflict: keep local, keep remote, diff, skip" },
	{ "no-snapshot", 0, OPT_FLAG, NULL, "take no snapshot before deleting or overwriting (no undo)" },
	{ "no-recompile", 0, OPT_FLAG, NULL, "do not recompile agents whose memory or system prompt changed" },
	{ "quiet", 'q', OPT_FLAG, NULL, "no progress display on a terminal" },
	/* Rollouts (cli/rollout.c): the agents' changes in waves, as upgrade --waves. */
	ROLLOUT_OPTS("apply the agents' changes in waves (1,10%,100%)",
		     "when the gate fails, restore what the waves changed"),
	OPT_END
};

static const char examples[] =
	"  letta-sync sync --dry-run\n"
	"  letta-sync sync\n"
	"  letta-sync sync --only memory_blocks tools --agent agent-123\n"
	"  letta-sync sync --prune --concurrency 16\n"
	"  letta-sync sync --plan plan.json\n"
	"  letta-sync sync --waves 1,10%,100% --gate ./smoke.sh --auto-rollback\n";

struct counts {
	size_t created, updated, deleted, unchanged, failed, conflicts, orphans, skipped;
};

static json_t *summary_json(const struct counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "created",
			 (json_int_t)c->created, "updated", (json_int_t)c->updated, "deleted",
			 (json_int_t)c->deleted, "unchanged", (json_int_t)c->unchanged, "failed",
			 (json_int_t)c->failed, "conflicts", (json_int_t)c->conflicts, "orphans",
			 (json_int_t)c->orphans, "skipped", (json_int_t)c->skipped);
}

static const char *status_name(enum apply_status s)
{
	switch (s) {
	case APPLY_DONE:
		return "done";
	case APPLY_FAILED:
		return "failed";
	case APPLY_BLOCKED:
		return "blocked";
	case APPLY_SKIPPED:
		return "skipped";
	default:
		return "pending";
	}
}

static void count(struct counts *c, const struct plan_action *a, enum apply_status s)
{
	if (a->change == CHANGE_CONFLICT || a->change == CHANGE_DOWNGRADE) {
		c->conflicts++;
		return;
	}
	/* Kept (an unmanaged agent uses it) even when prune detached it from managed agents. */
	if (a->change == CHANGE_ORPHAN && (a->skip || s == APPLY_DONE)) {
		c->orphans++;
		return;
	}
	if (s == APPLY_FAILED || s == APPLY_BLOCKED) {
		c->failed++;
		return;
	}
	if (s != APPLY_DONE) {
		c->skipped++;
		return;
	}
	if (a->change == CHANGE_CREATE)
		c->created++;
	else if (a->change == CHANGE_DELETE || a->change == CHANGE_ORPHAN)
		c->deleted++;
	else
		c->updated++;
}

static void label(struct buf *b, const struct plan_action *a)
{
	buf_addf(b, "%s/%s", own_kind_name(a->kind), a->name);
	if (a->section)
		buf_addf(b, " [%s]", a->section);
}

/* Whether an action failed on a 409 the client did not retry (no Retry-After). */
static int has_plain_conflict(const struct plan *p, const struct apply_result *res)
{
	size_t i;

	for (i = 0; res->status && i < p->n; i++)
		if (res->status[i] == APPLY_FAILED && res->errs[i].code == LS_ECONFLICT)
			return 1;
	return 0;
}

/*
 * The action whose 409 (without Retry-After) made action i fail: i itself, or for a blocked
 * action the failed action it waited for; -1 when i did not fail that way.
 */
static long refused_by(const struct plan *p, const struct apply_result *res, size_t i,
		       unsigned depth)
{
	const struct plan_action *a = &p->items[i];
	size_t j;

	if (!res->status || depth > p->n)
		return -1;
	if (res->status[i] == APPLY_FAILED)
		return res->errs[i].code == LS_ECONFLICT ? (long)i : -1;
	if (res->status[i] != APPLY_BLOCKED)
		return -1;
	for (j = 0; j < a->ndeps; j++) {
		enum apply_status s = res->status[a->deps[j]];

		if (s == APPLY_FAILED || s == APPLY_BLOCKED)
			return refused_by(p, res, a->deps[j], depth + 1);
	}
	return -1;
}

/*
 * Applies p, prints each outcome and adds it to c and changes. Returns apply_plan()'s code;
 * *first_fail gets the code of the first failed request. pass is 1 or 2: the failures of a
 * first pass that a 409 sends to a second are only traced (the second pass reports them), and
 * in a second pass, what a 409 refused again is reported as a conflict (docs/contract/PRODUCT.md section 3);
 * *only_409 is cleared when some failure is not one of those.
 */
static int run_pass(struct cli_ctx *ctx, const struct plan *p, struct letta *api,
		    struct apply_result *res, struct counts *c, json_t *changes,
		    enum ls_code *first_fail, int pass, int *only_409, int quiet)
{
	struct buf line = BUF_INIT;
	size_t i;
	int aret = 0, replanning;

	/* The progress line goes before the outcomes are printed. */
	if (plan_count_writes(p) > 0)
		aret = reconcile_apply(res, ctx, api, p, quiet, "sync", 0, &ctx->err);
	replanning = pass == 1 && aret == LS_EFAIL && has_plain_conflict(p, res);
	for (i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];
		enum apply_status s = res->status ? res->status[i]
				      : a->skip	  ? APPLY_SKIPPED
						  : APPLY_DONE;
		int failed = s == APPLY_FAILED || s == APPLY_BLOCKED;
		long root = failed && pass == 2 ? refused_by(p, res, i, 0) : -1;
		json_t *e;

		/* Held back to the second pass, which plans and reports it (or hold_back_report). */
		if (pass == 1 && a->deferred)
			continue;

		if (failed && root < 0)
			*only_409 = 0;
		if (s == APPLY_FAILED && *first_fail == LS_EFAIL && res->errs[i].code)
			*first_fail = res->errs[i].code;
		if (failed && replanning) {
			log_verbose("%s/%s: %s (planned again)", own_kind_name(a->kind), a->name,
				    res->errs[i].msg);
			continue;
		}
		if (a->internal) {
			if (s == APPLY_FAILED && root < 0)
				log_error("%s: %s", a->name, res->errs[i].msg);
			continue;
		}
		if (a->change == CHANGE_DRIFT)
			continue;
		if (root >= 0) {
			/* Refused again after a re-read and a re-plan: someone else's change. */
			c->conflicts++;
			e = render_action_json(a);
			json_object_set_new(e, "action", json_string("conflict"));
			json_object_set_new(e, "status", json_string(status_name(s)));
			json_object_set_new(e, "id", a->id ? json_string(a->id) : json_null());
			json_object_set_new(e, "error", json_string(res->errs[root].msg));
			json_array_append_new(changes, e);
			buf_reset(&line);
			label(&line, a);
			output_warn(ctx, "conflict %s: the server refused it again after a re-read "
					 "and a re-plan: %s",
				    line.buf, res->errs[root].msg);
			continue;
		}
		count(c, a, s);
		e = render_action_json(a);
		json_object_set_new(e, "status", json_string(status_name(s)));
		json_object_set_new(e, "id", res->ids && res->ids[i] ? json_string(res->ids[i])
								      : a->id ? json_string(a->id)
									      : json_null());
		json_object_set_new(e, "error", failed ? json_string(res->errs[i].msg) : json_null());
		json_array_append_new(changes, e);
		buf_reset(&line);
		label(&line, a);
		if (failed) {
			log_error("%s: %s", line.buf, res->errs[i].msg);
		} else if (a->change == CHANGE_CONFLICT || a->change == CHANGE_DOWNGRADE) {
			output_warn(ctx, "%s %s: %s", plan_change_name(a->change), line.buf,
				    a->reason ? a->reason : "");
		} else if (a->change == CHANGE_ORPHAN) {
			/* Left in place: reported with why, also when prune detached it. */
			output_line(ctx, "%s%s%s %s: %s", output_color("dim"),
				    a->skip ? "orphan" : "detached", output_color("reset"), line.buf,
				    a->reason ? a->reason : "");
		} else if (s == APPLY_DONE) {
			output_line(ctx, "%s%s%s %s",
				    output_color(a->change == CHANGE_CREATE ? "green"
						 : a->change == CHANGE_UPDATE ? "yellow"
									      : "red"),
				    a->change == CHANGE_CREATE	 ? "created"
				    : a->change == CHANGE_UPDATE ? "updated"
				    : a->change == CHANGE_DELETE ? "deleted"
								 : "detached",
				    output_color("reset"), line.buf);
		}
	}
	buf_release(&line);
	return aret;
}

/*
 * The first pass holds back the actions that wait for what it makes (plan_action.deferred): a
 * second pass plans them complete, so that an object gets one action. Returns how many.
 */
static size_t hold_back(struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		if (p->items[i].deferred && !p->items[i].skip) {
			p->items[i].skip = 1;
			n++;
		}
	return n;
}

/* No second pass ran (the first failed): what was held back is reported as not applied. */
static void hold_back_report(struct cli_ctx *ctx, const struct plan *p, struct counts *c,
			     json_t *changes)
{
	struct buf line = BUF_INIT;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];
		json_t *e;

		if (!a->deferred || a->internal)
			continue;
		c->skipped++;
		e = render_action_json(a);
		json_object_set_new(e, "status", json_string("skipped"));
		json_object_set_new(e, "id", a->id ? json_string(a->id) : json_null());
		json_object_set_new(e, "error", json_null());
		json_array_append_new(changes, e);
		buf_reset(&line);
		label(&line, a);
		output_warn(ctx, "%s not applied: it waits for the MCP server tools this run was to make; run sync again",
			    line.buf);
	}
	buf_release(&line);
}

/*
 * --interactive: asks about each conflict on the terminal. "local" (git wins) adds the object
 * to r->force_names; "remote" and "skip" leave it (remote: pull brings it into git). Returns 1
 * when some answer needs a new plan, 0 when none, or a negative ls_code.
 */
static int ask_conflicts(struct reconcile *r, struct cli_ctx *ctx)
{
	char line[64];
	size_t i;
	int replan = 0;

	for (i = 0; i < r->plan.n; i++) {
		const struct plan_action *a = &r->plan.items[i];
		struct buf key = BUF_INIT;

		if (a->change != CHANGE_CONFLICT || a->agent)
			continue;
		for (;;) {
			fprintf(stderr, "%s/%s: %s\n  [l]ocal (git wins), [r]emote (keep it), [d]iff, [s]kip? ",
				own_kind_name(a->kind), a->name, a->reason ? a->reason : "conflict");
			fflush(stderr);
			if (!fgets(line, sizeof(line), stdin))
				return ls_error_set(&ctx->err, LS_EINTERRUPTED,
						    "no answer for %s/%s", own_kind_name(a->kind),
						    a->name);
			if (line[0] == 'd') {
				struct plan one;
				struct buf out = BUF_INIT;

				memset(&one, 0, sizeof(one));
				one.items = (struct plan_action *)a;
				one.n = 1;
				render_diff_human(&out, &one, 0);
				fputs(out.buf, stderr);
				buf_release(&out);
				continue;
			}
			if (line[0] == 'l' || line[0] == 'r' || line[0] == 's')
				break;
		}
		if (line[0] == 'l') {
			if (!r->force_names)
				r->force_names = json_object();
			buf_addf(&key, "%s/%s", own_kind_name(a->kind), a->name);
			json_object_set_new(r->force_names, key.buf, json_true());
			buf_release(&key);
			replan = 1;
		} else if (line[0] == 'r') {
			output_warn(ctx, "%s/%s: kept as it is on the server; 'letta-sync pull' brings "
					 "it into git",
				    own_kind_name(a->kind), a->name);
		}
	}
	return replan;
}

/* What sync's passes share (the arg of its reconcile_pass() callbacks). */
struct sync_run {
	struct cli_ctx *ctx;
	struct apply_result res;
	struct counts *c;        /* this pass's counts */
	json_t *changes, *snaps; /* every outcome; the snapshots taken */
	enum ls_code first_fail;
	int pass, only_409, quiet, no_snapshot;
	int aret;                /* apply_plan()'s code */
	size_t deferred;         /* actions the first pass held back */
	json_t *mem_agents;      /* agents whose memory the snapshot bundles, or NULL */
};

/* Before the lease: what this pass deletes or overwrites is saved (a snapshot). */
static int sync_snapshot(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct sync_run *s = arg;
	char *snap_id = NULL;
	int ret = cli_snapshot_before_memory(s->ctx, r->api, &r->rs, &r->plan, s->mem_agents,
					     "sync", r->commit, s->no_snapshot, &snap_id, err);

	if (ret < 0) {
		reconcile_lease_finish(r, NULL); /* a second pass holds the first's */
		return ret;
	}
	if (snap_id)
		json_array_append_new(s->snaps, json_string(snap_id));
	free(snap_id);
	return 0;
}

/* Applies a pass and reports it; the first holds back what waits for the second. */
static int sync_apply(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct sync_run *s = arg;

	(void)err; /* run_pass() reports into ctx->err */
	if (s->pass == 1)
		s->deferred = hold_back(&r->plan);
	s->aret = run_pass(s->ctx, &r->plan, r->api, &s->res, s->c, s->changes, &s->first_fail,
			   s->pass, &s->only_409, s->quiet);
	return 0;
}

/* Removes the failed and blocked outcomes of a first pass (the second pass reports them). */
static void drop_failures(json_t *changes)
{
	size_t i = 0;

	while (i < json_array_size(changes)) {
		const char *st = jsonx_get_str(json_array_get(changes, i), "status");

		if (st && (!strcmp(st, "failed") || !strcmp(st, "blocked")))
			json_array_remove(changes, i);
		else
			i++;
	}
}

/*
 * sync --force over overlapping memory edits overwrites what the agent wrote, and sync --prune
 * removes memory files (issue 27): the agents whose memory files are in conflict (with
 * PLAN_FORCE in flags) or have files to prune (PLAN_PRUNE), found by a merge without --force
 * that pushes nothing (one fetch each), are saved, with their memory repositories, before the
 * first write. Their remote JSON objects, a new reference.
 */
static json_t *memory_overwrites(struct memfs_run *mem, struct reconcile *r, unsigned flags)
{
	json_t *probe = json_array(), *out = json_array(), *c;
	struct buf human = BUF_INIT;
	struct ls_error e = LS_ERROR_INIT;
	size_t i;

	if (memfs_apply(mem, r, 0, 0, probe, &human, &e) < 0)
		ls_error_clear(&e);
	mem->changed = mem->conflicts = mem->failed = 0;
	json_array_foreach(probe, i, c) {
		const char *action = json_string_value(json_object_get(c, "action"));
		const char *id = json_string_value(json_object_get(c, "agent"));
		const json_t *ag = id ? remote_find_id(r->rs.agents, id) : NULL;

		const json_t *f;
		size_t j;
		int removes = 0;

		json_array_foreach(json_object_get(c, "files"), j, f) {
			const char *change = jsonx_get_str(f, "change");

			removes |= change && !strcmp(change, "delete");
		}
		if (ag && (((flags & PLAN_FORCE) && action && !strcmp(action, "conflict")) ||
			   ((flags & PLAN_PRUNE) && removes)))
			json_array_append(out, (json_t *)ag);
	}
	buf_release(&human);
	json_decref(probe);
	return out;
}

/* --waves and its options (rollout.h); *on tells whether --waves was given. */
static int sync_waves_opts(struct rollout *rw, int *on, const struct opts *o, struct ls_error *err)
{
	if (opts_value(o, "waves") &&
	    (opts_value(o, "plan") || opts_count(o, "interactive") || opts_count(o, "no-snapshot")))
		return ls_error_set(err, LS_EUSAGE, "'--waves' cannot be used with '--plan', "
						    "'--interactive' or '--no-snapshot'");
	return rollout_init_opts(rw, on, o, err);
}

int cmd_sync(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct reconcile r;
	struct reconcile_opts ro = { 0, 0, NULL, NULL, 0, 0, 0, 0 };
	struct reconcile_pass pass;
	struct sync_run sr = { 0 };
	struct counts c, c2;
	struct buf out = BUF_INIT;
	json_t *changes = NULL, *saved = NULL, *snaps = json_array(), *recompiled = NULL;
	struct memfs_run mem = { NULL, 0, 0, 0, 0, NULL, 0, NULL };
	int conc = 8, ret, aret = 0;
	size_t i;
	json_t *waves_json = NULL;
	struct rollout rw;
	int waves = 0;
	int ret0 = opts_parse(&o, spec, argc, argv, ctx, "letta-sync sync [options]", examples,
			      &ctx->err);

	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	memset(&sr, 0, sizeof(sr));
	memset(&rw, 0, sizeof(rw));
	ret = ret0;
	if (ret) {
		ret = ret > 0 ? 0 : ret; /* --help */
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	if ((ret = opts_int(&conc, &o, "concurrency", 8, 1, 256, &ctx->err)) < 0)
		goto out;
	if ((ret = reconcile_parse_only(&ro.sections, &o, &ctx->err)) < 0)
		goto out;
	/* --concurrency, when given, wins over LETTA_SYNC_CONCURRENCY (cli_open_api()). */
	if (opts_count(&o, "concurrency"))
		ctx->concurrency = conc;
	reconcile_parse_plan_opts(&ro, &o);
	if (!ctx->g.dry_run) {
		ro.plan_flags |= PLAN_NEED_SECRETS;
		ro.create_project = 1;
	}
	if ((ret = sync_waves_opts(&rw, &waves, &o, &ctx->err)) < 0)
		goto out;
	if (opts_value(&o, "plan") &&
	    (ret = reconcile_load_plan(&saved, &ro, opts_value(&o, "plan"), &ctx->err)) < 0)
		goto out;
	if ((ret = reconcile_prepare(&r, ctx, &ro, &ctx->err)) < 0)
		goto out;
	if (saved && (ret = reconcile_check_plan(&r, saved, &ctx->err)) < 0)
		goto out;
	/* Memory files (issue 25): read and checked before anything is sent. */
	if ((ret = memfs_load(&mem, &r, &ctx->err)) < 0)
		goto out;
	mem.concurrency = conc;
	if (opts_count(&o, "interactive") && !ctx->g.dry_run) {
		if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
			ret = ls_error_set(&ctx->err, LS_EUSAGE,
					   "--interactive needs a terminal; use --force or resolve the "
					   "conflicts in git");
			goto out;
		}
		if ((ret = ask_conflicts(&r, ctx)) < 0)
			goto out;
		if (ret > 0 && (ret = reconcile_replan(&r, &ctx->err)) < 0)
			goto out;
		/* Memory files in conflict, file by file (issue 25). */
		if ((ret = memfs_ask(&mem, &r, ctx)) < 0)
			goto out;
		ret = 0;
	}

	if (waves && ctx->g.dry_run) /* the waves, on stderr and in data.waves */
		waves_json = rollout_plan_waves(&rw, &r.plan, r.rs.agents);
	if (waves_json)
		rollout_log_waves(waves_json);
	if (ctx->g.dry_run) {
		size_t n[CHANGE_DRIFT + 1] = { 0 }, nconf;
		json_t *data;
		json_t *mchanges = json_array();
		struct buf mhuman = BUF_INIT;

		if ((ret = memfs_apply(&mem, &r, 0, (ro.plan_flags & PLAN_FORCE) != 0, mchanges,
				       &mhuman, &ctx->err)) < 0) {
			json_decref(mchanges);
			buf_release(&mhuman);
			goto out;
		}
		n[CHANGE_UPDATE] += mem.changed;
		n[CHANGE_CONFLICT] += mem.conflicts;

		for (i = 0; i < r.plan.n; i++)
			if (!r.plan.items[i].internal)
				n[r.plan.items[i].change]++;
		nconf = n[CHANGE_CONFLICT] + n[CHANGE_DOWNGRADE];
		/*
		 * The dry run ends as the real run would (issue 20): conflicts and downgrades
		 * left alone make it fail with CONFLICT, exit 1.
		 */
		if (nconf) {
			ls_error_set(&ctx->err, LS_ECONFLICT,
				     "%zu object(s) in conflict would be left alone", nconf);
			ls_error_hint(&ctx->err, "sync --force makes git win");
			ret = LS_ECONFLICT;
		}
		if (ctx->g.json) {
			data = json_pack("{s:b, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o}", "dry_run", 1,
					 "summary", "create", (json_int_t)n[CHANGE_CREATE], "update",
					 (json_int_t)n[CHANGE_UPDATE], "delete",
					 (json_int_t)n[CHANGE_DELETE], "unchanged",
					 (json_int_t)r.plan.unchanged, "conflicts", (json_int_t)nconf,
					 "orphans", (json_int_t)n[CHANGE_ORPHAN], "changes",
					 render_diff_data(&r.plan));
			json_array_extend(json_object_get(data, "changes"), mchanges);
			if (ret < 0) {
				output_error_details(ctx, &ctx->err, data);
				ctx->err_reported = 1;
			} else {
				if (waves_json)
					json_object_set(data, "waves", waves_json);
				output_json_ok(ctx, data, render_diff_info(&r.plan));
			}
		} else {
			render_diff_human(&out, &r.plan, 0);
			fputs(out.buf, stdout);
			if (mhuman.len)
				fputs(mhuman.buf, stdout);
			output_line(ctx, "Dry run summary: %zu to create, %zu to update, %zu to delete, "
					 "%zu unchanged, %zu conflict(s)",
				    n[CHANGE_CREATE], n[CHANGE_UPDATE], n[CHANGE_DELETE],
				    r.plan.unchanged, nconf);
		}
		json_decref(mchanges);
		buf_release(&mhuman);
		goto out;
	}

	changes = json_array();
	c.unchanged = r.plan.unchanged;
	if (waves) {
		recompiled = json_array();
		rw.recompiled = opts_count(&o, "no-recompile") ? NULL : recompiled;
		ret = rollout_sync(&rw, &r, opts_count(&o, "break-lease") > 0, changes, snaps,
				   &ctx->err);
		if (ret == 0 && (ret = memfs_apply(&mem, &r, 1, (ro.plan_flags & PLAN_FORCE) != 0,
						   changes, NULL, &ctx->err)) == 0 && mem.failed)
			ret = ls_error_set(&ctx->err, LS_EFAIL, "%zu memory file push(es) failed",
					   mem.failed);
		if (ctx->g.json && ret == 0) {
			output_json_ok(ctx, json_pack("{s:b, s:O, s:O, s:O}", "dry_run", 0, "changes",
						      changes, "snapshots", snaps, "recompiled",
						      recompiled),
				       NULL);
		} else if (ctx->g.json) {
			output_error_details(ctx, &ctx->err,
					     json_pack("{s:O, s:O}", "changes", changes, "snapshots",
						       snaps));
			ctx->err_reported = 1;
		} else if (ret == 0) {
			output_line(ctx, "Sync complete in %zu wave(s): %zu change(s)", rw.nwaves,
				    json_array_size(changes));
		}
		goto out;
	}
	/*
	 * read -> plan (done above) -> snapshot -> lease -> apply: what this run deletes or
	 * overwrites is saved before its first write, and the lease is held while it writes.
	 */
	sr.ctx = ctx;
	sr.c = &c;
	sr.changes = changes;
	sr.snaps = snaps;
	sr.first_fail = LS_EFAIL;
	sr.pass = 1;
	sr.only_409 = 1;
	sr.quiet = opts_count(&o, "quiet");
	sr.no_snapshot = opts_count(&o, "no-snapshot");
	/* --force over memory edits, --prune of memory files: the agents' memory is saved. */
	sr.mem_agents = (ro.plan_flags & (PLAN_FORCE | PLAN_PRUNE)) && mem.n && !sr.no_snapshot
				? memory_overwrites(&mem, &r, ro.plan_flags)
				: NULL;
	memset(&pass, 0, sizeof(pass));
	pass.before = sync_snapshot;
	pass.apply = sync_apply;
	pass.arg = &sr;
	pass.lease = 1;
	pass.break_lease = opts_count(&o, "break-lease");
	ret = reconcile_pass(&r, &pass, &ctx->err);
	json_decref(sr.mem_agents);
	sr.mem_agents = NULL;
	if (ret < 0)
		goto out;
	aret = sr.aret;
	if ((aret == 0 && !c.failed && r.plan.replan) ||
	    (aret == LS_EFAIL && has_plain_conflict(&r.plan, &sr.res))) {
		/*
		 * A second pass: objects created in the first (MCP servers' tools) complete the
		 * plan, or a 409 without Retry-After (someone changed the object meanwhile) is
		 * re-read and re-planned once (docs/contract/PRODUCT.md section 3). Its outcome replaces the
		 * first pass's failures.
		 */
		drop_failures(changes);
		c.failed = 0;
		sr.first_fail = LS_EFAIL;
		apply_result_release(&sr.res);
		memset(&c2, 0, sizeof(c2));
		sr.c = &c2;
		sr.pass = 2;
		sr.only_409 = 1;
		pass.read = reconcile_read_kinds(&r);
		pass.plan = reconcile_plan;
		if ((ret = reconcile_pass(&r, &pass, &ctx->err)) < 0)
			goto out;
		aret = sr.aret;
		c.created += c2.created;
		c.updated += c2.updated;
		c.deleted += c2.deleted;
		c.failed = c2.failed;
		c.conflicts = c2.conflicts;
		c.orphans = c2.orphans;
		c.skipped += c2.skipped;
	} else if (sr.deferred) {
		hold_back_report(ctx, &r.plan, &c, changes);
	}
	/*
	 * Memory files (issue 25) after the agents' own changes (which give a new agent its
	 * repository through the git-memory-enabled tag): one commit and push per agent.
	 */
	if (aret != LS_EINTERRUPTED) {
		int mret = memfs_apply(&mem, &r, 1, (ro.plan_flags & PLAN_FORCE) != 0, changes,
				       NULL, &ctx->err);

		if (mret == LS_EINTERRUPTED)
			aret = mret;
		c.updated += mem.changed;
		c.conflicts += mem.conflicts;
		c.failed += mem.failed;
	}
	/* Running agents see memory and system changes after a recompile (issue 25). */
	if (aret != LS_EINTERRUPTED && !opts_count(&o, "no-recompile")) {
		json_t *ids = memfs_recompile_targets(changes);

		recompiled = memfs_recompile(ctx, r.api, ids);
		json_decref(ids);
	}
	/* The inventory's rewrite released the lease when it was the last write and succeeded. */
	reconcile_lease_finish(&r, &sr.res);
	if (aret == LS_EINTERRUPTED) {
		ret = aret;
	} else if (c.failed || (aret < 0 && !(aret == LS_EFAIL && sr.only_409 && c.conflicts))) {
		ls_error_clear(&ctx->err);
		ls_error_set(&ctx->err, sr.first_fail, "%zu of %zu change(s) failed", c.failed,
			     c.created + c.updated + c.deleted + c.failed);
		ls_error_hint(&ctx->err, "run sync again once the cause is fixed: it converges");
		ret = LS_EFAIL;
	} else if (c.conflicts) {
		ls_error_set(&ctx->err, LS_ECONFLICT,
			     "%zu object(s) in conflict were left alone", c.conflicts);
		ls_error_hint(&ctx->err, "sync --force makes git win");
		ret = LS_ECONFLICT;
	}
	if (!ctx->g.json) {
		if (ret < 0)
			output_line(ctx, "Sync completed with errors: %zu created, %zu updated, "
					 "%zu deleted, %zu unchanged, %zu failed, %zu conflict(s)",
				    c.created, c.updated, c.deleted, c.unchanged, c.failed,
				    c.conflicts);
		else if (!c.created && !c.updated && !c.deleted)
			output_line(ctx, "Already in sync. No changes needed. (%zu unchanged)",
				    c.unchanged);
		else
			output_line(ctx, "Sync complete: %zu created, %zu updated, %zu deleted, "
					 "%zu unchanged",
				    c.created, c.updated, c.deleted, c.unchanged);
	} else if (ret == 0) {
		output_json_ok(ctx,
			       json_pack("{s:b, s:o, s:o, s:O, s:O*}", "dry_run", 0, "summary",
					 summary_json(&c), "changes", json_incref(changes),
					 "snapshots", snaps, "recompiled", recompiled),
			       render_diff_info(&r.plan));
	} else {
		output_error_details(ctx, &ctx->err,
				     json_pack("{s:o, s:o, s:O, s:O*}", "summary", summary_json(&c),
					       "changes", json_incref(changes), "snapshots", snaps,
					       "recompiled", recompiled));
		ctx->err_reported = 1;
	}
out:
	rollout_release(&rw);
	json_decref(waves_json);
	json_decref(recompiled);
	memfs_run_release(&mem);
	json_decref(saved);
	json_decref(snaps);
	json_decref(changes);
	apply_result_release(&sr.res);
	buf_release(&out);
	reconcile_release_at_exit(&r);
	opts_release(&o);
	return ret;
}
