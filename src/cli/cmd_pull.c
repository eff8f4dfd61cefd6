/*
 * pull: writes the remote state of the project (or of one --agent) into manifests under
 * .letta/manifests/<--layer>/, one file per kind, so that diff then shows no change. Secrets
 * become ${ENV_VAR} references; unmanaged objects only with --all. Works with or without git.
 */
#include "api/apply.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/memfs_pull.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "core/manifest.h"
#include "core/pull.h"
#include "repo/config.h"
#include "repo/files.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/yamlx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "layer", 0, OPT_VALUE, "<layer>", "layer to write: base, org or project (default: project)" },
	{ "all", 0, OPT_FLAG, NULL, "also write unmanaged objects (with spec.managed: false)" },
	{ "quiet", 'q', OPT_FLAG, NULL, "no progress display on a terminal" },
	OPT_END
};

static const char examples[] =
	"  letta-sync pull --project demo\n"
	"  letta-sync pull --dry-run\n"
	"  letta-sync pull --agent agent-123 --layer org\n"
	"  letta-sync pull --all --json | jq '.data.objects | length'\n";

/* The repository's desired state: empty when it has no manifests yet; an error when invalid. */
static int load_local(struct desired_state *ds, struct buf *root, struct cli_ctx *ctx,
		      struct ls_error *err)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config_info info = CONFIG_INFO_INIT;
	int ret = config_load(ds, ".", &diags, &info, err);

	buf_addstr(root, info.root ? info.root : ".");
	if (ret < 0 && !info.manifests) {
		/* No config root or no manifests yet: pull starts them here. */
		ls_error_clear(err);
		ret = 0;
	} else if (ret < 0) {
		output_diags(ctx, &diags, NULL, 1, err);
		ls_error_hint(err, "pull writes into a valid configuration: run 'letta-sync "
				   "validate' and fix it first");
	} else if (info.legacy) {
		/*
		 * Once .letta/manifests/ exists, packages/examples is no longer read: pull writes
		 * everything, as into an empty repository.
		 */
		output_warn(ctx, "this repository keeps its manifests in packages/examples; pull "
				 "writes all of them to .letta/manifests/, which is read instead from "
				 "now on: remove the legacy tree (docs/migrating-from-the-original.md)");
		desired_state_release(ds);
	}
	diag_list_release(&diags);
	config_info_release(&info);
	return ret;
}

/* The documents of every file pull may write that exists now: {path: [docs]}. */
static json_t *read_existing(const char *root)
{
	static const char *const layers[] = { "base", "org", "project" };
	json_t *out = json_object();

	for (size_t l = 0; l < 3; l++) {
		for (int k = 0; k < KIND__COUNT; k++) {
			const char *fn = pull_file_name((enum res_kind)k);
			struct buf rel = BUF_INIT, abs = BUF_INIT, text = BUF_INIT;
			struct yamlx_docs docs = YAMLX_DOCS_INIT;
			struct ls_error perr = LS_ERROR_INIT;

			if (!fn)
				continue;
			buf_addf(&rel, ".letta/manifests/%s/%s", layers[l], fn);
			buf_addf(&abs, "%s/%s", root, rel.buf);
			if (files_exists(abs.buf) && files_read(&text, abs.buf, FILES_MAX_SIZE, &perr) == 0 &&
			    yamlx_parse(&docs, text.buf, text.len, &perr) == 0) {
				json_t *arr = json_array();

				for (size_t i = 0; i < docs.n; i++)
					if (!json_is_null(docs.items[i].value))
						json_array_append(arr, docs.items[i].value);
				json_object_set_new(out, rel.buf, arr);
			}
			yamlx_docs_release(&docs);
			buf_release(&rel);
			buf_release(&abs);
			buf_release(&text);
		}
	}
	return out;
}

