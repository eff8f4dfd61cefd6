/*
 * pull for agent memory as files (issue 25): each managed agent that has a memory repository
 * (tag git-memory-enabled) gets its files (memory and skills, the whole tree of its main)
 * written into the config repository, under the memory.dir its Agent or Template declares, or
 * memory/<agent name>, which the Agent pull writes then declares. Round trip exact: files the
 * folder holds that main lacks are removed, so that pull then diff shows nothing. Every path is
 * checked (repo/files.c files_check_inside: no symbolic link leads out of the repository)
 * before anything is written.
 */
#include "cli/memfs_pull.h"

#include "cli/output.h"
#include "core/memfiles.h"
#include "core/ownership.h"
#include "repo/files.h"
#include "repo/memfs_git.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct memfs_pull_agent {
	char *name, *id, *dir;
	struct memfile *f; /* main's files */
	size_t n;
	json_t *remove;    /* paths (relative to the root) of local files main lacks */
	json_t *same;      /* {path: true}: files already as main has them */
};

void memfs_pull_release(struct memfs_pull *mp)
{
	for (size_t i = 0; i < mp->n; i++) {
		free(mp->a[i].name);
		free(mp->a[i].id);
		free(mp->a[i].dir);
		memfs_files_free(mp->a[i].f, mp->a[i].n);
		json_decref(mp->a[i].remove);
		json_decref(mp->a[i].same);
	}
	free(mp->a);
	json_decref(mp->dirs);
	memset(mp, 0, sizeof(*mp));
}

/* The local folder's files, compared with main's: what is the same, what main lacks. */
static int compare_local(struct memfs_pull_agent *a, const char *root, struct ls_error *err)
{
	struct buf p = BUF_INIT;
	struct memfile *loc = NULL;
	size_t nloc = 0;
	int ret = 0;

	a->remove = json_array();
	a->same = json_object();
	buf_addf(&p, "%s/%s", root, a->dir);
	if (!files_is_dir(p.buf))
		goto out;
	if ((ret = memfs_read_dir(&loc, &nloc, p.buf, err)) < 0)
		goto out;
	for (size_t i = 0; i < nloc; i++) {
		size_t k;

		for (k = 0; k < a->n; k++)
			if (!strcmp(a->f[k].path, loc[i].path))
				break;
		buf_reset(&p);
		buf_addf(&p, "%s/%s", a->dir, loc[i].path);
		if (k == a->n)
			json_array_append_new(a->remove, json_string(p.buf));
		else if (a->f[k].len == loc[i].len && !memcmp(a->f[k].data, loc[i].data, loc[i].len))
			json_object_set_new(a->same, p.buf, json_true());
	}
out:
	memfs_files_free(loc, nloc);
	buf_release(&p);
	return ret;
}

int memfs_pull_prepare(struct memfs_pull *mp, const json_t *agents,
		       const struct desired_state *local, const char *only)
{
	struct buf path = BUF_INIT;
	const json_t *e;
	size_t i;

	memset(mp, 0, sizeof(*mp));
	mp->dirs = json_object();
	json_array_foreach(agents, i, e) {
		const json_t *tags = json_object_get(e, "tags"), *decl;
		const char *name = jsonx_get_str(e, "name"), *id = jsonx_get_str(e, "id"), *dir;
		struct memfs_pull_agent *a;

		if (!name || !id || !jsonx_array_has_str(tags, MEMFILES_TAG) ||
		    !(jsonx_array_prefixed(tags, OWN_TAG) || jsonx_array_prefixed(tags, OWN_LEGACY_TAG)))
			continue;
		if (only && strcmp(only, id) && strcmp(only, name))
			continue;
		if (json_object_get(mp->dirs, name))
			continue; /* two agents of one name: pull writes the first (core/pull.c) */
		decl = memfiles_decl(local, name);
		dir = decl ? jsonx_get_str(decl, "dir") : NULL;
		buf_reset(&path);
		if (!dir) {
			buf_addf(&path, "memory/%s", name);
			dir = path.buf;
		}
		mp->a = xrealloc(mp->a, (mp->n + 1) * sizeof(*mp->a));
		a = &mp->a[mp->n++];
		memset(a, 0, sizeof(*a));
		a->name = xstrdup(name);
		a->id = xstrdup(id);
		a->dir = xstrdup(dir);
		json_object_set_new(mp->dirs, name, json_string(dir));
	}
	buf_release(&path);
	return 0;
}

