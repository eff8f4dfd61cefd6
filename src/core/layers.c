/* Layering and merge rules; see layers.h and docs/manifests.md. */
#include "core/layers.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <stdlib.h>
#include <string.h>

static const char *const append_fields[] = { "tags", "tool_ids", "toolIds", "block_ids",
					     "blockIds", "folder_ids", "folderIds", "archive_ids",
					     "archiveIds", NULL };
static const char *const keyed_fields[] = { "blocks", "tools", "folders", "identities",
					    "policies", NULL };

static int in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

const char *layers_strategy(const char *field, const json_t *strategies)
{
	const char *s = field ? jsonx_get_str(strategies, field) : NULL;

	if (s && (!strcmp(s, "append") || !strcmp(s, "replace") || !strcmp(s, "merge-by-key")))
		return s;
	if (in_list(field, append_fields))
		return "append";
	if (in_list(field, keyed_fields))
		return "merge-by-key";
	return "append";
}

/* The JavaScript type names of the original's messages. */
static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

struct mctx {
	struct merge_report *rep;
	int by_path; /* the array being merged is memory.files: items keyed by path */
	struct buf ptr;  /* JSON pointer of the value being merged */
	struct buf dots; /* the same as "spec.agent.tools", for messages */
	int depth;
};

static void conflict(struct mctx *c, const json_t *a, const json_t *b)
{
	struct merge_report *rep = c->rep;
	int line = 0, col = 0;

	rep->conflicts++;
	if (!rep->diags)
		return;
	source_store_pos(rep->src, rep->src_file, rep->src_doc, c->ptr.buf, &line, &col);
	diag_add(rep->diags, DIAG_ERROR, rep->file, line, col,
		 "Type conflict at %s.%s: expected %s, got %s", rep->what, c->dots.buf, type_name(a),
		 type_name(b));
	diag_hint(rep->diags, "a higher layer must keep the type of the lower layer's value, or remove it first with null");
}

static json_t *merge(struct mctx *c, const json_t *a, const json_t *b, const char *field,
		     int strategies);

/*
 * The merge key of an array item: id, else name, else label; a string is its own key. The
 * items of memory.files (issue 25) are keyed by their path alone.
 */
static const char *item_key(const json_t *item, int by_path)
{
	const char *k;

	if (json_is_string(item))
		return json_string_value(item);
	if (!json_is_object(item))
		return NULL;
	if (by_path)
		return jsonx_get_str(item, "path");
	k = jsonx_get_str(item, "id");
	if (!k)
		k = jsonx_get_str(item, "name");
	if (!k)
		k = jsonx_get_str(item, "label");
	return k;
}

static int is_removal(const json_t *item)
{
	const char *s = json_string_value(item);

	return s && s[0] == '!' && s[1];
}

/* Drops repeated strings (the first is kept) when the list starts with a string. O(n). */
static json_t *dedupe_strings(json_t *arr)
{
	json_t *seen, *out;
	size_t i;
	json_t *it;

	if (!json_is_string(json_array_get(arr, 0)))
		return arr;
	seen = json_object();
	out = json_array();
	json_array_foreach(arr, i, it) {
		const char *s = json_string_value(it);

		if (s && json_object_get(seen, s))
			continue;
		if (s)
			json_object_set_new(seen, s, json_true());
		json_array_append(out, it);
	}
	json_decref(seen);
	json_decref(arr);
	return out;
}

/* append: lower items, then higher ones; every "!x" of the higher layer removes "x". */
static json_t *merge_append(struct mctx *c, const json_t *a, const json_t *b)
{
	json_t *removals = json_object();
	json_t *out = json_array();
	size_t i;
	json_t *item;

	json_array_foreach(b, i, item)
		if (is_removal(item))
			json_object_set_new(removals, json_string_value(item) + 1, json_true());
	if (a)
		json_array_foreach(a, i, item) {
			const char *s = json_string_value(item);

			if (!s || !json_object_get(removals, s))
				json_array_append_new(out, json_deep_copy(item));
		}
	json_array_foreach(b, i, item) {
		const char *s = json_string_value(item);

		if (is_removal(item) || (s && json_object_get(removals, s)))
			continue;
		json_array_append_new(out, merge(c, NULL, item, NULL, 0));
	}
	json_decref(removals);
	return dedupe_strings(out);
}

