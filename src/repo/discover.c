/*
 * Discovery and loading of the configuration: the config root, the manifest files in a sorted,
 * deterministic order, Tool sourceFiles, and the .letta/ config files. See repo/config.h.
 */
#include "repo/config.h"
#include "repo/files.h"
#include "core/layers.h"
#include "core/manifest.h"
#include "core/target.h"
#include "core/validate.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define SOURCE_FILE_MAX (1u * 1024 * 1024)
#define WALK_MAX_DEPTH  32
#define WALK_MAX_FILES  100000

static const char *const layer_dirs[] = { "base", "org", "project", NULL };
/* The original's legacy packages/examples layer directories. */
static const char *const legacy_dirs[][2] = {
	{ "base", "base" }, { "org-smarty-pants", "org" }, { "project-smarty-dev", "project" },
	{ "org", "org" }, { "project", "project" },
};

struct loader {
	const char *root;     /* absolute, real path */
	struct manifest_set set;
	size_t nfiles;
};

void config_info_release(struct config_info *info)
{
	if (!info)
		return;
	free(info->root);
	free(info->manifests);
	memset(info, 0, sizeof(*info));
}

static int has_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcasecmp(dot, ".yaml") || !strcasecmp(dot, ".yml") ||
		       !strcasecmp(dot, ".json"));
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of a directory (no "." entries, no hidden files). */
static int list_dir(char ***out, size_t *n, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t alloc = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		*out = xgrow(*out, sizeof(**out), *n + 1, &alloc);
		(*out)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), str_cmp);
	return 0;
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Whether the real path of path lies inside root (itself a real path). */
static int inside_root(const char *root, const char *path)
{
	char real[PATH_MAX];
	size_t n = strlen(root);

	if (!realpath(path, real))
		return 0;
	return !strncmp(real, root, n) && (real[n] == '/' || real[n] == '\0' || !strcmp(root, "/"));
}

static void load_file(struct loader *l, const char *rel, int layer)
{
	struct buf text = BUF_INIT;
	struct buf abs = BUF_INIT;
	struct ls_error err = LS_ERROR_INIT;

	buf_addf(&abs, "%s/%s", l->root, rel);
	l->nfiles++;
	if (!inside_root(l->root, abs.buf)) {
		diag_add(&l->set.diags, DIAG_ERROR, rel, 0, 0,
			 "'%s' leaves the repository (a symbolic link to outside it)", rel);
	} else if (files_read(&text, abs.buf, YAMLX_MAX_INPUT, &err) < 0) {
		diag_add(&l->set.diags, DIAG_ERROR, rel, 0, 0, "Failed to read manifest file: %s",
			 strstr(err.msg, "too large") ? "file too large (the limit is 8 MiB)" : strerror(errno));
	} else {
		manifest_parse(&l->set, rel, layer, text.buf, text.len);
	}
	buf_release(&abs);
	buf_release(&text);
}

/* Loads every manifest under rel (a directory relative to the root), recursively, sorted. */
static void walk(struct loader *l, const char *rel, int layer, int depth)
{
	struct buf abs = BUF_INIT, child = BUF_INIT;
	char **names;
	size_t n;

	buf_addf(&abs, "%s/%s", l->root, rel);
	if (depth > WALK_MAX_DEPTH || list_dir(&names, &n, abs.buf) < 0) {
		diag_add(&l->set.diags, DIAG_ERROR, rel, 0, 0, "cannot read directory '%s'%s", rel,
			 depth > WALK_MAX_DEPTH ? ": nested too deep" : "");
		buf_release(&abs);
		return;
	}
	for (size_t i = 0; i < n && l->nfiles < WALK_MAX_FILES; i++) {
		struct stat lst, st;

		buf_reset(&child);
		buf_addf(&child, "%s/%s/%s", l->root, rel, names[i]);
		if (lstat(child.buf, &lst) < 0 || stat(child.buf, &st) < 0)
			continue;
		buf_reset(&child);
		buf_addf(&child, "%s/%s", rel, names[i]);
		if (S_ISDIR(st.st_mode)) {
			if (S_ISLNK(lst.st_mode))
				diag_add(&l->set.diags, DIAG_WARNING, child.buf, 0, 0,
					 "symbolic link to a directory not followed: '%s'", child.buf);
			else
				walk(l, child.buf, layer, depth + 1);
		} else if (S_ISREG(st.st_mode) && has_ext(names[i])) {
			load_file(l, child.buf, layer);
		}
	}
	free_list(names, n);
	buf_release(&abs);
	buf_release(&child);
}

