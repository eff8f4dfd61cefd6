/* The desired-state model: lifetime, lookups and positions; see model.h. */
#include "core/model.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const layer_names[LAYER__COUNT] = { "base", "org", "project" };

const char *res_layer_name(enum res_layer layer)
{
	if ((unsigned)layer >= LAYER__COUNT)
		return "?";
	return layer_names[layer];
}

void desired_state_release(struct desired_state *ds)
{
	if (!ds)
		return;
	for (size_t i = 0; i < ds->n; i++) {
		struct resource *r = &ds->items[i];

		free(r->name);
		json_decref(r->doc);
		free(r->source_code);
	}
	free(ds->items);
	json_decref(ds->positions);
	json_decref(ds->index);
	source_store_unref(ds->src);
	memset(ds, 0, sizeof(*ds));
}

/* The index's key of kind and name: "<kind number>/<name>" (no format string to parse per resource). */
static void index_key(struct buf *key, enum res_kind kind, const char *name)
{
	char digits[3 * sizeof(unsigned) + 1], *p = digits + sizeof(digits);
	unsigned k = (unsigned)kind;

	do
		*--p = (char)('0' + k % 10);
	while (k /= 10);
	buf_add(key, p, (size_t)(digits + sizeof(digits) - p));
	buf_addch(key, '/');
	buf_addstr(key, name);
}

void desired_index(struct desired_state *ds)
{
	struct buf key = BUF_INIT;

	json_decref(ds->index);
	ds->index = json_object();
	for (size_t i = 0; i < ds->n; i++) {
		buf_reset(&key);
		index_key(&key, ds->items[i].kind, ds->items[i].name);
		json_object_set_new(ds->index, key.buf, json_integer((json_int_t)i));
	}
	buf_release(&key);
}

const struct resource *desired_find(const struct desired_state *ds, enum res_kind kind,
				    const char *name)
{
	if (!name)
		return NULL; /* a reference that names nothing (pull's, core/pull.c) */
	if (ds->index && json_object_size(ds->index) == ds->n) {
		struct buf key = BUF_INIT;
		json_t *v;

		index_key(&key, kind, name);
		v = json_object_get(ds->index, key.buf);
		buf_release(&key);
		return v ? &ds->items[json_integer_value(v)] : NULL;
	}
	for (size_t i = 0; i < ds->n; i++)
		if (ds->items[i].kind == kind && !strcmp(ds->items[i].name, name))
			return &ds->items[i];
	return NULL;
}

int desired_pos(struct src_pos *out, const struct desired_state *ds, const struct resource *r,
		const char *pointer)
{
	int line, col;

	*out = r->pos;
	for (int i = 0; i < r->nsrcs; i++) {
		if (source_store_pos(ds->src, r->srcs[i].file, r->srcs[i].doc, pointer, &line, &col)) {
			out->file = source_store_name(ds->src, r->srcs[i].file);
			out->line = line;
			out->col = col;
			return 1;
		}
	}
	if (r->nsrcs && (source_store_pos(ds->src, r->srcs[0].file, r->srcs[0].doc, pointer, &line,
					  &col), line)) {
		out->file = source_store_name(ds->src, r->srcs[0].file);
		out->line = line;
		out->col = col;
	}
	return 0;
}
