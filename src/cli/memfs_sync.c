/*
 * Agent memory as files in diff and sync (issue 25; docs/contract/memfs.md). For each agent whose Agent (or
 * its Template's agent) declares memory: {dir: <folder>}, the folder's files are the memory
 * git wants. They are checked with the server's rules before anything is sent (a push that
 * breaks one would be refused whole), then each agent's repository is fetched and merged
 * (repo/memfs_git.c): diff shows the file-level changes, sync commits them as one commit and
 * pushes it. The agent's tag git-memory-enabled, which gives it its repository, is planned
 * with its other tags (core/plan_agents.c).
 */
#include "cli/memfs_sync.h"

#include "api/letta.h"
#include "cli/memfs_decl.h"
#include "cli/memfs_pool.h"
#include "cli/memfs_report.h"
#include "cli/output.h"
#include "core/memfiles.h"
#include "repo/files.h"
#include "repo/memfs_git.h"
#include "util/interrupt.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct memfs_agent {
	char *name; /* the agent's name on the server */
	char *decl; /* the Agent resource's name */
	char *dir;  /* the memory folder, relative to the config repository's root */
	struct memfile *f;
	size_t n;
	int own; /* the agent's own change in the plan as loaded (memfs_agent_change), or -1 */
};

void memfs_run_release(struct memfs_run *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->a[i].name);
		free(m->a[i].decl);
		free(m->a[i].dir);
		memfs_files_free(m->a[i].f, m->a[i].n);
	}
	free(m->a);
	json_decref(m->resolve);
	memset(m, 0, sizeof(*m));
}

/* The config repository's root: the folder holding .letta (diff and sync run inside it). */
static void repo_root(struct buf *out)
{
	if (files_find_up(out, ".", ".letta")) {
		char *s = strrchr(out->buf, '/');

		if (s) {
			*s = 0;
			out->len = (size_t)(s - out->buf);
			return;
		}
	}
	buf_reset(out);
	buf_addstr(out, ".");
}

int memfs_load(struct memfs_run *m, struct reconcile *r, struct ls_error *err)
{
	struct buf root = BUF_INIT, path = BUF_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	const char *only = r->ctx ? r->ctx->g.agent : NULL;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	if (r->opts.sections && !(r->opts.sections & (1u << SECTION_MEMORY_FILES)))
		return 0;
	repo_root(&root);
	for (size_t i = 0; i < r->ds.n && ret == 0; i++) {
		const struct resource *res = &r->ds.items[i];
		const json_t *decl;
		const char *dir, *name;
		struct memfs_agent *a;
		json_t *blocks;

		if (res->kind != KIND_AGENT || !(decl = memfiles_decl(&r->ds, res->name)))
			continue;
		name = jsonx_get_str(res->spec, "name") ? jsonx_get_str(res->spec, "name") : res->name;
		if (only && strcmp(only, name) && strcmp(only, res->name))
			continue;
		if (!memfs_decl_any(decl))
			continue;
		dir = memfs_decl_prefix(&path, decl, res->name);
		m->a = xrealloc(m->a, (m->n + 1) * sizeof(*m->a));
		a = &m->a[m->n++];
		memset(a, 0, sizeof(*a));
		a->name = xstrdup(name);
		a->decl = xstrdup(res->name);
		a->dir = xstrdup(dir);
		a->own = memfs_agent_change(&r->plan, res->name);
		blocks = memfiles_from_blocks(&r->ds, res->name);
		ret = memfs_decl_files(&a->f, &a->n, decl, blocks, root.buf, err);
		json_decref(blocks);
		if (ret < 0)
			break;
		memfs_decl_check(a->f, a->n, decl, res->name, &diags);
	}
	diag_list_sort(&diags);
	for (size_t i = 0; i < diags.n; i++) {
		const struct diag *d = &diags.items[i];

		log_error("%s:%d:%d: %s%s%s", d->file, d->line, d->col, d->msg, d->hint ? " (" : "",
			  d->hint ? d->hint : "");
		if (d->hint)
			fputs(")\n", stderr);
	}
	if (ret == 0 && diags.nerrors) {
		ret = ls_error_set(err, LS_EINVALID, "%zu problem(s) in memory files", diags.nerrors);
		ls_error_hint(err, "the server refuses a push that breaks these rules; fix the files");
	}
	diag_list_release(&diags);
	buf_release(&root);
	buf_release(&path);
	return ret;
}

/* The agent's id: from the state read before the run, else (created by this run) the server. */
static char *agent_id(struct reconcile *r, const char *name)
{
	json_t *e, *list = NULL;
	struct ls_error err = LS_ERROR_INIT;
	struct buf path = BUF_INIT;
	char *id = NULL;
	size_t i;

	json_array_foreach(r->rs.agents, i, e)
		if (jsonx_get_str(e, "name") && !strcmp(jsonx_get_str(e, "name"), name))
			return xstrdup(jsonx_get_str(e, "id"));
	buf_addf(&path, "/v1/agents/?name=%s", name);
	if (r->api && letta_list_all(&list, r->api, path.buf, &err) == 0)
		json_array_foreach(list, i, e)
			if (jsonx_get_str(e, "name") && !strcmp(jsonx_get_str(e, "name"), name) &&
			    jsonx_get_str(e, "id")) {
				id = xstrdup(jsonx_get_str(e, "id"));
				break;
			}
	json_decref(list);
	buf_release(&path);
	return id;
}

