/*
 * upgrade: moves managed agents to a version of the config repository (a semver git tag, read
 * from git's objects without touching the work tree), chosen by channel (--channel, else the
 * agent's channel: tag, else stable) or --target. The same planner as sync computes the
 * changes, limited to agent sections, with the desired state of that version; shared
 * resources the version needs are created when missing, existing ones change only through
 * sync. Breaking changes and downgrades need a confirmation on a terminal or --yes. --check
 * reports; on success the agent's version:<v> tag records the version.
 */
#include "api/apply.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/memfs_upgrade.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/reconcile.h"
#include "cli/rollout.h"
#include "cli/render_diff.h"
#include "cli/snapshot_save.h"
#include "core/ownership.h"
#include "core/upgrade.h"
#include "repo/config.h"
#include "repo/git.h"
#include "repo/settings.h"
#include "util/buf.h"
#include "util/interrupt.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "check", 0, OPT_FLAG, NULL, "report current and available versions and the changes" },
	{ "exit-code", 0, OPT_FLAG, NULL, "with --check or --dry-run: exit 2 when an upgrade is available" },
	{ "target", 0, OPT_VALUE, "<version>", "move to this version (2.0.0 or v2.0.0), on any channel" },
	{ "yes", 'y', OPT_FLAG, NULL, "apply breaking changes and downgrades without asking" },
	{ "all", 0, OPT_FLAG, NULL, "every managed agent of the project" },
	{ "concurrency", 0, OPT_VALUE, "<n>", "requests in flight at once (default 8)" },
	{ "fail-fast", 0, OPT_FLAG, NULL, "start no new agent after the first failure" },
	{ "break-lease", 0, OPT_FLAG, NULL, "take the project's lease even if another run holds it" },
	{ "no-snapshot", 0, OPT_FLAG, NULL, "take no snapshot before a breaking change (no undo)" },
	{ "quiet", 'q', OPT_FLAG, NULL, "no progress display on a terminal" },
	/* Rollouts (cli/rollout.c). */
	ROLLOUT_OPTS("with --all: upgrade in waves (1,10%,100%), the last 100%",
		     "when the gate fails, restore every agent moved"),
	{ "resume", 0, OPT_FLAG, NULL, "continue the project's unfinished rollout" },
	{ "abort", 0, OPT_FLAG, NULL, "end the unfinished rollout, restoring every agent it moved" },
	OPT_END
};

static const char examples[] =
	"  letta-sync upgrade --check                # the pinned agent (lastAgent)\n"
	"  letta-sync upgrade --agent agent-123 --channel beta\n"
	"  letta-sync upgrade --agent agent-123 --target v2.0.0 --yes\n"
	"  letta-sync upgrade --all --check --json | jq '.data[] | select(.breaking)'\n"
	"  letta-sync upgrade --all --concurrency 16 --fail-fast\n"
	"  letta-sync upgrade --all --waves 1,10%,100% --gate ./smoke.sh --auto-rollback\n"
	"  letta-sync upgrade --resume               # after an interrupted rollout\n";

enum agent_status {
	ST_UP_TO_DATE = 0,
	ST_PENDING,   /* to be upgraded */
	ST_UPGRADED,
	ST_REFUSED,   /* breaking without confirmation */
	ST_FAILED,
	ST_NOT_STARTED, /* --fail-fast stopped before it */
	ST_SKIPPED,   /* nothing to upgrade: no template describes it (bootstrap --minimal) */
	ST_WAITING,     /* in a later wave of a rollout */
	ST_ROLLED_BACK, /* moved, then restored after a failing gate */
};

static const char *status_name(enum agent_status s)
{
	static const char *const names[] = { "up_to_date", "pending", "upgraded",
					     "refused", "failed", "not_started", "skipped",
					     "waiting", "rolled_back" };
	return names[s];
}

struct upgrade_agent {
	json_t *wire;           /* the agent as read (a reference: the remote state is re-read) */
	const char *id, *name;
	struct upgrade_target t;
	size_t group;           /* index into versions of t.available, when it moves */
	json_t *changes;        /* diff-shaped changes */
	int breaking;
	struct buf why;         /* the breaking parts */
	enum agent_status status;
	struct ls_error err;
	const char *skip_reason; /* ST_SKIPPED: why (static text) */
	size_t wave; /* a rollout's wave (0-based), when in_rollout */
	int in_rollout;
	int not_newer; /* rollback: its version is not newer than --to (nothing to roll back) */
};

struct upgrade {
	struct cli_ctx *ctx;
	struct letta *api;
	struct remote_state rs;
	struct git_version *versions;
	size_t nversions;
	const char **vnames; /* versions[i].version */
	struct upgrade_agent *agents;
	size_t n;
	char *pinned; /* lastAgent of .letta/settings.local.json, when no agent was named */
	int dry_run, yes, fail_fast, conc, stop, break_lease, no_snapshot, quiet;
	long writes;
	/*
	 * The run as cli/reconcile.c's passes see it: the project's lease (taken before the
	 * first write) and each group's plan. It borrows api and rs (re-read between groups).
	 */
	struct reconcile lease;
	struct rollout ro; /* --waves */
	int rolling;
	int resume, abort; /* --resume, --abort: the rollout recorded in the inventory */
	int rollback;      /* the rollback command (cmd_rollback.c): downgrades to --target only */
	size_t start_wave; /* --resume: the first wave whose gate did not pass */
};

/*
 * Takes the project's lease outside a group's pass (--resume holds it from the start, its
 * first step may be a gate; an unfinished rollout is checked under it). p's rewrite of the
 * inventory, if any, keeps it.
 */
static int lease_for(struct upgrade *u, struct plan *p, struct ls_error *err)
{
	int was = u->lease.leased, ret;
	struct plan own = u->lease.plan; /* the pass's (empty) plan, kept */

	u->lease.ctx = u->ctx;
	u->lease.api = u->api;
	u->lease.rs = u->rs;
	u->lease.plan = *p;
	ret = reconcile_lease_hold(&u->lease, u->break_lease, err);
	u->lease.plan = own;
	u->writes += u->lease.leased - was; /* the lease's own write */
	return ret;
}

static void lease_release(struct upgrade *u)
{
	u->lease.rs = u->rs;
	reconcile_lease_finish(&u->lease, NULL);
}

/* The inventory block as read (the rollout's record lives in its metadata). */
static json_t *inventory(struct upgrade *u)
{
	return (json_t *)own_find_inventory(u->rs.blocks, cli_project_slug(u->ctx));
}

/* Writes the rollout's record (rollout.h), keeping the lease while the run holds it. */
static int save_state(struct upgrade *u)
{
	return rollout_state_save(&u->ro, u->api, inventory(u), u->lease.leased ? u->lease.lease : NULL,
				  &u->ctx->err);
}

/* The rollout's gates and waits renew the lease (a wait may outlast it). */
static int renew_lease(void *arg)
{
	struct upgrade *u = arg;
	struct ls_error err = LS_ERROR_INIT;

	if (!u->lease.leased)
		return 0;
	u->lease.rs = u->rs;
	return reconcile_lease_renew(&u->lease, &err);
}

