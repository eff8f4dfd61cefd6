/*
 * Running a plan: waves of independent requests on the client's curl multi handle. An action's
 * requests run one after another (a create, then what needs its id); actions whose
 * dependencies are done run together in the same wave.
 */
#include "api/apply.h"
#include "core/kinds/kinds.h"
#include "core/ownership.h"
#include "util/buf.h"
#include "util/interrupt.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The files of every folder letta-sync manages, as folder["files"] (one batch). */
static int read_folder_files(struct remote_state *rs, struct letta *api, struct ls_error *err)
{
	struct http_req *reqs;
	json_t **owners, *f;
	size_t i, n = 0;
	int ret;

	reqs = xcalloc(json_array_size(rs->folders) + 1, sizeof(*reqs));
	owners = xcalloc(json_array_size(rs->folders) + 1, sizeof(*owners));
	json_array_foreach(rs->folders, i, f)
	{
		const char *by = jsonx_get_str(json_object_get(f, "metadata"), "managed_by");
		struct buf path = BUF_INIT;

		if (!by || strcmp(by, "letta-sync") || !jsonx_get_str(f, "id"))
			continue;
		buf_addf(&path, "/v1/folders/%s/files", jsonx_get_str(f, "id"));
		http_req_init_take(&reqs[n], "GET", buf_detach(&path), NULL);
		reqs[n].flags |= HTTP_F_PAGED;
		reqs[n].page_limit = letta_page_limit(api);
		http_req_what(&reqs[n], "the files of folder '%s'", jsonx_get_str(f, "name"));
		owners[n++] = f;
	}
	ret = n ? letta_run(api, reqs, n, err) : 0;
	for (i = 0; i < n; i++) {
		if (ret == 0) {
			json_t *files = http_req_take_json(&reqs[i]);

			json_object_set_new(owners[i], "files", files ? files : json_array());
		}
		http_req_release(&reqs[i]);
	}
	free(reqs);
	free(owners);
	return ret;
}

/* The lists of apply_read_remote_kinds(): one per API kind, read into the kind table's slot. */
#define NREAD LETTA_KIND_COUNT

static json_t **read_dst(struct remote_state *rs, size_t i)
{
	return kind_remote_slot(rs, kind_of_target((enum plan_target)i)->kind);
}

/*
 * Reads the lists of the kinds in mask (bits 1 << enum letta_kind) at once into rs. extra, when
 * not NULL, is one more request run in the same batch (first, so that it starts first even at
 * --concurrency 1) and handed back run, not released; its failure is not read_lists()'s.
 */
static int read_lists(struct remote_state *rs, struct letta *api, unsigned mask,
		      struct http_req *extra, struct ls_error *err)
{
	struct http_req all[NREAD + 1], *reqs = all + (extra != NULL);
	size_t idx[NREAD], i, n = 0;
	int ret;

