/* Scope sync's planner (see scope_plan.h and docs/specs/scope-registry.md). */
#include "core/scope_plan.h"
#include "core/ownership.h"
#include "core/plan_build.h"
#include "core/remote.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <stdlib.h>
#include <string.h>

#define REGISTRY_LIMIT 20000
#define POLICY_LIMIT 4000
#define SCOPE_BLOCK_LIMIT 20000
#define LANE_LIMIT 4000

static const char policy_text[] =
	"Scopes are the nested projects of this repository (see the scope registry block). "
	"Blocks labelled scope_<project>_<scope>_<type> hold what agents learned about one scope; "
	"write what you learn to the blocks of the focus scope (lane_scopes_* says which scope "
	"that is). When you start working in another directory of the repository, run "
	"'letta-sync scope-sync --agent <your id> --cwd <dir>' so that the right scope blocks are "
	"attached.";

struct want_block {
	char *label;
	const char *kind;  /* registry, policy, scope, lane */
	char *value;       /* desired value on create */
	char *description;
	int limit;
	int refresh;       /* update the value when it differs (registry, policy, lane) */
};

struct sp {
	struct plan *p;
	const struct scope_plan_opts *o;
	const json_t *blocks;   /* the project's blocks */
	const json_t *attached; /* the agent's blocks */
	json_t *report;         /* [{label, kind, actions}] */
	json_t *warnings;
	long last;              /* the action planned last, -1 for none */
};

/*
 * The operations of scope sync: a block's create, its value's update, and its attachment to
 * the agent or detachment (api/letta.c maps them to routes).
 */
enum scope_req { SCOPE_REQ_CREATE, SCOPE_REQ_UPDATE, SCOPE_REQ_ATTACH, SCOPE_REQ_DETACH };

static void add_req(struct sp *s, size_t ai, enum scope_req r, const char *id, json_t *body_take)
{
	switch (r) {
	case SCOPE_REQ_CREATE:
		pl_op(s->p, ai, OP_CREATE, TARGET_BLOCK, NULL, NULL, body_take, 0);
		break;
	case SCOPE_REQ_UPDATE:
		pl_op(s->p, ai, OP_UPDATE, TARGET_BLOCK, id, NULL, body_take, 0);
		break;
	case SCOPE_REQ_ATTACH:
	case SCOPE_REQ_DETACH:
		pl_op(s->p, ai, r == SCOPE_REQ_ATTACH ? OP_ATTACH : OP_DETACH, TARGET_AGENT_BLOCK,
		      id, s->o->agent_id, body_take, 0);
		break;
	}
}

/*
 * An action on block label, settled after the one planned before it (scope sync keeps its
 * order: a failure stops the rest, as it did when it wrote as it went).
 */
static size_t add_action(struct sp *s, const char *label, enum plan_change change, const char *id)
{
	size_t ai = pl_add(s->p, KIND_BLOCK, label, change);

	s->p->items[ai].agent = xstrdup(s->o->agent_id);
	s->p->items[ai].section = xstrdup("memory_blocks");
	if (id)
		s->p->items[ai].id = xstrdup(id);
	if (s->last >= 0)
		pl_dep(s->p, ai, (size_t)s->last);
	s->last = (long)ai;
	return ai;
}

static int is_ours(const struct sp *s, const json_t *b)
{
	const json_t *m = json_object_get(b, "metadata");
	const char *by = jsonx_get_str(m, "managed_by"), *src = jsonx_get_str(m, "source");
	const char *proj = jsonx_get_str(m, "project");

	if (!by || strcmp(by, OWN_MANAGER) || !src || strcmp(src, OWN_SCOPE_SYNC_SOURCE))
		return 0;
	return !strcmp(proj ? proj : "", s->o->project ? s->o->project : "");
}

static json_t *marker(const struct sp *s)
{
	return json_pack("{s:s, s:s, s:s}", "managed_by", OWN_MANAGER, "source", OWN_SCOPE_SYNC_SOURCE,
			 "project", s->o->project ? s->o->project : "");
}

static const json_t *by_label(const json_t *list, const char *label, const struct sp *s,
			      int *other)
{
	const json_t *b;
	size_t i;

	json_array_foreach(list, i, b)
	{
		const char *l = jsonx_get_str(b, "label");

		if (!l || strcmp(l, label))
			continue;
		if (is_ours(s, b))
			return b;
		*other = 1;
	}
	return NULL;
}

static json_t *report_entry(struct sp *s, const char *label, const char *kind)
{
	json_t *e = json_pack("{s:s, s:s, s:[]}", "label", label, "kind", kind, "actions");

	json_array_append_new(s->report, e);
	return json_object_get(e, "actions");
}

/* Trailing white space does not count when comparing a block's value. */
static int same_text(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la && (a[la - 1] == '\n' || a[la - 1] == ' ' || a[la - 1] == '\t'))
		la--;
	while (lb && (b[lb - 1] == '\n' || b[lb - 1] == ' ' || b[lb - 1] == '\t'))
		lb--;
	return la == lb && !memcmp(a, b, la);
}

