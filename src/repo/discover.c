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
#include <fnmatch.h>
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

/*
 * Where the files come from: the disk under root, or (config_load_files) an in-memory set of
 * files, such as a version's tree read from git. Every read, listing and existence check goes
 * through the src_* helpers below, so both load the same way.
 */
struct loader {
	const char *root;     /* absolute, real path; a label for an in-memory set */
	struct manifest_set set;
	size_t nfiles;
	const struct config_files *mem; /* NULL: the disk */
	unsigned flags;                 /* enum config_flags */
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

static void free_list(char **list, size_t n);

/* The in-memory file named rel, or NULL. */
static const struct git_blob_file *mem_find(const struct config_files *m, const char *rel)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->items[mid].path, rel);

		if (!c)
			return &m->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Whether some in-memory file lies under the directory rel ("" is the root). */
static int mem_is_dir(const struct config_files *m, const char *rel)
{
	size_t l = strlen(rel);

	if (!l)
		return m->n > 0;
	for (size_t i = 0; i < m->n; i++)
		if (!strncmp(m->items[i].path, rel, l) && m->items[i].path[l] == '/')
			return 1;
	return 0;
}

/* Sorted names directly under the directory rel of the in-memory set (no hidden ones). */
static int mem_list(char ***out, size_t *n, const struct config_files *m, const char *rel)
{
	size_t l = strlen(rel), alloc = 0;

	*out = NULL;
	*n = 0;
	if (!mem_is_dir(m, rel))
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		const char *p = m->items[i].path, *end;

		if (l && (strncmp(p, rel, l) || p[l] != '/'))
			continue;
		p += l ? l + 1 : 0;
		end = strchr(p, '/');
		if (p[0] == '.')
			continue;
		if (*n && !strncmp((*out)[*n - 1], p, end ? (size_t)(end - p) : strlen(p)) &&
		    (*out)[*n - 1][end ? (size_t)(end - p) : strlen(p)] == '\0')
			continue; /* files are sorted: the same directory as the last name */
		*out = xgrow(*out, sizeof(**out), *n + 1, &alloc);
		(*out)[(*n)++] = end ? xstrndup(p, (size_t)(end - p)) : xstrdup(p);
	}
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
	if (l->mem) {
		const struct git_blob_file *f = mem_find(l->mem, rel);

		if (!f)
			diag_add(&l->set.diags, DIAG_ERROR, rel, 0, 0,
				 "Failed to read manifest file: no such file");
		else if (f->len > YAMLX_MAX_INPUT)
			diag_add(&l->set.diags, DIAG_ERROR, rel, 0, 0,
				 "Failed to read manifest file: file too large (the limit is 8 MiB)");
		else
			manifest_parse(&l->set, rel, layer, f->data, f->len);
	} else if (!inside_root(l->root, abs.buf)) {
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
	if (depth > WALK_MAX_DEPTH ||
	    (l->mem ? mem_list(&names, &n, l->mem, rel) : list_dir(&names, &n, abs.buf)) < 0) {
		diag_add(&l->set.diags, DIAG_ERROR, rel, 0, 0, "cannot read directory '%s'%s", rel,
			 depth > WALK_MAX_DEPTH ? ": nested too deep" : "");
		buf_release(&abs);
		return;
	}
	for (size_t i = 0; i < n && l->nfiles < WALK_MAX_FILES; i++) {
		struct stat lst, st;

		buf_reset(&child);
		if (l->mem) {
			buf_addf(&child, "%s/%s", rel, names[i]);
			memset(&lst, 0, sizeof(lst));
			memset(&st, 0, sizeof(st));
			st.st_mode = mem_is_dir(l->mem, child.buf) ? S_IFDIR : S_IFREG;
			lst.st_mode = st.st_mode;
		} else {
			buf_addf(&child, "%s/%s/%s", l->root, rel, names[i]);
			if (lstat(child.buf, &lst) < 0 || stat(child.buf, &st) < 0)
				continue;
			buf_reset(&child);
			buf_addf(&child, "%s/%s", rel, names[i]);
		}
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

static int is_dir_at(const struct loader *l, const char *rel)
{
	struct buf p = BUF_INIT;
	int r;

	if (l->mem)
		return mem_is_dir(l->mem, rel);
	buf_addf(&p, "%s/%s", l->root, rel);
	r = files_is_dir(p.buf);
	buf_release(&p);
	return r;
}

static int exists_on_disk(const char *root, const char *rel)
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
		if (is_dir_at(l, rel.buf))
			walk(l, rel.buf, i, 0);
	}
	buf_addf(&abs, "%s/%s", l->root, mdir);
	if ((l->mem ? mem_list(&names, &n, l->mem, mdir) : list_dir(&names, &n, abs.buf)) == 0) {
		for (size_t i = 0; i < n; i++) {
			int layer_dir = 0;

			for (int k = 0; layer_dirs[k]; k++)
				layer_dir |= !strcmp(names[i], layer_dirs[k]);
			buf_reset(&rel);
			buf_addf(&rel, "%s/%s", mdir, names[i]);
			if (layer_dir)
				continue;
			if (is_dir_at(l, rel.buf))
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
		if (is_dir_at(l, rel.buf))
			walk(l, rel.buf, manifest_layer_parse(legacy_dirs[i][1]), 0);
	}
	buf_release(&rel);
}

/*
 * Normalises "a/b/../c/./d" (relative to the root) into out. Returns -1 when the path is
 * absolute or climbs above the root.
 */
static int rel_normalize(struct buf *out, const char *path)
{
	const char *p = path;

	buf_reset(out);
	if (path[0] == '/')
		return -1;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 2 && !strncmp(p, "..", 2)) {
			char *slash;

			if (!out->len)
				return -1;
			slash = strrchr(out->buf, '/');
			buf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
		} else if (len && !(len == 1 && p[0] == '.')) {
			buf_addf(out, "%s%.*s", out->len ? "/" : "", (int)len, p);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

enum src_read { SRC_OK = 0, SRC_MISSING, SRC_OUTSIDE, SRC_FAILED };

/*
 * Reads a Tool's sourceFile sf named in manifest file (relative to the root) into text: from
 * the disk, or from the in-memory set (then from its read callback for files outside it).
 */
static enum src_read read_source(struct loader *l, const char *file, const char *sf,
				 struct buf *text, struct ls_error *err)
{
	const char *slash = strrchr(file, '/');
	struct buf abs = BUF_INIT, rel = BUF_INIT;
	enum src_read ret = SRC_OK;

	if (l->mem) {
		const struct git_blob_file *f;

		buf_addf(&abs, "%.*s%s%s", slash ? (int)(slash - file) : 0, file, slash ? "/" : "", sf);
		if (rel_normalize(&rel, abs.buf) < 0) {
			ret = SRC_OUTSIDE;
		} else if ((f = mem_find(l->mem, rel.buf))) {
			if (f->len > SOURCE_FILE_MAX) {
				ls_error_set(err, LS_EINVALID, "too large");
				ret = SRC_FAILED;
			} else {
				buf_add(text, f->data, f->len);
			}
		} else if (!l->mem->read) {
			ret = SRC_MISSING;
		} else {
			int r = l->mem->read(l->mem->ctx, rel.buf, text, SOURCE_FILE_MAX, err);

			ret = r == LS_ENOTFOUND ? SRC_MISSING : r < 0 ? SRC_FAILED : SRC_OK;
		}
		goto out;
	}
	if (sf[0] == '/')
		buf_addstr(&abs, sf);
	else if (slash)
		buf_addf(&abs, "%s/%.*s/%s", l->root, (int)(slash - file), file, sf);
	else
		buf_addf(&abs, "%s/%s", l->root, sf);
	if (!files_exists(abs.buf))
		ret = SRC_MISSING;
	else if (!inside_root(l->root, abs.buf))
		ret = SRC_OUTSIDE;
	else if (files_read(text, abs.buf, SOURCE_FILE_MAX, err) < 0)
		ret = SRC_FAILED;
out:
	buf_release(&abs);
	buf_release(&rel);
	return ret;
}

/* Reads each Tool's spec.sourceFile, relative to the manifest that names it. */
static void load_source_files(struct loader *l, struct desired_state *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		struct resource *r = &ds->items[i];
		const char *sf = jsonx_get_str(r->spec, "sourceFile");
		struct buf text = BUF_INIT;
		struct ls_error err = LS_ERROR_INIT;
		struct src_pos pos;
		enum src_read rs;
		int line, col;

		if (r->kind != KIND_TOOL || !sf)
			continue;
		desired_pos(&pos, ds, r, "/spec/sourceFile");
		l->nfiles++;
		rs = read_source(l, pos.file, sf, &text, &err);
		if (rs == SRC_MISSING) {
			diag_add(&l->set.diags, DIAG_ERROR, pos.file, pos.line, pos.col,
				 "Tool.%s: sourceFile '%s' does not exist", r->name, sf);
		} else if (rs == SRC_OUTSIDE) {
			diag_add(&l->set.diags, DIAG_ERROR, pos.file, pos.line, pos.col,
				 "Tool.%s: sourceFile '%s' leaves the repository", r->name, sf);
		} else if (rs == SRC_FAILED) {
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
			if (l->mem) {
				/* A version's tree: only its files are known (no links). */
				for (size_t j = 0; j < l->mem->n; j++)
					nfiles += fnmatch(pat, l->mem->items[j].path,
							  FNM_PATHNAME | FNM_PERIOD) == 0;
				if (l->mem->read)
					nfiles++; /* files outside the set are not listed: no warning */
			} else if (glob(abs.buf, 0, NULL, &g) == 0) {
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
		if (l->mem ? !mem_find(l->mem, names[i]) : !files_exists(abs.buf))
			continue;
		l->nfiles++;
		if (l->mem) {
			const struct git_blob_file *f = mem_find(l->mem, names[i]);

			buf_add(&text, f->data, f->len);
		} else if (files_read(&text, abs.buf, FILES_MAX_SIZE, &err) < 0) {
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
	if (l->mem ? mem_find(l->mem, ".letta/scope_registry.yaml") != NULL
		   : files_exists(abs.buf)) {
		size_t before = l->set.diags.n;
		struct yamlx_docs docs = YAMLX_DOCS_INIT;
		struct ls_error err = LS_ERROR_INIT;
		const char *name = ".letta/scope_registry.yaml";
		const struct git_blob_file *f = l->mem ? mem_find(l->mem, name) : NULL;

		buf_reset(&text);
		l->nfiles++;
		if (f && f->len > YAMLX_MAX_INPUT)
			diag_add(&l->set.diags, DIAG_ERROR, name, 0, 0, "file too large");
		else if (f ? (buf_add(&text, f->data, f->len), 0)
			   : files_read(&text, abs.buf, YAMLX_MAX_INPUT, &err) < 0)
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
		/*
		 * Scope sync is best-effort (bootstrap): the registry's problems are warnings
		 * there, and scope sync is what skips. validate still reports them as errors.
		 */
		for (size_t i = before; (l->flags & CONFIG_SCOPE_SOFT) && i < l->set.diags.n; i++)
			if (l->set.diags.items[i].severity == DIAG_ERROR) {
				l->set.diags.items[i].severity = DIAG_WARNING;
				l->set.diags.nerrors--;
			}
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

			if (exists_on_disk(p.len ? p.buf : "", pass ? ".git" : ".letta")) {
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

int config_find_root(char **out, const char *start, struct ls_error *err)
{
	struct buf root = BUF_INIT;

	*out = NULL;
	if (find_root(&root, start) < 0) {
		buf_release(&root);
		return ls_error_set(err, LS_EINVALID, "Could not find repository root. Make sure you are inside a git repository or a directory with .letta/ folder.");
	}
	*out = buf_detach(&root);
	return 0;
}

static int load(struct loader *lp, struct desired_state *out, struct diag_list *diags,
		struct config_info *info, struct ls_error *err);

int config_load(struct desired_state *out, const char *start, struct diag_list *diags,
		struct config_info *info, struct ls_error *err)
{
	return config_load_flags(out, start, 0, diags, info, err);
}

int config_load_flags(struct desired_state *out, const char *start, unsigned flags,
		      struct diag_list *diags, struct config_info *info, struct ls_error *err)
{
	struct loader l;
	struct buf root = BUF_INIT;
	int ret;

	memset(&l, 0, sizeof(l));
	l.flags = flags;
	if (find_root(&root, start) < 0) {
		ret = ls_error_set(err, LS_EINVALID, "Could not find repository root. Make sure you are inside a git repository or a directory with .letta/ folder.");
		diag_add(diags, DIAG_ERROR, NULL, 0, 0, "%s", err->msg);
		buf_release(&root);
		return ret;
	}
	l.root = root.buf;
	ret = load(&l, out, diags, info, err);
	buf_release(&root);
	return ret;
}

int config_load_files(struct desired_state *out, const struct config_files *files,
		      struct diag_list *diags, struct config_info *info, struct ls_error *err)
{
	struct loader l;

	memset(&l, 0, sizeof(l));
	l.root = files->root;
	l.mem = files;
	for (size_t i = 1; i < files->n; i++)
		if (strcmp(files->items[i - 1].path, files->items[i].path) >= 0)
			BUG("config_load_files: files not sorted");
	return load(&l, out, diags, info, err);
}

/* Loads from l (root set) into out; see config_load(). */
static int load(struct loader *lp, struct desired_state *out, struct diag_list *diags,
		struct config_info *info, struct ls_error *err)
{
	struct loader l = *lp;
	struct desired_state ds = DESIRED_STATE_INIT;
	const char *mdir = NULL;
	int ret = 0;

	if (info) {
		info->root = xstrdup(l.root);
	}
	if (is_dir_at(&l, ".letta/manifests")) {
		mdir = ".letta/manifests";
		load_manifests(&l, mdir);
	} else if (is_dir_at(&l, "packages/examples")) {
		mdir = "packages/examples";
		diag_add(&l.set.diags, DIAG_WARNING, mdir, 0, 0,
			 "Using deprecated manifest location: packages/examples. Please migrate your manifests to .letta/manifests for future compatibility.");
		load_legacy(&l, mdir);
	} else {
		ret = ls_error_set(err, LS_EINVALID, "no manifests found: neither %s/.letta/manifests nor %s/packages/examples exists",
				   l.root, l.root);
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
	return ret;
}

/* Reads files outside .letta/ of a version from the object database. */
struct version_ctx {
	const char *repo_dir;
	const char *rev;
	const char *prefix; /* the config root relative to the repository, "" or "partners/x/" */
};

static int version_read(void *ctx, const char *rel, struct buf *out, size_t max,
			struct ls_error *err)
{
	const struct version_ctx *v = ctx;
	struct buf path = BUF_INIT;
	int ret;

	buf_addf(&path, "%s%s", v->prefix, rel);
	ret = git_blob_read(out, v->repo_dir, v->rev, path.buf, max, err);
	buf_release(&path);
	return ret;
}

static int blob_path_cmp(const void *a, const void *b)
{
	return strcmp(((const struct git_blob_file *)a)->path,
		      ((const struct git_blob_file *)b)->path);
}

int config_load_version(struct desired_state *out, const char *start, const char *rev,
			const char *label, struct diag_list *diags, struct ls_error *err)
{
	static const char *const subdirs[] = { ".letta", "packages/examples" };
	struct git_facts gf;
	struct git_blob_file *all = NULL;
	size_t nall = 0, alloc = 0;
	struct buf prefix = BUF_INIT, workdir = BUF_INIT;
	struct config_files files;
	struct version_ctx vc;
	char *root = NULL;
	int ret;

	memset(&gf, 0, sizeof(gf));
	if ((ret = config_find_root(&root, start, err)) < 0)
		goto out;
	if ((ret = git_facts_read(&gf, start, err)) < 0)
		goto out;
	if (!gf.workdir) {
		ret = ls_error_set(err, LS_EINVALID, "'%s' is not in a git repository", root);
		ls_error_hint(err, "versions are git tags of the config repository");
		goto out;
	}
	files_abspath(&workdir, gf.workdir);
	if (!strcmp(root, workdir.buf)) {
		buf_addstr(&prefix, "");
	} else if (!strncmp(root, workdir.buf, workdir.len) && root[workdir.len] == '/') {
		buf_addf(&prefix, "%s/", root + workdir.len + 1);
	} else {
		ret = ls_error_set(err, LS_EINVALID, "the config root '%s' is outside the work tree",
				   root);
		goto out;
	}
	for (size_t k = 0; k < 2; k++) {
		struct git_blob_file *f = NULL;
		struct buf sub = BUF_INIT;
		size_t n = 0;

		buf_addf(&sub, "%s%s", prefix.buf, subdirs[k]);
		ret = git_tree_files(&f, &n, start, rev, sub.buf, YAMLX_MAX_INPUT, err);
		buf_release(&sub);
		if (ret < 0)
			goto out;
		for (size_t i = 0; i < n; i++) {
			all = xgrow(all, sizeof(*all), nall + 1, &alloc);
			all[nall].path = xstrdup(f[i].path + prefix.len);
			all[nall].data = f[i].data;
			all[nall].len = f[i].len;
			f[i].data = NULL;
			nall++;
		}
		git_tree_files_free(f, n);
	}
	if (nall > 1)
		qsort(all, nall, sizeof(*all), blob_path_cmp);
	vc.repo_dir = start;
	vc.rev = rev;
	vc.prefix = prefix.buf;
	files.root = label;
	files.items = all;
	files.n = nall;
	files.read = version_read;
	files.ctx = &vc;
	ret = config_load_files(out, &files, diags, NULL, err);
out:
	git_tree_files_free(all, nall);
	git_facts_release(&gf);
	buf_release(&prefix);
	buf_release(&workdir);
	free(root);
	return ret;
}