static int is_dir_at(const char *root, const char *rel)
{
	struct buf p = BUF_INIT;
	int r;

	buf_addf(&p, "%s/%s", root, rel);
	r = files_is_dir(p.buf);
	buf_release(&p);
	return r;
}

static int exists_at(const char *root, const char *rel)
{
	struct buf p = BUF_INIT;
	int r;

	buf_addf(&p, "%s/%s", root, rel);
	r = files_exists(p.buf);
	buf_release(&p);
	return r;
}

/* .letta/manifests: the three layer directories, then files directly in it. */
static void load_manifests(struct loader *l, const char *mdir)
{
	struct buf abs = BUF_INIT, rel = BUF_INIT;
	char **names;
	size_t n;

	for (int i = 0; layer_dirs[i]; i++) {
		buf_reset(&rel);
		buf_addf(&rel, "%s/%s", mdir, layer_dirs[i]);
		if (is_dir_at(l->root, rel.buf))
			walk(l, rel.buf, i, 0);
	}
	buf_addf(&abs, "%s/%s", l->root, mdir);
	if (list_dir(&names, &n, abs.buf) == 0) {
		for (size_t i = 0; i < n; i++) {
			int layer_dir = 0;

			for (int k = 0; layer_dirs[k]; k++)
				layer_dir |= !strcmp(names[i], layer_dirs[k]);
			buf_reset(&rel);
			buf_addf(&rel, "%s/%s", mdir, names[i]);
			if (layer_dir)
				continue;
			if (is_dir_at(l->root, rel.buf))
				diag_add(&l->set.diags, DIAG_WARNING, rel.buf, 0, 0,
					 "directory '%s' is not a layer (base, org, project) and is ignored",
					 rel.buf);
			else if (has_ext(names[i]))
				load_file(l, rel.buf, MANIFEST_LAYER_FROM_SPEC);
		}
		free_list(names, n);
	}
	buf_release(&abs);
	buf_release(&rel);
}

static void load_legacy(struct loader *l, const char *mdir)
{
	struct buf rel = BUF_INIT;

	for (size_t i = 0; i < sizeof(legacy_dirs) / sizeof(legacy_dirs[0]); i++) {
		buf_reset(&rel);
		buf_addf(&rel, "%s/%s", mdir, legacy_dirs[i][0]);
		if (is_dir_at(l->root, rel.buf))
			walk(l, rel.buf, manifest_layer_parse(legacy_dirs[i][1]), 0);
	}
	buf_release(&rel);
}

/* Reads each Tool's spec.sourceFile, relative to the manifest that names it. */
static void load_source_files(struct loader *l, struct desired_state *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		struct resource *r = &ds->items[i];
		const char *sf = jsonx_get_str(r->spec, "sourceFile");
		struct buf abs = BUF_INIT, text = BUF_INIT;
		struct ls_error err = LS_ERROR_INIT;
		struct src_pos pos;
		const char *slash;
		int line, col;

		if (r->kind != KIND_TOOL || !sf)
			continue;
		desired_pos(&pos, ds, r, "/spec/sourceFile");
		slash = strrchr(pos.file, '/');
		if (sf[0] == '/')
			buf_addstr(&abs, sf);
		else if (slash)
			buf_addf(&abs, "%s/%.*s/%s", l->root, (int)(slash - pos.file), pos.file, sf);
		else
			buf_addf(&abs, "%s/%s", l->root, sf);
		l->nfiles++;
		if (!files_exists(abs.buf)) {
			diag_add(&l->set.diags, DIAG_ERROR, pos.file, pos.line, pos.col,
				 "Tool.%s: sourceFile '%s' does not exist", r->name, sf);
		} else if (!inside_root(l->root, abs.buf)) {
			diag_add(&l->set.diags, DIAG_ERROR, pos.file, pos.line, pos.col,
				 "Tool.%s: sourceFile '%s' leaves the repository", r->name, sf);
		} else if (files_read(&text, abs.buf, SOURCE_FILE_MAX, &err) < 0) {
			diag_add(&l->set.diags, DIAG_ERROR, pos.file, pos.line, pos.col,
				 "Tool.%s: sourceFile '%s': %s", r->name, sf,
				 strstr(err.msg, "too large") ? "too large (the limit is 1 MiB)" : "cannot be read");
		} else if (yamlx_check_text(text.buf, text.len, &line, &col, &err) < 0) {
			diag_add(&l->set.diags, DIAG_ERROR, pos.file, pos.line, pos.col,
				 "Tool.%s: sourceFile '%s': %s", r->name, sf, err.msg);
		} else if (!text.len) {
			diag_add(&l->set.diags, DIAG_ERROR, pos.file, pos.line, pos.col,
				 "Tool.%s: sourceFile '%s' is empty", r->name, sf);
		} else {
			free(r->source_code);
			r->source_code = buf_detach(&text);
		}
		buf_release(&abs);
		buf_release(&text);
	}
}

