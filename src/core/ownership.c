/* Ownership markers, hashes and the inventory (see ownership.h). */
#include "core/ownership.h"
#include "core/kinds/impl_table.h"
#include "core/kinds/kinds.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The names are the kind table's (core/kinds/kinds.c). */
const char *own_kind_name(enum res_kind kind)
{
	return kind_name(kind);
}

int own_kind_parse(const char *name)
{
	return kind_parse(name);
}

static const json_t *marker_object(enum res_kind kind, const json_t *obj)
{
	const json_t *props, *p;
	size_t i;

	switch (kind) {
	case KIND_BLOCK:
	case KIND_FOLDER:
		return json_object_get(obj, "metadata");
	case KIND_TOOL:
		return json_object_get(obj, "metadata_");
	case KIND_IDENTITY:
		props = json_object_get(obj, "properties");
		json_array_foreach(props, i, p)
		{
			const char *key = jsonx_get_str(p, "key");

			if (key && !strcmp(key, OWN_IDENTITY_PROPERTY))
				return json_object_get(p, "value");
		}
		return NULL;
	default:
		return NULL;
	}
}

int own_agent_is_managed(const json_t *agent)
{
	const json_t *tags = json_object_get(agent, "tags");

	return jsonx_array_has_str(tags, OWN_TAG) || jsonx_array_has_str(tags, OWN_LEGACY_TAG);
}

void own_read(struct own_marker *out, enum res_kind kind, const json_t *obj,
	      const char *project)
{
	const json_t *m = marker_object(kind, obj);
	const char *by = json_is_object(m) ? jsonx_get_str(m, "managed_by") : NULL;
	const json_t *tags = json_object_get(obj, "tags");

	memset(out, 0, sizeof(*out));
	out->has_tag = kind == KIND_TOOL && jsonx_array_has_str(tags, OWN_TAG);
	if (!by) {
		/* The original marked tools with a tag only. */
		if (kind == KIND_TOOL &&
		    (jsonx_array_has_str(tags, OWN_LEGACY_TOOL_TAG) ||
		     jsonx_array_has_str(tags, OWN_LEGACY_TAG)))
			out->state = OWN_LEGACY;
		/*
		 * Our tag without metadata_: our own create, whose marker PATCH never ran (the
		 * run was killed between the two). Ours, with no hash, so the next sync marks it.
		 */
		else if (out->has_tag)
			out->state = OWN_OURS;
		return;
	}
	out->source = jsonx_get_str(m, "source");
	out->project = jsonx_get_str(m, "project");
	out->hash = jsonx_get_str(m, "hash");
	out->hash_version = own_hash_version_of(m);
	if (!strcmp(by, OWN_MANAGER)) {
		if (out->project && out->project[0] && project && strcmp(out->project, project))
			out->state = OWN_OTHER_PROJECT;
		else
			out->state = OWN_OURS;
	} else if (!strcmp(by, OWN_LEGACY_MANAGER)) {
		out->state = OWN_LEGACY;
		out->hash = NULL; /* the original recorded none */
	}
}

int own_source_matches(const struct own_marker *m, enum res_kind kind, const char *name)
{
	const char *kn = own_kind_name(kind);
	size_t kl = strlen(kn);

	if (!m->source || !name)
		return 0;
	if (!strncmp(m->source, kn, kl) && m->source[kl] == '/' && !strcmp(m->source + kl + 1, name))
		return 1;
	/* The original's source was the bare manifest name. */
	return m->state == OWN_LEGACY && !strcmp(m->source, name);
}

json_t *own_marker_json(enum res_kind kind, const char *name, const char *project,
			const char *hash)
{
	return own_marker_at(kind, name, project, hash, OWN_HASH_VERSION);
}

/*
 * The fields each kind's view gained after hash version 1, as {path, since} rows: its kind
 * file's table (see ownership.h; docs/reconcile.md "Hash versions" says how to add one). A
 * kind without a kind file has none.
 */
static const struct own_hash_field no_fields[] = { { NULL, 0 } };

const struct own_hash_field *own_hash_fields(enum res_kind kind)
{
	const struct kind_impl *k = kind_impl(kind);

	return k && k->hash_fields ? k->hash_fields : no_fields;
}

unsigned own_hash_version(void)
{
	unsigned v = 1;

	for (int k = 0; k < KIND__COUNT; k++)
		for (const struct own_hash_field *f = own_hash_fields((enum res_kind)k); f->path; f++)
			if (f->since > v)
				v = f->since;
	return v;
}

unsigned own_hash_version_of(const json_t *marker)
{
	const json_t *v = json_object_get(marker, OWN_HASH_VERSION_KEY);

	if (!v)
		return 1;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > (json_int_t)0xffff)
		return 0;
	return (unsigned)json_integer_value(v);
}

/* Removes path (see struct own_hash_field) from v, where present. */
static void strip_path(json_t *v, const char *path)
{
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);
	char *key;
	json_t *x, *e;
	size_t i;

	if (!json_is_object(v) || !n)
		return;
	if (n > 2 && !memcmp(path + n - 2, "[]", 2)) {
		key = xstrndup(path, n - 2);
		x = json_object_get(v, key);
		if (dot)
			json_array_foreach(x, i, e)
				strip_path(e, dot + 1);
	} else {
		key = xstrndup(path, n);
		if (dot)
			strip_path(json_object_get(v, key), dot + 1);
		else
			json_object_del(v, key);
	}
	free(key);
}

