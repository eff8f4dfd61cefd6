/* The shared front half of diff and sync (see reconcile.h). */
#include "cli/reconcile.h"
#include "cli/memfs_sync.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/render_diff.h"
#include "core/handles.h"
#include "core/kinds/kinds.h"
#include "core/ownership.h"
#include "repo/config.h"
#include "repo/git.h"
#include "util/xalloc.h"
#include "repo/files.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

/* The largest file a Folder uploads (the server's own limits are larger). */
#define FOLDER_FILE_MAX (64u << 20)

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int reconcile_parse_only(unsigned *out, const struct opts *o, struct ls_error *err)
{
	const char **v;
	int n, i;

	*out = 0;
	v = opts_values(o, "only", &n);
	for (i = 0; i < n; i++) {
		int s = plan_section_parse(v[i]);

		if (s < 0) {
			struct buf all = BUF_INIT;
			const char *close = cli_suggest(v[i], plan_section_names);
			int k;

			for (k = 0; plan_section_names[k]; k++)
				buf_addf(&all, "%s%s", k ? ", " : "", plan_section_names[k]);
			ls_error_set(err, LS_EUSAGE, "unknown section '%s' for --only; valid: %s", v[i],
				     all.buf);
			if (close)
				ls_error_hint(err, "did you mean '%s'?", close);
			buf_release(&all);
			return LS_EUSAGE;
		}
		*out |= 1u << s;
	}
	return 0;
}

void reconcile_parse_plan_opts(struct reconcile_opts *ro, const struct opts *o)
{
	if (opts_count(o, "prune"))
		ro->plan_flags |= PLAN_PRUNE;
	if (opts_count(o, "force"))
		ro->plan_flags |= PLAN_FORCE;
	if (opts_count(o, "adopt"))
		ro->plan_flags |= PLAN_ADOPT;
	ro->model = opts_value(o, "model");
	ro->embedding = opts_value(o, "embedding");
}

/*
 * Reads the files every Folder's spec.files patterns match (relative to the config root) into
 * {folder: {file name: {path, sha256}}}. Files are named by their base name in the folder.
 */
static int read_folder_files(struct reconcile *r, const char *root, struct ls_error *err)
{
	size_t i, k, j;
	int ret = 0;

	r->folder_files = json_object();
	for (i = 0; i < r->ds.n && ret == 0; i++) {
		const struct resource *res = &r->ds.items[i];
		const json_t *pats = json_object_get(res->spec, "files"), *pat;
		json_t *map;

		if (res->kind != KIND_FOLDER || !json_is_array(pats))
			continue;
		map = json_object();
		json_object_set_new(r->folder_files, res->name, map);
		json_array_foreach(pats, k, pat)
		{
			struct buf abs = BUF_INIT;
			glob_t g;

			if (!json_is_string(pat))
				continue;
			buf_addf(&abs, "%s/%s", root, json_string_value(pat));
			memset(&g, 0, sizeof(g));
			if (glob(abs.buf, 0, NULL, &g) == 0) {
				for (j = 0; j < g.gl_pathc && ret == 0; j++) {
					const char *path = g.gl_pathv[j], *base = strrchr(path, '/');
					struct buf data = BUF_INIT;
					char hex[SHA256_HEX_LEN + 1];
					const json_t *seen;

					if (files_is_dir(path))
						continue;
					base = base ? base + 1 : path;
					seen = json_object_get(map, base);
					if (seen && strcmp(jsonx_get_str(seen, "path"), path)) {
						ret = ls_error_set(err, LS_EINVALID,
								   "Folder '%s': two files are named '%s' "
								   "('%s' and '%s'); a folder holds "
								   "files by name",
								   res->name, base,
								   jsonx_get_str(seen, "path"), path);
						break;
					}
					if ((ret = files_read(&data, path, FOLDER_FILE_MAX, err)) < 0)
						break;
					sha256_hex(hex, data.buf, data.len);
					json_object_set_new(map, base,
							    json_pack("{s:s, s:s}", "path", path,
								      "sha256", hex));
					buf_release(&data);
				}
			}
			globfree(&g);
			buf_release(&abs);
			if (ret < 0)
				break;
		}
	}
	return ret;
}

