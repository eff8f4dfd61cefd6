/*
 * Building a plan: its lifetime, and the helpers plan.c (shared resources), plan_agents.c
 * (agents) and snapshot.c (restores) add actions, operations and field changes with. See
 * plan_build.h.
 */
#include "core/plan_build.h"
#include "core/kinds/kinds.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

const char *const plan_section_names[SECTION__COUNT + 1] = {
	"system_prompt", "memory_blocks", "tools", "folders", "tags", "model", "identities",
	"mcp_servers", "settings", "memory_files", NULL,
};

int plan_section_parse(const char *name)
{
	int i;

	for (i = 0; name && i < SECTION__COUNT; i++)
		if (!strcmp(plan_section_names[i], name))
			return i;
	return -1;
}

const char *plan_change_name(enum plan_change c)
{
	static const char *const names[] = { "create",	 "update",    "delete", "orphan",
					     "conflict", "downgrade", "drift" };

	if ((unsigned)c >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[c];
}

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->warnings = json_array();
	p->same = json_array();
}

static void action_release(struct plan_action *a)
{
	size_t j;

	free(a->name);
	free(a->agent);
	free(a->section);
	free(a->reason);
	free(a->id);
	json_decref(a->fields);
	json_decref(a->view);
	for (j = 0; j < a->nreqs; j++) {
		free(a->reqs[j].id);
		free(a->reqs[j].parent);
		free(a->reqs[j].name);
		free(a->reqs[j].upload);
		json_decref(a->reqs[j].body);
	}
	free(a->reqs);
	free(a->deps);
}

void plan_truncate(struct plan *p, size_t n)
{
	while (p->n > n)
		action_release(&p->items[--p->n]);
}

void plan_release(struct plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		action_release(&p->items[i]);
	}
	free(p->items);
	json_decref(p->warnings);
	json_decref(p->same);
	memset(p, 0, sizeof(*p));
}

void pl_same(struct plan *p, enum res_kind kind, const char *name, const char *agent,
	     const char *section, const json_t *view)
{
	p->unchanged++;
	if (!view)
		return; /* counted only: see PLAN_KEEP_SAME */
	if (!p->same)
		p->same = json_array();
	json_array_append_new(p->same, json_pack("{s:s, s:s, s:s?, s:s?, s:O}", "kind",
						 kind_name(kind), "name", name, "agent", agent,
						 "section", section, "view", view));
}

size_t plan_count_changes(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].internal && p->items[i].change != CHANGE_DRIFT)
			n++;
	return n;
}

size_t plan_count_writes(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].skip && p->items[i].nreqs > 0)
			n++;
	return n;
}

/* ---- building actions ---- */

size_t pl_add(struct plan *p, enum res_kind kind, const char *name, enum plan_change change)
{
	struct plan_action *a;

	p->items = xgrow(p->items, sizeof(*p->items), p->n + 1, &p->alloc);
	a = &p->items[p->n];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->name = xstrdup(name ? name : "");
	a->change = change;
	a->fields = json_array();
	return p->n++;
}

struct plan_request *pl_op(struct plan *p, size_t ai, enum plan_op op, enum plan_target target,
			   const char *id, const char *parent, json_t *body_take, unsigned flags)
{
	struct plan_action *a = &p->items[ai];
	struct plan_request *r;

	a->reqs = xrealloc(a->reqs, (a->nreqs + 1) * sizeof(*a->reqs));
	r = &a->reqs[a->nreqs++];
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->target = target;
	r->id = id ? xstrdup(id) : NULL;
	r->parent = parent ? xstrdup(parent) : NULL;
	r->body = body_take;
	r->flags = flags;
	return r;
}

void pl_dep(struct plan *p, size_t ai, size_t dep)
{
	struct plan_action *a = &p->items[ai];
	size_t i;

	for (i = 0; i < a->ndeps; i++)
		if (a->deps[i] == dep)
			return;
	a->deps = xrealloc(a->deps, (a->ndeps + 1) * sizeof(*a->deps));
	a->deps[a->ndeps++] = dep;
}

void pl_reason(struct plan *p, size_t ai, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(p->items[ai].reason);
	p->items[ai].reason = buf_detach(&b);
}

char *pl_ref(size_t ai)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "@ref:%zu", ai);
	return buf_detach(&b);
}

void pl_field(json_t *fields, const char *path, const json_t *from, const json_t *to)
{
	json_array_append_new(fields, json_pack("{s:s, s:O, s:O}", "path", path, "from",
						from ? from : json_null(), "to",
						to ? to : json_null()));
}

/* Field-level differences from -> to under prefix; objects are compared key by key. */
void pl_diff(json_t *fields, const char *prefix, const json_t *from, const json_t *to)
{
	/* A create or a delete lists every field, from or to null. */
	int whole = (!prefix || !prefix[0]) && (!from || !to);

	if ((json_is_object(from) || (whole && !from)) && (json_is_object(to) || (whole && !to)) &&
	    json_object_size(from) + json_object_size(to) > 0) {
		json_t *keys = json_array();
		const char *k;
		json_t *v;
		size_t i;

		json_object_foreach((json_t *)from, k, v)
			json_array_append_new(keys, json_string(k));
		json_object_foreach((json_t *)to, k, v)
			if (!json_object_get(from, k))
				json_array_append_new(keys, json_string(k));
		/* Sorted, so the output is stable. */
		for (i = 1; i < json_array_size(keys); i++) {
			size_t j = i;

			while (j > 0 && strcmp(json_string_value(json_array_get(keys, j - 1)),
					       json_string_value(json_array_get(keys, j))) > 0) {
				json_t *t = json_incref(json_array_get(keys, j));

				json_array_set(keys, j, json_array_get(keys, j - 1));
				json_array_set_new(keys, j - 1, t);
				j--;
			}
		}
		json_array_foreach(keys, i, v)
		{
			struct buf path = BUF_INIT;

			k = json_string_value(v);
			if (prefix && prefix[0])
				buf_addf(&path, "%s.%s", prefix, k);
			else
				buf_addstr(&path, k);
			pl_diff(fields, path.buf, json_object_get(from, k), json_object_get(to, k));
			buf_release(&path);
		}
		json_decref(keys);
		return;
	}
	if (!json_equal((json_t *)(from ? from : json_null()), (json_t *)(to ? to : json_null())))
		pl_field(fields, prefix, from, to);
}