int memfs_pull_fetch(struct memfs_pull *mp, struct cli_ctx *ctx, const char *root,
		     struct ls_error *err)
{
	struct buf url = BUF_INIT, cache = BUF_INIT, path = BUF_INIT;
	const char *base = ctx->target.base_url;
	int ret = 0;

	for (size_t i = 0; i < mp->n && ret == 0; i++) {
		struct memfs_pull_agent *a = &mp->a[i];
		struct memfs_git_opts o;
		char head[41];

		buf_reset(&url);
		buf_reset(&cache);
		buf_reset(&path);
		buf_addf(&url, "%s/v1/git/%s/state.git", base ? base : "", a->id);
		buf_addf(&path, ".letta/cache/memfs/%s.git", a->id);
		buf_addf(&cache, "%s/%s", root, path.buf);
		/* The cache too stays inside the repository. */
		if ((ret = files_check_inside(root, path.buf, err)) < 0)
			break;
		memset(&o, 0, sizeof(o));
		o.url = url.buf;
		o.key = cli_api_secret();
		o.cache = cache.buf;
		if ((ret = memfs_git_read(&a->f, &a->n, head, &o, err)) < 0) {
			ls_error_hint(err, "agent '%s' (%s): its memory repository could not be read; "
					   "nothing was written", a->name, a->id);
			break;
		}
		/* Every path stays inside the repository: checked before the first write. */
		for (size_t k = 0; k < a->n && ret == 0; k++) {
			buf_reset(&path);
			buf_addf(&path, "%s/%s", a->dir, a->f[k].path);
			ret = files_check_inside(root, path.buf, err);
		}
		if (ret == 0)
			ret = compare_local(a, root, err);
		for (size_t k = 0; a->remove && k < json_array_size(a->remove) && ret == 0; k++)
			ret = files_check_inside(root, json_string_value(json_array_get(a->remove, k)),
						 err);
	}
	buf_release(&url);
	buf_release(&cache);
	buf_release(&path);
	return ret;
}

int memfs_pull_write(struct memfs_pull *mp, struct cli_ctx *ctx, const char *root, int dry_run,
		     json_t *files, size_t *written, struct ls_error *err)
{
	struct buf path = BUF_INIT, full = BUF_INIT;
	int ret = 0;

	for (size_t i = 0; i < mp->n && ret == 0; i++) {
		struct memfs_pull_agent *a = &mp->a[i];

		for (size_t k = 0; k < a->n && ret == 0; k++) {
			buf_reset(&path);
			buf_addf(&path, "%s/%s", a->dir, a->f[k].path);
			if (json_object_get(a->same, path.buf))
				continue;
			if (!dry_run &&
			    (ret = files_write_inside(root, path.buf, a->f[k].data, a->f[k].len, err)) < 0)
				break;
			json_array_append_new(files, json_pack("{s:s, s:I, s:b, s:s}", "path", path.buf,
							       "documents", (json_int_t)0, "written",
							       !dry_run, "agent", a->id));
			(*written)++;
			output_line(ctx, "%s %s (memory of %s)", dry_run ? "# would write" : "wrote",
				    path.buf, a->name);
		}
		for (size_t k = 0; k < json_array_size(a->remove) && ret == 0; k++) {
			const char *rel = json_string_value(json_array_get(a->remove, k));

			buf_reset(&full);
			buf_addf(&full, "%s/%s", root, rel);
			if (!dry_run && unlink(full.buf) < 0 && errno != ENOENT) {
				ret = ls_error_set(err, LS_EFAIL, "%s: cannot remove: %s", rel,
						   strerror(errno));
				break;
			}
			/* Folders it leaves empty go too (git keeps no empty folder either). */
			for (char *sl; !dry_run && (sl = strrchr(full.buf, '/')) &&
				       (size_t)(sl - full.buf) > strlen(root) + 1 + strlen(a->dir);) {
				*sl = 0;
				if (rmdir(full.buf) < 0)
					break;
			}
			json_array_append_new(files, json_pack("{s:s, s:I, s:b, s:b, s:s}", "path", rel,
							       "documents", (json_int_t)0, "written",
							       !dry_run, "removed", 1, "agent", a->id));
			(*written)++;
			output_line(ctx, "%s %s (not in the memory of %s)",
				    dry_run ? "# would remove" : "removed", rel, a->name);
		}
	}
	buf_release(&path);
	buf_release(&full);
	return ret;
}