static int load_config(struct reconcile *r, struct cli_ctx *ctx, struct ls_error *err)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config_info info = CONFIG_INFO_INIT;
	int ret = config_load_flags(&r->ds, ".", r->opts.scope_soft ? CONFIG_SCOPE_SOFT : 0,
				    &diags, &info, err);

	/*
	 * sync may create the project before it reads the memory files: their rules are checked
	 * here, before any write (issue 25).
	 */
	if (ret == 0 && r->opts.create_project &&
	    (!r->opts.sections || (r->opts.sections & (1u << SECTION_MEMORY_FILES)))) {
		memfs_check_desired(&r->ds, info.root, &diags);
		if (diags.nerrors)
			ret = ls_error_set(err, LS_EINVALID, "%zu problem(s) in memory files",
					   diags.nerrors);
	}
	output_diags(ctx, &diags, NULL, ret < 0, err);
	if (ret < 0 && !err->hint[0])
		ls_error_hint(err, "run 'letta-sync validate' to see every problem");
	if (ret == 0)
		ret = read_folder_files(r, info.root ? info.root : ".", err);
	diag_list_release(&diags);
	config_info_release(&info);
	return ret;
}

/*
 * Refuses (LS_EINVALID) a plan that sends a model or embedding handle the server does not
 * serve, before anything is written: the real server answers such a create with a 404 or a
 * 400 only after the objects before it were made. The lists are read once per run, and only
 * when the plan sends a handle. A server without the lists (an error other than auth or
 * Ctrl-C) is not checked: a warning says so.
 */
int reconcile_models(struct reconcile *r, const char *what, struct ls_error *err)
{
	struct ls_error merr = LS_ERROR_INIT;
	int ret;

	if (r->models_read)
		return 0;
	r->models_read = 1;
	ret = letta_models(&r->llm_models, &r->emb_models, r->api, &merr);
	if (ret == LS_EINTERRUPTED || ret == LS_EAUTH) {
		*err = merr;
		return ret;
	}
	if (ret < 0)
		output_warn(r->ctx, "%s: %s%s%s", what, merr.where, merr.where[0] ? ": " : "",
			    merr.msg);
	return 0;
}

static int check_handles(struct reconcile *r, const struct handle_defaults *d,
			 struct ls_error *err)
{
	json_t *used = handles_in_plan(&r->plan), *bad, *e;
	size_t i;
	int ret = 0;

	if (!handles_any(used))
		goto out;
	if ((ret = reconcile_models(r, "model handles not checked", err)) < 0)
		goto out;
	if (!r->llm_models)
		goto out;
	bad = handles_unknown(used, &r->plan, r->llm_models, r->emb_models, &r->ds, d);
	json_array_foreach(bad, i, e) {
		struct ls_error one = LS_ERROR_INIT;
		const json_t *avail = json_object_get(e, "available"), *h;
		const char *field = jsonx_get_str(e, "field"), *from = jsonx_get_str(e, "from");
		struct buf list = BUF_INIT;
		size_t k;

		if (jsonx_get_str(e, "file")[0])
			ls_error_where(&one, "%s:%d:%d", jsonx_get_str(e, "file"),
				       (int)jsonx_get_int(e, "line", 0), (int)jsonx_get_int(e, "col", 0));
		ls_error_set(&one, LS_EINVALID, "%s '%s': the server has no %s '%s'%s%s%s",
			     jsonx_get_str(e, "kind"), jsonx_get_str(e, "name"),
			     strcmp(field, "model") ? "embedding model" : "model",
			     jsonx_get_str(e, "handle"), from ? " (from " : "", from ? from : "",
			     from ? ")" : "");
		/* Nearest first, as many as the hint holds. */
		json_array_foreach(avail, k, h) {
			size_t before = list.len;

			buf_addf(&list, "%s%s", k ? ", " : "", json_string_value(h));
			if (list.len > sizeof(one.hint) - 64) {
				buf_setlen(&list, before);
				buf_addf(&list, " and %zu more (GET %s)", json_array_size(avail) - k,
					 strcmp(field, "model") ? "/v1/models/embedding" : "/v1/models/");
				break;
			}
		}
		if (json_array_size(avail))
			ls_error_hint(&one, "the server has, nearest first: %s", list.buf);
		else
			ls_error_hint(&one, "the server serves no %s at all",
				      strcmp(field, "model") ? "embedding model" : "model");
		buf_release(&list);
		if (i + 1 == json_array_size(bad)) {
			*err = one;
			ret = LS_EINVALID;
		} else {
			/* The last is the command's error (printed last); the others are logged. */
			if (one.where[0])
				log_error("%s: %s", one.where, one.msg);
			else
				log_error("%s", one.msg);
			log_info("hint: %s", one.hint);
		}
	}
	json_decref(bad);
out:
	json_decref(used);
	return ret;
}

