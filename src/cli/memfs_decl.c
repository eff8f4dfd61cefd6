/* The memory files an agent's declaration gives it; see memfs_decl.h. */
#include "cli/memfs_decl.h"

#include "api/letta.h"
#include "cli/cli.h"
#include "core/plan.h"
#include "repo/files.h"
#include "util/log.h"
#include "repo/memfs_git.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct fileset {
	struct memfile *f;
	size_t n, alloc;
};

/* Adds (path, data, mode), replacing an earlier file with that path. Takes data. */
static void put(struct fileset *s, const char *path, char *data, size_t len, int mode)
{
	struct memfile *m = NULL;

	for (size_t i = 0; i < s->n && !m; i++)
		if (!strcmp(s->f[i].path, path))
			m = &s->f[i];
	if (m) {
		free(m->data);
	} else {
		s->f = xgrow(s->f, sizeof(*s->f), s->n + 1, &s->alloc);
		m = &s->f[s->n++];
		m->path = xstrdup(path);
	}
	m->data = data;
	m->len = len;
	m->mode = mode;
}

static char *dup_data(const char *d, size_t len)
{
	char *p = xmalloc(len + 1);

	memcpy(p, d ? d : "", len);
	p[len] = 0;
	return p;
}

/* Every file of the folder root/dir, with prefix before its path. */
static int add_dir(struct fileset *s, const char *root, const char *dir, const char *prefix,
		   const char *what, struct ls_error *err)
{
	struct buf path = BUF_INIT, p = BUF_INIT;
	struct memfile *f = NULL;
	size_t n = 0;
	int rc;

	buf_addf(&path, "%s/%s", root, dir);
	if ((rc = memfs_read_dir(&f, &n, path.buf, err)) < 0) {
		ls_error_hint(err, "memory.%s '%s': create the folder or fix the path (relative to the repository's root)",
			      what, dir);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s%s", prefix, f[i].path);
		put(s, p.buf, f[i].data, f[i].len, MEMFILE_MANAGED);
		f[i].data = NULL;
	}
out:
	memfs_files_free(f, n);
	buf_release(&path);
	buf_release(&p);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct memfile *)a)->path, ((const struct memfile *)b)->path);
}

int memfs_decl_files(struct memfile **out, size_t *n, const json_t *decl, const json_t *blocks,
		     const char *root, struct ls_error *err)
{
	struct fileset s = { NULL, 0, 0 };
	const char *dir = jsonx_get_str(decl, "dir"), *skills = jsonx_get_str(decl, "skills");
	const json_t *files = json_object_get(decl, "files"), *e;
	struct buf body = BUF_INIT, content = BUF_INIT, p = BUF_INIT;
	size_t i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	/* Blocks moved into files (memfiles_from_blocks): what the config repository declares wins. */
	json_array_foreach(blocks, i, e) {
		const json_t *c = json_object_get(e, "content");

		put(&s, jsonx_get_str(e, "path"), dup_data(json_string_value(c), json_string_length(c)),
		    json_string_length(c), (int)json_integer_value(json_object_get(e, "mode")));
	}
	if (dir && (rc = add_dir(&s, root, dir, "", "dir", err)) < 0)
		goto out;
	if (skills && (rc = add_dir(&s, root, skills, "skills/", "skills", err)) < 0)
		goto out;
	json_array_foreach(json_is_array(files) ? files : NULL, i, e) {
		const char *path = jsonx_get_str(e, "path"), *from = jsonx_get_str(e, "from_file");
		int mode = memfiles_mode(json_object_get(e, "managed"));

		if (!path)
			continue;
		buf_reset(&body);
		buf_reset(&content);
		if (mode == MEMFILE_UNMANAGED) {
			put(&s, path, dup_data("", 0), 0, mode);
			continue;
		}
		if (from) {
			buf_reset(&p);
			buf_addf(&p, "%s/%s", root, from);
			if ((rc = files_read(&body, p.buf, 1u << 20, err)) < 0) {
				ls_error_hint(err, "memory file '%s': from_file '%s' (relative to the repository's root)",
					      path, from);
				goto out;
			}
		} else {
			buf_addstr(&body, jsonx_get_str(e, "value") ? jsonx_get_str(e, "value") : "");
		}
		memfiles_render(&content, e, body.buf, body.len);
		put(&s, path, dup_data(content.buf, content.len), content.len, mode);
	}
	if (s.n)
		qsort(s.f, s.n, sizeof(*s.f), by_path);
	*out = s.f;
	*n = s.n;
	s.f = NULL;
	s.n = 0;
out:
	memfs_files_free(s.f, s.n);
	buf_release(&body);
	buf_release(&content);
	buf_release(&p);
	return rc;
}

