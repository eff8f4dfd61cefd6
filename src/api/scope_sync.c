/* Scope sync against the Letta API (see scope_sync.h and docs/specs/scope-registry.md). */
#include "api/scope_sync.h"
#include "core/ownership.h"
#include "core/remote.h"
#include "core/scope.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <stdarg.h>
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

struct ss {
	struct letta *api;
	const struct scope_sync_opts *o;
	json_t *blocks;    /* the project's blocks */
	json_t *attached;  /* the agent's blocks */
	json_t *report;    /* [{label, kind, actions}] */
	json_t *warnings;
};

static int is_ours(const struct ss *s, const json_t *b)
{
	const json_t *m = json_object_get(b, "metadata");
	const char *by = jsonx_get_str(m, "managed_by"), *src = jsonx_get_str(m, "source");
	const char *proj = jsonx_get_str(m, "project");

	if (!by || strcmp(by, OWN_MANAGER) || !src || strcmp(src, OWN_SCOPE_SYNC_SOURCE))
		return 0;
	return !strcmp(proj ? proj : "", s->o->project ? s->o->project : "");
}

static json_t *marker(const struct ss *s)
{
	return json_pack("{s:s, s:s, s:s}", "managed_by", OWN_MANAGER, "source", OWN_SCOPE_SYNC_SOURCE,
			 "project", s->o->project ? s->o->project : "");
}

static const json_t *by_label(const json_t *list, const char *label, const struct ss *s,
			      int ours, int *other)
{
	const json_t *b;
	size_t i;

	json_array_foreach(list, i, b)
	{
		const char *l = jsonx_get_str(b, "label");

		if (!l || strcmp(l, label))
			continue;
		if (!ours || is_ours(s, b))
			return b;
		if (other)
			*other = 1;
	}
	return NULL;
}

static json_t *report_entry(struct ss *s, const char *label, const char *kind)
{
	json_t *e = json_pack("{s:s, s:s, s:[]}", "label", label, "kind", kind, "actions");

	json_array_append_new(s->report, e);
	return json_object_get(e, "actions");
}

