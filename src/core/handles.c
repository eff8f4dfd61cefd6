/* Model and embedding handles a plan sends, checked against the server's lists (handles.h). */
#include "core/handles.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/suggest.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longer handles are not compared by distance (it is quadratic); they sort last. */
#define HANDLE_DISTANCE_MAX 256

static const char *const fields[] = { "model", "embedding", NULL };

json_t *handles_in_plan(const struct plan *p)
{
	json_t *used = json_pack("{s:{}, s:{}}", "model", "embedding");

	for (size_t i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];

		if (a->skip)
			continue;
		for (size_t j = 0; j < a->nreqs; j++) {
			const struct plan_request *rq = &a->reqs[j];

			if (!rq->body || rq->op == OP_DELETE ||
			    (rq->target != TARGET_AGENT && rq->target != TARGET_FOLDER))
				continue;
			for (int f = 0; fields[f]; f++) {
				const char *h = jsonx_get_str(rq->body, fields[f]);
				json_t *map = json_object_get(used, fields[f]), *idx;

				if (!h)
					continue;
				idx = json_object_get(map, h);
				if (!idx) {
					idx = json_array();
					json_object_set_new(map, h, idx);
				}
				json_array_append_new(idx, json_integer((json_int_t)i));
			}
		}
	}
	return used;
}

int handles_any(const json_t *used)
{
	return json_object_size(json_object_get(used, "model")) ||
	       json_object_size(json_object_get(used, "embedding"));
}

/* The pointer (in ptr) of the first string equal to h inside v; 1 when found. */
static int find_str(const json_t *v, const char *h, struct buf *ptr)
{
	size_t len = ptr->len;

	if (json_is_string(v))
		return !strcmp(json_string_value(v), h);
	if (json_is_object(v)) {
		const char *k;
		json_t *e;

		json_object_foreach((json_t *)v, k, e) {
			yamlx_pointer_add(ptr, k);
			if (find_str(e, h, ptr))
				return 1;
			buf_setlen(ptr, len);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e) {
			char idx[24];

			snprintf(idx, sizeof(idx), "%zu", i);
			yamlx_pointer_add(ptr, idx);
			if (find_str(e, h, ptr))
				return 1;
			buf_setlen(ptr, len);
		}
	}
	return 0;
}

/* Where r's document says h (under spec); 1 and *pos set when it does. */
static int locate_in(struct src_pos *pos, const struct desired_state *ds,
		     const struct resource *r, const char *h)
{
	struct buf ptr = BUF_INIT;
	int found;

	if (!r)
		return 0;
	buf_addstr(&ptr, "/spec");
	found = find_str(r->spec, h, &ptr);
	if (found)
		desired_pos(pos, ds, r, ptr.buf);
	buf_release(&ptr);
	return found;
}

/*
 * The manifest line that makes action a send h: its own document, an agent's template, then
 * any Template, AgentPolicy, Agent or Folder that names it; a folder's embeddingConfig (which
 * the planner turns into "provider/model"). 0 when no manifest names it (a default).
 */
static int locate(struct src_pos *pos, const struct desired_state *ds,
		  const struct plan_action *a, const char *h)
{
	static const enum res_kind kinds[] = { KIND_TEMPLATE, KIND_AGENT_POLICY, KIND_AGENT,
					       KIND_FOLDER };
	const struct resource *r = desired_find(ds, a->kind, a->name);
	const char *tmpl = r ? jsonx_get_str(r->spec, "template") : NULL;

	if (locate_in(pos, ds, r, h))
		return 1;
	if (a->kind == KIND_AGENT && tmpl &&
	    locate_in(pos, ds, desired_find(ds, KIND_TEMPLATE, tmpl), h))
		return 1;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t i = 0; i < ds->n; i++) {
			if (ds->items[i].kind == kinds[k] && locate_in(pos, ds, &ds->items[i], h))
				return 1;
		}
	}
	if (r && a->kind == KIND_FOLDER && json_object_get(r->spec, "embeddingConfig")) {
		desired_pos(pos, ds, r, "/spec/embeddingConfig");
		return 1;
	}
	return 0;
}

struct ranked {
	const char *handle;
	size_t dist;
};

static int ranked_cmp(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	return strcmp(a->handle, b->handle);
}

/* Every handle of list, nearest to h first (then by name). */
static json_t *nearest(const json_t *list, const char *h)
{
	size_t n = json_array_size(list), m = 0, i;
	struct ranked *v = xcalloc(n ? n : 1, sizeof(*v));
	json_t *out = json_array(), *e;

	json_array_foreach(list, i, e) {
		const char *c = jsonx_get_str(e, "handle");

		if (!c)
			continue;
		v[m].handle = c;
		v[m].dist = strlen(c) > HANDLE_DISTANCE_MAX || strlen(h) > HANDLE_DISTANCE_MAX
				    ? (size_t)-1
				    : suggest_distance(h, c);
		m++;
	}
	qsort(v, m, sizeof(*v), ranked_cmp);
	for (i = 0; i < m; i++) {
		if (i == 0 || strcmp(v[i].handle, v[i - 1].handle))
			json_array_append_new(out, json_string(v[i].handle));
	}
	free(v);
	return out;
}

static int served(const json_t *list, const char *h)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e) {
		const char *c = jsonx_get_str(e, "handle");

		if (c && !strcmp(c, h))
			return 1;
	}
	return 0;
}

json_t *handles_unknown(const json_t *used, const struct plan *p, const json_t *llm,
			const json_t *emb, const struct desired_state *ds,
			const struct handle_defaults *d)
{
	json_t *out = json_array();

	for (int f = 0; fields[f]; f++) {
		const json_t *list = f == 0 ? llm : emb;
		const char *h;
		json_t *idx;

		json_object_foreach(json_object_get(used, fields[f]), h, idx) {
			const struct plan_action *a;
			struct src_pos pos = { "", 0, 0 };
			const char *from = f == 0 ? d->model_from : d->embedding_from;
			json_t *e;

			if (served(list, h))
				continue;
			a = &p->items[json_integer_value(json_array_get(idx, 0))];
			if (locate(&pos, ds, a, h))
				from = NULL;
			e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:o}", "handle", h, "field",
				      fields[f], "kind", res_kind_name(a->kind), "name", a->name,
				      "file", pos.file ? pos.file : "", "line", pos.line, "col",
				      pos.col, "available", nearest(list, h));
			if (from)
				json_object_set_new(e, "from", json_string(from));
			json_array_append_new(out, e);
		}
	}
	return out; /* model handles first, then embedding ones, each in plan order */
}