int memfs_decl_any(const json_t *decl)
{
	return json_is_object(decl) &&
	       (jsonx_get_str(decl, "dir") || jsonx_get_str(decl, "skills") ||
		json_array_size(json_object_get(decl, "files")) > 0);
}

const char *memfs_decl_prefix(struct buf *buf, const json_t *decl, const char *agent)
{
	buf_reset(buf);
	if (jsonx_get_str(decl, "dir"))
		buf_addstr(buf, jsonx_get_str(decl, "dir"));
	else
		buf_addf(buf, "%s.memory", agent);
	return buf->buf;
}

/* Where the memory file path comes from in the config repository, for a diagnostic. */
static void origin(struct buf *out, const json_t *decl, const char *agent, const char *path)
{
	const char *skills = jsonx_get_str(decl, "skills"), *dir = jsonx_get_str(decl, "dir");
	const json_t *e;
	size_t i;

	buf_reset(out);
	json_array_foreach(json_object_get(decl, "files"), i, e) {
		const char *p = jsonx_get_str(e, "path"), *from = jsonx_get_str(e, "from_file");

		if (p && !strcmp(p, path)) {
			if (from)
				buf_addstr(out, from);
			else
				buf_addf(out, "%s.memory.files[%s]", agent, path);
			return;
		}
	}
	if (skills && !strncmp(path, "skills/", 7))
		buf_addf(out, "%s/%s", skills, path + 7);
	else if (!dir && !strncmp(path, "system/", 7))
		buf_addf(out, "%s.memory.blocks[%s]", agent, path);
	else
		buf_addf(out, "%s/%s", dir ? dir : "", path);
}

size_t memfs_decl_check(const struct memfile *f, size_t n, const json_t *decl, const char *agent,
			struct diag_list *diags)
{
	struct memfile *w = xcalloc(n + 1, sizeof(*w));
	size_t k = 0, r, first = diags->n;
	struct buf o = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		if (f[i].mode != MEMFILE_UNMANAGED)
			w[k++] = f[i];
	r = memfiles_check(w, k, "", diags);
	for (size_t i = first; i < diags->n; i++) {
		struct diag *d = &diags->items[i];

		if (!d->file)
			continue;
		origin(&o, decl, agent, d->file);
		free(d->file);
		d->file = xstrdup(o.buf);
	}
	buf_release(&o);
	free(w);
	return r;
}

int memfs_agent_change(const struct plan *p, const char *decl)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];

		if (a->kind == KIND_AGENT && !a->internal && !a->skip && !strcmp(a->name, decl) &&
		    (a->change == CHANGE_CREATE || a->change == CHANGE_UPDATE))
			return (int)a->change;
	}
	return -1;
}

void memfs_report_orphans(const char *decl, const char *id, const json_t *orphans,
			  const json_t *kept, json_t *ch, json_t *changes, struct buf *human)
{
	const json_t *v;
	size_t i;

	json_array_foreach(kept, i, v)
		log_warn("Agent '%s': memory file %s is no longer declared but the agent changed it since letta-sync wrote it: not pruned",
			 decl, json_string_value(v));
	if (!json_array_size(orphans))
		return;
	if (!ch) {
		ch = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:b, s:[], s:[], s:s}", "kind", "Agent",
			       "name", decl, "agent", id, "section", "memory_files", "action",
			       "orphan", "breaking", 0, "fields", "files", "reason",
			       "shipped by letta-sync, declared by no manifest: sync --prune removes them");
		json_array_append_new(changes, ch);
	}
	json_object_set(ch, "orphans", (json_t *)orphans);
	if (human) {
		buf_addf(human, "? Agent %s: memory_files: %zu file(s) no manifest declares (sync --prune removes them)\n",
			 decl, json_array_size(orphans));
		json_array_foreach(orphans, i, v)
			buf_addf(human, "  orphan %s\n", json_string_value(v));
	}
}