	for (i = 0; i < NREAD; i++) {
		if (!(mask & (1u << (enum letta_kind)i)))
			continue;
		letta_req_list(&reqs[n], api, (enum letta_kind)i, NULL);
		/*
		 * Tool names are unique per organisation: read them all, not only this project's,
		 * so that another project's tool of the same name is a conflict rather than
		 * overwritten by the upsert (docs/contract/PRODUCT.md section 2).
		 */
		if ((enum letta_kind)i == LETTA_TOOL)
			reqs[n].flags &= ~(unsigned)HTTP_F_PROJECT_ID;
		idx[n++] = i;
	}
	if (extra) {
		all[0] = *extra;
		ret = letta_run(api, all, n + 1, err);
		*extra = all[0];
		/* The lists' own outcome: the first of them that failed, as letta_run() picks. */
		if (ret != 0 && ret != LS_EINTERRUPTED) {
			ret = 0;
			for (i = 0; i < n && !ret; i++) {
				if ((ret = reqs[i].ret) != 0)
					*err = reqs[i].err;
			}
		}
	} else {
		ret = n ? letta_run(api, reqs, n, err) : 0;
	}
	if (ret == LS_ENOTFOUND) {
		/*
		 * A deployment without folders, MCP servers or identities (older self-hosted
		 * servers) answers 404 on the route itself: nothing of that kind exists there.
		 */
		ret = 0;
		ls_error_clear(err);
		for (i = 0; i < n; i++) {
			enum letta_kind k = (enum letta_kind)idx[i];

			if (reqs[i].ret == 0)
				continue;
			if (reqs[i].ret == LS_ENOTFOUND &&
			    (k == LETTA_FOLDER || k == LETTA_MCP_SERVER || k == LETTA_IDENTITY)) {
				json_decref(reqs[i].json);
				reqs[i].json = json_array();
				continue;
			}
			*err = reqs[i].err;
			ret = reqs[i].ret;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		if (ret == 0) {
			json_t *v = http_req_take_json(&reqs[i]);
			json_t **dst = read_dst(rs, idx[i]);

			if (json_is_array(v)) {
				json_decref(*dst);
				*dst = v;
			} else {
				json_decref(v);
			}
		}
		http_req_release(&reqs[i]);
	}
	return ret;
}

/*
 * The kinds a first read left out that the plan needs after all: those any inventory block
 * holds (their orphans are pruned or reported), and every kind once a managed agent exists
 * (its plan resolves tools, folders and identities).
 */
static unsigned more_kinds(const struct remote_state *rs)
{
	/*
	 * A kind name anywhere in an inventory's text: cheaper than parsing its thousands of
	 * entries (the planner parses it once), and a name that merely looks like a kind only
	 * reads one list too many. What a kind needs read is the kind table's (core/kinds).
	 */
	unsigned mask = 0;
	const json_t *b, *a;
	size_t i;
	int k;

	json_array_foreach(rs->agents, i, a)
		if (own_agent_is_managed(a))
			return APPLY_READ_ALL;
	json_array_foreach(rs->blocks, i, b)
	{
		const char *label = jsonx_get_str(b, "label"), *value = jsonx_get_str(b, "value");

		/* Every inventory, whatever its project: reading one list too many is harmless. */
		if (!label || strcmp(label, OWN_INVENTORY_LABEL) || !value)
			continue;
		for (k = 0; k < KIND__COUNT; k++) {
			struct buf quoted = BUF_INIT;

			buf_addf(&quoted, "\"%s\"", kind_table[k].name);
			if (strstr(value, quoted.buf))
				mask |= kind_table[k].reads;
			buf_release(&quoted);
		}
	}
	return mask & APPLY_READ_ALL;
}

/* The rest of a read after the first round of lists: more kinds, then the folders' files. */
static int read_more(struct remote_state *rs, struct letta *api, unsigned kinds,
		     struct ls_error *err)
{
	unsigned more;
	int ret = 0;

	if ((more = more_kinds(rs) & ~kinds) != 0)
		ret = read_lists(rs, api, more, NULL, err);
	if (ret == 0)
		ret = read_folder_files(rs, api, err);
	return ret;
}

/* Blocks hold the inventory; agents hold blocks (a block's prune checks them). */
static unsigned first_kinds(unsigned kinds)
{
	return (kinds | 1u << LETTA_BLOCK | 1u << LETTA_AGENT) & APPLY_READ_ALL;
}

/* On success (RET 0) RS replaces OUT; otherwise OUT is left as it was and RS is dropped. */
static int settle_read(struct remote_state *out, struct remote_state *rs, int ret)
{
	if (ret == 0) {
		remote_state_release(out);
		*out = *rs;
	} else {
		remote_state_release(rs);
	}
	return ret;
}

int apply_read_remote_kinds(struct remote_state *out, struct letta *api, unsigned kinds,
			    struct ls_error *err)
{
	struct remote_state rs;
	int ret;

	kinds = first_kinds(kinds);
	remote_state_init(&rs);
	ret = read_lists(&rs, api, kinds, NULL, err);
	if (ret == 0)
		ret = read_more(&rs, api, kinds, err);
	return settle_read(out, &rs, ret);
}

int apply_resolve_read_remote(struct remote_state *out, struct letta *api,
			      const struct target *t, unsigned kinds, struct ls_error *err)
{
	struct remote_state rs;
	struct ls_error lerr = LS_ERROR_INIT;
	struct http_req check;
	int ret, lret, rescoped = 0;

	if ((ret = letta_resolve_target_begin(api, t, &check, err)) < 0)
		return ret;
	if (ret == 0)
		return 1;
	kinds = first_kinds(kinds);
	remote_state_init(&rs);
	/*
	 * The lists need only the project id: they go out with the project check, one round
	 * instead of two (issue 26). They are reads; nothing is written before the check passed,
	 * and a failed check is reported as it was before, whatever the lists did.
	 */
	lret = read_lists(&rs, api, kinds, &check, &lerr);
	if (lret == LS_EINTERRUPTED) {
		http_req_release(&check);
		*err = lerr;
		ret = lret;
	} else if ((ret = letta_resolve_target_end(api, t, &check, &rescoped, err)) == 0) {
		if (rescoped) {
			/* A self-hosted server: the lists went out scoped to an id that means nothing. */
			remote_state_release(&rs);
			remote_state_init(&rs);
			lret = read_lists(&rs, api, kinds, NULL, &lerr);
		}
		if (lret < 0) {
			*err = lerr;
			ret = lret;
		} else {
			ret = read_more(&rs, api, kinds, err);
		}
	}
	return settle_read(out, &rs, ret);
}

int apply_read_remote(struct remote_state *out, struct letta *api, struct ls_error *err)
{
	return apply_read_remote_kinds(out, api, APPLY_READ_ALL, err);
}

void apply_result_release(struct apply_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->ids ? r->ids[i] : NULL);
	free(r->ids);
	free(r->status);
	free(r->errs);
	memset(r, 0, sizeof(*r));
}