/* The typed merge key of an item ("o:name" or "s:name"), or 0 when it has none. */
static int typed_key(struct buf *out, const json_t *item, int by_path)
{
	const char *k = item_key(item, by_path);

	buf_reset(out);
	if (!k)
		return 0;
	buf_addf(out, "%c:%s", json_is_string(item) ? 's' : 'o', k);
	return 1;
}

/* Marks every lower item with key k (object or string) as removed. */
static void remove_lower(const json_t *index, const char *k, char *gone)
{
	struct buf key = BUF_INIT;
	size_t i;
	json_t *v;

	for (int t = 0; t < 2; t++) {
		buf_reset(&key);
		buf_addf(&key, "%c:%s", t ? 's' : 'o', k);
		json_array_foreach(json_object_get(index, key.buf), i, v)
			gone[json_integer_value(v)] = 1;
	}
	buf_release(&key);
}

/*
 * merge-by-key: lower items keyed by id, name or label (a string is its own key); higher items
 * merge into the first lower item with their key, remove it ("_delete: true", "!key"), or are
 * appended. Only lower items are matched, so one layer never merges with itself. O(n + m).
 */
static json_t *merge_keyed(struct mctx *c, const json_t *a, const json_t *b)
{
	size_t na = json_array_size(a), i, base = c->ptr.len, dbase = c->dots.len;
	json_t *lower = json_array(), *extra = json_array(), *out = json_array();
	json_t *index = json_object(); /* typed key -> [lower indexes] */
	char *gone = xcalloc(na + 1, 1);
	struct buf key = BUF_INIT;
	json_t *item;

	json_array_foreach(a, i, item) {
		json_array_append_new(lower, json_deep_copy(item));
		if (typed_key(&key, item, c->by_path)) {
			json_t *list = json_object_get(index, key.buf);

			if (!list) {
				list = json_array();
				json_object_set_new(index, key.buf, list);
			}
			json_array_append_new(list, json_integer((json_int_t)i));
		}
	}
	json_array_foreach(b, i, item) {
		const json_t *list;
		size_t j, found = (size_t)-1;
		json_t *v;

		if (is_removal(item)) {
			remove_lower(index, json_string_value(item) + 1, gone);
			continue;
		}
		if (json_is_object(item) && json_is_true(json_object_get(item, "_delete"))) {
			if (item_key(item, c->by_path))
				remove_lower(index, item_key(item, c->by_path), gone);
			continue;
		}
		list = typed_key(&key, item, c->by_path) ? json_object_get(index, key.buf) : NULL;
		json_array_foreach(list, j, v) {
			if (!gone[json_integer_value(v)]) {
				found = (size_t)json_integer_value(v);
				break;
			}
		}
		if (found == (size_t)-1) {
			json_array_append_new(extra, merge(c, NULL, item, NULL, 0));
		} else if (json_is_object(item)) {
			buf_addf(&c->ptr, "/%zu", i);
			buf_addf(&c->dots, "[%zu]", i);
			json_array_set_new(lower, found,
					   merge(c, json_array_get(lower, found), item, NULL, 0));
			buf_setlen(&c->ptr, base);
			buf_setlen(&c->dots, dbase);
		}
		/* else: a string that is already there */
	}
	json_array_foreach(lower, i, item)
		if (!gone[i])
			json_array_append(out, item);
	json_array_extend(out, extra);
	json_decref(lower);
	json_decref(extra);
	json_decref(index);
	free(gone);
	buf_release(&key);
	return out;
}