void memfs_retry_opts(int *retries, long *base_ms, long *max_ms)
{
	struct letta_opts lo = LETTA_OPTS_INIT;
	struct ls_error e = LS_ERROR_INIT;

	/* A bad value was reported when the API client was made; the defaults then. */
	if (letta_opts_env(&lo, getenv, &e) < 0) {
		struct letta_opts d = LETTA_OPTS_INIT;

		lo = d;
	}
	ls_error_clear(&e);
	*retries = lo.http.max_retries;
	*base_ms = lo.http.retry_base_ms;
	*max_ms = lo.http.retry_max_ms;
}

void memfs_git_opts_at(struct memfs_git_opts *o, struct buf *url, struct buf *cache,
		       const struct cli_ctx *ctx, const char *root, const char *id)
{
	const char *base = ctx->target.base_url;

	buf_reset(url);
	buf_reset(cache);
	buf_addf(url, "%s/v1/git/%s/state.git", base ? base : "", id);
	buf_addf(cache, "%s/.letta/cache/memfs/%s.git", root, id);
	memset(o, 0, sizeof(*o));
	o->url = url->buf;
	o->key = ctx->secret;
	o->cache = cache->buf;
}

/* A new file as a unified diff hunk: every line added. */
static char *added(const struct memfile *f)
{
	return memfs_text_diff("", 0, f->data, f->len);
}

json_t *memfs_preview(const struct memfile *f, size_t n, const json_t *agent, const json_t *moved)
{
	json_t *out = json_array(), *shared = json_object();
	const json_t *e;
	struct buf r = BUF_INIT;
	size_t i;

	json_array_foreach(moved, i, e)
		if (json_is_true(json_object_get(e, "shared")))
			json_object_set_new(shared, jsonx_get_str(e, "label"), json_true());
	for (size_t k = 0; k < n; k++) {
		const json_t *b = NULL, *blk;
		const char *p = f[k].path;
		size_t pl = strlen(p);
		char *d;

		if (f[k].mode == MEMFILE_UNMANAGED)
			continue;
		if (agent && !strncmp(p, "system/", 7) && pl > 10 && !strcmp(p + pl - 3, ".md")) {
			json_array_foreach(json_object_get(agent, "blocks"), i, blk) {
				const char *l = jsonx_get_str(blk, "label");

				if (l && strlen(l) == pl - 10 && !strncmp(l, p + 7, pl - 10) &&
				    !json_object_get(shared, l))
					b = blk;
			}
		}
		if (b) {
			const json_t *lim = json_object_get(b, "limit");

			if (f[k].mode == MEMFILE_SEED)
				continue; /* the agent's block is the file */
			buf_reset(&r);
			memfiles_render_block(&r, jsonx_get_str(b, "label"), jsonx_get_str(b, "description"),
					      jsonx_get_str(b, "value"),
					      json_is_integer(lim) ? (long long)json_integer_value(lim) : -1,
					      json_is_true(json_object_get(b, "read_only")));
			if (r.len == f[k].len && !memcmp(r.buf, f[k].data, r.len))
				continue;
			d = memfs_text_diff(r.buf, r.len, f[k].data, f[k].len);
			json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "path", p, "change",
							     "update", "diff", d));
		} else {
			d = added(&f[k]);
			json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "path", p, "change",
							     "create", "diff", d));
		}
		free(d);
	}
	json_decref(shared);
	buf_release(&r);
	return out;
}
