/* Steps on one agent shared by bootstrap, scope-sync and upgrade (see agent_steps.h). */
#include "cli/agent_steps.h"
#include "api/apply.h"
#include "api/scope_sync.h"
#include "cli/output.h"
#include "cli/reconcile.h"
#include "cli/render_diff.h"
#include "core/scope.h"
#include "core/semver.h"
#include "core/upgrade.h"
#include "repo/config.h"
#include "repo/files.h"
#include "repo/git.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The config root: the nearest directory holding .letta, else the git work tree, else ".". */
static void config_root(struct buf *out)
{
	struct buf dir = BUF_INIT, probe = BUF_INIT;
	struct git_facts gf;

	files_abspath(&dir, ".");
	for (;;) {
		char *slash;

		buf_reset(&probe);
		buf_addf(&probe, "%s/.letta", dir.buf);
		if (files_is_dir(probe.buf)) {
			buf_addstr(out, dir.buf);
			goto done;
		}
		slash = strrchr(dir.buf, '/');
		if (!slash || slash == dir.buf)
			break;
		buf_setlen(&dir, (size_t)(slash - dir.buf));
	}
	memset(&gf, 0, sizeof(gf));
	git_facts_read(&gf, ".", NULL);
	if (gf.workdir) {
		buf_addstr(out, gf.workdir);
	} else {
		buf_reset(&dir);
		files_abspath(&dir, ".");
		buf_addstr(out, dir.buf);
	}
	git_facts_release(&gf);
done:
	buf_release(&dir);
	buf_release(&probe);
}

/* Lexically normalises an absolute path ("." and ".." parts, repeated slashes). */
static void normalize(struct buf *out, const char *abs)
{
	const char *p = abs;

	buf_reset(out);
	while (*p) {
		const char *e;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(out->buf ? out->buf : "", '/');

			if (s)
				buf_setlen(out, (size_t)(s - out->buf));
		} else {
			buf_addch(out, '/');
			buf_add(out, p, n);
		}
		p += n;
	}
	if (!out->len)
		buf_addch(out, '/');
}

/* path (absolute or relative to the current directory) relative to root, or NULL outside. */
static char *relative_to(const char *root, const char *path, int must_exist)
{
	struct buf abs = BUF_INIT, norm = BUF_INIT;
	size_t rl = strlen(root);
	char *rel = NULL;

	if (must_exist) {
		files_abspath(&abs, path);
	} else if (path[0] == '/') {
		buf_addstr(&abs, path);
	} else {
		files_abspath(&abs, ".");
		buf_addf(&abs, "/%s", path);
	}
	normalize(&norm, abs.buf);
	if (!strcmp(norm.buf, root))
		rel = xstrdup("");
	else if (!strncmp(norm.buf, root, rl) && (norm.buf[rl] == '/' || !strcmp(root, "/")))
		rel = xstrdup(norm.buf + (strcmp(root, "/") ? rl + 1 : 1));
	buf_release(&abs);
	buf_release(&norm);
	return rel;
}

