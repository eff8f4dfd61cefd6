/*
 * Manifest files to resource documents: YAML or JSON text, the common envelope (apiVersion,
 * kind, metadata.name, spec.layer) checked, every problem a diagnostic with path:line:col.
 */
#include "core/manifest.h"
#include "core/kinds/kinds.h"
#include "util/buf.h"
#include "util/suggest.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const manifest_top_keys[] = { "apiVersion", "kind", "metadata", "spec", "status",
					"_merge", "_delete", NULL };
static const char *const layer_list[] = { "base", "org", "project", NULL };
const char *const manifest_merge_strategies[] = { "append", "replace", "merge-by-key", NULL };

int manifest_layer_parse(const char *name)
{
	for (int i = 0; layer_list[i]; i++)
		if (name && !strcmp(name, layer_list[i]))
			return i;
	return -1;
}

const char *manifest_doc_file(const struct manifest_set *set, const struct manifest_doc *d)
{
	return source_store_name(set->src, d->file);
}

void manifest_doc_pos(const struct manifest_set *set, const struct manifest_doc *d,
		      const char *pointer, int *line, int *col)
{
	source_store_pos(set->src, d->file, d->docidx, pointer, line, col);
	if (!*line) {
		*line = d->line;
		*col = d->col;
	}
}

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	if (a < b)
		return 0;
	for (size_t i = 0; i < b; i++) {
		char c = s[a - b + i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

struct doc_ctx {
	struct manifest_set *set;
	const char *path;
	const struct yamlx_doc *y;
	size_t file, docidx; /* in set->src, for positions */
	struct buf what; /* "Block.persona: " or "" */
	int errors;
};

__attribute__((format(__printf__, 4, 5))) static void doc_diag(struct doc_ctx *c,
							   enum diag_severity sev,
							   const char *pointer, const char *fmt,
							   ...)
{
	struct buf b = BUF_INIT;
	int line, col;
	va_list ap;

	/* Parsed without positions: the source store reads them when a problem is reported. */
	source_store_pos(c->set->src, c->file, c->docidx, pointer, &line, &col);
	if (!line) {
		line = c->y->line;
		col = c->y->col;
	}
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	diag_add(&c->set->diags, sev, c->path, line, col, "%s%s", c->what.buf, b.buf);
	if (sev == DIAG_ERROR)
		c->errors++;
	buf_release(&b);
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > MANIFEST_NAME_MAX)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '/' || *s == 0x7f)
			return 0;
	return 1;
}

