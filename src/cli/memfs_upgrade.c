/*
 * upgrade for agent memory as files (issue 25): an agent moving to a version whose Template
 * declares memory: {dir} gets that version's files (read from the version's tag, not the work
 * tree). They are planned with the agent's other changes (section memory_files: the file-level
 * changes of the merge with the agent's main) and pushed once the agent's upgrade is applied.
 * A file the agent's current version had and the new one lacks is removed (unless the agent
 * changed it: git wins, as upgrade always does), and that removal is a breaking change.
 */
#include "cli/memfs_upgrade.h"

#include "cli/memfs_decl.h"
#include "core/diag.h"
#include "core/memfiles.h"
#include "repo/files.h"
#include "repo/git.h"
#include "repo/memfs_git.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The memory folder the agent's Template declares in ds, or NULL. */
static const char *tmpl_dir(const struct desired_state *ds, const json_t *wire)
{
	const char *t = jsonx_array_prefixed(json_object_get(wire, "tags"), "template:");

	for (size_t i = 0; t && i < ds->n; i++)
		if (ds->items[i].kind == KIND_TEMPLATE && !strcmp(ds->items[i].name, t))
			return memfiles_dir(json_object_get(ds->items[i].spec, "agent"));
	return NULL;
}

/* The files under dir at rev, paths relative to dir; appended to *f. */
static int read_at(struct memfile **f, size_t *n, const char *rev, const char *dir,
		   struct ls_error *err)
{
	struct git_blob_file *bf = NULL;
	size_t nb = 0, pl = strlen(dir);
	int ret = git_tree_files(&bf, &nb, ".", rev, dir, 1u << 20, err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < nb; i++) {
		const char *p = bf[i].path;

		if (strncmp(p, dir, pl) || p[pl] != '/')
			continue;
		*f = xrealloc(*f, (*n + 1) * sizeof(**f));
		(*f)[*n].path = xstrdup(p + pl + 1);
		(*f)[*n].data = xmalloc(bf[i].len + 1);
		memcpy((*f)[*n].data, bf[i].data, bf[i].len);
		(*f)[*n].data[bf[i].len] = 0;
		(*f)[*n].len = bf[i].len;
		(*f)[*n].mode = MEMFILE_MANAGED;
		(*n)++;
	}
	git_tree_files_free(bf, nb);
	return 0;
}

int memfs_upgrade_agent(struct cli_ctx *ctx, const struct desired_state *ds, const json_t *wire,
			const char *tag, const char *commit, const char *current_tag, int push,
			json_t **change, struct ls_error *err)
{
	const char *dir = tmpl_dir(ds, wire), *id = jsonx_get_str(wire, "id");
	const char *name = jsonx_get_str(wire, "name");
	struct memfile *want = NULL, *cur = NULL;
	size_t n = 0, ncur = 0, nfiles;
	struct diag_list diags = DIAG_LIST_INIT;
	struct buf url = BUF_INIT, cache = BUF_INIT, msg = BUF_INIT, root = BUF_INIT;
	struct memfs_git_opts o;
	struct memfs_git_result res;
	int ret = 0, breaking = 0;

	*change = NULL;
	memset(&res, 0, sizeof(res));
	if (!dir || !id)
		return 0;
	if ((ret = read_at(&want, &n, tag, dir, err)) < 0)
		goto out;
	memfiles_check(want, n, dir, &diags);
	if (diags.nerrors) {
		ret = ls_error_set(err, LS_EINVALID, "%s: %s:%d:%d: %s", tag, diags.items[0].file,
				   diags.items[0].line, diags.items[0].col, diags.items[0].msg);
		goto out;
	}
	nfiles = n;
	/* What the current version shipped and this one lacks: removed (breaking). */
	if (current_tag && strcmp(current_tag, tag) && read_at(&cur, &ncur, current_tag, dir, err) == 0) {
		for (size_t i = 0; i < ncur; i++) {
			size_t k;

			for (k = 0; k < nfiles && strcmp(want[k].path, cur[i].path); k++)
				;
			if (k < nfiles)
				continue;
			want = xrealloc(want, (n + 1) * sizeof(*want));
			want[n].path = xstrdup(cur[i].path);
			want[n].data = NULL;
			want[n].len = 0;
			want[n].mode = MEMFILE_MANAGED;
			n++;
		}
	}
	ls_error_clear(err);
	if (!push && !jsonx_array_has_str(json_object_get(wire, "tags"), MEMFILES_TAG)) {
		/* The upgrade gives it its repository (the tag): every file is new. */
		json_t *files = json_array();

		for (size_t i = 0; i < nfiles; i++)
			json_array_append_new(files, json_pack("{s:s, s:s, s:s}", "path", want[i].path,
							       "change", "create", "diff", ""));
		*change = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[], s:o}", "kind", "Agent",
				    "name", name ? name : id, "agent", id, "section", "memory_files",
				    "action", "create", "breaking", 0, "fields", "files", files);
		goto out;
	}
	/* The config repository's root: the folder holding .letta. */
	if (files_find_up(&root, ".", ".letta") && strrchr(root.buf, '/'))
		*strrchr(root.buf, '/') = 0;
	else {
		buf_reset(&root);
		buf_addstr(&root, ".");
	}
	memfs_git_opts_at(&o, &url, &cache, ctx, root.buf, id);
	buf_addf(&msg, "letta-sync: memory of %s from config %s (%s)\n", name ? name : id,
		 commit ? commit : "(no commit)", tag);
	o.message = msg.buf;
	o.force = 1; /* upgrade makes git win, as for the agent's other sections */
	o.push = push;
	if ((ret = memfs_git_sync(&res, &o, want, n, err)) < 0)
		goto out;
	if (json_array_size(res.files)) {
		const json_t *f;
		size_t i;

		json_array_foreach(res.files, i, f)
			breaking |= !strcmp(jsonx_get_str(f, "change"), "delete");
		*change = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[], s:O, s:s?}", "kind", "Agent",
				    "name", name ? name : id, "agent", id, "section", "memory_files",
				    "action", "update", "breaking", breaking, "fields", "files",
				    res.files, "commit", res.pushed[0] ? res.pushed : NULL);
	}
out:
	memfs_files_free(want, n);
	memfs_files_free(cur, ncur);
	memfs_git_result_release(&res);
	diag_list_release(&diags);
	buf_release(&url);
	buf_release(&cache);
	buf_release(&msg);
	buf_release(&root);
	return ret;
}