int scope_step_run(json_t **out, struct cli_ctx *ctx, struct letta *api,
		   const struct scope_step_opts *o, struct ls_error *err)
{
	struct buf root = BUF_INIT, text = BUF_INIT, path = BUF_INIT;
	struct scope_sync_opts so;
	const char **touched = NULL;
	char *cwd = NULL, *slug = NULL, now[32];
	const char *proj = ctx->target.project.slug ? ctx->target.project.slug
			   : ctx->target.project.id ? ctx->target.project.id
						    : NULL;
	time_t t = time(NULL);
	struct tm tm;
	int ret = 0, i, have_registry = 0;
	json_t *res = NULL;

	config_root(&root);
	if (o->cwd && !files_is_dir(o->cwd)) {
		ret = ls_error_set(err, LS_EUSAGE, "--cwd '%s' is not a directory", o->cwd);
		goto out;
	}
	cwd = relative_to(root.buf, o->cwd ? o->cwd : ".", 1);
	if (!cwd) {
		ret = ls_error_set(err, LS_EUSAGE, "'%s' is outside the repository '%s'",
				   o->cwd ? o->cwd : ".", root.buf);
		goto out;
	}
	touched = xcalloc((size_t)o->ntouched + 1, sizeof(*touched));
	for (i = 0; i < o->ntouched; i++) {
		touched[i] = relative_to(root.buf, o->touched[i], 0);
		if (!touched[i]) {
			ret = ls_error_set(err, LS_EUSAGE, "--touched '%s' is outside the repository '%s'",
					   o->touched[i], root.buf);
			goto out;
		}
	}
	{
		const char *base = strrchr(root.buf, '/');

		slug = scope_sanitize(proj ? proj : base && base[1] ? base + 1 : root.buf, "default");
	}
	buf_addf(&path, "%s/.letta/scope_registry.yaml", root.buf);
	if (files_exists(path.buf)) {
		if ((ret = files_read(&text, path.buf, FILES_MAX_SIZE, err)) < 0)
			goto out;
		have_registry = 1;
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);

	memset(&so, 0, sizeof(so));
	so.agent_id = o->agent_id;
	so.slug = slug;
	so.project = proj ? proj : "";
	so.registry_text = have_registry ? (text.buf ? text.buf : "") : NULL;
	so.registry_len = text.len;
	so.cwd = cwd;
	so.touched = touched;
	so.ntouched = (size_t)o->ntouched;
	so.now = now;
	so.dry_run = o->dry_run;
	log_verbose("scope sync: root %s, cwd '%s', slug %s, registry %s", root.buf, cwd, slug,
		    have_registry ? "found" : "absent");
	if ((ret = scope_sync_run(&res, api, &so, err)) < 0)
		goto out;
	json_object_set_new(res, "root", json_string(root.buf));
	json_object_set_new(res, "agent", json_string(o->agent_id));
	*out = res;
out:
	for (i = 0; touched && i < o->ntouched; i++)
		free((char *)touched[i]);
	free(touched);
	free(cwd);
	free(slug);
	buf_release(&root);
	buf_release(&text);
	buf_release(&path);
	return ret;
}

void scope_step_print(struct cli_ctx *ctx, const json_t *res)
{
	const json_t *v, *blocks = json_object_get(res, "blocks");
	struct buf b = BUF_INIT;
	int dry = json_is_true(json_object_get(res, "dry_run"));
	size_t i, j;

	json_array_foreach(json_object_get(res, "warnings"), i, v)
		output_warn(ctx, "scope sync: %s", json_string_value(v));
	if (!json_is_true(json_object_get(res, "registry")))
		return;
	json_array_foreach(json_object_get(res, "matched_scopes"), i, v)
		buf_addf(&b, "%s%s", i ? ", " : "", json_string_value(v));
	output_line(ctx, "Scope sync%s: matched %zu scope(s)%s%s, focus: %s",
		    dry ? " (dry run)" : "", json_array_size(json_object_get(res, "matched_scopes")),
		    b.len ? ": " : "", b.len ? b.buf : "",
		    jsonx_get_str(res, "focus_scope") ? jsonx_get_str(res, "focus_scope") : "root");
	json_array_foreach(blocks, i, v)
	{
		const json_t *acts = json_object_get(v, "actions"), *a;

		if (!json_array_size(acts))
			continue;
		buf_reset(&b);
		json_array_foreach(acts, j, a)
			buf_addf(&b, "%s%s", j ? ", " : "", json_string_value(a));
		output_line(ctx, "  %s%s %s (%s)", dry ? "would " : "", b.buf,
			    jsonx_get_str(v, "label"), jsonx_get_str(v, "kind"));
	}
	buf_release(&b);
}

/*
 * The newest version on channel as upgrade_select() (the upgrade command's selection) picks
 * it: *version, *tag and commit are that version's (xmalloc'd; NULL when there is none, as
 * on pinned). *move (may be NULL) is set when it is newer than current; a current that is
 * not a version never moves.
 */