static void warnf(struct ss *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(struct ss *s, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	json_array_append_new(s->warnings, json_string(b.buf));
	buf_release(&b);
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

/* Makes sure one block exists (ours), is current and is attached. */
static int ensure(struct ss *s, const struct want_block *w, struct ls_error *err)
{
	json_t *actions = report_entry(s, w->label, w->kind);
	int other = 0, ret;
	const json_t *have = by_label(s->blocks, w->label, s, 1, &other);
	json_t *created = NULL;
	const char *id;

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
		if (s->o->dry_run)
			return 0;
		{
			json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:o}", "label", w->label,
						 "value", w->value, "description", w->description,
						 "limit", w->limit, "metadata", marker(s));

			ret = letta_create(&created, s->api, LETTA_BLOCK, body, NULL, NULL, err);
			json_decref(body);
		}
		if (ret < 0)
			return ret;
		id = jsonx_get_str(created, "id");
		if (!id) {
			json_decref(created);
			return ls_error_set(err, LS_EAPI, "block '%s' was created without an id",
					    w->label);
		}
		ret = letta_agent_attach(s->api, s->o->agent_id, LETTA_BLOCK, id, 1, err);
		json_decref(created);
		return ret;
	}
	id = jsonx_get_str(have, "id");
	if (w->refresh && jsonx_get_str(have, "value")) {
		const char *cur = jsonx_get_str(have, "value");
		int same = !strcmp(w->kind, "lane") ? same_lane(cur, w->value)
						    : same_text(cur, w->value);

		if (!same) {
			json_array_append_new(actions, json_string("update"));
			if (!s->o->dry_run) {
				json_t *body = json_pack("{s:s}", "value", w->value), *res = NULL;

				ret = letta_update(&res, s->api, LETTA_BLOCK, id, body, err);
				json_decref(body);
				json_decref(res);
				if (ret < 0)
					return ret;
			}
		}
	}
	if (!remote_find_id(s->attached, id)) {
		json_array_append_new(actions, json_string("attach"));
		if (!s->o->dry_run &&
		    (ret = letta_agent_attach(s->api, s->o->agent_id, LETTA_BLOCK, id, 1, err)) < 0)
			return ret;
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

static int parse_registry(struct scope_registry *out, const struct scope_sync_opts *o,
			  struct ls_error *err)
{
	struct yamlx_docs docs = YAMLX_DOCS_INIT;
	int ret = yamlx_parse(&docs, o->registry_text, o->registry_len, err);

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

int scope_sync_run(json_t **out, struct letta *api, const struct scope_sync_opts *o,
		   struct ls_error *err)
{
	struct scope_registry reg = { NULL, 0 };
	struct scope_match m;
	struct ss s;
	struct want_block *w = NULL;
	size_t nw = 0, i, j, alloc = 0;
	json_t *matched = json_array(), *focus = json_null(), *lane = NULL, *b;
	struct buf prefix = BUF_INIT, t = BUF_INIT;
	int ret = 0;

	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	s.api = api;
	s.o = o;
	s.report = json_array();
	s.warnings = json_array();

	if (o->registry_text && (ret = parse_registry(&reg, o, err)) < 0)
		goto out;
	if (!o->registry_text)
		warnf(&s, "no scope registry (.letta/scope_registry.yaml): nothing to attach");

	if ((ret = letta_list(&s.blocks, api, LETTA_BLOCK, NULL, err)) < 0)
		goto out;
	if ((ret = letta_agent_blocks(&s.attached, api, o->agent_id, err)) < 0)
		goto out;

	if (o->registry_text) {
		scope_match(&m, &reg, o->cwd, o->touched, o->ntouched);
		for (i = 0; i < m.nmatched; i++)
			json_array_append_new(matched, json_string(reg.entries[m.matched[i]].scope));
		if (m.focus >= 0) {
			json_decref(focus);
			focus = json_string(reg.entries[m.focus].scope);
		}

		w = xgrow(w, sizeof(*w), nw + 1, &alloc);
		memset(&w[nw], 0, sizeof(*w));
		w[nw].label = scope_label_registry(o->slug);
		w[nw].kind = "registry";
		w[nw].value = xstrndup(o->registry_text, o->registry_len);
		buf_reset(&t);
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

		for (i = 0; i < m.nmatched; i++) {
			const struct scope_entry *e = &reg.entries[m.matched[i]];

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
				buf_addf(&t, "Shared scope block (%s) for %s%s%s", e->scope,
					 e->block_types[j], e->description ? ": " : "",
					 e->description ? e->description : "");
				w[nw].description = xstrdup(t.buf);
				w[nw++].limit = SCOPE_BLOCK_LIMIT;
			}
		}

		lane = json_pack("{s:O, s:O, s:s, s:s}", "matched_scopes", matched, "focus_scope",
				 focus, "cwd", o->cwd, "updated_at", o->now ? o->now : "");
		w = xgrow(w, sizeof(*w), nw + 1, &alloc);
		memset(&w[nw], 0, sizeof(*w));
		w[nw].label = scope_label_lane(o->slug, o->agent_id);
		w[nw].kind = "lane";
		w[nw].value = json_dumps(lane, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		w[nw].description = xstrdup("Lane-private scope state of this agent (matched scopes "
					    "and focus scope)");
		w[nw].limit = LANE_LIMIT;
		w[nw++].refresh = 1;
	}

	for (i = 0; i < nw; i++)
		if ((ret = ensure(&s, &w[i], err)) < 0)
			goto out;

	/* Scope blocks of scopes that no longer match: only ours, only of this project. */
	buf_addf(&prefix, "scope_%s_", o->slug);
	json_array_foreach(s.attached, i, b)
	{
		const char *label = jsonx_get_str(b, "label"), *id = jsonx_get_str(b, "id");

		if (!label || !id || !is_ours(&s, b) || has_label(w, nw, label))
			continue;
		if (strncmp(label, prefix.buf, prefix.len))
			continue;
		json_array_append_new(report_entry(&s, label, "scope"), json_string("detach"));
		if (!o->dry_run &&
		    (ret = letta_agent_attach(api, o->agent_id, LETTA_BLOCK, id, 0, err)) < 0)
			goto out;
	}

	*out = json_pack("{s:b, s:O, s:O, s:s, s:b, s:O, s:O}", "registry",
			 o->registry_text != NULL, "matched_scopes", matched, "focus_scope", focus,
			 "cwd", o->cwd, "dry_run", o->dry_run, "blocks", s.report, "warnings",
			 s.warnings);
out:
	for (i = 0; i < nw; i++)
		want_release(&w[i]);
	free(w);
	scope_registry_release(&reg);
	scope_match_release(&m);
	json_decref(matched);
	json_decref(focus);
	json_decref(lane);
	json_decref(s.blocks);
	json_decref(s.attached);
	json_decref(s.report);
	json_decref(s.warnings);
	buf_release(&prefix);
	buf_release(&t);
	return ret;
}
