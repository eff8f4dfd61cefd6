/* The desired-state model: lifetime, lookups and positions; see model.h. */
#include "core/model.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[KIND__COUNT] = {
	"Block", "Tool", "MCPServer", "Template", "Folder", "Identity", "AgentPolicy", "Agent",
};

static const char *const layer_names[LAYER__COUNT] = { "base", "org", "project" };

const char *res_kind_name(enum res_kind kind)
{
	if ((unsigned)kind >= KIND__COUNT)
		return "?";
	return kind_names[kind];
}

int res_kind_parse(const char *name)
{
	for (int i = 0; i < KIND__COUNT; i++)
		if (name && !strcmp(name, kind_names[i]))
			return i;
	return -1;
}

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
		json_decref(r->positions);
	}
	free(ds->items);
	json_decref(ds->positions);
	for (size_t i = 0; i < ds->nfiles; i++)
		free(ds->files[i]);
	free(ds->files);
	memset(ds, 0, sizeof(*ds));
}

const struct resource *desired_find(const struct desired_state *ds, enum res_kind kind,
				    const char *name)
{
	for (size_t i = 0; i < ds->n; i++)
		if (ds->items[i].kind == kind && !strcmp(ds->items[i].name, name))
			return &ds->items[i];
	return NULL;
}

size_t desired_add_file(struct desired_state *ds, const char *file)
{
	for (size_t i = ds->nfiles; i > 0; i--)
		if (!strcmp(ds->files[i - 1], file))
			return i - 1;
	ds->files = xgrow(ds->files, sizeof(*ds->files), ds->nfiles + 1, &ds->files_alloc);
	ds->files[ds->nfiles] = xstrdup(file);
	return ds->nfiles++;
}

long long desired_pos_pack(size_t file, int line, int col)
{
	if (line > 0xFFFFFF)
		line = 0xFFFFFF;
	if (col > 0xFFFFF)
		col = 0xFFFFF;
	return ((long long)file << 44) | ((long long)line << 20) | (long long)col;
}

int desired_pos(struct src_pos *out, const struct desired_state *ds, const struct resource *r,
		const char *pointer)
{
	struct buf p = BUF_INIT;
	int exact = 1;

	*out = r->pos;
	if (!r->positions)
		return 0;
	buf_addstr(&p, pointer);
	for (;;) {
		json_t *v = json_object_get(r->positions, p.buf);
		char *slash;

		if (json_is_integer(v)) {
			long long packed = json_integer_value(v);
			size_t file = (size_t)(packed >> 44);

			out->file = file < ds->nfiles ? ds->files[file] : "";
			out->line = (int)((packed >> 20) & 0xFFFFFF);
			out->col = (int)(packed & 0xFFFFF);
			break;
		}
		exact = 0;
		if (!p.len)
			break;
		slash = strrchr(p.buf, '/');
		buf_setlen(&p, slash ? (size_t)(slash - p.buf) : 0);
	}
	buf_release(&p);
	return exact;
}