/* Computes r->plan from r->ds and r->rs. */
static int plan_now(struct reconcile *r, struct ls_error *err)
{
	struct cli_ctx *ctx = r->ctx;
	const struct reconcile_opts *o = &r->opts;
	struct plan_opts po;
	struct handle_defaults hd;
	size_t i;
	json_t *w;
	int ret;

	memset(&po, 0, sizeof(po));
	po.project = ctx->target.project.slug ? ctx->target.project.slug
		     : ctx->target.project.id ? ctx->target.project.id
					      : "";
	po.project_id = letta_project_id(r->api);
	po.commit = r->commit;
	po.version = r->version;
	po.flags = o->plan_flags;
	po.secret = cli_secret_env;
	po.agent = ctx->target.agent;
	po.sections = o->sections;
	po.default_model = o->model ? o->model : getenv("LETTA_DEFAULT_MODEL");
	if (!po.default_model || !*po.default_model)
		po.default_model = getenv("LETTA_MODEL");
	if (po.default_model && !*po.default_model)
		po.default_model = NULL;
	po.folder_files = r->folder_files;
	po.force_names = r->force_names;
	po.now = output_now();
	po.by = "sync";
	po.default_embedding = o->embedding ? o->embedding : getenv("LETTA_DEFAULT_EMBEDDING");
	if (po.default_embedding && !*po.default_embedding)
		po.default_embedding = NULL;
	if (r->no_project) {
		json_array_clear(r->rs.blocks);
		json_array_clear(r->rs.agents);
		json_array_clear(r->rs.identities);
	}
	if ((ret = plan_compute(&r->plan, &r->ds, &r->rs, &po, err)) < 0)
		return ret;
	hd.model_from = o->model ? "--model"
			: getenv("LETTA_DEFAULT_MODEL") && *getenv("LETTA_DEFAULT_MODEL")
				? "LETTA_DEFAULT_MODEL"
				: "LETTA_MODEL";
	hd.embedding_from = o->embedding ? "--embedding" : "LETTA_DEFAULT_EMBEDDING";
	if ((ret = check_handles(r, &hd, err)) < 0)
		return ret;
	/* A plan against a project sync is about to create is made again: warn once, then. */
	if (!(r->no_project && o->create_project) && !o->keep_warnings)
		json_array_foreach(r->plan.warnings, i, w)
			output_warn(ctx, "%s", json_string_value(w));
	return 0;
}

/*
 * The lists a plan of ds needs (bits of apply_read_remote_kinds(), the kind table's reads,
 * core/kinds/kinds.c): a kind's own list, tools and MCP servers together (a tool may come from
 * a server), and every list for templates and agents, which refer to tools, folders and
 * identities. A repository of blocks alone reads
 * the blocks and agents lists only (issue 26: no list of a kind nothing declares).
 */