/* The lane block's value without its time stamp, to tell whether it changed. */
static int same_lane(const char *have, const char *want)
{
	json_t *a = json_loads(have, 0, NULL), *b = json_loads(want, 0, NULL);
	int same;

	if (json_is_object(a))
		json_object_del(a, "updated_at");
	if (json_is_object(b))
		json_object_del(b, "updated_at");
	same = a && b && json_equal(a, b);
	json_decref(a);
	json_decref(b);
	return same;
}

/* Plans one block: exists (ours), is current and is attached. */
static int ensure(struct sp *s, const struct want_block *w, struct ls_error *err)
{
	json_t *actions = report_entry(s, w->label, w->kind);
	int other = 0, update = 0, attach;
	const json_t *have = by_label(s->blocks, w->label, s, &other);
	const char *id;
	size_t ai;

	if (!have && other) {
		ls_error_set(err, LS_ECONFLICT,
			     "block '%s' exists and was not created by scope sync: not adopted",
			     w->label);
		ls_error_hint(err, "rename or delete that block, then run 'letta-sync scope-sync'");
		return LS_ECONFLICT;
	}
	if (!have) {
		json_array_append_new(actions, json_string("create"));
		json_array_append_new(actions, json_string("attach"));
		ai = add_action(s, w->label, CHANGE_CREATE, NULL);
		add_req(s, ai, SCOPE_REQ_CREATE, NULL,
			json_pack("{s:s, s:s, s:s, s:i, s:o}", "label", w->label, "value", w->value,
				  "description", w->description, "limit", w->limit, "metadata",
				  marker(s)));
		add_req(s, ai, SCOPE_REQ_ATTACH, "@self", NULL);
		return 0;
	}
	id = jsonx_get_str(have, "id");
	if (w->refresh && jsonx_get_str(have, "value")) {
		const char *cur = jsonx_get_str(have, "value");

		update = !(!strcmp(w->kind, "lane") ? same_lane(cur, w->value)
						    : same_text(cur, w->value));
	}
	attach = !remote_find_id(s->attached, id);
	if (!update && !attach)
		return 0;
	ai = add_action(s, w->label, CHANGE_UPDATE, id);
	if (update) {
		json_array_append_new(actions, json_string("update"));
		add_req(s, ai, SCOPE_REQ_UPDATE, id, json_pack("{s:s}", "value", w->value));
	}
	if (attach) {
		json_array_append_new(actions, json_string("attach"));
		add_req(s, ai, SCOPE_REQ_ATTACH, id, NULL);
	}
	return 0;
}

static void want_release(struct want_block *w)
{
	free(w->label);
	free(w->value);
	free(w->description);
	memset(w, 0, sizeof(*w));
}

int scope_registry_parse(struct scope_registry *out, const char *text, size_t len,
			 struct ls_error *err)
{
	struct yamlx_docs docs = YAMLX_DOCS_INIT;
	int ret = yamlx_parse(&docs, text, len, err);

	if (ret == 0 && docs.n != 1)
		ret = ls_error_set(err, LS_EINVALID, "expected one YAML document, found %zu", docs.n);
	if (ret == 0)
		ret = scope_registry_from_json(out, docs.items[0].value, err);
	if (ret < 0) {
		if (docs.err_line)
			ls_error_where(err, ".letta/scope_registry.yaml:%d:%d", docs.err_line,
				       docs.err_col);
		else
			ls_error_where(err, ".letta/scope_registry.yaml");
		ls_error_hint(err, "run 'letta-sync validate' to see every problem");
	}
	yamlx_docs_release(&docs);
	return ret;
}

static int has_label(const struct want_block *w, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w[i].label, label))
			return 1;
	return 0;
}