/* Tags of an agent as strings (borrowed from the JSON); caller frees the array. */
static const char **tags_of(const json_t *agent, size_t *n)
{
	const json_t *tags = json_object_get(agent, "tags"), *t;
	const char **out = xcalloc(json_array_size(tags) + 1, sizeof(*out));
	size_t i;

	*n = 0;
	json_array_foreach(tags, i, t)
		if (json_is_string(t))
			out[(*n)++] = json_string_value(t);
	return out;
}

/* Which agents: --all, --agent (id or name), else the pinned one. */
static int select_agents(struct upgrade *u, int all, struct ls_error *err)
{
	const char *want = u->ctx->target.agent ? u->ctx->target.agent : u->pinned;
	const json_t *a;
	size_t i;

	u->agents = xcalloc(json_array_size(u->rs.agents) + 1, sizeof(*u->agents));
	json_array_foreach(u->rs.agents, i, a)
	{
		const char *id = jsonx_get_str(a, "id"), *name = jsonx_get_str(a, "name");
		struct upgrade_agent *ua;

		if (!id)
			continue;
		if (all ? !own_agent_is_managed(a)
			: !((id && !strcmp(id, want)) || (name && !strcmp(name, want))))
			continue;
		if (!all && !own_agent_is_managed(a)) {
			ls_error_set(err, LS_EINVALID, "agent '%s' is not managed by letta-sync", want);
			ls_error_hint(err, "sync or bootstrap manages agents (tag managed:letta-sync)");
			return LS_EINVALID;
		}
		ua = &u->agents[u->n++];
		ua->wire = json_incref((json_t *)a);
		ua->id = id;
		ua->name = name ? name : id;
		ua->changes = json_array();
		buf_init(&ua->why);
		if (!all)
			break;
	}
	if (!all && !u->n) {
		ls_error_set(err, LS_ENOTFOUND, "agent '%s' not found in the project", want);
		ls_error_hint(err, "%s", !u->ctx->target.agent ? "the pinned agent (lastAgent in "
						  ".letta/settings.local.json) is gone; give --agent"
						: "check the id with 'letta-sync status'");
		return LS_ENOTFOUND;
	}
	return 0;
}

/* The desired state of versions[vi], read at its tag; problems are printed. */
static int load_version(struct desired_state *out, struct upgrade *u, size_t vi,
			struct ls_error *err)
{
	struct diag_list diags = DIAG_LIST_INIT;
	const char *tag = u->versions[vi].tag;
	int ret = config_load_version(out, ".", tag, tag, &diags, err);

	output_diags(u->ctx, &diags, tag, ret < 0, err);
	if (ret < 0 && !err->where[0])
		snprintf(err->where, sizeof(err->where), "%s", tag);
	diag_list_release(&diags);
	return ret;
}

/*
 * Plans the agents of group vi (those moving to versions[vi]) against the current remote
 * state: the planner with PLAN_UPGRADE, agents limited to the group. p is initialised.
 */
static int plan_group(struct plan *p, struct upgrade *u, const struct desired_state *ds,
		      size_t vi, struct ls_error *err)
{
	struct cli_ctx *ctx = u->ctx;
	struct remote_state rs;
	struct plan_opts po;
	size_t i;
	json_t *w;
	int ret;

	rs.blocks = json_incref(u->rs.blocks);
	rs.tools = json_incref(u->rs.tools);
	rs.folders = json_incref(u->rs.folders);
	rs.mcp_servers = json_incref(u->rs.mcp_servers);
	rs.identities = json_incref(u->rs.identities);
	rs.agents = json_array();
	for (i = 0; i < u->n; i++)
		if (u->agents[i].status == ST_PENDING && u->agents[i].group == vi)
			json_array_append(rs.agents, u->agents[i].wire);

	memset(&po, 0, sizeof(po));
	po.project = ctx->target.project.slug ? ctx->target.project.slug
		     : ctx->target.project.id ? ctx->target.project.id
					      : "";
	po.project_id = letta_project_id(u->api);
	po.commit = u->versions[vi].commit;
	po.version = u->versions[vi].version;
	po.flags = PLAN_UPGRADE | PLAN_FORCE | (u->dry_run ? 0 : PLAN_NEED_SECRETS);
	po.secret = cli_secret_env;
	po.default_model = getenv("LETTA_DEFAULT_MODEL");
	if (!po.default_model || !*po.default_model)
		po.default_model = getenv("LETTA_MODEL");
	po.default_embedding = getenv("LETTA_DEFAULT_EMBEDDING");
	po.now = output_now();
	po.by = "upgrade";
	ret = plan_compute(p, ds, &rs, &po, err);
	if (ret == 0)
		json_array_foreach(p->warnings, i, w)
			output_warn(ctx, "%s: %s", u->versions[vi].tag, json_string_value(w));
	remote_state_release(&rs);
	return ret;
}

static void agent_fail(struct upgrade_agent *ua, enum agent_status st, const struct ls_error *e)
{
	ua->status = st;
	ua->err = *e;
}

/* Fills each agent's changes and breaking flag from the group's plan. */
static void classify(struct upgrade *u, const struct plan *p, size_t vi)
{
	size_t i, k;

	for (k = 0; k < u->n; k++) {
		struct upgrade_agent *ua = &u->agents[k];
		int planned = 0;

		if (ua->status != ST_PENDING || ua->group != vi)
			continue;
		for (i = 0; i < p->n; i++)
			planned |= p->items[i].agent && !strcmp(p->items[i].agent, ua->id);
		if (!planned && !jsonx_array_prefixed(json_object_get(ua->wire, "tags"), "template:")) {
			/*
			 * An agent made from no template (bootstrap --minimal) that no Agent
			 * manifest of the version describes: there is nothing to upgrade it to.
			 */
			ua->status = ST_SKIPPED;
			ua->skip_reason = "no template describes it (made without one, e.g. "
					  "bootstrap --minimal); nothing to upgrade";
			continue;
		}
		if (!planned) {
			/* Moving always rewrites the version: tag, so the planner left it alone. */
			struct ls_error e = LS_ERROR_INIT;

			ls_error_set(&e, LS_EINVALID,
				     "agent '%s' (%s): version %s does not describe it (no template "
				     "for it there); not upgraded",
				     ua->name, ua->id, u->versions[vi].version);
			agent_fail(ua, ST_FAILED, &e);
			continue;
		}
		json_array_clear(ua->changes);
		buf_reset(&ua->why);
		ua->breaking = 0;
		if (ua->t.downgrade && !u->rollback) {
			/* rollback asked for the downgrade: only its changes can be breaking */
			ua->breaking = 1;
			buf_addf(&ua->why, "downgrade from %s to %s", ua->t.current, ua->t.available);
		}
		for (i = 0; i < p->n; i++) {
			const struct plan_action *a = &p->items[i];
			struct buf why = BUF_INIT;
			json_t *e;
			int b;

			if (a->internal || a->change == CHANGE_DRIFT)
				continue;
			/* Shared creates are part of every upgrade of the group. */
			if (a->agent ? strcmp(a->agent, ua->id) : a->change != CHANGE_CREATE)
				continue;
			b = upgrade_breaking(a, &why);
			if (b && !(ua->t.downgrade && strstr(why.buf, "downgrade"))) {
				ua->breaking = 1;
				buf_addf(&ua->why, "%s%s", ua->why.len ? "; " : "", why.buf);
			}
			e = render_action_json(a);
			json_object_set_new(e, "breaking", json_boolean(b));
			json_object_del(e, "reason");
			json_array_append_new(ua->changes, e);
			buf_release(&why);
		}
	}
}