/* The applied actions that finished, and those that failed, so far. */
static void progress_counts(const struct plan *p, const struct apply_result *r, size_t *done,
			    size_t *failed)
{
	*done = *failed = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->items[i].skip || p->items[i].nreqs == 0)
			continue;
		*done += r->status[i] != APPLY_PENDING;
		*failed += r->status[i] == APPLY_FAILED || r->status[i] == APPLY_BLOCKED;
	}
}

static void report_progress(struct letta *api, const struct plan *p, const struct apply_result *r,
			    size_t total)
{
	size_t done, failed;

	progress_counts(p, r, &done, &failed);
	letta_progress(api, done, total, failed);
}

struct slot {
	size_t action;
	size_t next; /* index of the request this wave sends */
};

/* Progress within a wave: an action is finished by its last request, or by a failure. */
struct wave_progress {
	struct letta *api;
	const struct plan *p;
	const struct slot *slots;
	size_t done, failed, total; /* so far, this wave's requests included */
};

static void wave_done(void *ctx, const struct http_req *req, size_t j)
{
	struct wave_progress *w = ctx;
	const struct plan_action *a = &w->p->items[w->slots[j].action];
	const struct plan_request *pr = &a->reqs[w->slots[j].next];
	int ok = req->ret == 0 || (req->ret == LS_ENOTFOUND && (pr->flags & REQ_404_OK));

	if (ok && w->slots[j].next + 1 < a->nreqs)
		return;
	w->done++;
	w->failed += !ok;
	letta_progress(w->api, w->done, w->total, w->failed);
}

int apply_plan(struct apply_result *out, struct letta *api, const struct plan *p,
	       struct ls_error *err)
{
	struct plan_results res;
	size_t *next = xcalloc(p->n + 1, sizeof(*next));
	struct slot *slots = xcalloc(p->n + 1, sizeof(*slots));
	struct http_req *reqs = xcalloc(p->n + 1, sizeof(*reqs));
	size_t i, j, nfailed = 0, napplied = 0, ndone = 0, ntotal = 0;
	int ret = 0, progress;

	out->n = p->n;
	out->status = xcalloc(p->n + 1, sizeof(*out->status));
	out->errs = xcalloc(p->n + 1, sizeof(*out->errs));
	out->ids = xcalloc(p->n + 1, sizeof(*out->ids));
	res.n = p->n;
	res.ids = out->ids;
	res.ok = xcalloc(p->n + 1, sizeof(*res.ok));
	for (i = 0; i < p->n; i++) {
		if (p->items[i].id)
			out->ids[i] = xstrdup(p->items[i].id);
		if (p->items[i].skip) {
			out->status[i] = APPLY_SKIPPED;
			res.ok[i] = -1;
		}
	}

