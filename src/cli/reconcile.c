/* The shared front half of diff and sync (see reconcile.h). */
#include "cli/reconcile.h"
#include "cli/output.h"
#include "repo/config.h"
#include "repo/git.h"
#include "repo/files.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#include <glob.h>

/* The largest file a Folder uploads (the server's own limits are larger). */
#define FOLDER_FILE_MAX (64u << 20)

#include <stdlib.h>
#include <string.h>

static const char *secret_env(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

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
	int ret = config_load(&r->ds, ".", &diags, &info, err);
	size_t i;

	for (i = 0; i < diags.n; i++) {
		const struct diag *d = &diags.items[i];

		if (d->severity != DIAG_ERROR && ret == 0) {
			output_warn(ctx, "%s%s%s", d->file, d->file[0] ? ": " : "", d->msg);
			continue;
		}
		if (d->severity == DIAG_ERROR) {
			if (d->file[0] && d->line)
				log_error("%s:%d:%d: %s", d->file, d->line, d->col, d->msg);
			else
				log_error("%s%s%s", d->file, d->file[0] ? ": " : "", d->msg);
		}
	}
	if (ret < 0 && !err->hint[0])
		ls_error_hint(err, "run 'letta-sync validate' to see every problem");
	if (ret == 0)
		ret = read_folder_files(r, info.root ? info.root : ".", err);
	diag_list_release(&diags);
	config_info_release(&info);
	return ret;
}

/* Computes r->plan from r->ds and r->rs. */
static int plan_now(struct reconcile *r, struct ls_error *err)
{
	struct cli_ctx *ctx = r->ctx;
	const struct reconcile_opts *o = &r->opts;
	struct plan_opts po;
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
	po.secret = secret_env;
	po.agent = ctx->target.agent;
	po.sections = o->sections;
	po.default_model = o->model ? o->model : getenv("LETTA_DEFAULT_MODEL");
	if (!po.default_model || !*po.default_model)
		po.default_model = getenv("LETTA_MODEL");
	if (po.default_model && !*po.default_model)
		po.default_model = NULL;
	po.folder_files = r->folder_files;
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
	json_array_foreach(r->plan.warnings, i, w)
		output_warn(ctx, "%s", json_string_value(w));
	return 0;
}

int reconcile_prepare(struct reconcile *r, struct cli_ctx *ctx, const struct reconcile_opts *o,
		      struct ls_error *err)
{
	struct git_facts gf;
	const char *secret;
	struct ls_error gerr = LS_ERROR_INIT;
	int ret;

	memset(r, 0, sizeof(*r));
	r->ds = (struct desired_state)DESIRED_STATE_INIT;
	remote_state_init(&r->rs);
	plan_init(&r->plan);
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

	secret = getenv("LETTA_API_KEY");
	if (!secret || !*secret)
		secret = getenv("LETTA_SERVER_PASSWORD");
	secret = secret && *secret ? secret : NULL;
	ret = letta_open(&r->api, &ctx->target, secret, getenv, 1, err);
	if (ret == LS_ENOTFOUND && ctx->target.project.slug && !ctx->target.project.id) {
		/* A project that does not exist yet: sync creates it, diff plans against nothing. */
		ls_error_clear(err);
		letta_free(r->api);
		r->api = NULL;
		if ((ret = letta_open(&r->api, &ctx->target, secret, getenv, 0, err)) < 0)
			return ret;
		if (o->create_project) {
			json_t *p = NULL;

			if ((ret = letta_project_create(&p, r->api, ctx->target.project.slug, err)) < 0)
				return ret;
			json_decref(p);
			log_info("created project '%s'", ctx->target.project.slug);
			if ((ret = letta_project_resolve(r->api, ctx->target.project.slug, NULL,
							 err)) < 0)
				return ret;
		} else {
			r->no_project = 1;
			output_warn(ctx, "project '%s' does not exist yet: sync creates it",
				    ctx->target.project.slug);
		}
	} else if (ret < 0) {
		return ret;
	}
	if ((ret = apply_read_remote(&r->rs, r->api, err)) < 0)
		return ret;
	if (r->no_project) {
		json_array_clear(r->rs.blocks);
		json_array_clear(r->rs.agents);
		json_array_clear(r->rs.identities);
	}

	r->ctx = ctx;
	r->opts = *o;
	return plan_now(r, err);
}

int reconcile_replan(struct reconcile *r, struct ls_error *err)
{
	int ret;

	if ((ret = apply_read_remote(&r->rs, r->api, err)) < 0)
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
	memset(r, 0, sizeof(*r));
}