static unsigned declared_kinds(const struct desired_state *ds)
{
	unsigned mask = 0;

	for (size_t i = 0; i < ds->n; i++) {
		unsigned reads = kind_ops(ds->items[i].kind)->reads; /* the kind table's */

		if (reads == KIND_READS_ALL)
			return APPLY_READ_ALL;
		mask |= reads;
	}
	return mask;
}

int reconcile_prepare(struct reconcile *r, struct cli_ctx *ctx, const struct reconcile_opts *o,
		      struct ls_error *err)
{
	struct git_facts gf;
	struct ls_error gerr = LS_ERROR_INIT;
	int ret, read = 0;

	memset(r, 0, sizeof(*r));
	r->ds = (struct desired_state)DESIRED_STATE_INIT;
	remote_state_init(&r->rs);
	plan_init(&r->plan);
	r->releaser = -1;
	r->opts = *o; /* load_config() reads scope_soft */
	if ((ret = cli_ctx_resolve(ctx, err)) < 0)
		return ret;
	if ((ret = load_config(r, ctx, err)) < 0)
		return ret;

	memset(&gf, 0, sizeof(gf));
	if (git_facts_read(&gf, ".", &gerr) == 0 && gf.head)
		r->commit = xstrdup(gf.head);
	else
		r->commit = xstrdup("");
	git_facts_release(&gf);
	if (git_worktree_version(&r->version, ".", &gerr) < 0 || !r->version) {
		free(r->version);
		r->version = xstrdup("0.0.0");
	}

	/*
	 * One client for the whole run, so that the connection the project look-up opened is
	 * reused by the project's creation and the lists (issue 26).
	 */
	if ((ret = cli_open_api(&r->api, ctx, 0, err)) < 0)
		return ret;
	/* A project given by id is checked in the same round as the first lists (issue 26). */
	ret = apply_resolve_read_remote(&r->rs, r->api, &ctx->target, declared_kinds(&r->ds), err);
	if (ret == 1)
		ret = letta_resolve_target(r->api, &ctx->target, err);
	else if (ret == 0)
		read = 1;
	if (ret == 0 && !ctx->target.project.slug && ctx->target.project.id &&
	    letta_project_slug(r->api))
		ctx->target.project.slug = xstrdup(letta_project_slug(r->api));
	if (ret == LS_ENOTFOUND && ctx->target.project.slug && !ctx->target.project.id) {
		/* A project that does not exist yet: sync creates it, diff plans against nothing. */
		ls_error_clear(err);
		/* The same client: its connection is kept (issue 26). */
		r->no_project = 1;
		if (!o->create_project)
			output_warn(ctx, "project '%s' does not exist yet: sync creates it",
				    ctx->target.project.slug);
	} else if (ret < 0) {
		return ret;
	}
	if (!read && (ret = apply_read_remote_kinds(&r->rs, r->api, declared_kinds(&r->ds), err)) < 0)
		return ret;
	if (r->no_project) {
		json_array_clear(r->rs.blocks);
		json_array_clear(r->rs.agents);
		json_array_clear(r->rs.identities);
	}

	r->ctx = ctx;
	r->opts = *o;
	if (o->no_plan)
		return 0;
	if ((ret = plan_now(r, err)) < 0 || !r->no_project || !o->create_project)
		return ret;
	/*
	 * sync creates a missing project only once the plan against nothing passed its checks
	 * (handles), so that a refused plan writes nothing; then reads and plans again in it.
	 */
	{
		json_t *p = NULL;

		if ((ret = letta_project_create(&p, r->api, ctx->target.project.slug, err)) < 0)
			return ret;
		log_info("created project '%s'", ctx->target.project.slug);
		/* The answer has the id: no second look-up. */
		ret = letta_project_resolve(r->api, ctx->target.project.slug, jsonx_get_str(p, "id"),
					    err);
		json_decref(p);
		if (ret < 0)
			return ret;
		r->no_project = 0;
	}
	return reconcile_replan(r, err);
}