/*
 * Memory files (issue 25; cli/memfs_upgrade.c): planned with each pending agent's changes
 * (push 0; a removed file is breaking), pushed once the agent is upgraded (push 1).
 */
static int upgrade_memory(struct upgrade *u, const struct desired_state *ds, size_t vi, int push)
{
	for (size_t k = 0; k < u->n; k++) {
		struct upgrade_agent *ua = &u->agents[k];
		struct ls_error e = LS_ERROR_INIT;
		const char *cur = NULL;
		json_t *ch = NULL;

		if (ua->status != (push ? ST_UPGRADED : ST_PENDING) || ua->group != vi)
			continue;
		for (size_t i = 0; ua->t.current && i < u->nversions; i++)
			if (!strcmp(u->versions[i].version, ua->t.current))
				cur = u->versions[i].tag;
		if (memfs_upgrade_agent(u->ctx, ds, ua->wire, u->versions[vi].tag,
					u->versions[vi].commit, cur, push, &ch, &e) < 0) {
			agent_fail(ua, ST_FAILED, &e);
			u->stop = u->fail_fast;
			continue;
		}
		if (ch && !push) {
			if (json_is_true(json_object_get(ch, "breaking"))) {
				ua->breaking = 1;
				buf_addf(&ua->why, "%sremoves memory files", ua->why.len ? "; " : "");
			}
			json_array_append(ua->changes, ch);
		}
		json_decref(ch);
	}
	return 0;
}

