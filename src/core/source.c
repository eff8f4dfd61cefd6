/* Source texts and on-demand positions; see source.h. */
#include "core/source.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct source_file {
	char *name;
	char *text;
	size_t len;
	json_t *tables; /* array of yamlx position tables, one per document; NULL until needed */
};

struct source_store {
	int refs;
	struct source_file *files;
	size_t n;
	size_t alloc;
};

struct source_store *source_store_new(void)
{
	struct source_store *s = xcalloc(1, sizeof(*s));

	s->refs = 1;
	return s;
}

struct source_store *source_store_ref(struct source_store *s)
{
	if (s)
		s->refs++;
	return s;
}

void source_store_unref(struct source_store *s)
{
	if (!s || --s->refs > 0)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->files[i].name);
		free(s->files[i].text);
		json_decref(s->files[i].tables);
	}
	free(s->files);
	free(s);
}

size_t source_store_add(struct source_store *s, const char *name, const char *text, size_t len)
{
	struct source_file *f;

	s->files = xgrow(s->files, sizeof(*s->files), s->n + 1, &s->alloc);
	f = &s->files[s->n];
	f->name = xstrdup(name);
	f->text = xmalloc(len + 1);
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	f->len = len;
	f->tables = NULL;
	return s->n++;
}

size_t source_store_count(const struct source_store *s)
{
	return s ? s->n : 0;
}

const char *source_store_name(const struct source_store *s, size_t file)
{
	return s && file < s->n ? s->files[file].name : "";
}

static int is_json(const char *name)
{
	static const char suffix[] = ".json";
	size_t n = strlen(name);

	if (n < 5)
		return 0;
	for (size_t i = 0; i < 5; i++) {
		char c = name[n - 5 + i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

static void load_tables(struct source_file *f)
{
	struct yamlx_docs docs = YAMLX_DOCS_INIT;
	struct ls_error err = LS_ERROR_INIT;

	f->tables = json_array();
	if (is_json(f->name))
		yamlx_parse_json(&docs, f->text, f->len, &err);
	else
		yamlx_parse(&docs, f->text, f->len, &err);
	for (size_t i = 0; i < docs.n; i++)
		json_array_append(f->tables, docs.items[i].positions);
	yamlx_docs_release(&docs);
}

int source_store_pos(struct source_store *s, size_t file, size_t doc, const char *pointer,
		     int *line, int *col)
{
	struct source_file *f;

	*line = 0;
	*col = 0;
	if (!s || file >= s->n)
		return 0;
	f = &s->files[file];
	if (!f->tables)
		load_tables(f);
	return yamlx_lookup(json_array_get(f->tables, doc), pointer, line, col);
}