static int channel_latest_tag(int *move, char **version, char **tag, char commit[41],
			      const char *channel, const char *current, struct ls_error *err)
{
	struct upgrade_target t;
	struct semver cur;
	struct git_version *v = NULL;
	struct buf vtag = BUF_INIT;
	const char **names = NULL;
	const char *tags[1];
	size_t n = 0, i;
	int ret;

	*version = NULL;
	if (tag)
		*tag = NULL;
	if ((ret = git_versions_list(&v, &n, ".", err)) < 0)
		goto out;
	names = xcalloc(n + 1, sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = v[i].version;
	buf_addf(&vtag, "version:%s", current ? current : "");
	tags[0] = vtag.buf;
	if ((ret = upgrade_select(&t, tags, 1, channel, names, n, NULL, err)) < 0)
		goto out;
	if (move)
		*move = t.move && t.newest && current && semver_parse(&cur, current) == 0;
	/* Among tags of one version (v1.0.0 and 1.0.0), the last listed. */
	for (i = n; t.newest && i-- > 0;) {
		if (strcmp(v[i].version, t.newest))
			continue;
		*version = xstrdup(v[i].version);
		if (tag)
			*tag = xstrdup(v[i].tag);
		if (commit)
			memcpy(commit, v[i].commit, 41);
		break;
	}
out:
	buf_release(&vtag);
	free(names);
	git_versions_free(v, n);
	return ret;
}

int channel_latest(char **out, const char *channel, struct ls_error *err)
{
	return channel_latest_tag(NULL, out, NULL, NULL, channel, NULL, err);
}

/* upgrade_one_agent()'s planner and apply, as a pass of cli/reconcile.c. */
struct one_agent {
	const struct upgrade_one_opts *o;
	const struct desired_state *ds;
	const char *commit, *version;
};

/* Only this agent is planned; PLAN_UPGRADE creates missing shared objects only. */
static int one_agent_plan(struct reconcile *r, void *arg, struct ls_error *err)
{
	const struct one_agent *g = arg;
	const struct upgrade_one_opts *o = g->o;
	const json_t *me = remote_find_id(r->rs.agents, o->agent_id);
	json_t *only = json_array();
	struct plan_opts po;

	if (me)
		json_array_append(only, (json_t *)me);
	json_decref(r->rs.agents);
	r->rs.agents = only;
	memset(&po, 0, sizeof(po));
	po.project = o->project ? o->project : "";
	po.project_id = letta_project_id(r->api);
	po.commit = g->commit;
	po.version = g->version;
	po.flags = PLAN_UPGRADE | PLAN_FORCE | PLAN_NEED_SECRETS;
	po.secret = cli_secret_env;
	po.agent = o->agent_id;
	po.default_model = o->model;
	po.default_embedding = o->embedding;
	po.now = output_now();
	po.by = "upgrade";
	return plan_compute(&r->plan, g->ds, &r->rs, &po, err);
}

static int one_agent_apply(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct apply_result res = APPLY_RESULT_INIT;
	int ret = 0;

	(void)arg;
	if (plan_count_writes(&r->plan) > 0)
		ret = apply_plan(&res, r->api, &r->plan, err);
	apply_result_release(&res);
	return ret;
}

int upgrade_one_agent(json_t **out, struct letta *api, const struct upgrade_one_opts *o,
		      struct ls_error *err)
{
	char *latest = NULL, *tag = NULL, commit[41] = "";
	int move = 0;
	struct desired_state ds = DESIRED_STATE_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	struct reconcile r;
	struct reconcile_pass pass;
	struct one_agent g;
	json_t *changes = json_array();
	int ret, upgraded = 0;
	size_t i;

	/* A run of its own on the caller's client (bootstrap holds the lease). */
	memset(&r, 0, sizeof(r));
	r.api = api;
	remote_state_init(&r.rs);
	plan_init(&r.plan);
	r.releaser = -1;
	if ((ret = channel_latest_tag(&move, &latest, &tag, commit, o->channel, o->current,
				      err)) < 0)
		goto out;
	if (!move || o->dry_run)
		goto done;

	if ((ret = config_load_version(&ds, ".", tag, tag, &diags, err)) < 0) {
		ls_error_where(err, "the manifests of %s", tag);
		goto out;
	}
	g.o = o;
	g.ds = &ds;
	g.commit = commit;
	g.version = latest;
	memset(&pass, 0, sizeof(pass));
	pass.read = APPLY_READ_ALL;
	pass.plan = one_agent_plan;
	pass.apply = one_agent_apply;
	pass.arg = &g;
	if ((ret = reconcile_pass(&r, &pass, err)) < 0)
		goto out;
	for (i = 0; i < r.plan.n; i++)
		if (!r.plan.items[i].internal && !r.plan.items[i].skip &&
		    r.plan.items[i].change != CHANGE_DRIFT)
			json_array_append_new(changes, render_action_json(&r.plan.items[i]));
	upgraded = 1;
done:
	*out = json_pack("{s:s, s:s?, s:s, s:b, s:O}", "current", o->current, "available", latest,
			 "channel", o->channel ? o->channel : "stable", "upgraded", upgraded,
			 "changes", changes);
	ret = 0;
out:
	plan_release(&r.plan);
	remote_state_release(&r.rs);
	desired_state_release(&ds);
	diag_list_release(&diags);
	json_decref(changes);
	free(latest);
	free(tag);
	return ret;
}
