/*
 * Block: a shared memory block (docs/manifests.md "Block"). Its spec fields, its desired and
 * remote views (the hash input) and what pull writes from a remote block.
 */
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_LIMIT_DEFAULT 100000

static const struct field block_fields[] = {
	FIELD_COMMON_SPEC,
	{ "label", TY_STR, F_REQ, NULL, 0, NULL },
	{ "value", TY_STR, F_REQ, NULL, 0, NULL },
	{ "limit", TY_INT, 0, NULL, 0, NULL },
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "isTemplate", TY_BOOL, 0, NULL, 0, NULL },
	{ "templateName", TY_STR, 0, NULL, 0, NULL },
	{ "identityId", TY_STR, 0, NULL, 0, NULL },
	{ "lettaMetadata", TY_OBJ, 0, NULL, 0, NULL },
	{ "tags", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "readOnly", TY_BOOL, 0, NULL, 0, NULL },
	FIELD_END,
};

static json_t *block_want(const struct resource *r)
{
	const json_t *limit = json_object_get(r->spec, "limit");
	const json_t *md = json_object_get(r->spec, "lettaMetadata");

	return json_pack("{s:s, s:b, s:s, s:I, s:s, s:o}", "label",
			 view_first_str(view_spec_str(r, "label"), r->name, NULL), "read_only",
			 json_is_true(json_object_get(r->spec, "readOnly")), "value",
			 view_first_str(view_spec_str(r, "value"), NULL, NULL), "limit",
			 (json_int_t)(json_is_integer(limit) ? json_integer_value(limit)
							     : BLOCK_LIMIT_DEFAULT),
			 "description",
			 view_first_str(view_spec_str(r, "description"), view_meta_str(r, "description"), NULL),
			 "metadata", json_is_object(md) ? view_norm(md) : json_object());
}

static json_t *block_have(const json_t *o)
{
	const json_t *limit = json_object_get(o, "limit");

	return json_pack("{s:o, s:b, s:o, s:I, s:o, s:o}", "label",
			 view_str(json_object_get(o, "label")), "read_only",
			 json_is_true(json_object_get(o, "read_only")), "value", view_str(json_object_get(o, "value")), "limit",
			 (json_int_t)(json_is_integer(limit) ? json_integer_value(limit)
							     : BLOCK_LIMIT_DEFAULT),
			 "description", view_str(json_object_get(o, "description")), "metadata",
			 view_user_metadata(json_object_get(o, "metadata")));
}

json_t *block_private_body(const json_t *entry)
{
	const json_t *limit = json_object_get(entry, "limit");
	const json_t *description = json_object_get(entry, "description");
	const json_t *read_only = json_object_get(entry, "readOnly");
	json_t *body = json_pack("{s:O?, s:O?}", "label", json_object_get(entry, "label"),
				 "value", json_object_get(entry, "value"));

	if (json_is_integer(limit))
		json_object_set(body, "limit", (json_t *)limit);
	if (json_is_string(description))
		json_object_set(body, "description", (json_t *)description);
	if (json_is_boolean(read_only))
		json_object_set(body, "read_only", (json_t *)read_only);
	return body;
}

static void block_pull(json_t *spec, const json_t *b, const char *name)
{
	const char *value = jsonx_get_str(b, "value");
	json_t *md = view_user_metadata(json_object_get(b, "metadata"));

	(void)name;
	json_object_set_new(spec, "label", json_string(jsonx_get_str(b, "label")));
	json_object_set_new(spec, "value", json_string(value ? value : ""));
	if (json_is_integer(json_object_get(b, "limit")))
		json_object_set(spec, "limit", json_object_get(b, "limit"));
	if (json_is_true(json_object_get(b, "read_only")))
		json_object_set_new(spec, "readOnly", json_true());
	if (json_object_size(md))
		json_object_set_new(spec, "lettaMetadata", view_sorted_copy(md));
	json_decref(md);
}

/* Its view has not changed since hashes began (hash version 1). */
static const struct own_hash_field block_hash_fields[] = { { NULL, 0 } };

const struct kind_impl kind_block_impl = { block_want, block_have, block_fields, block_pull, block_hash_fields };