int reconcile_lease_hold(struct reconcile *r, int break_lease, struct ls_error *err)
{
	int ret;

	if (!r->lease_tried) {
		r->lease_tried = 1;
		if ((ret = reconcile_lease_take(r, break_lease, &r->leased, err)) < 0)
			return ret;
	}
	r->releaser = reconcile_lease_keep(r);
	return 0;
}

void reconcile_lease_finish(struct reconcile *r, const struct apply_result *res)
{
	if (r->leased && !(r->releaser >= 0 && res && res->status &&
			   res->status[r->releaser] == APPLY_DONE))
		reconcile_lease_release(r);
	r->leased = 0;
}

int reconcile_pass(struct reconcile *r, const struct reconcile_pass *p, struct ls_error *err)
{
	int ret;

	r->releaser = -1;
	if (p->read && (ret = apply_read_remote_kinds(&r->rs, r->api, p->read, err)) < 0)
		return ret;
	if (p->plan) {
		plan_release(&r->plan);
		plan_init(&r->plan);
		if ((ret = p->plan(r, p->arg, err)) != 0)
			return ret;
	}
	if (p->before && (ret = p->before(r, p->arg, err)) < 0)
		return ret;
	if (p->lease && (p->writes ? p->writes(r, p->arg) : plan_count_writes(&r->plan) > 0) &&
	    (ret = reconcile_lease_hold(r, p->break_lease, err)) < 0)
		return ret;
	return p->apply(r, p->arg, err);
}

int reconcile_apply(struct apply_result *res, struct cli_ctx *ctx, struct letta *api,
		    const struct plan *p, int quiet, const char *what, size_t total,
		    struct ls_error *err)
{
	struct progress pr = PROGRESS_INIT;
	int ret;

	progress_start(&pr, ctx, quiet, what, "changes", total);
	letta_set_progress(api, progress_letta, &pr);
	ret = apply_plan(res, api, p, err);
	letta_set_progress(api, NULL, NULL);
	progress_finish(&pr);
	return ret;
}

unsigned reconcile_read_kinds(const struct reconcile *r)
{
	return declared_kinds(&r->ds);
}

int reconcile_plan(struct reconcile *r, void *arg, struct ls_error *err)
{
	(void)arg;
	return plan_now(r, err);
}

int reconcile_replan(struct reconcile *r, struct ls_error *err)
{
	int ret;

	if ((ret = apply_read_remote_kinds(&r->rs, r->api, reconcile_read_kinds(r), err)) < 0)
		return ret;
	plan_release(&r->plan);
	plan_init(&r->plan);
	return plan_now(r, err);
}

void reconcile_release(struct reconcile *r)
{
	desired_state_release(&r->ds);
	remote_state_release(&r->rs);
	plan_release(&r->plan);
	letta_free(r->api);
	free(r->commit);
	free(r->version);
	json_decref(r->folder_files);
	json_decref(r->lease);
	json_decref(r->force_names);
	json_decref(r->llm_models);
	json_decref(r->emb_models);
	memset(r, 0, sizeof(*r));
}

/*
 * Freeing a 5,000-block run's desired and remote state and plan (hundreds of thousands of jansson
 * nodes) took ~15 % of a no-op re-sync's CPU: work the kernel does for free at exit.
 */
static struct reconcile kept_at_exit;
static int kept;

void reconcile_release_at_exit(struct reconcile *r)
{
	if (LS_FREE_AT_EXIT || kept) {
		reconcile_release(r);
		return;
	}
	letta_free(r->api);
	r->api = NULL;
	kept_at_exit = *r;
	kept = 1;
	memset(r, 0, sizeof(*r));
}

#define PLAN_FILE_VERSION 1