/*
 * Each Folder's spec.files patterns (relative to the root) must match files inside the
 * repository; a pattern that matches nothing is a warning (the folder would be empty).
 */
static void check_folder_files(struct loader *l, struct desired_state *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		struct resource *r = &ds->items[i];
		const json_t *files = json_object_get(r->spec, "files");
		size_t k;
		json_t *it;

		if (r->kind != KIND_FOLDER || !json_is_array(files))
			continue;
		json_array_foreach(files, k, it) {
			const char *pat = json_string_value(it);
			struct buf abs = BUF_INIT, ptr = BUF_INIT;
			struct src_pos pos;
			glob_t g;
			size_t nfiles = 0;

			if (!pat || pat[0] == '/' || strstr(pat, ".."))
				continue; /* validate_desired reports those */
			buf_addf(&abs, "%s/%s", l->root, pat);
			buf_addf(&ptr, "/spec/files/%zu", k);
			desired_pos(&pos, ds, r, ptr.buf);
			memset(&g, 0, sizeof(g));
			if (glob(abs.buf, 0, NULL, &g) == 0) {
				for (size_t j = 0; j < g.gl_pathc; j++) {
					if (!files_is_dir(g.gl_pathv[j]) && !inside_root(l->root, g.gl_pathv[j]))
						diag_add(&l->set.diags, DIAG_ERROR, pos.file, pos.line, pos.col,
							 "Folder.%s: '%s' leaves the repository (a symbolic link to outside it)",
							 r->name, g.gl_pathv[j] + strlen(l->root) + 1);
					else if (!files_is_dir(g.gl_pathv[j]))
						nfiles++;
				}
			}
			if (!nfiles)
				diag_add(&l->set.diags, DIAG_WARNING, pos.file, pos.line, pos.col,
					 "Folder.%s: file pattern '%s' matches no file", r->name, pat);
			globfree(&g);
			buf_release(&abs);
			buf_release(&ptr);
		}
	}
}

/* Reports an ls_error whose where is "path:line:col" as a diagnostic. */
static void diag_from_error(struct diag_list *dl, const struct ls_error *err, const char *file)
{
	char path[256];
	int line = 0, col = 0;
	const char *c2 = strrchr(err->where, ':');

	snprintf(path, sizeof(path), "%s", file);
	if (c2 && c2 > err->where) {
		const char *c1 = c2 - 1;

		while (c1 > err->where && *c1 != ':')
			c1--;
		if (*c1 == ':') {
			line = (int)strtol(c1 + 1, NULL, 10);
			col = (int)strtol(c2 + 1, NULL, 10);
		}
	}
	diag_add(dl, DIAG_ERROR, path, line, col, "%s", err->msg);
	if (err->hint[0])
		diag_hint(dl, "%s", err->hint);
}

static void load_letta_files(struct loader *l)
{
	static const char *const names[] = { ".letta/project.json", ".letta/registry.json" };
	struct buf abs = BUF_INIT, text = BUF_INIT;

	for (int i = 0; i < 2; i++) {
		struct target_inputs in;
		struct target t;
		struct ls_error err = LS_ERROR_INIT;

		buf_reset(&abs);
		buf_reset(&text);
		buf_addf(&abs, "%s/%s", l->root, names[i]);
		if (!files_exists(abs.buf))
			continue;
		l->nfiles++;
		if (files_read(&text, abs.buf, FILES_MAX_SIZE, &err) < 0) {
			diag_add(&l->set.diags, DIAG_ERROR, names[i], 0, 0, "%s", err.msg);
			continue;
		}
		memset(&in, 0, sizeof(in));
		memset(&t, 0, sizeof(t));
		if (i == 0) {
			in.local_path = names[i];
			in.local_text = text.buf;
			in.local_len = text.len;
		} else {
			in.registry_path = names[i];
			in.registry_text = text.buf;
			in.registry_len = text.len;
		}
		if (target_resolve(&t, &in, &err) < 0)
			diag_from_error(&l->set.diags, &err, names[i]);
		target_release(&t);
	}
	buf_reset(&abs);
	buf_addf(&abs, "%s/.letta/scope_registry.yaml", l->root);
	if (files_exists(abs.buf)) {
		struct yamlx_docs docs = YAMLX_DOCS_INIT;
		struct ls_error err = LS_ERROR_INIT;
		const char *name = ".letta/scope_registry.yaml";

		buf_reset(&text);
		l->nfiles++;
		if (files_read(&text, abs.buf, YAMLX_MAX_INPUT, &err) < 0)
			diag_add(&l->set.diags, DIAG_ERROR, name, 0, 0, "%s", err.msg);
		else if (yamlx_parse(&docs, text.buf, text.len, &err) < 0)
			diag_add(&l->set.diags, DIAG_ERROR, name, docs.err_line, docs.err_col, "%s",
				 err.msg);
		else if (docs.n != 1)
			diag_add(&l->set.diags, DIAG_ERROR, name, 1, 1,
				 "expected one YAML document, found %zu", docs.n);
		else
			validate_scope_registry(docs.items[0].value, docs.items[0].positions, name,
						&l->set.diags);
		yamlx_docs_release(&docs);
	}
	buf_release(&abs);
	buf_release(&text);
}