/* Checks one document's envelope; keeps it in the set when usable. */
static void parse_doc(struct doc_ctx *c, int dir_layer, size_t file, size_t docidx)
{
	json_t *doc = c->y->value;
	json_t *api, *kind, *meta, *spec, *name, *layer, *merge, *del;
	const char *key;
	json_t *v;
	int k, l;
	struct manifest_doc *d;

	if (json_is_null(doc))
		return; /* an empty document, e.g. after a trailing "---" */
	if (!json_is_object(doc)) {
		doc_diag(c, DIAG_ERROR, "", "document is not a mapping (a resource needs apiVersion, kind, metadata and spec)");
		return;
	}
	api = json_object_get(doc, "apiVersion");
	kind = json_object_get(doc, "kind");
	meta = json_object_get(doc, "metadata");
	spec = json_object_get(doc, "spec");
	if (!api && !kind && !meta) {
		doc_diag(c, DIAG_ERROR, "", "document is not a resource (apiVersion, kind and metadata are missing)");
		return;
	}
	if (!json_is_string(kind)) {
		doc_diag(c, DIAG_ERROR, kind ? "/kind" : "", kind ? "kind must be a string" : "Missing required field: kind");
		return;
	}
	k = res_kind_parse(json_string_value(kind));
	if (k < 0) {
		const char *names[KIND__COUNT + 1];
		struct buf all = BUF_INIT;
		const char *guess;

		for (int i = 0; i < KIND__COUNT; i++) {
			names[i] = kind_table[i].name;
			buf_addf(&all, "%s%s", i ? ", " : "", names[i]);
		}
		names[KIND__COUNT] = NULL;
		guess = suggest(json_string_value(kind), names);

		doc_diag(c, DIAG_ERROR, "/kind", "unknown kind '%s'", json_string_value(kind));
		if (guess)
			diag_hint(&c->set->diags, "did you mean '%s'?", guess);
		else
			diag_hint(&c->set->diags, "kinds: %s", all.buf);
		buf_release(&all);
		return;
	}
	if (!json_is_object(meta)) {
		doc_diag(c, DIAG_ERROR, meta ? "/metadata" : "", "%s: %s", res_kind_name(k),
			 meta ? "metadata must be a mapping" : "Missing required field: metadata.name");
		return;
	}
	name = json_object_get(meta, "name");
	if (!json_is_string(name)) {
		doc_diag(c, DIAG_ERROR, name ? "/metadata/name" : "/metadata", "%s: %s", res_kind_name(k),
			 name ? "metadata.name must be a string" : "Missing required field: metadata.name");
		return;
	}
	if (!valid_name(json_string_value(name))) {
		doc_diag(c, DIAG_ERROR, "/metadata/name",
			 "%s: invalid metadata.name '%s' (1-128 characters, no '/' or control characters)",
			 res_kind_name(k), json_string_value(name));
		return;
	}
	buf_addf(&c->what, "%s.%s: ", res_kind_name(k), json_string_value(name));
	if (!json_is_string(api))
		doc_diag(c, DIAG_ERROR, api ? "/apiVersion" : "", "Missing required field: apiVersion");
	else if (strcmp(json_string_value(api), MANIFEST_API_VERSION))
		doc_diag(c, DIAG_ERROR, "/apiVersion", "Unsupported apiVersion: %s", json_string_value(api));
	json_object_foreach(doc, key, v) {
		struct buf ptr = BUF_INIT;

		if (!strcmp(key, "_merge") || !strcmp(key, "_delete"))
			continue;
		for (int i = 0; manifest_top_keys[i]; i++)
			if (!strcmp(key, manifest_top_keys[i]))
				goto known;
		yamlx_pointer_add(&ptr, key);
		doc_diag(c, DIAG_ERROR, ptr.buf, "unknown field '%s'", key);
		if (suggest(key, manifest_top_keys))
			diag_hint(&c->set->diags, "did you mean '%s'?", suggest(key, manifest_top_keys));
known:
		buf_release(&ptr);
	}
	del = json_object_get(doc, "_delete");
	if (del && !json_is_boolean(del))
		doc_diag(c, DIAG_ERROR, "/_delete", "_delete must be true or false");
	merge = json_object_get(doc, "_merge");
	if (merge && !json_is_object(merge)) {
		doc_diag(c, DIAG_ERROR, "/_merge", "_merge must be a mapping of field name to strategy");
	} else if (merge) {
		json_object_foreach(merge, key, v) {
			const char *s = json_string_value(v);
			struct buf ptr = BUF_INIT;
			int known = 0;

			buf_addstr(&ptr, "/_merge");
			yamlx_pointer_add(&ptr, key);
			for (int i = 0; s && manifest_merge_strategies[i]; i++)
				known |= !strcmp(s, manifest_merge_strategies[i]);
			if (!known)
				doc_diag(c, DIAG_ERROR, ptr.buf,
					 "invalid merge strategy for '%s' (append, replace or merge-by-key)", key);
			buf_release(&ptr);
		}
	}
	if (!spec && !json_is_true(del)) {
		doc_diag(c, DIAG_ERROR, "", "Missing required field: spec");
		return;
	}
	if (spec && !json_is_object(spec)) {
		doc_diag(c, DIAG_ERROR, "/spec", "spec must be a mapping");
		return;
	}
	layer = spec ? json_object_get(spec, "layer") : NULL;
	l = dir_layer;
	if (layer && !json_is_string(layer)) {
		doc_diag(c, DIAG_ERROR, "/spec/layer", "Invalid layer: spec.layer must be base, org or project");
		return;
	}
	if (layer) {
		int sl = manifest_layer_parse(json_string_value(layer));

		if (sl < 0) {
			doc_diag(c, DIAG_ERROR, "/spec/layer", "Invalid layer: %s", json_string_value(layer));
			if (suggest(json_string_value(layer), layer_list))
				diag_hint(&c->set->diags, "did you mean '%s'?",
					  suggest(json_string_value(layer), layer_list));
			return;
		}
		if (dir_layer >= 0 && sl != dir_layer) {
			doc_diag(c, DIAG_ERROR, "/spec/layer",
				 "spec.layer '%s' does not match the layer of its directory ('%s')",
				 json_string_value(layer), res_layer_name(dir_layer));
			return;
		}
		l = sl;
	} else if (dir_layer < 0) {
		doc_diag(c, DIAG_ERROR, spec ? "/spec" : "", "Missing required field: spec.layer");
		diag_hint(&c->set->diags, "files directly under .letta/manifests/ name their layer in spec.layer");
		return;
	}
	c->set->docs = xgrow(c->set->docs, sizeof(*c->set->docs), c->set->n + 1, &c->set->alloc);
	d = &c->set->docs[c->set->n];
	d->doc = json_incref(doc);
	d->file = file;
	d->docidx = docidx;
	d->line = c->y->line;
	d->col = c->y->col;
	d->kind = (enum res_kind)k;
	d->name = json_string_value(name);
	d->layer = (enum res_layer)l;
	d->seq = c->set->n;
	c->set->n++;
}

int manifest_parse(struct manifest_set *set, const char *path, int dir_layer, const char *text,
		   size_t len)
{
	struct yamlx_docs docs = YAMLX_DOCS_INIT;
	struct ls_error err = LS_ERROR_INIT;
	size_t file;
	int ret, errors = 0;

	if (!set->src)
		set->src = source_store_new();
	file = source_store_add(set->src, path, text, len);

	if (ends_with_ci(path, ".json"))
		ret = yamlx_parse_json_flags(&docs, text, len, YAMLX_NO_POSITIONS, &err);
	else
		ret = yamlx_parse_flags(&docs, text, len, YAMLX_NO_POSITIONS, &err);
	if (ret < 0) {
		/* A syntax error fails the whole file: half a file is not a state to apply. */
		diag_add(&set->diags, DIAG_ERROR, path, docs.err_line, docs.err_col, "%s", err.msg);
		yamlx_docs_release(&docs);
		return 1;
	}
	for (size_t i = 0; i < docs.n; i++) {
		struct doc_ctx c = { set, path, &docs.items[i], file, i, BUF_INIT, 0 };

		parse_doc(&c, dir_layer, file, i);
		errors += c.errors;
		buf_release(&c.what);
	}
	yamlx_docs_release(&docs);
	return errors;
}

void manifest_set_release(struct manifest_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		json_decref(set->docs[i].doc);
	free(set->docs);
	source_store_unref(set->src);
	diag_list_release(&set->diags);
	memset(set, 0, sizeof(*set));
}