int reconcile_save_plan(const struct reconcile *r, const char *path, struct ls_error *err)
{
	json_t *doc = json_pack("{s:i, s:s, s:s, s:s, s:{s:i, s:i, s:s?}, s:o, s:o, s:o}", "version",
				PLAN_FILE_VERSION, "project",
				r->ctx->target.project.slug ? r->ctx->target.project.slug : "",
				"commit", r->commit ? r->commit : "", "work_tree_version",
				r->version ? r->version : "", "options", "flags",
				(int)(r->opts.plan_flags & (PLAN_FORCE | PLAN_PRUNE | PLAN_ADOPT)),
				"sections", (int)r->opts.sections, "agent", r->ctx->target.agent,
				"changes", render_diff_data(&r->plan), "info",
				render_diff_info(&r->plan), "fingerprints",
				remote_fingerprints(&r->rs));
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	int ret;

	ret = files_write_atomic(path, text, strlen(text), err);
	free(text);
	json_decref(doc);
	return ret;
}

int reconcile_load_plan(json_t **out, struct reconcile_opts *o, const char *path,
			struct ls_error *err)
{
	struct buf text = BUF_INIT;
	json_error_t jerr;
	json_t *doc;
	const json_t *opts;
	int ret;

	if ((ret = files_read(&text, path, FILES_MAX_SIZE, err)) < 0)
		return ret;
	doc = json_loads(text.buf, 0, &jerr);
	buf_release(&text);
	if (!doc || jsonx_get_int(doc, "version", 0) != PLAN_FILE_VERSION ||
	    !json_is_array(json_object_get(doc, "changes")) ||
	    !json_is_object(json_object_get(doc, "fingerprints"))) {
		json_decref(doc);
		ls_error_set(err, LS_EUSAGE, "'%s' is not a plan saved by 'letta-sync diff --out'",
			     path);
		return LS_EUSAGE;
	}
	opts = json_object_get(doc, "options");
	o->plan_flags |= (unsigned)jsonx_get_int(opts, "flags", 0);
	o->sections = (unsigned)jsonx_get_int(opts, "sections", 0);
	*out = doc;
	return 0;
}

int reconcile_check_plan(const struct reconcile *r, const json_t *saved, struct ls_error *err)
{
	const json_t *old = json_object_get(saved, "fingerprints"), *f;
	json_t *now = remote_fingerprints(&r->rs), *changes;
	struct buf what = BUF_INIT;
	const char *id;
	size_t n = 0;
	int ret = 0;

	json_object_foreach((json_t *)old, id, f)
	{
		const json_t *cur = json_object_get(now, id);

		if (cur && !strcmp(jsonx_get_str(cur, "sha256") ? jsonx_get_str(cur, "sha256") : "",
				   jsonx_get_str(f, "sha256") ? jsonx_get_str(f, "sha256") : ""))
			continue;
		if (n++ < 10)
			buf_addf(&what, "%s%s '%s' (%s%s)", what.len ? ", " : "",
				 jsonx_get_str(f, "kind"), jsonx_get_str(f, "name"), id,
				 cur ? "" : ", gone");
	}
	if (n) {
		ret = ls_error_set(err, LS_ECONFLICT,
				   "the server changed since the plan was made: %s%s", what.buf,
				   n > 10 ? ", ..." : "");
		ls_error_hint(err, "make a new plan with 'letta-sync diff --out'");
	} else {
		changes = render_diff_data(&r->plan);
		if (!json_equal(changes, json_object_get(saved, "changes"))) {
			ret = ls_error_set(err, LS_ECONFLICT,
					   "the manifests no longer give the saved plan (%zu changes "
					   "now, %zu in the plan)",
					   json_array_size(changes),
					   json_array_size(json_object_get(saved, "changes")));
			ls_error_hint(err, "make a new plan with 'letta-sync diff --out'");
		}
		json_decref(changes);
	}
	json_decref(now);
	buf_release(&what);
	return ret;
}

#define LEASE_SECONDS 600

