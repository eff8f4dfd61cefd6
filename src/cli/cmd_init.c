/*
 * init: starts a config repository in the current directory: .letta/project.json (the project
 * slug defaults to the directory's name), the three layer folders with one commented example
 * each, .letta/schema.json for editors, the .gitignore line for local settings and, with
 * --ci github, the workflow templates. Writes only new files: refuses when one exists (with
 * other contents), so it never overwrites anything. Sends no request.
 */
#include "cli/cli.h"
#include "cli/init_files.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "core/schema.h"
#include "repo/files.h"
#include "repo/settings.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct opt_spec spec[] = {
	{ "ci", 0, OPT_VALUE, "<system>", "also write the CI workflows: github (or none, the default)" },
	{ "name", 0, OPT_VALUE, "<name>", "the project's display name (default: the slug)" },
	CLI_COMMON_OPTS,
	OPT_END
};

static const char examples[] =
	"  git init agents-config && cd agents-config && letta-sync init\n"
	"  letta-sync init --project support-bots --ci github\n"
	"  letta-sync init -C new-repo --json\n";

struct planned {
	char *path; /* relative to the root */
	char *data;
	size_t len;
};

/* The directory's name as a slug: lower case, [a-z0-9-], no leading or trailing '-'. */
static char *slug_from_dir(const char *abs)
{
	const char *base = strrchr(abs, '/');
	struct buf b = BUF_INIT;

	base = base ? base + 1 : abs;
	for (const char *p = base; *p; p++) {
		char ch = *p;

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			buf_addch(&b, ch);
		else if (b.len && b.buf[b.len - 1] != '-')
			buf_addch(&b, '-');
	}
	while (b.len && b.buf[b.len - 1] == '-')
		buf_setlen(&b, b.len - 1);
	return buf_detach(&b);
}

static void plan_add(struct planned *list, size_t *n, const char *path, const char *data,
		     size_t len)
{
	list[*n].path = xstrdup(path);
	list[*n].data = xmalloc(len + 1);
	memcpy(list[*n].data, data, len);
	list[*n].data[len] = '\0';
	list[*n].len = len;
	(*n)++;
}

/* 1 when path holds exactly data (a re-run after an interrupted init), 0 when it differs. */
static int same_content(const char *path, const char *data, size_t len)
{
	struct buf b = BUF_INIT;
	struct ls_error e = LS_ERROR_INIT;
	int same = files_read(&b, path, len + 1, &e) == 0 && b.len == len &&
		   !memcmp(b.buf, data, len);

	buf_release(&b);
	return same;
}

static int write_one(const struct planned *f, struct ls_error *err)
{
	struct buf dir = BUF_INIT;
	const char *slash = strrchr(f->path, '/');
	int ret = 0;

	if (slash) {
		buf_add(&dir, f->path, (size_t)(slash - f->path));
		ret = files_mkdirs(dir.buf, err);
	}
	if (ret == 0)
		ret = files_write_new(f->path, f->data, f->len, err);
	buf_release(&dir);
	return ret;
}