static json_t *merge_array(struct mctx *c, const json_t *a, const json_t *b, const char *field,
			   int strategies)
{
	const char *how = layers_strategy(field, strategies ? c->rep->strategies : NULL);
	json_t *out;
	size_t i;
	json_t *item;

	if (!strcmp(how, "replace")) {
		out = json_array();
		json_array_foreach(b, i, item)
			if (!is_removal(item))
				json_array_append_new(out, merge(c, NULL, item, NULL, 0));
		return out;
	}
	if (!strcmp(how, "append"))
		return merge_append(c, a, b);
	return merge_keyed(c, a, b);
}

/* memory.files of an Agent or Template (issue 25): merged per file path. */
static int is_memory_files(const struct mctx *c, const char *field)
{
	const char *suf = "/memory/files";
	size_t n = strlen(suf);

	return field && !strcmp(field, "files") && c->ptr.len >= n &&
	       !strcmp(c->ptr.buf + c->ptr.len - n, suf);
}

static json_t *merge_object(struct mctx *c, const json_t *a, const json_t *b, int strategies)
{
	json_t *out = a ? json_deep_copy(a) : json_object();
	size_t base = c->ptr.len, dbase = c->dots.len;
	const char *key;
	json_t *bv;

	c->depth++;
	json_object_foreach((json_t *)b, key, bv) {
		json_t *av = json_object_get(out, key);

		if (c->depth == 1 && (!strcmp(key, "_merge") || !strcmp(key, "_delete"))) {
			json_object_set_new(out, key, json_deep_copy(bv));
			continue;
		}
		if (json_is_null(bv)) {
			json_object_del(out, key); /* explicit null removes the field */
			continue;
		}
		yamlx_pointer_add(&c->ptr, key);
		if (c->dots.len)
			buf_addch(&c->dots, '.');
		buf_addstr(&c->dots, key);
		json_object_set_new(out, key, merge(c, av, bv, key, strategies));
		buf_setlen(&c->ptr, base);
		buf_setlen(&c->dots, dbase);
	}
	c->depth--;
	return out;
}

static int same_type(const json_t *a, const json_t *b)
{
	return !strcmp(type_name(a), type_name(b));
}

static json_t *merge(struct mctx *c, const json_t *a, const json_t *b, const char *field,
		     int strategies)
{
	if (!b)
		return a ? json_deep_copy(a) : json_null();
	if (a && !json_is_null(a) && !same_type(a, b)) {
		conflict(c, a, b);
		return json_deep_copy(a);
	}
	if (json_is_object(b))
		return merge_object(c, json_is_object(a) ? a : NULL, b, strategies);
	if (json_is_array(b) && is_memory_files(c, field)) {
		json_t *out;

		c->by_path = 1;
		out = merge_keyed(c, json_is_array(a) ? a : NULL, b);
		c->by_path = 0;
		return out;
	}
	if (json_is_array(b))
		return merge_array(c, json_is_array(a) ? a : NULL, b, field, strategies);
	return json_deep_copy(b);
}

json_t *layers_merge_value(const json_t *lower, const json_t *upper, struct merge_report *rep)
{
	struct merge_report none = MERGE_REPORT_INIT;
	struct mctx c;
	json_t *out;

	c.rep = rep ? rep : &none;
	c.by_path = 0;
	buf_init(&c.ptr);
	buf_init(&c.dots);
	c.depth = 0;
	out = merge(&c, lower, upper, NULL, 1);
	buf_release(&c.ptr);
	buf_release(&c.dots);
	return out;
}

/* Layering of a whole set. */

struct group {
	enum res_kind kind;
	const char *name;
	long doc[LAYER__COUNT]; /* index into set->docs, or -1 */
};

/*
 * Whether merging v over nothing would change it: explicit nulls, "!x" removals, "_delete"
 * items, or duplicate strings in a list. Documents that need none of that are shared, not copied.
 */