void memfs_files_human(struct buf *h, const json_t *files)
{
	const json_t *f;
	size_t i;

	json_array_foreach(files, i, f) {
		const char *d = jsonx_get_str(f, "diff");

		buf_addf(h, "  %s %s\n", jsonx_get_str(f, "change"), jsonx_get_str(f, "path"));
		for (const char *s = d ? d : ""; *s;) {
			const char *e = strchr(s, '\n');
			size_t l = e ? (size_t)(e - s) : strlen(s);

			buf_addstr(h, "    ");
			buf_add(h, s, l);
			buf_addch(h, '\n');
			s += l + (e != NULL);
		}
	}
}

static void human_files(struct buf *h, const char *head, const json_t *files)
{
	buf_addstr(h, head);
	memfs_files_human(h, files);
}

/* diff of an agent without a repository yet: what the push after its tag will write (memfs_preview). */
static void all_new(struct memfs_run *m, struct reconcile *r, const struct memfs_agent *a,
		    const char *id, const json_t *agent, const char *why, json_t *changes,
		    struct buf *human)
{
	json_t *moved = memfiles_from_blocks(&r->ds, a->decl);
	json_t *files = memfs_preview(a->f, a->n, agent, moved);
	struct buf head = BUF_INIT;

	json_decref(moved);
	if (!json_array_size(files)) {
		json_decref(files);
		return;
	}
	json_array_append_new(changes,
			      json_pack("{s:s, s:s, s:s?, s:s, s:s, s:b, s:[], s:o, s:s}", "kind",
					"Agent", "name", a->decl, "agent", id, "section",
					"memory_files", "action", "create", "breaking", 0, "fields",
					"files", files, "reason", why));
	m->changed += a->own < 0;
	if (human) {
		buf_addf(&head, "+ Agent %s: memory_files (%zu file(s); %s)\n", a->decl,
			 json_array_size(files), why);
		human_files(human, head.buf, files);
	}
	buf_release(&head);
}

int memfs_apply(struct memfs_run *m, struct reconcile *r, int push, int force, json_t *changes,
		struct buf *human, struct ls_error *err)
{
	struct buf root = BUF_INIT;
	struct memfs_job *jobs = xcalloc(m->n + 1, sizeof(*jobs));
	int ret = 0;