static int find_root(struct buf *out, const char *start)
{
	char real[PATH_MAX];
	struct buf p = BUF_INIT;

	if (!realpath(start, real))
		return -1;
	/* The first directory holding .letta wins; else the first holding .git. */
	for (int pass = 0; pass < 2; pass++) {
		buf_reset(&p);
		buf_addstr(&p, real);
		for (;;) {
			char *slash;

			if (exists_at(p.len ? p.buf : "", pass ? ".git" : ".letta")) {
				buf_reset(out);
				buf_addstr(out, p.len ? p.buf : "/");
				buf_release(&p);
				return 0;
			}
			if (!p.len)
				break;
			slash = strrchr(p.buf, '/');
			buf_setlen(&p, slash ? (size_t)(slash - p.buf) : 0);
		}
	}
	buf_release(&p);
	return -1;
}

int config_load(struct desired_state *out, const char *start, struct diag_list *diags,
		struct config_info *info, struct ls_error *err)
{
	struct loader l;
	struct desired_state ds = DESIRED_STATE_INIT;
	struct buf root = BUF_INIT;
	const char *mdir = NULL;
	int ret = 0;

	memset(&l, 0, sizeof(l));
	if (find_root(&root, start) < 0) {
		ret = ls_error_set(err, LS_EINVALID, "Could not find repository root. Make sure you are inside a git repository or a directory with .letta/ folder.");
		diag_add(diags, DIAG_ERROR, NULL, 0, 0, "%s", err->msg);
		goto out;
	}
	l.root = root.buf;
	if (info) {
		info->root = xstrdup(root.buf);
	}
	if (is_dir_at(root.buf, ".letta/manifests")) {
		mdir = ".letta/manifests";
		load_manifests(&l, mdir);
	} else if (is_dir_at(root.buf, "packages/examples")) {
		mdir = "packages/examples";
		diag_add(&l.set.diags, DIAG_WARNING, mdir, 0, 0,
			 "Using deprecated manifest location: packages/examples. Please migrate your manifests to .letta/manifests for future compatibility.");
		load_legacy(&l, mdir);
	} else {
		ret = ls_error_set(err, LS_EINVALID, "no manifests found: neither %s/.letta/manifests nor %s/packages/examples exists",
				   root.buf, root.buf);
		ls_error_hint(err, "create .letta/manifests/ with base/, org/ and project/ subdirectories");
		diag_add(diags, DIAG_ERROR, NULL, 0, 0, "%s", err->msg);
		diag_hint(diags, "%s", err->hint);
		goto out;
	}
	if (info) {
		info->manifests = xstrdup(mdir);
		info->legacy = !strcmp(mdir, "packages/examples");
	}
	load_letta_files(&l);
	layers_merge(&ds, &l.set);
	load_source_files(&l, &ds);
	check_folder_files(&l, &ds);
	validate_desired(&ds, &l.set.diags);
	if (info) {
		info->nfiles = l.nfiles;
		info->nresources = ds.n;
	}
	/* Move the diagnostics over. */
	for (size_t i = 0; i < l.set.diags.n; i++) {
		struct diag *d = &l.set.diags.items[i];

		diag_add(diags, d->severity, d->file, d->line, d->col, "%s", d->msg);
		if (d->hint)
			diag_hint(diags, "%s", d->hint);
	}
	diag_list_sort(diags);
	if (l.set.diags.nerrors) {
		ret = ls_error_set(err, LS_EINVALID, "%zu error%s in the configuration",
				   l.set.diags.nerrors, l.set.diags.nerrors == 1 ? "" : "s");
		ls_error_hint(err, "run 'letta-sync validate' to see them");
		goto out;
	}
	*out = ds;
	memset(&ds, 0, sizeof(ds));
out:
	desired_state_release(&ds);
	manifest_set_release(&l.set);
	buf_release(&root);
	return ret;
}