int cmd_init(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct buf abs = BUF_INIT, text = BUF_INIT;
	struct planned *list = NULL;
	size_t n = 0;
	char *slug = NULL, *s = NULL;
	const char *ci, *name;
	json_t *project = NULL, *schema = NULL, *created = json_array(), *kept = json_array();
	json_t *existing = json_array();
	int ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync init [--ci github] [options]",
			     examples, &ctx->err);
	int gitignore = 0;

	if (ret)
		goto out;
	ret = opts_no_args(&o, &ctx->err);
	if (ret < 0)
		goto out;
	ci = opts_value(&o, "ci");
	if (ci && strcmp(ci, "github") && strcmp(ci, "none")) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE, "unknown CI system '%s'", ci);
		ls_error_hint(&ctx->err, "--ci github (or none)");
		goto out;
	}
	files_abspath(&abs, ".");
	slug = ctx->g.project ? xstrdup(ctx->g.project) : slug_from_dir(abs.buf);
	if (!*slug) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "cannot make a project slug of the directory name '%s'", abs.buf);
		ls_error_hint(&ctx->err, "give one: letta-sync init --project my-project");
		goto out;
	}
	name = opts_value(&o, "name");

	list = xcalloc(init_nfiles + 2, sizeof(*list));
	project = json_pack("{s:s, s:s}", "slug", slug, "name", name ? name : slug);
	s = json_dumps(project, JSON_INDENT(2));
	buf_addf(&text, "%s\n", s);
	plan_add(list, &n, ".letta/project.json", text.buf, text.len);
	free(s);
	schema = schema_manifest(-1);
	s = json_dumps(schema, JSON_INDENT(2));
	buf_reset(&text);
	buf_addf(&text, "%s\n", s);
	free(s);
	plan_add(list, &n, ".letta/schema.json", text.buf, text.len);
	for (size_t i = 0; i < init_nfiles; i++) {
		if ((init_files[i].flags & INIT_FILE_CI_GITHUB) && !(ci && !strcmp(ci, "github")))
			continue;
		plan_add(list, &n, init_files[i].path, init_files[i].data, init_files[i].len);
	}

	/* Nothing is written while one file is in the way. */
	for (size_t i = 0; i < n; i++) {
		if (!files_exists(list[i].path))
			continue;
		if (same_content(list[i].path, list[i].data, list[i].len))
			json_array_append_new(kept, json_string(list[i].path));
		else
			json_array_append_new(existing, json_string(list[i].path));
	}
	if (json_array_size(existing)) {
		ret = ls_error_set(&ctx->err, LS_ECONFLICT, "'%s' already exists%s; init writes only new files",
				   json_string_value(json_array_get(existing, 0)),
				   json_array_size(existing) > 1 ? " (and others)" : "");
		ls_error_hint(&ctx->err, "this directory already holds a config repository; edit its files, "
					 "or run init in an empty directory");
		for (size_t i = 0; i < json_array_size(existing); i++)
			fprintf(stderr, "exists: %s\n", json_string_value(json_array_get(existing, i)));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (files_exists(list[i].path))
			continue; /* the same contents: kept */
		if (ctx->g.dry_run) {
			json_array_append_new(created, json_string(list[i].path));
			continue;
		}
		ret = write_one(&list[i], &ctx->err);
		if (ret < 0)
			goto out;
		json_array_append_new(created, json_string(list[i].path));
	}
	if (!ctx->g.dry_run) {
		ret = gitignore_ensure_settings(abs.buf, &ctx->err);
		if (ret < 0)
			goto out;
		gitignore = ret;
		ret = 0;
	}
	if (ctx->g.json) {
		output_json_ok(ctx, json_pack("{s:s, s:s, s:b, s:O, s:O, s:b}", "root", abs.buf,
					      "project", slug, "dry_run", ctx->g.dry_run, "created",
					      created, "kept", kept, "gitignore_updated", gitignore),
			       NULL);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(created); i++)
		output_line(ctx, "%s %s", ctx->g.dry_run ? "would create" : "created",
			    json_string_value(json_array_get(created, i)));
	if (ctx->g.dry_run) {
		output_line(ctx, "Dry run: nothing was written");
		goto out;
	}
	if (gitignore)
		output_line(ctx, "updated .gitignore (.letta/settings.local.json)");
	if (!json_array_size(created))
		output_line(ctx, "every file is already in place: nothing to do");
	output_line(ctx, "Initialized a letta-sync config repository for project '%s' in %s", slug,
		    abs.buf);
	output_line(ctx, "Next: letta-sync validate, then LETTA_API_KEY=... letta-sync diff");
out:
	for (size_t i = 0; i < n; i++) {
		free(list[i].path);
		free(list[i].data);
	}
	free(list);
	free(slug);
	json_decref(project);
	json_decref(schema);
	json_decref(created);
	json_decref(kept);
	json_decref(existing);
	buf_release(&abs);
	buf_release(&text);
	opts_release(&o);
	return ret;
}