long reconcile_lease_seconds(void)
{
	const char *e = getenv("LETTA_SYNC_LEASE_SECONDS");
	char *end;
	long v;

	if (!e || !*e)
		return LEASE_SECONDS;
	errno = 0;
	v = strtol(e, &end, 10);
	return errno || *end || v < 3 || v > 86400 ? LEASE_SECONDS : v;
}

static const json_t *inventory_of(const struct reconcile *r)
{
	const char *project = r->ctx->target.project.slug ? r->ctx->target.project.slug
			      : r->ctx->target.project.id ? r->ctx->target.project.id
							  : "";

	return own_find_inventory(r->rs.blocks, project);
}

/*
 * Whether the lease holder ("user@host pid N") is a process of this machine that no longer
 * runs: a sync killed mid-run. As git's gc.pid check does, only a named host counts
 * ("localhost" could be any container).
 */
static int holder_is_gone(const char *holder, const char *host)
{
	const char *at = strrchr(holder, '@');
	const char *pid = strstr(holder, " pid ");
	size_t hlen = strlen(host);
	char *end;
	long n;

	if (!at || !pid || !hlen || !strcmp(host, "localhost") || pid < at)
		return 0;
	if ((size_t)(pid - at - 1) != hlen || strncmp(at + 1, host, hlen))
		return 0;
	errno = 0;
	n = strtol(pid + 5, &end, 10);
	if (errno || *end || n <= 0 || n == (long)getpid())
		return 0;
	return kill((pid_t)n, 0) < 0 && errno == ESRCH;
}

/*
 * The plan's write-ahead inventory write (core/plan.c, plan_inventory): an inventory action
 * that a later inventory action depends on; -1 when the plan has none.
 */
static long write_ahead(const struct plan *p)
{
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];

		if (!a->internal || a->skip || a->kind != KIND_BLOCK ||
		    strcmp(a->name, OWN_INVENTORY_LABEL) || a->nreqs != 1)
			continue;
		for (j = i + 1; j < p->n; j++) {
			const struct plan_action *b = &p->items[j];

			if (b->internal && b->kind == KIND_BLOCK &&
			    !strcmp(b->name, OWN_INVENTORY_LABEL))
				for (size_t k = 0; k < b->ndeps; k++)
					if (b->deps[k] == i)
						return (long)i;
		}
	}
	return -1;
}

int reconcile_lease_take(struct reconcile *r, int break_lease, int *taken, struct ls_error *err)
{
	const json_t *inv = inventory_of(r);
	const json_t *lease = json_object_get(json_object_get(inv, "metadata"), "lease");
	const char *holder = jsonx_get_str(lease, "holder");
	long long expires = jsonx_get_int(lease, "expires", 0);
	long long now = (long long)time(NULL);
	char host[128] = "", when[32];
	struct buf me = BUF_INIT;
	json_t *meta, *body, *reply = NULL;
	time_t t;
	long wa;
	int ret;

	*taken = 0;
	if (!inv || !jsonx_get_str(inv, "id"))
		return 0; /* the first sync: nothing to hold yet */
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	buf_addf(&me, "%s@%s pid %ld", getenv("USER") ? getenv("USER") : "letta-sync",
		 host[0] ? host : "localhost", (long)getpid());
	if (holder && expires > now && !break_lease && holder_is_gone(holder, host)) {
		log_warn("taking over the lease of %s, which no longer runs on this machine", holder);
		break_lease = 1;
	}
	if (holder && expires > now && !break_lease) {
		ret = ls_error_set(err, LS_ELEASE,
				   "another sync holds the lease on project '%s': %s, for %lld more "
				   "second(s)",
				   r->ctx->target.project.slug ? r->ctx->target.project.slug : "",
				   holder, expires - now);
		ls_error_hint(err, "wait for it, or use --break-lease if it is stale");
		buf_release(&me);
		return ret;
	}
	t = (time_t)(now + reconcile_lease_seconds());
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	meta = json_deep_copy(json_object_get(inv, "metadata"));
	json_decref(r->lease);
	r->lease = json_pack("{s:s, s:s, s:I}", "holder", me.buf, "expires_at", when, "expires",
			     (json_int_t)(now + reconcile_lease_seconds()));
	json_object_set(meta, "lease", r->lease);
	wa = write_ahead(&r->plan);
	if (wa >= 0) {
		/*
		 * The lease's write carries the plan's write-ahead intent too: one request, and
		 * the plan's own write-ahead action is done by it.
		 */
		const struct plan_request *pr = &r->plan.items[wa].reqs[0];
		struct plan_results none = { NULL, NULL, 0 };

		body = plan_resolve_body(pr->body, pr->flags, &none, (size_t)wa, err);
		if (!body) {
			json_decref(meta);
			buf_release(&me);
			return err->code ? (int)err->code : LS_EINTERNAL;
		}
		json_object_set_new(body, "metadata", meta);
	} else {
		body = json_pack("{s:o}", "metadata", meta);
	}
	ret = letta_update(&reply, r->api, LETTA_BLOCK, jsonx_get_str(inv, "id"), body, err);
	json_decref(body);
	json_decref(reply);
	buf_release(&me);
	if (ret == 0) {
		*taken = 1;
		if (wa >= 0)
			r->plan.items[wa].skip = 1;
	}
	return ret;
}