	repo_root(&root);
	/* What each agent needs (its id: a read for an agent this run created), in order. */
	for (size_t i = 0; i < m->n; i++) {
		struct memfs_agent *a = &m->a[i];
		struct memfs_job *j = &jobs[i];
		const json_t *before;

		if (interrupt_requested()) {
			ret = ls_error_set(err, LS_EINTERRUPTED, "interrupted");
			goto out;
		}
		j->id = agent_id(r, a->name);
		if (!j->id)
			continue;
		before = remote_find_id(r->rs.agents, j->id);
		if (!push && before &&
		    !jsonx_array_has_str(json_object_get(before, "tags"), MEMFILES_TAG)) {
			/*
			 * diff of an agent that gets its repository from this sync (the tag): no
			 * repository to fetch yet (every git route is a 404 without the tag).
			 */
			j->fresh = 1;
			continue;
		}
		memfs_git_opts_at(&j->o, &j->url, &j->cache, r->ctx, root.buf, j->id);
		buf_addf(&j->msg, "letta-sync: memory of %s from config %s\n", a->decl,
			 r->commit && *r->commit ? r->commit : "(no commit)");
		j->o.message = j->msg.buf;
		j->o.force = force;
		j->o.push = push;
		j->o.prune = (r->opts.plan_flags & PLAN_PRUNE) != 0;
		memfs_retry_opts(&j->o.retries, &j->o.retry_base_ms, &j->o.retry_max_ms);
		j->o.resolve = json_object_get(m->resolve, a->decl);
		j->f = a->f;
		j->n = a->n;
		j->run = 1;
	}
	/* The fetches, merges and pushes: agents at once (--concurrency). */
	memfs_jobs_run(jobs, m->n, m->concurrency > 0 ? m->concurrency : 8);
	if (interrupt_requested()) {
		ret = ls_error_set(err, LS_EINTERRUPTED, "interrupted");
		goto out;
	}
	/* The outcomes, in the agents' order. */
	for (size_t i = 0; i < m->n; i++) {
		struct memfs_agent *a = &m->a[i];
		struct memfs_job *j = &jobs[i];
		const char *id = j->id;
		struct memfs_git_result none;
		struct memfs_git_result *res = j->run ? &j->res : &none;
		struct buf head = BUF_INIT;
		json_t *ch = NULL;
		int rc = j->run ? j->rc : 0;

		memset(&none, 0, sizeof(none));
		if (!id) {
			if (!push) {
				all_new(m, r, a, NULL, NULL, "the agent does not exist yet", changes, human);
			} else {
				log_error("Agent '%s': not found on the server; its memory files were not synced",
					  a->decl);
				m->failed++;
			}
			continue;
		}
		if (j->fresh)
			all_new(m, r, a, id, remote_find_id(r->rs.agents, id),
				"the agent gets its memory repository (tag git-memory-enabled) from this sync",
				changes, human);
		if (rc == 0 && res->rewritten)
			memfs_warn_rewritten(r->ctx, a->decl, id, res);
		if (m->states)
			json_array_append_new(m->states, memfs_state(a->decl, id, rc, &j->err, res));
		if (rc < 0) {
			log_error("Agent '%s' (%s): memory files: %s", a->decl, id, j->err.msg);
			ch = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[], s:s}", "kind", "Agent", "name",
				       a->decl, "agent", id, "section", "memory_files", "action",
				       "update", "breaking", 0, "fields", "error", j->err.msg);
			json_array_append_new(changes, ch);
			m->failed++;
		} else if (json_array_size(res->conflicts)) {
			ch = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[], s:O, s:s}", "kind", "Agent",
				       "name", a->decl, "agent", id, "section", "memory_files", "action",
				       "conflict", "breaking", 0, "fields", "files", res->conflicts,
				       "reason", res->rewritten ? "the server rewrote the agent's memory history and both sides changed these files since the last sync; sync --force makes git win"
							       : "the agent and git changed the same lines; sync --force makes git win");
			json_array_append_new(changes, ch);
			m->conflicts++;
			buf_addf(&head, "! Agent %s: memory_files conflict (agent's version -> git's)\n",
				 a->decl);
			if (human)
				human_files(human, head.buf, res->conflicts);
			else {
				struct buf t = BUF_INIT;

				human_files(&t, head.buf, res->conflicts);
				fputs(t.buf, stderr);
				buf_release(&t);
			}
		} else if (json_array_size(res->files)) {
			int own = a->own;

			ch = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:[], s:O, s:s*, s:s*}", "kind",
				       "Agent", "name", a->decl, "agent", id, "section", "memory_files",
				       "action", own == CHANGE_CREATE ? "create" : "update", "breaking",
				       0, "fields", "files", res->files, "commit",
				       *res->pushed ? res->pushed : NULL, "base",
				       *res->base ? res->base : NULL);
			json_array_append_new(changes, ch);
			m->changed += own < 0; /* else counted with the agent's own change */
			buf_addf(&head, "~ Agent %s: memory_files (%zu file(s))\n", a->decl,
				 json_array_size(res->files));
			if (human)
				human_files(human, head.buf, res->files);
			if (push)
				log_info("Agent '%s': memory pushed as %s (%d push(es))", a->decl,
					 res->pushed, res->tries);
		}
		if (rc == 0)
			memfs_report_orphans(a->decl, id, res->orphans, res->kept, ch, changes, human);
		buf_release(&head);
	}
out:
	memfs_jobs_free(jobs, m->n);
	buf_release(&root);
	return ret;
}

void memfs_check_desired(const struct desired_state *ds, const char *root,
			 struct diag_list *diags)
{
	struct buf path = BUF_INIT;

	for (size_t i = 0; i < ds->n; i++) {
		const struct resource *res = &ds->items[i];
		const json_t *decl;
		const char *dir;
		struct memfile *f = NULL;
		size_t n = 0;
		struct ls_error err = LS_ERROR_INIT;
		json_t *blocks;
		int rc;

		if (res->kind != KIND_AGENT || !(decl = memfiles_decl(ds, res->name)) ||
		    !memfs_decl_any(decl))
			continue;
		dir = memfs_decl_prefix(&path, decl, res->name);
		blocks = memfiles_from_blocks(ds, res->name);
		rc = memfs_decl_files(&f, &n, decl, blocks, root ? root : ".", &err);
		json_decref(blocks);
		if (rc < 0) {
			if (jsonx_get_str(decl, "dir"))
				diag_add(diags, DIAG_ERROR, res->pos.file, res->pos.line, res->pos.col,
					 "Agent.%s: memory.dir '%s': %s", res->name, dir, err.msg);
			else
				diag_add(diags, DIAG_ERROR, res->pos.file, res->pos.line, res->pos.col,
					 "Agent.%s: memory: %s", res->name, err.msg);
			diag_hint(diags, "%s", *err.hint ? err.hint : "fix the path (relative to the repository's root)");
			ls_error_clear(&err);
			continue;
		}
		memfs_decl_check(f, n, decl, res->name, diags);
		memfs_files_free(f, n);
	}
	buf_release(&path);
}