/* .letta/project.json when the repository has none, so that later commands find the project. */
static int write_project_json(const char *root, const struct project_ref *p, int dry_run,
			      json_t *files, struct ls_error *err)
{
	struct buf path = BUF_INIT;
	json_t *o;
	char *text;
	int ret = 0;

	buf_addf(&path, "%s/.letta/project.json", root);
	if (files_exists(path.buf) || (!p->slug && !p->id)) {
		buf_release(&path);
		return 0;
	}
	o = json_object();
	if (p->slug)
		json_object_set_new(o, "slug", json_string(p->slug));
	if (p->id)
		json_object_set_new(o, "id", json_string(p->id));
	if (p->name)
		json_object_set_new(o, "name", json_string(p->name));
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!dry_run) {
		struct buf t = BUF_INIT;

		buf_addf(&t, "%s\n", text);
		ret = files_write_inside(root, ".letta/project.json", t.buf, t.len, err);
		buf_release(&t);
	}
	if (ret == 0)
		json_array_append_new(files, json_pack("{s:s, s:i, s:b}", "path",
						       ".letta/project.json", "documents", 1,
						       "written", !dry_run));
	free(text);
	json_decref(o);
	buf_release(&path);
	return ret;
}

/*
 * The files of every folder with their content, so that pull can write them back; the
 * progress line counts the folders read.
 */
static int read_folder_contents(struct remote_state *rs, struct letta *api, struct progress *pr,
				struct ls_error *err)
{
	json_t *f;
	size_t i, total = 0, done = 0;
	int ret = 0;

	json_array_foreach(rs->folders, i, f)
		total += json_array_size(json_object_get(f, "files")) && jsonx_get_str(f, "id");
	json_array_foreach(rs->folders, i, f)
	{
		struct buf path = BUF_INIT;
		json_t *files = NULL;

		if (!json_array_size(json_object_get(f, "files")) || !jsonx_get_str(f, "id"))
			continue;
		buf_addf(&path, "/v1/folders/%s/files?include_content=true", jsonx_get_str(f, "id"));
		ret = letta_list_all(&files, api, path.buf, err);
		buf_release(&path);
		if (ret < 0)
			return ret;
		json_object_set_new(f, "files", files);
		progress_update(pr, ++done, total, 0);
	}
	return 0;
}