long reconcile_lease_keep(struct reconcile *r)
{
	size_t i, j, k;

	if (!r->lease)
		return -1;
	for (i = 0; i < r->plan.n; i++) {
		const struct plan_action *a = &r->plan.items[i];
		int later = 0;

		if (!a->internal || a->kind != KIND_BLOCK || strcmp(a->name, OWN_INVENTORY_LABEL) ||
		    !a->id)
			continue;
		for (k = i + 1; k < r->plan.n; k++)
			if (!r->plan.items[k].skip && r->plan.items[k].nreqs)
				later = 1;
		if (!later)
			return (long)i; /* the last write: it releases the lease */
		for (j = 0; j < a->nreqs; j++) {
			json_t *meta = json_object_get(a->reqs[j].body, "metadata");

			if (json_is_object(meta))
				json_object_set(meta, "lease", r->lease);
		}
	}
	return -1;
}

int reconcile_lease_renew(struct reconcile *r, struct ls_error *err)
{
	const json_t *inv = inventory_of(r);
	long long now = (long long)time(NULL);
	json_t *meta, *body, *reply = NULL;
	char when[32];
	time_t t;
	int ret;

	if (!r->lease || !inv || !jsonx_get_str(inv, "id"))
		return 0;
	t = (time_t)(now + reconcile_lease_seconds());
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_set_new(r->lease, "expires_at", json_string(when));
	json_object_set_new(r->lease, "expires", json_integer((json_int_t)t));
	meta = json_deep_copy(json_object_get(inv, "metadata"));
	if (!json_is_object(meta)) {
		json_decref(meta);
		meta = json_object();
	}
	json_object_set(meta, "lease", r->lease);
	body = json_pack("{s:o}", "metadata", meta);
	ret = letta_update(&reply, r->api, LETTA_BLOCK, jsonx_get_str(inv, "id"), body, err);
	json_decref(body);
	json_decref(reply);
	if (ret == 0)
		log_info("renewed the lease until %s", when);
	return ret;
}

void reconcile_lease_release(struct reconcile *r)
{
	const json_t *inv = inventory_of(r);
	struct ls_error err = LS_ERROR_INIT;
	json_t *meta, *body, *reply = NULL;

	if (!inv || !jsonx_get_str(inv, "id"))
		return;
	meta = json_deep_copy(json_object_get(inv, "metadata"));
	json_object_del(meta, "lease");
	body = json_pack("{s:o}", "metadata", meta);
	if (letta_update(&reply, r->api, LETTA_BLOCK, jsonx_get_str(inv, "id"), body, &err) < 0)
		log_warn("could not release the lease: %s (it expires by itself)", err.msg);
	json_decref(body);
	json_decref(reply);
}