/* The blocks the agent should have, in the order they are settled. */
static size_t wanted(struct want_block **out, const struct scope_plan_opts *o,
		     const struct scope_match *m, const json_t *matched, const json_t *focus)
{
	const struct scope_registry *reg = o->registry;
	struct want_block *w = NULL;
	struct buf t = BUF_INIT;
	size_t nw = 0, alloc = 0, i, j;
	json_t *lane;

	w = xgrow(w, sizeof(*w), nw + 1, &alloc);
	memset(&w[nw], 0, sizeof(*w));
	w[nw].label = scope_label_registry(o->slug);
	w[nw].kind = "registry";
	w[nw].value = xstrndup(o->registry_text ? o->registry_text : "", o->registry_len);
	buf_addf(&t, "Shared scope registry for nested projects in %s (YAML).", o->slug);
	w[nw].description = xstrdup(t.buf);
	w[nw].limit = o->registry_len + 1000 > REGISTRY_LIMIT ? (int)o->registry_len + 1000
							      : REGISTRY_LIMIT;
	w[nw++].refresh = 1;

	w = xgrow(w, sizeof(*w), nw + 1, &alloc);
	memset(&w[nw], 0, sizeof(*w));
	w[nw].label = scope_label_policy(o->slug);
	w[nw].kind = "policy";
	w[nw].value = xstrdup(policy_text);
	buf_reset(&t);
	buf_addf(&t, "Policy for how agents should use scopes and when to run scope sync in %s.",
		 o->slug);
	w[nw].description = xstrdup(t.buf);
	w[nw].limit = POLICY_LIMIT;
	w[nw++].refresh = 1;

	for (i = 0; i < m->nmatched; i++) {
		const struct scope_entry *e = &reg->entries[m->matched[i]];

		for (j = 0; j < e->ntypes; j++) {
			char *label = scope_label_block(o->slug, e->key, e->block_types[j]);

			if (has_label(w, nw, label)) {
				free(label);
				continue;
			}
			w = xgrow(w, sizeof(*w), nw + 1, &alloc);
			memset(&w[nw], 0, sizeof(*w));
			w[nw].label = label;
			w[nw].kind = "scope";
			w[nw].value = xstrdup("");
			buf_reset(&t);
			buf_addf(&t, "Shared scope block (%s) for %s%s%s", e->scope, e->block_types[j],
				 e->description ? ": " : "", e->description ? e->description : "");
			w[nw].description = xstrdup(t.buf);
			w[nw++].limit = SCOPE_BLOCK_LIMIT;
		}
	}

	lane = json_pack("{s:O, s:O, s:s, s:s}", "matched_scopes", matched, "focus_scope", focus,
			 "cwd", o->cwd, "updated_at", o->now ? o->now : "");
	w = xgrow(w, sizeof(*w), nw + 1, &alloc);
	memset(&w[nw], 0, sizeof(*w));
	w[nw].label = scope_label_lane(o->slug, o->agent_id);
	w[nw].kind = "lane";
	w[nw].value = json_dumps(lane, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	w[nw].description = xstrdup("Lane-private scope state of this agent (matched scopes and "
				    "focus scope)");
	w[nw].limit = LANE_LIMIT;
	w[nw++].refresh = 1;
	json_decref(lane);
	buf_release(&t);
	*out = w;
	return nw;
}

int scope_plan(struct plan *out, json_t **report, const json_t *blocks, const json_t *attached,
	       const struct scope_plan_opts *o, struct ls_error *err)
{
	struct scope_match m;
	struct sp s;
	struct want_block *w = NULL;
	size_t nw = 0, i;
	json_t *matched = json_array(), *focus = json_null(), *b;
	struct buf prefix = BUF_INIT;
	int ret = 0;

	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	s.p = out;
	s.o = o;
	s.blocks = blocks;
	s.attached = attached;
	s.report = json_array();
	s.warnings = json_array();
	s.last = -1;

	if (!o->registry)
		jsonx_array_addf(s.warnings,
				 "no scope registry (.letta/scope_registry.yaml): nothing to attach");
	if (o->registry) {
		scope_match(&m, o->registry, o->cwd, o->touched, o->ntouched);
		for (i = 0; i < m.nmatched; i++)
			json_array_append_new(matched,
					      json_string(o->registry->entries[m.matched[i]].scope));
		if (m.focus >= 0) {
			json_decref(focus);
			focus = json_string(o->registry->entries[m.focus].scope);
		}
		nw = wanted(&w, o, &m, matched, focus);
	}
	for (i = 0; i < nw; i++)
		if ((ret = ensure(&s, &w[i], err)) < 0)
			goto out;

	/* Scope blocks of scopes that no longer match: only ours, only of this project. */
	buf_addf(&prefix, "scope_%s_", o->slug);
	json_array_foreach(attached, i, b)
	{
		const char *label = jsonx_get_str(b, "label"), *id = jsonx_get_str(b, "id");
		size_t ai;

		if (!label || !id || !is_ours(&s, b) || has_label(w, nw, label))
			continue;
		if (strncmp(label, prefix.buf, prefix.len))
			continue;
		json_array_append_new(report_entry(&s, label, "scope"), json_string("detach"));
		ai = add_action(&s, label, CHANGE_UPDATE, id);
		add_req(&s, ai, SCOPE_REQ_DETACH, id, NULL);
	}

	*report = json_pack("{s:b, s:O, s:O, s:s, s:O, s:O}", "registry", o->registry != NULL,
			    "matched_scopes", matched, "focus_scope", focus, "cwd", o->cwd,
			    "blocks", s.report, "warnings", s.warnings);
out:
	for (i = 0; i < nw; i++)
		want_release(&w[i]);
	free(w);
	scope_match_release(&m);
	json_decref(matched);
	json_decref(focus);
	json_decref(s.report);
	json_decref(s.warnings);
	buf_release(&prefix);
	return ret;
}