	for (i = 0; i < p->n; i++)
		ntotal += !p->items[i].skip && p->items[i].nreqs > 0;
	do {
		size_t nslots = 0;

		progress = 0;
		for (i = 0; i < p->n; i++) {
			const struct plan_action *a = &p->items[i];
			int waiting = 0, blocked = -1;

			if (out->status[i] != APPLY_PENDING)
				continue;
			if (next[i] > 0)
				goto queue; /* the next request of an action under way */
			for (j = 0; j < a->ndeps; j++) {
				enum apply_status s = out->status[a->deps[j]];

				if (s == APPLY_PENDING)
					waiting = 1;
				else if (s == APPLY_FAILED || s == APPLY_BLOCKED)
					blocked = (int)a->deps[j];
			}
			if (blocked >= 0 && !a->soft) {
				const struct plan_action *d = &p->items[blocked];

				out->status[i] = APPLY_BLOCKED;
				res.ok[i] = -1;
				ls_error_set(&out->errs[i], LS_EFAIL,
					     "not applied: it needs %s '%s', which failed",
					     own_kind_name(d->kind), d->name);
				progress = 1;
				continue;
			}
			if (waiting)
				continue;
			if (a->nreqs == 0) {
				out->status[i] = APPLY_DONE;
				res.ok[i] = 1;
				progress = 1;
				continue;
			}
		queue:
			if (interrupt_requested()) {
				out->interrupted = 1;
				continue;
			}
			slots[nslots].action = i;
			slots[nslots].next = next[i];
			nslots++;
		}
		if (nslots == 0)
			break;
		/* Build the wave. */
		for (j = 0; j < nslots; j++) {
			const struct plan_action *a = &p->items[slots[j].action];
			const struct plan_request *pr = &a->reqs[slots[j].next];
			struct ls_error rerr = LS_ERROR_INIT;
			char *id = pr->id ? plan_resolve_id(pr->id, &res, slots[j].action, &rerr)
					  : NULL;
			char *parent = pr->parent && (!pr->id || id)
					       ? plan_resolve_id(pr->parent, &res, slots[j].action,
								 &rerr)
					       : NULL;
			json_t *body = pr->body && (!pr->id || id) && (!pr->parent || parent)
					       ? plan_resolve_body(pr->body, pr->flags, &res,
								   slots[j].action, &rerr)
					       : NULL;

			if ((pr->id && !id) || (pr->parent && !parent) || (pr->body && !body)) {
				/* Cannot happen when deps are right; report, not crash. */
				free(id);
				free(parent);
				json_decref(body);
				http_req_init_take(&reqs[j], "GET", xstrdup("/v1/health/"), NULL);
				reqs[j].ret = LS_EINTERNAL;
				out->errs[slots[j].action] = rerr;
				continue;
			}
			letta_req_op(&reqs[j], api, pr, id, parent, body);
			free(id);
			free(parent);
		}
		{
			struct ls_error werr = LS_ERROR_INIT;
			struct wave_progress w = { api, p, slots, 0, 0, ntotal };
			int wret;

			progress_counts(p, out, &w.done, &w.failed);
			http_set_on_done(letta_http(api), wave_done, &w);
			wret = letta_run(api, reqs, nslots, &werr);
			http_set_on_done(letta_http(api), NULL, NULL);

			if (wret == LS_EINTERRUPTED)
				out->interrupted = 1;
		}
		for (j = 0; j < nslots; j++) {
			size_t ai = slots[j].action;
			const struct plan_action *a = &p->items[ai];
			const struct plan_request *pr = &a->reqs[slots[j].next];
			int ok = reqs[j].ret == 0 ||
				 (reqs[j].ret == LS_ENOTFOUND && (pr->flags & REQ_404_OK));

			out->requests++;
			progress = 1;
			if (!ok) {
				out->status[ai] = APPLY_FAILED;
				out->errs[ai] = reqs[j].err;
				res.ok[ai] = -1;
			} else {
				const char *id = jsonx_get_str(reqs[j].json, "id");

				if (slots[j].next == 0 && id && !out->ids[ai])
					out->ids[ai] = xstrdup(id);
				next[ai] = slots[j].next + 1;
				if (next[ai] >= a->nreqs) {
					out->status[ai] = APPLY_DONE;
					res.ok[ai] = 1;
				}
			}
			http_req_release(&reqs[j]);
		}
		report_progress(api, p, out, ntotal);
		if (out->interrupted)
			break;
	} while (progress);

	for (i = 0; i < p->n; i++) {
		if (p->items[i].skip || p->items[i].nreqs == 0)
			continue;
		napplied++;
		if (out->status[i] == APPLY_FAILED || out->status[i] == APPLY_BLOCKED)
			nfailed++;
		if (out->status[i] == APPLY_DONE)
			ndone++;
	}
	if (out->interrupted)
		ret = ls_error_set(err, LS_EINTERRUPTED,
				   "interrupted: %zu of %zu changes applied, the rest not started",
				   ndone, napplied);
	else if (nfailed)
		ret = ls_error_set(err, LS_EFAIL, "%zu of %zu changes failed", nfailed, napplied);
	free(res.ok);
	free(next);
	free(slots);
	free(reqs);
	return ret;
}
