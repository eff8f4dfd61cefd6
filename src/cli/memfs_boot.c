/* bootstrap of a memory-managed agent (see memfs_boot.h; docs/memory-files.md "bootstrap"). */
#include "cli/memfs_boot.h"

#include "cli/memfs_decl.h"
#include "cli/memfs_recompile.h"
#include "core/diag.h"
#include "repo/memfs_git.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void memfs_boot_release(struct memfs_boot *b)
{
	free(b->dir);
	memfs_files_free(b->f, b->n);
	memset(b, 0, sizeof(*b));
}

int memfs_boot_load(struct memfs_boot *b, const char *root, const char *dir,
		    struct ls_error *err)
{
	struct buf path = BUF_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	int ret;

	memset(b, 0, sizeof(*b));
	b->dir = xstrdup(dir);
	buf_addf(&path, "%s/%s", root, dir);
	ret = memfs_read_dir(&b->f, &b->n, path.buf, err);
	buf_release(&path);
	if (ret < 0) {
		ls_error_hint(err, "the Template declares memory.dir '%s': create the folder or fix "
				   "the path", dir);
		return ret;
	}
	memfiles_check(b->f, b->n, dir, &diags);
	diag_list_sort(&diags);
	for (size_t i = 0; i < diags.n; i++)
		log_error("%s:%d:%d: %s", diags.items[i].file, diags.items[i].line,
			  diags.items[i].col, diags.items[i].msg);
	if (diags.nerrors) {
		ret = ls_error_set(err, LS_EINVALID, "%zu problem(s) in memory files", diags.nerrors);
		ls_error_hint(err, "the server refuses a push that breaks these rules; fix the files "
				   "(nothing was created)");
	}
	diag_list_release(&diags);
	return ret;
}

int memfs_boot_push(struct memfs_boot *b, struct cli_ctx *ctx, struct letta *api,
		    const char *root, const char *name, const char *id, const char *commit,
		    json_t **report, struct ls_error *err)
{
	struct buf url = BUF_INIT, cache = BUF_INIT, msg = BUF_INIT;
	struct memfs_git_opts o;
	struct memfs_git_result res;
	int ret;

	memfs_git_opts_at(&o, &url, &cache, ctx, root, id);
	buf_addf(&msg, "letta-sync: memory of %s from config %s\n", name,
		 commit && *commit ? commit : "(no commit)");
	o.message = msg.buf;
	o.push = 1;
	ret = memfs_git_sync(&res, &o, b->f, b->n, err);
	if (ret == 0) {
		json_t *ids = json_pack("[s]", id), *done = memfs_recompile(ctx, api, ids);

		*report = json_pack("{s:s, s:I, s:s?, s:b}", "dir", b->dir, "files",
				    (json_int_t)b->n, "commit", res.pushed[0] ? res.pushed : NULL,
				    "recompiled", json_array_size(done) == 1);
		json_decref(ids);
		json_decref(done);
	} else {
		*report = json_pack("{s:s, s:s}", "dir", b->dir, "error", err->msg);
	}
	memfs_git_result_release(&res);
	buf_release(&url);
	buf_release(&cache);
	buf_release(&msg);
	return ret;
}