/* Whether version knew every field of the table (its hash is the current one). */
static int knows_all(unsigned version, const struct own_hash_field *fields)
{
	for (; fields && fields->path; fields++)
		if (fields->since > version)
			return 0;
	return 1;
}

void own_hash_as(char out[OWN_HASH_LEN + 1], const json_t *view, unsigned version,
		 const struct own_hash_field *fields)
{
	json_t *old;

	if (knows_all(version, fields)) {
		own_hash(out, view);
		return;
	}
	old = json_deep_copy(view);
	for (; fields->path; fields++)
		if (fields->since > version)
			strip_path(old, fields->path);
	own_hash(out, old);
	json_decref(old);
}

int own_hash_matches(const char *recorded, unsigned version, const json_t *view,
		     const char *current, const struct own_hash_field *fields)
{
	char h[OWN_HASH_LEN + 1];

	if (!recorded || version < 1)
		return 0;
	if (current && knows_all(version, fields))
		return !strcmp(recorded, current);
	own_hash_as(h, view, version, fields);
	return !strcmp(recorded, h);
}

int own_is_inventory(const json_t *block, const char *project)
{
	const char *label = jsonx_get_str(block, "label"), *by, *p;
	const json_t *m;

	/* The label first: it rules out every other block with one look-up (issue 26). */
	if (!label || strcmp(label, OWN_INVENTORY_LABEL))
		return 0;
	m = json_object_get(block, "metadata");
	by = jsonx_get_str(m, "managed_by");
	if (!by || strcmp(by, OWN_MANAGER))
		return 0;
	p = jsonx_get_str(m, "project");
	return !strcmp(p ? p : "", project ? project : "");
}

const json_t *own_find_inventory(const json_t *blocks, const char *project)
{
	const json_t *b, *best = NULL;
	size_t i;

	/* With several (a lost reply on create), the smallest id wins, deterministically. */
	json_array_foreach(blocks, i, b)
	{
		if (!own_is_inventory(b, project))
			continue;
		if (!best || strcmp(jsonx_get_str(b, "id") ? jsonx_get_str(b, "id") : "",
				    jsonx_get_str(best, "id") ? jsonx_get_str(best, "id") : "") < 0)
			best = b;
	}
	return best;
}

/* The entries of a parsed inventory value (see own_inventory_entries). */
static json_t *entries_of(const json_t *doc)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "objects"), i, e)
	{
		if (json_is_object(e) && jsonx_get_str(e, "kind") && jsonx_get_str(e, "name") &&
		    own_kind_parse(jsonx_get_str(e, "kind")) >= 0)
			json_array_append(out, e);
	}
	return out;
}

/* The intents of a parsed inventory value (see own_inventory_intents). */
static json_t *intents_of(const json_t *doc)
{
	json_t *out = json_object(), *e;
	struct buf k = BUF_INIT;
	size_t i;

	json_array_foreach(json_object_get(doc, "intent"), i, e)
	{
		const char *kind = jsonx_get_str(e, "kind"), *name = jsonx_get_str(e, "name");

		if (!kind || !name || own_kind_parse(kind) < 0)
			continue;
		buf_reset(&k);
		buf_addf(&k, "%s/%s", kind, name);
		json_object_set_new(out, k.buf, json_true());
	}
	buf_release(&k);
	return out;
}

/* The inventory block's value, parsed (NULL when it has none or it is not JSON). */
static json_t *inventory_doc(const json_t *block)
{
	const char *value = jsonx_get_str(block, "value");

	return value ? json_loads(value, 0, NULL) : NULL;
}

json_t *own_inventory_entries(const json_t *block)
{
	json_t *doc = inventory_doc(block), *out = entries_of(doc);

	json_decref(doc);
	return out;
}

json_t *own_inventory_intents(const json_t *block)
{
	json_t *doc = inventory_doc(block), *out = intents_of(doc);

	json_decref(doc);
	return out;
}

void own_inventory_read(const json_t *block, json_t **entries, json_t **intents)
{
	json_t *doc = inventory_doc(block);

	*entries = entries_of(doc);
	*intents = intents_of(doc);
	json_decref(doc);
}

const json_t *own_inventory_find(const json_t *entries, enum res_kind kind, const char *name)
{
	const char *kn = own_kind_name(kind);
	const json_t *e;
	size_t i;

	json_array_foreach(entries, i, e)
	{
		const char *k = jsonx_get_str(e, "kind"), *n = jsonx_get_str(e, "name");

		if (k && n && !strcmp(k, kn) && !strcmp(n, name))
			return e;
	}
	return NULL;
}

json_t *own_inventory_metadata(const char *project)
{
	struct buf src = BUF_INIT;
	json_t *m;

	buf_addf(&src, "Inventory/%s", project ? project : "");
	m = json_pack("{s:s, s:s, s:s}", "managed_by", OWN_MANAGER, "source", src.buf, "project",
		      project ? project : "");
	buf_release(&src);
	return m;
}