/* Whether confirm() can ask: a terminal, and not under CI. */
static int can_confirm(void)
{
	const char *ci = getenv("CI");

	return !(ci && *ci) && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

/* Asks on the terminal; 0 without one (or under CI). */
static int confirm(const char *question)
{
	FILE *tty;
	char line[64];
	int yes = 0;

	if (!can_confirm())
		return 0;
	tty = fopen("/dev/tty", "r+");
	fprintf(tty ? tty : stderr, "%s [y/N] ", question);
	fflush(tty ? tty : stderr);
	if (fgets(line, sizeof(line), tty ? tty : stdin))
		yes = line[0] == 'y' || line[0] == 'Y';
	if (tty)
		fclose(tty);
	return yes;
}

/* Applies p with only the actions keep says; returns apply_plan()'s code. */
static int run_subset(struct upgrade *u, struct plan *p, struct apply_result *res,
		      const int *orig_skip, int (*keep)(const struct plan_action *, void *),
		      void *arg, struct ls_error *err)
{
	size_t i, writes = 0;
	int ret;

	for (i = 0; i < p->n; i++) {
		p->items[i].skip = orig_skip[i] || !keep(&p->items[i], arg);
		writes += !p->items[i].skip && p->items[i].nreqs;
	}
	apply_result_release(res);
	if (!writes)
		return 0;
	ret = reconcile_apply(res, u->ctx, u->api, p, u->quiet, "upgrade", writes, err);
	u->writes += res->requests;
	return ret;
}

static int keep_shared(const struct plan_action *a, void *arg)
{
	(void)arg;
	return a->agent == NULL;
}

struct chunk {
	struct upgrade *u;
	size_t vi;
	size_t from, to; /* agent indexes [from, to) */
};

static int keep_chunk(const struct plan_action *a, void *arg)
{
	const struct chunk *c = arg;
	size_t k;

	if (!a->agent)
		return 0;
	for (k = c->from; k < c->to; k++) {
		const struct upgrade_agent *ua = &c->u->agents[k];

		if (ua->status == ST_PENDING && ua->group == c->vi && !strcmp(ua->id, a->agent))
			return 1;
	}
	return 0;
}

/*
 * Applies the group's plan: the shared creates first, then the agents (all at once, or with
 * --fail-fast in chunks of --concurrency agents, starting no chunk after a failure).
 */
static int apply_group(struct upgrade *u, struct plan *p, size_t vi, struct ls_error *err)
{
	struct apply_result res = APPLY_RESULT_INIT;
	int *orig_skip = xcalloc(p->n + 1, sizeof(*orig_skip));
	size_t i, k, shared_failed = (size_t)-1;
	struct chunk c;
	int ret = 0, aret;

	for (i = 0; i < p->n; i++)
		orig_skip[i] = p->items[i].skip;
	aret = run_subset(u, p, &res, orig_skip, keep_shared, NULL, err);
	if (aret == LS_EINTERRUPTED) {
		ret = aret;
		goto out;
	}
	for (i = 0; i < res.n; i++) {
		if (res.status[i] == APPLY_FAILED || res.status[i] == APPLY_BLOCKED) {
			shared_failed = i;
			log_error("%s/%s: %s", own_kind_name(p->items[i].kind), p->items[i].name,
				  res.errs[i].msg);
		} else if (res.status[i] == APPLY_DONE && res.ids[i] && !p->items[i].id) {
			/* Created: later runs resolve "@ref" to it without running it again. */
			p->items[i].id = xstrdup(res.ids[i]);
		}
	}
	ls_error_clear(err);
	if (shared_failed != (size_t)-1) {
		struct ls_error e = LS_ERROR_INIT;

		ls_error_set(&e, LS_EFAIL, "not upgraded: it needs %s '%s', which failed",
			     own_kind_name(p->items[shared_failed].kind),
			     p->items[shared_failed].name);
		for (k = 0; k < u->n; k++)
			if (u->agents[k].status == ST_PENDING && u->agents[k].group == vi)
				agent_fail(&u->agents[k], ST_FAILED, &e);
		u->stop = u->fail_fast;
		goto out;
	}
	c.u = u;
	c.vi = vi;
	for (c.from = 0; c.from < u->n; c.from = c.to) {
		size_t started = 0;

		for (c.to = c.from; c.to < u->n; c.to++) {
			if (u->fail_fast && started == (size_t)u->conc)
				break;
			started += u->agents[c.to].status == ST_PENDING && u->agents[c.to].group == vi;
		}
		if (u->stop) {
			struct ls_error e = LS_ERROR_INIT;

			ls_error_set(&e, LS_EFAIL, "not started: --fail-fast stopped after a failure");
			for (k = c.from; k < c.to; k++)
				if (u->agents[k].status == ST_PENDING && u->agents[k].group == vi)
					agent_fail(&u->agents[k], ST_NOT_STARTED, &e);
			continue;
		}
		aret = run_subset(u, p, &res, orig_skip, keep_chunk, &c, err);
		ls_error_clear(err);
		for (k = c.from; k < c.to; k++) {
			struct upgrade_agent *ua = &u->agents[k];

			if (ua->status != ST_PENDING || ua->group != vi)
				continue;
			for (i = 0; i < res.n; i++) {
				if (!p->items[i].agent || strcmp(p->items[i].agent, ua->id) ||
				    (res.status[i] != APPLY_FAILED && res.status[i] != APPLY_BLOCKED))
					continue;
				agent_fail(ua, ST_FAILED, &res.errs[i]);
				break;
			}
			if (ua->status == ST_PENDING && aret == LS_EINTERRUPTED) {
				struct ls_error e = LS_ERROR_INIT;

				ls_error_set(&e, LS_EINTERRUPTED, "interrupted");
				agent_fail(ua, ST_NOT_STARTED, &e);
			} else if (ua->status == ST_PENDING) {
				ua->status = ST_UPGRADED;
			} else {
				u->stop = u->fail_fast;
			}
		}
		if (aret == LS_EINTERRUPTED) {
			ret = aret;
			break;
		}
	}
out:
	for (i = 0; i < p->n; i++)
		p->items[i].skip = orig_skip[i];
	free(orig_skip);
	apply_result_release(&res);
	return ret;
}

static json_t *agent_json(const struct upgrade_agent *ua, int with_status, int rollback)
{
	json_t *o = json_object();

	json_object_set_new(o, "agent", json_string(ua->id));
	json_object_set_new(o, "name", json_string(ua->name));
	json_object_set_new(o, "channel", json_string(channel_name(ua->t.channel)));
	json_object_set_new(o, "current", ua->t.current ? json_string(ua->t.current) : json_null());
	json_object_set_new(o, "available",
			    ua->t.available ? json_string(ua->t.available) : json_null());
	json_object_set_new(o, "breaking", json_boolean(ua->breaking));
	json_object_set(o, "changes", ua->changes);
	if (ua->in_rollout)
		json_object_set_new(o, "wave", json_integer((json_int_t)ua->wave + 1));
	if (with_status || ua->status == ST_SKIPPED) {
		json_object_set_new(o, "status",
				    json_string(rollback && ua->status == ST_UPGRADED
							? "rolled_back"
							: status_name(ua->status)));
		json_object_set_new(o, "error", ua->err.code ? json_string(ua->err.msg) : json_null());
	}
	if (ua->status == ST_SKIPPED)
		json_object_set_new(o, "reason", json_string(ua->skip_reason));
	return o;
}

static void print_agent(struct cli_ctx *ctx, const struct upgrade_agent *ua)
{
	struct buf line = BUF_INIT;
	const json_t *c, *f;
	size_t i, j;

	buf_addf(&line, "%s (%s) [%s]: ", ua->name, ua->id, channel_name(ua->t.channel));
	if (ua->status == ST_SKIPPED) {
		output_line(ctx, "%sskipped: %s", line.buf, ua->skip_reason);
		buf_release(&line);
		return;
	}
	if (!ua->t.move) {
		buf_addf(&line, "%s: %s", ua->t.current ? ua->t.current : "no version",
			 ua->not_newer ? "not newer than the version to roll back to; nothing to do"
			 : ua->t.channel == CHANNEL_PINNED ? "pinned (moves only with --target)"
			 : ua->t.available ? "up to date"
					  : "no version tag in the config repository");
		output_line(ctx, "%s", line.buf);
		buf_release(&line);
		return;
	}
	buf_addf(&line, "%s -> %s%s, %zu change(s)%s", ua->t.current ? ua->t.current : "none",
		 ua->t.available, ua->t.downgrade ? " (downgrade)" : "",
		 json_array_size(ua->changes), ua->breaking ? ", BREAKING" : ", safe");
	output_line(ctx, "%s", line.buf);
	json_array_foreach(ua->changes, i, c)
	{
		int b = json_is_true(json_object_get(c, "breaking"));

		buf_reset(&line);
		buf_addf(&line, "  %s%-8s%s %s %s/%s", output_color(b ? "red" : "green"),
			 b ? "breaking" : "safe", output_color("reset"),
			 jsonx_get_str(c, "action"), jsonx_get_str(c, "kind"),
			 jsonx_get_str(c, "name"));
		if (jsonx_get_str(c, "section"))
			buf_addf(&line, " [%s]", jsonx_get_str(c, "section"));
		output_line(ctx, "%s", line.buf);
		json_array_foreach(json_object_get(c, "fields"), j, f)
		{
			const json_t *to = json_object_get(f, "to");

			/* A create's empty defaults say nothing. */
			if (!strcmp(jsonx_get_str(c, "action"), "create") &&
			    (!to || json_is_null(to) || json_is_false(to) ||
			     (json_is_string(to) && !*json_string_value(to)) ||
			     (json_is_object(to) && !json_object_size(to))))
				continue;
			buf_reset(&line);
			buf_addf(&line, "      %s: ", jsonx_get_str(f, "path"));
			render_field_short(&line, json_object_get(f, "from"),
					   json_object_get(f, "to"));
			output_line(ctx, "%s", line.buf);
		}
	}
	if (ua->breaking)
		output_line(ctx, "  breaking: %s", ua->why.buf);
	buf_release(&line);
}

static int open_api(struct upgrade *u, struct ls_error *err)
{
	return cli_open_api(&u->api, u->ctx, 1, err);
}

static int load_versions(struct upgrade *u, struct ls_error *err)
{
	int ret = git_versions_list(&u->versions, &u->nversions, ".", err);
	size_t i;

	if (ret < 0)
		return ret;
	u->vnames = xcalloc(u->nversions + 1, sizeof(*u->vnames));
	for (i = 0; i < u->nversions; i++)
		u->vnames[i] = u->versions[i].version;
	return 0;
}

/* Decides each agent's target; agents that move are ST_PENDING in their version's group. */
static int decide(struct upgrade *u, const char *target, struct ls_error *err)
{
	size_t k, i, n;
	int ret;

	for (k = 0; k < u->n; k++) {
		struct upgrade_agent *ua = &u->agents[k];
		const char **tags = tags_of(ua->wire, &n);
		const char *to = target;
		int outside = 0;

		if (u->resume) {
			/* --resume: the version recorded for it; agents not in the rollout stay. */
			to = rollout_state_agent(&u->ro, ua->id, &ua->wave);
			outside = !to;
			ua->in_rollout = !outside;
		}
		ret = upgrade_select(&ua->t, tags, n, u->ctx->g.channel, u->vnames, u->nversions,
				     to, err);
		free(tags);
		if (ret < 0)
			return ret;
		if (outside)
			ua->t.move = 0;
		if (u->rollback && ua->t.move && !ua->t.downgrade) {
			/* Not newer than --to (or no version): rollback moves nothing up. */
			ua->t.move = 0;
			ua->not_newer = 1;
		}
		ua->status = ua->t.move ? ST_PENDING : ST_UP_TO_DATE;
		for (i = 0; ua->t.move && i < u->nversions; i++)
			if (u->vnames[i] == ua->t.available)
				ua->group = i;
	}
	return 0;
}

static void upgrade_release(struct upgrade *u)
{
	size_t k;

	for (k = 0; k < u->n; k++) {
		json_decref(u->agents[k].changes);
		json_decref(u->agents[k].wire);
		buf_release(&u->agents[k].why);
	}
	free(u->agents);
	free(u->vnames);
	free(u->pinned);
	git_versions_free(u->versions, u->nversions);
	remote_state_release(&u->rs);
	letta_free(u->api);
}

/* One version's group, as a pass of cli/reconcile.c (read -> plan -> snapshot -> lease -> apply). */
struct group {
	struct upgrade *u;
	const struct desired_state *ds;
	size_t vi;
	int check;
};

static int group_pending(const struct reconcile *r, void *arg)
{
	const struct group *g = arg;
	size_t k;

	(void)r;
	for (k = 0; k < g->u->n; k++)
		if (g->u->agents[k].status == ST_PENDING && g->u->agents[k].group == g->vi)
			return 1;
	return 0;
}

/*
 * The group's planner: plans, classifies, refuses the breaking changes nobody confirms and
 * plans again without them. 1 (stop) for a dry run, which reports and writes nothing.
 */
static int group_plan(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct group *g = arg;
	struct upgrade *u = g->u;
	struct cli_ctx *ctx = u->ctx;
	size_t k;
	int ret, refused = 0;

	ret = plan_group(&r->plan, u, g->ds, g->vi, err);
	if (ret == 0)
		classify(u, &r->plan, g->vi);
	if (ret == 0)
		ret = upgrade_memory(u, g->ds, g->vi, 0);
	/*
	 * The dry run ends as the real run would (issue 20): breaking changes that nobody
	 * can confirm (no --yes, no terminal) are refused there too.
	 */
	for (k = 0; ret == 0 && ctx->g.dry_run && !g->check && !u->yes && !can_confirm() &&
		    k < u->n;
	     k++) {
		struct upgrade_agent *ua = &u->agents[k];
		struct ls_error e = LS_ERROR_INIT;

		if (ua->status != ST_PENDING || ua->group != g->vi || !ua->breaking)
			continue;
		ls_error_set(&e, LS_EFAIL, "agent '%s' (%s): breaking changes need confirmation: %s",
			     ua->name, ua->id, ua->why.buf);
		agent_fail(ua, ST_REFUSED, &e);
	}
	if (ret < 0)
		return ret;
	if (u->dry_run)
		return 1;
	for (k = 0; k < u->n; k++) {
		struct upgrade_agent *ua = &u->agents[k];
		struct buf q = BUF_INIT;
		struct ls_error e = LS_ERROR_INIT;

		if (ua->status != ST_PENDING || ua->group != g->vi || !ua->breaking || u->yes)
			continue;
		buf_addf(&q, "Agent '%s' (%s): %s -> %s has breaking changes: %s. Apply them?",
			 ua->name, ua->id, ua->t.current ? ua->t.current : "none", ua->t.available,
			 ua->why.buf);
		if (!confirm(q.buf)) {
			ls_error_set(&e, LS_EFAIL,
				     "agent '%s' (%s): breaking changes need confirmation: %s",
				     ua->name, ua->id, ua->why.buf);
			agent_fail(ua, ST_REFUSED, &e);
			refused = 1;
		}
		buf_release(&q);
	}
	if (refused) {
		/* Agents refused above must not be touched: drop them from the plan. */
		plan_release(&r->plan);
		plan_init(&r->plan);
		ret = plan_group(&r->plan, u, g->ds, g->vi, err);
	}
	return ret;
}

/* A breaking change is saved before the group's first write. */
static int group_snapshot(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct group *g = arg;
	struct upgrade *u = g->u;

	if (!group_pending(r, arg))
		return 0;
	return (u->rolling || u->rollback) && !u->no_snapshot
		       ? rollout_snapshot(&u->ro, u->ctx, u->api, &u->rs, &r->plan,
					  u->versions[g->vi].commit, err)
		       : cli_snapshot_before(u->ctx, u->api, &u->rs, &r->plan, "upgrade",
					     u->versions[g->vi].commit, u->no_snapshot, NULL, err);
}

/* Applies the group's plan, then pushes the memory files of the agents it upgraded. */
static int group_apply(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct group *g = arg;
	struct upgrade *u = g->u;
	int ret = 0;

	if (u->rolling) {
		/* Recorded before the wave's first write (after its snapshot, under the lease). */
		rollout_state_wave(&u->ro, u->ro.wave, "moving");
		ret = save_state(u);
		rollout_state_keep(&u->ro, &r->plan);
	}
	if (ret == 0)
		ret = apply_group(u, &r->plan, g->vi, err);
	if (ret == 0)
		ret = upgrade_memory(g->u, g->ds, g->vi, 1);
	return ret;
}

/*
 * Plans, confirms, snapshots and applies group vi under the project's lease. Returns 0, 1
 * after a dry run's report, or a negative ls_code.
 */
static int run_group(struct upgrade *u, const struct desired_state *ds, size_t vi, int check,
		     struct ls_error *err)
{
	struct group g = { u, ds, vi, check };
	struct reconcile_pass pass;
	int was_leased = u->lease.leased, ret;

	memset(&pass, 0, sizeof(pass));
	pass.plan = group_plan;
	pass.before = group_snapshot;
	pass.writes = group_pending;
	pass.apply = group_apply;
	pass.arg = &g;
	pass.lease = 1;
	pass.break_lease = u->break_lease;
	u->lease.ctx = u->ctx;
	u->lease.api = u->api;
	u->lease.rs = u->rs;
	ret = reconcile_pass(&u->lease, &pass, err);
	u->writes += u->lease.leased - was_leased; /* the lease's own write */
	plan_release(&u->lease.plan);
	plan_init(&u->lease.plan);
	return ret;
}

/*
 * A rollout's waves: each moving agent gets its wave (canary-tagged agents first, then by a
 * stable hash of its id); all but the first wave wait. A dry run plans every wave at once. A
 * new rollout's record (rollout.h) is made here and written with the first wave's first
 * write; --resume takes the waves of the record and starts at the first one whose gate did
 * not pass.
 */
static void rollout_assign(struct upgrade *u, const char *waves_text, const char *target)
{
	const char **ids = xcalloc(u->n + 1, sizeof(*ids));
	const char **to = xcalloc(u->n + 1, sizeof(*to));
	int *canary = xcalloc(u->n + 1, sizeof(*canary));
	size_t *wave = xcalloc(u->n + 1, sizeof(*wave));
	size_t *idx = xcalloc(u->n + 1, sizeof(*idx));
	size_t k, m = 0, i, nt;

	if (u->resume) {
		u->start_wave = rollout_state_first_open(&u->ro);
		for (k = 0; k < u->n; k++)
			if (u->agents[k].in_rollout && u->agents[k].wave > u->start_wave &&
			    u->agents[k].status == ST_PENDING && !u->dry_run)
				u->agents[k].status = ST_WAITING;
		log_info("resuming rollout %s at wave %zu of %zu",
			 jsonx_get_str(u->ro.state, "id"), u->start_wave + 1, u->ro.nwaves);
	} else {
		for (k = 0; k < u->n; k++) {
			const char **tags;

			if (u->agents[k].status != ST_PENDING)
				continue;
			tags = tags_of(u->agents[k].wire, &nt);
			for (i = 0; u->ro.canary_tag && i < nt; i++)
				canary[m] |= !strcmp(tags[i], u->ro.canary_tag);
			free(tags);
			ids[m] = u->agents[k].id;
			to[m] = u->agents[k].t.available;
			idx[m++] = k;
		}
		waves_assign(wave, ids, canary, m, u->ro.waves, u->ro.nwaves);
		for (i = 0; i < m; i++) {
			u->agents[idx[i]].wave = wave[i];
			u->agents[idx[i]].in_rollout = 1;
			if (wave[i] && !u->dry_run)
				u->agents[idx[i]].status = ST_WAITING;
		}
		if (m && !u->dry_run)
			rollout_state_start(&u->ro, waves_text, target, ids, wave, to, m);
	}
	for (i = 0; i < u->ro.nwaves; i++) {
		struct buf line = BUF_INIT;

		for (k = 0; k < u->n; k++)
			if (u->agents[k].in_rollout && u->agents[k].wave == i)
				buf_addf(&line, "%s%s", line.len ? ", " : "", u->agents[k].name);
		log_info("wave %zu of %zu: %s", i + 1, u->ro.nwaves, line.len ? line.buf : "(none)");
		buf_release(&line);
	}
	free(ids);
	free(to);
	free(canary);
	free(wave);
	free(idx);
}

/*
 * After a rollout's wave: records it moved, then stops on a failed agent or a failing gate
 * (restoring the waves done with --auto-rollback, else printing the restore lines);
 * otherwise records the wave passed, waits and lets the next wave's agents go. The record
 * is written at each step, so that --resume knows where a killed run stopped. Returns 1 for
 * another wave, 0 when the rollout is over (or interrupted), or a negative ls_code (ctx->err
 * set).
 */
static int rollout_next(struct upgrade *u, size_t wave)
{
	struct cli_ctx *ctx = u->ctx;
	struct buf ids = BUF_INIT;
	size_t k, bad = 0, good = 0;
	int ret = 0;

	for (k = 0; k < u->n; k++) {
		if (u->agents[k].wave != wave || !u->agents[k].in_rollout)
			continue;
		if (u->agents[k].status == ST_UPGRADED || u->agents[k].status == ST_UP_TO_DATE) {
			buf_addf(&ids, "%s%s", ids.len ? "," : "", u->agents[k].id);
			good++;
		} else if (u->agents[k].status != ST_SKIPPED) {
			bad++;
		}
	}
	if (bad) {
		/* The failure summary after the loop names the agents. */
		rollout_state_wave(&u->ro, wave, "failed");
		rollout_state_set(&u->ro, "stopped");
		if (save_state(u) < 0)
			log_error("%s", ctx->err.msg);
		ls_error_clear(&ctx->err);
		log_info("wave %zu of %zu: %zu agent(s) failed; the rollout stopped ('letta-sync "
			 "upgrade --resume' retries them, '--abort' undoes the rollout)",
			 wave + 1, u->ro.nwaves, bad);
		rollout_print_restore(&u->ro);
		buf_release(&ids);
		return 0;
	}
	rollout_state_wave(&u->ro, wave, "moved");
	if ((ret = save_state(u)) < 0) {
		buf_release(&ids);
		return ret;
	}
	log_info("wave %zu of %zu: moved (%zu agent(s))", wave + 1, u->ro.nwaves, good);
	if (u->ro.gate && (ret = rollout_gate(&u->ro, ctx, wave, ids.buf ? ids.buf : "",
					      &ctx->err)) < 0) {
		buf_release(&ids);
		if (ret == LS_EINTERRUPTED)
			return ret; /* recorded as moved: --resume runs the gate again */
		rollout_state_gate(&u->ro, wave, u->ro.gate_exit < 0 ? "timed_out" : "failed",
				   u->ro.gate_exit);
		rollout_state_wave(&u->ro, wave, "failed");
		rollout_state_set(&u->ro, "stopped");
		{
			struct ls_error gate_err = ctx->err;

			if (save_state(u) < 0)
				log_error("%s", ctx->err.msg);
			ctx->err = gate_err;
		}
		if (u->ro.auto_rollback) {
			struct ls_error rb = LS_ERROR_INIT, se = LS_ERROR_INIT;

			lease_release(u); /* restore takes it */
			if (rollout_rollback(&u->ro, ctx, &rb) < 0) {
				log_error("%s", rb.msg);
				rollout_print_restore(&u->ro);
				ls_error_hint(&ctx->err, "the rollback failed: run the restore lines above");
			} else {
				for (k = 0; k < u->n; k++)
					if (u->agents[k].status == ST_UPGRADED)
						u->agents[k].status = ST_ROLLED_BACK;
				for (k = 0; k <= wave; k++)
					rollout_state_wave(&u->ro, k, "rolled_back");
				rollout_state_set(&u->ro, "rolled_back");
				if (rollout_state_save(&u->ro, u->api, inventory(u), NULL, &se) < 0)
					log_error("%s", se.msg);
				ls_error_hint(&ctx->err, "every agent the rollout moved was restored "
							 "(--auto-rollback)");
			}
		} else {
			rollout_print_restore(&u->ro);
			ls_error_hint(&ctx->err, "the restore lines above undo the waves done "
						 "('upgrade --abort' runs them); 'upgrade --resume' "
						 "runs the gate again");
		}
		return ret;
	}
	buf_release(&ids);
	if (u->ro.gate)
		rollout_state_gate(&u->ro, wave, "passed", 0);
	rollout_state_wave(&u->ro, wave, "passed");
	if (wave + 1 >= u->ro.nwaves)
		rollout_state_set(&u->ro, "done");
	if ((ret = save_state(u)) < 0)
		return ret;
	log_info("wave %zu of %zu: passed%s", wave + 1, u->ro.nwaves,
		 wave + 1 >= u->ro.nwaves ? "; the rollout is done" : "");
	for (k = 0; k < u->n; k++)
		if (u->agents[k].status == ST_WAITING && u->agents[k].wave == wave + 1)
			u->agents[k].status = ST_PENDING;
	if (wave + 1 >= u->ro.nwaves)
		return 0;
	rollout_wait(&u->ro);
	if (interrupt_requested())
		return 0;
	if ((ret = apply_read_remote(&u->rs, u->api, &ctx->err)) < 0)
		return ret;
	return 1;
}

/*
 * --abort: restores every snapshot the recorded rollout took (newest first, through
 * 'letta-sync restore', which takes the lease), then records the rollout as aborted. Agents
 * the rollout did not move are not touched. With --dry-run, prints the restore lines only.
 */
static int rollout_abort(struct upgrade *u)
{
	struct cli_ctx *ctx = u->ctx;
	size_t k;
	int ret;

	log_info("aborting %s: %zu snapshot(s) to restore", jsonx_get_str(u->ro.state, "id"),
		 u->ro.nsnapshots);
	if (u->dry_run) {
		rollout_print_restore(&u->ro);
		return 0;
	}
	if ((ret = rollout_rollback(&u->ro, ctx, &ctx->err)) < 0) {
		rollout_print_restore(&u->ro);
		ls_error_hint(&ctx->err, "run the restore lines above, then 'upgrade --abort' again");
		return ret;
	}
	/* The restores rewrote the inventory: its metadata as it is now. */
	if ((ret = apply_read_remote(&u->rs, u->api, &ctx->err)) < 0)
		return ret;
	for (k = 0; k < json_array_size(json_object_get(u->ro.state, "wave")); k++)
		if (strcmp(jsonx_get_str(json_array_get(json_object_get(u->ro.state, "wave"), k),
					 "status"),
			   "pending"))
			rollout_state_wave(&u->ro, k, "rolled_back");
	rollout_state_set(&u->ro, "aborted");
	return save_state(u);
}

/*
 * A new rollout that moves agents while the recorded one is unfinished is refused: by the
 * lease while that one runs (LEASE_HELD), else as a conflict naming it. Returns 0 or the
 * error.
 */
static int refuse_unfinished(struct upgrade *u)
{
	const json_t *open = rollout_state_find(inventory(u));
	struct plan none = PLAN_INIT;
	struct buf line = BUF_INIT;
	int ret;

	if (!open || !u->ro.state || u->resume || u->dry_run)
		return 0;
	if ((ret = lease_for(u, &none, &u->ctx->err)) < 0)
		return ret;
	lease_release(u);
	rollout_state_describe(&line, open);
	ret = ls_error_set(&u->ctx->err, LS_ECONFLICT, "a rollout is unfinished: %s", line.buf);
	ls_error_hint(&u->ctx->err, "'letta-sync upgrade --resume' continues it, 'letta-sync "
				    "upgrade --abort' undoes it");
	buf_release(&line);
	return ret;
}

/*
 * After the remote state is read: --resume and --abort take the recorded rollout (with the
 * options it was started with, unless given again), --abort then ends it; a new rollout is
 * refused while one is unfinished. Returns 0, 1 when --abort is done, or a negative ls_code.
 */
static int rollout_setup(struct upgrade *u, const struct opts *o)
{
	struct cli_ctx *ctx = u->ctx;
	char wait[32], timeout[32];
	json_t *st;
	int ret;

	u->ro.renew = renew_lease;
	u->ro.renew_arg = u;
	u->ro.renew_s = reconcile_lease_seconds() / 3;
	if (!u->resume && !u->abort)
		return 0;
	if ((ret = rollout_state_load(&st, inventory(u), &ctx->err)) < 0)
		return ret;
	snprintf(wait, sizeof(wait), "%llds", jsonx_get_int(st, "wait", 0));
	snprintf(timeout, sizeof(timeout), "%llds", jsonx_get_int(st, "gate_timeout", 600));
	ret = rollout_init(&u->ro, jsonx_get_str(st, "waves"),
			   opts_value(o, "gate") ? opts_value(o, "gate") : jsonx_get_str(st, "gate"),
			   opts_value(o, "wait") ? opts_value(o, "wait") : wait,
			   opts_value(o, "gate-timeout") ? opts_value(o, "gate-timeout") : timeout,
			   jsonx_get_str(st, "canary_tag"),
			   opts_count(o, "auto-rollback") || jsonx_get_bool(st, "auto_rollback", 0),
			   &ctx->err);
	if (ret < 0) {
		json_decref(st);
		return ret;
	}
	rollout_state_adopt(&u->ro, st); /* the options above borrow from it */
	u->ro.break_lease = u->break_lease;
	u->ro.renew = renew_lease;
	u->ro.renew_arg = u;
	u->ro.renew_s = reconcile_lease_seconds() / 3;
	u->rolling = 1;
	if (!u->abort)
		return 0;
	if ((ret = rollout_abort(u)) < 0)
		return ret;
	if (ctx->g.json) {
		output_json_ok(ctx, json_pack("{s:O, s:b}", "rollout", u->ro.state, "dry_run",
					      u->dry_run),
			       NULL);
	} else {
		struct buf line = BUF_INIT;

		rollout_state_describe(&line, u->ro.state);
		output_line(ctx, "%s%s", u->dry_run ? "Dry run: would abort " : "Aborted ", line.buf);
		buf_release(&line);
	}
	return 1;
}

static int upgrade_main(int argc, char **argv, struct cli_ctx *ctx, int rollback)
{
	struct opts o;
	struct upgrade u;
	size_t vi, k, moving = 0, failed = 0, upgraded = 0, skipped = 0, wave = 0;
	int ret, check, all;
	const char *target;

	memset(&u, 0, sizeof(u));
	remote_state_init(&u.rs);
	plan_init(&u.lease.plan);
	u.lease.releaser = -1;
	ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync upgrade [options]", examples,
			 &ctx->err);
	if (ret) {
		ret = ret > 0 ? 0 : ret; /* --help */
		goto out;
	}
	u.ctx = ctx;
	u.rollback = rollback;
	check = opts_count(&o, "check");
	all = opts_count(&o, "all");
	target = opts_value(&o, "target");
	u.dry_run = check || ctx->g.dry_run;
	u.yes = opts_count(&o, "yes");
	u.fail_fast = opts_count(&o, "fail-fast");
	u.quiet = opts_count(&o, "quiet") > 0;
	u.break_lease = opts_count(&o, "break-lease");
	u.no_snapshot = opts_count(&o, "no-snapshot");
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	if ((ret = opts_int(&u.conc, &o, "concurrency", 8, 1, 256, &ctx->err)) < 0)
		goto out;
	u.resume = opts_count(&o, "resume") > 0;
	u.abort = opts_count(&o, "abort") > 0;
	if (u.resume && u.abort) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "the '--resume' and '--abort' options cannot be used together");
		goto out;
	}
	if ((u.resume || u.abort) && (opts_value(&o, "waves") || opts_value(&o, "canary-tag") ||
				      target || ctx->g.agent || check)) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "'--%s' takes the recorded rollout's waves, agents and versions: "
				   "no '--waves', '--canary-tag', '--target', '--agent' or '--check'",
				   u.resume ? "resume" : "abort");
		goto out;
	}
	if (u.resume || u.abort) {
		all = 1;
	} else {
		int waves;

		if (opts_value(&o, "waves") && !all) {
			ret = ls_error_set(&ctx->err, LS_EUSAGE, "'--waves' needs '--all'");
			goto out;
		}
		if ((ret = rollout_init_opts(&u.ro, &waves, &o, &ctx->err)) < 0)
			goto out;
		if (waves) {
			u.rolling = !check;
			u.ro.break_lease = u.break_lease;
		}
	}
	if (all && ctx->g.agent && !u.resume && !u.abort) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "the '--all' and '--agent' options cannot be used together");
		goto out;
	}
	/* --concurrency, when given, wins over LETTA_SYNC_CONCURRENCY (cli_open_api()). */
	if (opts_count(&o, "concurrency"))
		ctx->concurrency = u.conc;
	if ((ret = cli_ctx_resolve(ctx, &ctx->err)) < 0)
		goto out;
	if (!all && !ctx->target.agent) {
		struct buf root = BUF_INIT;

		settings_root(&root, ".");
		ret = settings_last_agent(&u.pinned, root.buf, &ctx->err);
		buf_release(&root);
		if (ret < 0)
			goto out;
		if (!u.pinned) {
			ret = ls_error_set(&ctx->err, LS_EUSAGE,
					   "no agent to upgrade: give --agent <id> or --all");
			ls_error_hint(&ctx->err, "or pin one with 'letta-sync bootstrap' (lastAgent "
						 "in .letta/settings.local.json)");
			goto out;
		}
	}
	if ((ret = load_versions(&u, &ctx->err)) < 0)
		goto out;
	if (!u.nversions && !target)
		output_warn(ctx, "the config repository has no version tags (v1.0.0, ...): "
				 "nothing to upgrade to");
	if ((ret = open_api(&u, &ctx->err)) < 0)
		goto out;
	if ((ret = apply_read_remote(&u.rs, u.api, &ctx->err)) < 0)
		goto out;
	if ((ret = rollout_setup(&u, &o)) != 0) {
		ret = ret > 0 ? 0 : ret; /* 1: --abort is done */
		goto out;
	}
	if ((ret = select_agents(&u, all, &ctx->err)) < 0)
		goto out;
	if ((ret = decide(&u, target, &ctx->err)) < 0)
		goto out;
	if (u.rolling) {
		struct plan none = PLAN_INIT;

		rollout_assign(&u, opts_value(&o, "waves"), target);
		wave = u.start_wave;
		if ((ret = refuse_unfinished(&u)) < 0)
			goto out;
		/* --resume holds the lease from the start: its first step may be a gate. */
		if (u.resume && !u.dry_run && (ret = lease_for(&u, &none, &ctx->err)) < 0)
			goto out;
		if (u.resume && !u.dry_run && u.start_wave >= u.ro.nwaves) {
			rollout_state_set(&u.ro, "done");
			if ((ret = save_state(&u)) < 0)
				goto out;
		}
	}

	/* One group per version, oldest first: plan, report or confirm, apply. */