int cmd_pull(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct desired_state local = DESIRED_STATE_INIT;
	struct remote_state rs = REMOTE_STATE_INIT;
	struct pull_result res = PULL_RESULT_INIT;
	struct pull_opts po;
	struct progress pr = PROGRESS_INIT;
	struct buf root = BUF_INIT;
	struct letta *api = NULL;
	struct memfs_pull mem = { NULL, 0, NULL };
	size_t nmem = 0;
	json_t *existing = NULL, *files = json_array(), *w;
	const char *layer;
	size_t i;
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync pull [options]", examples,
			     &ctx->err);

	remote_state_init(&rs);
	memset(&po, 0, sizeof(po));
	if (ret) {
		ret = ret > 0 ? 0 : ret; /* --help */
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	layer = opts_value(&o, "layer") ? opts_value(&o, "layer") : "project";
	if (manifest_layer_parse(layer) < 0) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "unknown layer '%s' for --layer; valid: base, org, project", layer);
		goto out;
	}
	if ((ret = cli_ctx_resolve(ctx, &ctx->err)) < 0)
		goto out;
	if ((ret = load_local(&local, &root, ctx, &ctx->err)) < 0)
		goto out;

	if ((ret = cli_open_api(&api, ctx, 1, &ctx->err)) < 0)
		goto out;
	progress_start(&pr, ctx, opts_count(&o, "quiet") > 0, "pull", "folders read", 0);
	ret = apply_read_remote(&rs, api, &ctx->err);
	if (ret == 0)
		ret = read_folder_contents(&rs, api, &pr, &ctx->err);
	progress_finish(&pr);
	if (ret < 0)
		goto out;
	existing = read_existing(root.buf);
	po.project = ctx->target.project.slug ? ctx->target.project.slug
		     : ctx->target.project.id ? ctx->target.project.id
					      : "";
	po.layer = (enum res_layer)manifest_layer_parse(layer);
	po.all = opts_count(&o, "all") > 0;
	po.agent = ctx->target.agent;
	po.dir = ".letta/manifests";
	/* Memory files (issue 25): the folders the Agents declare. */
	memfs_pull_prepare(&mem, rs.agents, &local, po.agent);
	po.memory_dirs = mem.dirs;
	if ((ret = pull_compute(&res, &rs, &local, existing, &po, &ctx->err)) < 0)
		goto out;
	json_array_foreach(res.warnings, i, w)
		output_warn(ctx, "%s", json_string_value(w));

	/*
	 * Every file stays inside the repository (issue 20: a symbolic link under .letta/ must not
	 * carry pulled manifests elsewhere): all are checked before the first one is written.
	 */
	for (i = 0; i < res.n; i++)
		if ((ret = files_check_inside(root.buf, res.files[i].path, &ctx->err)) < 0)
			goto out;
	if (!po.agent && (ret = files_check_inside(root.buf, ".letta/project.json", &ctx->err)) < 0)
		goto out;
	/* Memory files: read, and every path checked, before anything is written. */
	if ((ret = memfs_pull_fetch(&mem, ctx, root.buf, &ctx->err)) < 0)
		goto out;
	for (i = 0; i < res.n; i++) {
		const struct pull_file *f = &res.files[i];
		struct buf what = BUF_INIT;

		if (!ctx->g.dry_run &&
		    (ret = files_write_inside(root.buf, f->path, f->text, strlen(f->text),
					      &ctx->err)) < 0)
			goto out;
		json_array_append_new(files, json_pack("{s:s, s:I, s:b}", "path", f->path,
						       "documents", (json_int_t)f->ndocs, "written",
						       !ctx->g.dry_run));
		if (f->ndocs)
			buf_addf(&what, " (%zu document%s)", f->ndocs, f->ndocs == 1 ? "" : "s");
		if (ctx->g.dry_run) {
			output_line(ctx, "%s# would write %s%s%s", output_color("bold"), f->path,
				    what.buf, output_color("reset"));
			if (!ctx->g.json) {
				/* Printed, so masked like every printed URL (util/redact.c); the
				 * file itself, when written, keeps the server's value. */
				struct buf shown = BUF_INIT;

				buf_addstr(&shown, f->text);
				redact_buf(&shown);
				fputs(shown.buf, stdout);
				buf_release(&shown);
			}
		} else {
			output_line(ctx, "wrote %s%s", f->path, what.buf);
		}
		buf_release(&what);
	}
	if ((ret = memfs_pull_write(&mem, ctx, root.buf, ctx->g.dry_run, files, &nmem,
				    &ctx->err)) < 0)
		goto out;
	if (!po.agent &&
	    (ret = write_project_json(root.buf, &ctx->target.project, ctx->g.dry_run, files,
				      &ctx->err)) < 0)
		goto out;
	if (ctx->g.json)
		output_json_ok(ctx,
			       json_pack("{s:b, s:s, s:O, s:O}", "dry_run", ctx->g.dry_run,
					 "layer", layer, "files", files, "objects", res.objects),
			       NULL);
	else if (res.n == 0 && !nmem)
		output_line(ctx, "nothing to write: the manifests already describe the server (%zu "
				 "object%s)",
			    json_array_size(res.objects), json_array_size(res.objects) == 1 ? "" : "s");
	else
		output_line(ctx, "%s %zu object%s into %zu file%s%s",
			    ctx->g.dry_run ? "would pull" : "pulled", json_array_size(res.objects),
			    json_array_size(res.objects) == 1 ? "" : "s", res.n,
			    res.n == 1 ? "" : "s", ctx->g.dry_run ? " (dry run: nothing written)" : "");
out:
	memfs_pull_release(&mem);
	json_decref(existing);
	json_decref(files);
	pull_result_release(&res);
	remote_state_release(&rs);
	desired_state_release(&local);
	letta_free(api);
	buf_release(&root);
	opts_release(&o);
	return ret;
}