static int needs_normalizing(const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
			if (json_is_null(x) || needs_normalizing(x))
				return 1;
	} else if (json_is_array(v)) {
		json_t *seen = json_object();
		int ret = 0;

		json_array_foreach(v, i, x) {
			const char *s = json_string_value(x);

			if ((s && (s[0] == '!' || json_object_get(seen, s))) ||
			    (json_is_object(x) && json_object_get(x, "_delete")) || needs_normalizing(x)) {
				ret = 1;
				break;
			}
			if (s)
				json_object_set_new(seen, s, json_true());
		}
		json_decref(seen);
		return ret;
	}
	return 0;
}

static enum res_managed parse_managed(const json_t *spec)
{
	const json_t *m = json_object_get(spec, "managed");

	if (json_is_false(m))
		return MANAGED_FALSE;
	if (json_is_string(m) && !strcmp(json_string_value(m), "seed"))
		return MANAGED_SEED;
	return MANAGED_TRUE;
}

static void doc_diag(struct manifest_set *set, const struct manifest_doc *d, const char *ptr,
		     enum diag_severity sev, const char *msg)
{
	int line, col;

	manifest_doc_pos(set, d, ptr, &line, &col);
	diag_add(&set->diags, sev, manifest_doc_file(set, d), line, col, "%s", msg);
}

static void check_tool_identity(struct manifest_set *set, const struct group *g)
{
	const char *first = NULL;
	const struct manifest_doc *top = NULL;
	struct buf msg = BUF_INIT;
	int differ = 0;

	for (int l = 0; l < LAYER__COUNT; l++) {
		const struct manifest_doc *d;
		const char *tt;

		if (g->doc[l] < 0)
			continue;
		d = &set->docs[g->doc[l]];
		tt = jsonx_get_str(json_object_get(d->doc, "spec"), "toolType");
		if (!tt)
			continue;
		if (first && strcmp(first, tt))
			differ = 1;
		if (!first)
			first = tt;
		top = d;
	}
	if (!differ)
		return;
	buf_addf(&msg, "Resource identity conflict: tool '%s' has different toolType values in different layers", g->name);
	doc_diag(set, top, "/spec/toolType", DIAG_ERROR, msg.buf);
	diag_hint(&set->diags, "use one toolType in every layer, rename the tool in one layer, or remove toolType from the higher layers");
	buf_release(&msg);
}