next_wave: /* a rollout comes back here for each wave (rollout_next()) */
	u.ro.wave = wave;
	ret = 0;
	for (vi = 0; vi < u.nversions && !u.stop && !interrupt_requested(); vi++) {
		struct desired_state ds = DESIRED_STATE_INIT;
		int any = 0;
		long before;

		for (k = 0; k < u.n; k++)
			any |= u.agents[k].status == ST_PENDING && u.agents[k].group == vi;
		if (!any)
			continue;
		if ((ret = load_version(&ds, &u, vi, &ctx->err)) < 0)
			goto out;
		before = u.writes;
		ret = run_group(&u, &ds, vi, check, &ctx->err);
		desired_state_release(&ds);
		if (ret == 1) {
			ret = 0;
			continue; /* a dry run: reported, nothing written */
		}
		if (ret == LS_EINTERRUPTED)
			break; /* report what was done */
		if (ret < 0)
			goto out;
		if (u.writes > before && vi + 1 < u.nversions &&
		    (ret = apply_read_remote(&u.rs, u.api, &ctx->err)) < 0)
			goto out; /* later groups plan against what this one created */
	}

	if (u.rolling && ret == 0 && !u.dry_run && !interrupt_requested() &&
	    wave < u.ro.nwaves && u.ro.state) {
		if ((ret = rollout_next(&u, wave)) == 1) {
			wave++;
			goto next_wave;
		}
	}
	if (u.rolling && u.lease.leased && interrupt_requested()) {
		/*
		 * A rollout stopped by Ctrl-C or SIGTERM (in a gate or a wait, or between
		 * requests): its record says where it stopped; the lease is released so that
		 * --resume needs no --break-lease. The one request is let through (the API layer
		 * starts none after an interrupt), and the interrupt stays.
		 */
		interrupt_set(0);
		lease_release(&u);
		interrupt_set(1);
	}
	lease_release(&u);
	for (k = 0; k < u.n; k++) {
		skipped += u.agents[k].status == ST_SKIPPED;
		moving += u.agents[k].t.move && u.agents[k].status != ST_SKIPPED;
		failed += u.agents[k].status == ST_REFUSED || u.agents[k].status == ST_FAILED ||
			  u.agents[k].status == ST_NOT_STARTED;
		upgraded += u.agents[k].status == ST_UPGRADED;
	}
	if (ret == LS_EINTERRUPTED || interrupt_requested()) {
		ls_error_clear(&ctx->err);
		ret = ls_error_set(&ctx->err, LS_EINTERRUPTED,
				   "interrupted: %zu of %zu agent(s) were upgraded", upgraded, moving);
		if (u.ro.state)
			ls_error_hint(&ctx->err, "'letta-sync upgrade --resume' continues the rollout");
	} else if (failed) {
		for (k = 0; k < u.n; k++)
			if (u.agents[k].err.code && !ctx->g.json && !(failed == 1 && u.n == 1))
				log_error("%s", u.agents[k].err.msg);
		if (failed == 1 && u.n == 1) {
			ctx->err = u.agents[0].err;
			ctx->err.code = LS_EFAIL;
		} else {
			ls_error_set(&ctx->err, LS_EFAIL, "%zu of %zu agent(s) were not upgraded",
				     failed, moving);
		}
		for (k = 0; k < u.n; k++)
			if (u.agents[k].status == ST_REFUSED) {
				ls_error_hint(&ctx->err, "--yes applies breaking changes and downgrades");
				break;
			}
		ret = LS_EFAIL;
	}
	if (ctx->g.json) {
		json_t *data = json_array();

		for (k = 0; k < u.n; k++)
			json_array_append_new(data, agent_json(&u.agents[k], !check, u.rollback));
		if (ret < 0) {
			json_t *d = json_pack("{s:o}", "agents", data);

			if (u.ro.state)
				json_object_set(d, "rollout", u.ro.state);
			output_error_details(ctx, &ctx->err, d);
			ctx->err_reported = 1;
		} else {
			output_json_ok(ctx, data,
				       u.ro.state ? json_pack("{s:O}", "rollout", u.ro.state) : NULL);
		}
	} else {
		for (k = 0; k < u.n; k++)
			if (check || ctx->g.dry_run || u.n == 1 || u.agents[k].not_newer ||
			    u.agents[k].status != ST_UP_TO_DATE)
				print_agent(ctx, &u.agents[k]);
		if (u.rollback && ctx->g.dry_run) {
			output_line(ctx, "Dry run: %zu of %zu agent(s) can be rolled back", moving, u.n);
		} else if (u.rollback && ret == 0) {
			output_line(ctx, "Rollback complete: %zu rolled back, %zu unchanged", upgraded,
				    u.n - upgraded);
		} else if (check || ctx->g.dry_run) {
			output_line(ctx, "%s%zu of %zu agent(s) can be upgraded",
				    ctx->g.dry_run && !check ? "Dry run: " : "", moving, u.n);
			if (skipped)
				output_line(ctx, "%zu agent(s) skipped: nothing to upgrade", skipped);
		} else if (ret == 0 && skipped)
			output_line(ctx, "Upgrade complete: %zu upgraded, %zu up to date, %zu skipped",
				    upgraded, u.n - upgraded - skipped, skipped);
		else if (ret == 0)
			output_line(ctx, "Upgrade complete: %zu upgraded, %zu up to date", upgraded,
				    u.n - upgraded);
		else
			output_line(ctx, "Upgrade completed with errors: %zu upgraded, %zu failed",
				    upgraded, failed);
		if (u.ro.state) {
			struct buf line = BUF_INIT;

			rollout_state_describe(&line, u.ro.state);
			output_line(ctx, "Rollout: %s", line.buf);
			buf_release(&line);
		}
	}
	if (ret == 0 && u.dry_run && opts_count(&o, "exit-code") && moving)
		ret = LS_ECHANGES;
out:
	lease_release(&u);
	plan_release(&u.lease.plan);
	json_decref(u.lease.lease);
	upgrade_release(&u);
	rollout_release(&u.ro);
	opts_release(&o);
	return ret;
}

int cmd_upgrade(int argc, char **argv, struct cli_ctx *ctx)
{
	return upgrade_main(argc, argv, ctx, 0);
}

int upgrade_rollback(int argc, char **argv, struct cli_ctx *ctx)
{
	return upgrade_main(argc, argv, ctx, 1);
}