static void build_resource(struct desired_state *out, struct manifest_set *set,
			   const struct group *g)
{
	json_t *merged = NULL;
	const struct manifest_doc *top = NULL;
	struct buf what = BUF_INIT;
	struct resource *r;
	unsigned layers = 0;
	int nlower = 0, nlayers = 0;

	for (int l = 0; l < LAYER__COUNT; l++)
		nlayers += g->doc[l] >= 0;

	/* "Kind.name" (no format string: one per resource; issue 26). */
	buf_addstr(&what, res_kind_name(g->kind));
	buf_addch(&what, '.');
	buf_addstr(&what, g->name);
	if (g->kind == KIND_TOOL)
		check_tool_identity(set, g);
	for (int l = 0; l < LAYER__COUNT; l++) {
		struct merge_report rep = MERGE_REPORT_INIT;
		const struct manifest_doc *d;
		json_t *m;

		if (g->doc[l] < 0)
			continue;
		d = &set->docs[g->doc[l]];
		if (top)
			nlower++;
		if (!top && nlayers == 1 && !needs_normalizing(d->doc)) {
			/* One layer, nothing to normalise: share the document (set and state). */
			merged = json_incref(d->doc);
			top = d;
			layers |= 1u << l;
			continue;
		}
		rep.diags = &set->diags;
		rep.file = manifest_doc_file(set, d);
		rep.src = set->src;
		rep.src_file = d->file;
		rep.src_doc = d->docidx;
		rep.what = what.buf;
		rep.strategies = json_object_get(d->doc, "_merge");
		m = layers_merge_value(merged, d->doc, &rep);
		json_decref(merged);
		merged = m;
		top = d;
		layers |= 1u << l;
	}
	if (json_is_true(json_object_get(merged, "_delete"))) {
		if (!nlower) {
			buf_reset(&what);
			buf_addf(&what, "Deletion marker for '%s.%s' has no effect - resource not defined in any lower layer.",
				 res_kind_name(g->kind), g->name);
			doc_diag(set, top, "/_delete", DIAG_WARNING, what.buf);
		}
		json_decref(merged);
		buf_release(&what);
		return;
	}
	json_object_del(merged, "_merge");
	json_object_del(merged, "_delete");
	if (!json_is_object(json_object_get(merged, "spec")))
		json_object_set_new(merged, "spec", json_object());
	if (!json_object_get(json_object_get(merged, "spec"), "layer"))
		json_object_set_new(json_object_get(merged, "spec"), "layer",
				    json_string(res_layer_name(top->layer)));
	out->items = xgrow(out->items, sizeof(*out->items), out->n + 1, &out->alloc);
	r = &out->items[out->n++];
	memset(r, 0, sizeof(*r));
	r->kind = g->kind;
	r->name = xstrdup(g->name);
	r->layer = top->layer;
	r->doc = merged;
	r->spec = json_object_get(merged, "spec");
	r->managed = parse_managed(r->spec);
	r->layers = layers;
	for (int l = LAYER__COUNT - 1; l >= 0; l--) {
		if (g->doc[l] < 0)
			continue;
		r->srcs[r->nsrcs].file = set->docs[g->doc[l]].file;
		r->srcs[r->nsrcs].doc = set->docs[g->doc[l]].docidx;
		r->nsrcs++;
	}
	r->pos.file = source_store_name(set->src, top->file);
	r->pos.line = top->line;
	r->pos.col = top->col;
	buf_release(&what);
}

void layers_merge(struct desired_state *out, struct manifest_set *set)
{
	struct strmap index = STRMAP_INIT; /* (kind, name) -> group number; names borrowed */
	struct group *groups = NULL;
	size_t ngroups = 0, galloc = 0;

	memset(out, 0, sizeof(*out));
	if (!set->src)
		set->src = source_store_new();
	out->src = source_store_ref(set->src);
	strmap_reserve(&index, set->n);
	/* Groups in first-seen order: base names, then new org names, then new project names. */
	for (int l = 0; l < LAYER__COUNT; l++) {
		for (size_t i = 0; i < set->n; i++) {
			struct manifest_doc *d = &set->docs[i];
			size_t *gi;
			struct group *g;
			int added;

			if ((int)d->layer != l)
				continue;
			gi = strmap_put(&index, (unsigned)d->kind, d->name, ngroups, &added);
			if (added) {
				groups = xgrow(groups, sizeof(*groups), ngroups + 1, &galloc);
				g = &groups[ngroups];
				g->kind = d->kind;
				g->name = d->name;
				for (int k = 0; k < LAYER__COUNT; k++)
					g->doc[k] = -1;
				ngroups++;
			} else {
				g = &groups[*gi];
			}
			if (g->doc[l] >= 0) {
				const struct manifest_doc *first = &set->docs[g->doc[l]];
				struct buf msg = BUF_INIT;

				buf_addf(&msg, "Duplicate %s name: %s", res_kind_name(d->kind), d->name);
				doc_diag(set, d, "/metadata/name", DIAG_ERROR, msg.buf);
				diag_hint(&set->diags, "first defined in the %s layer at %s:%d:%d",
					  res_layer_name(first->layer), manifest_doc_file(set, first),
					  first->line, first->col);
				buf_release(&msg);
				continue;
			}
			g->doc[l] = (long)i;
		}
	}
	/* Output order: kind, then first-seen. */
	for (int k = 0; k < KIND__COUNT; k++)
		for (size_t i = 0; i < ngroups; i++)
			if ((int)groups[i].kind == k)
				build_resource(out, set, &groups[i]);
	desired_index(out);
	free(groups);
	strmap_release(&index);
}
