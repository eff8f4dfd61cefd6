/*
 * Block: a shared memory block (docs/manifests.md "Block"). Its spec fields and rules, its
 * desired and remote views (the hash input), its request bodies and what pull writes from a
 * remote block.
 */
#include "core/kinds/check.h"
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "core/kinds/write.h"
#include "core/plan_build.h"
#include "util/jsonx.h"
#include "util/utf8.h"
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

/* A string field of block_have()'s view (view_str: "" when absent, cut at a NUL) equals w. */
static int have_str_equal(const json_t *w, const json_t *v)
{
	const char *h = json_is_string(v) ? json_string_value(v) : "";
	size_t n = strlen(h);

	return json_is_string(w) && json_string_length(w) == n && !memcmp(json_string_value(w), h, n);
}

/*
 * json_equal(want, block_have(o)) without building the view: want has block_want()'s six
 * keys (checked), the view has the same six; metadata's view is built only when the manifest
 * declares some (an empty one equals a server metadata with only markers and nulls).
 */
static int block_have_equal(const json_t *want, const json_t *o)
{
	const json_t *limit = json_object_get(o, "limit"), *wl = json_object_get(want, "limit");
	const json_t *ro = json_object_get(want, "read_only"), *wmd = json_object_get(want, "metadata");
	const json_t *md = json_object_get(o, "metadata"), *v;
	const char *k;
	json_t *hmd;
	int eq;

	if (json_object_size(want) != 6 || !json_is_boolean(ro) || !json_is_integer(wl) ||
	    !json_is_object(wmd) || !have_str_equal(json_object_get(want, "label"), json_object_get(o, "label")) ||
	    json_is_true(ro) != json_is_true(json_object_get(o, "read_only")) ||
	    !have_str_equal(json_object_get(want, "value"), json_object_get(o, "value")) ||
	    json_integer_value(wl) != (json_is_integer(limit) ? json_integer_value(limit)
								: BLOCK_LIMIT_DEFAULT) ||
	    !have_str_equal(json_object_get(want, "description"), json_object_get(o, "description")))
		return 0;
	if (!json_object_size(wmd)) {
		json_object_foreach((json_t *)md, k, v)
			if (!view_is_marker_key(k) && !json_is_null(v))
				return 0;
		return 1;
	}
	hmd = view_user_metadata(md);
	eq = json_equal(wmd, hmd);
	json_decref(hmd);
	return eq;
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

int validate_block_label(const char *label)
{
	size_t n = strlen(label);

	if (!n || n > VALIDATE_LABEL_MAX)
		return 0;
	for (const char *p = label; *p; p++) {
		char ch = *p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '/' || ch == '-'))
			return 0;
	}
	return 1;
}

void block_check_label(const struct kind_check *k, const char *label, const char *ptr)
{
	if (label && !validate_block_label(label))
		kind_err(k, DIAG_ERROR, ptr,
			 "invalid block label '%s': Letta accepts 1-50 characters of [A-Za-z0-9_/-]",
			 label);
}

/* Labels are unique among Blocks (k->seen: label -> Block name) and within the API's pattern. */
static void block_check(struct kind_check *k)
{
	const json_t *spec = k->r->spec;
	const char *label = jsonx_get_str(spec, "label");
	const char *value = jsonx_get_str(spec, "value");
	const json_t *limit = json_object_get(spec, "limit");

	block_check_label(k, label, "/spec/label");
	if (label) {
		const char *other = jsonx_get_str(k->seen, label);

		if (other)
			kind_err(k, DIAG_ERROR, "/spec/label",
				 "block label '%s' is also the label of Block '%s'", label, other);
		else
			json_object_set_new(k->seen, label, json_string(k->r->name));
	}
	if (json_is_true(json_object_get(spec, "isTemplate")) && !json_object_get(spec, "templateName"))
		kind_err(k, DIAG_ERROR, "/spec/isTemplate",
			 "spec.templateName required when isTemplate=true");
	if (json_is_integer(limit) && json_integer_value(limit) <= 0)
		kind_err(k, DIAG_ERROR, "/spec/limit", "spec.limit must be a positive integer");
	else if (json_is_integer(limit) && value &&
		 utf8_count(value) > (size_t)json_integer_value(limit))
		kind_err(k, DIAG_ERROR, "/spec/value", "value is %zu characters, over its limit of %lld",
			 utf8_count(value), (long long)json_integer_value(limit));
}

/* BlockCreate / BlockUpdate: the view, its metadata with the marker. */
static json_t *block_body(const struct kind_write *w)
{
	json_t *body = json_deep_copy(w->view);

	json_object_set_new(body, "metadata",
			    kind_metadata(w, json_object_get(w->view, "metadata"), w->hash));
	return body;
}

static int block_create(const struct kind_write *w)
{
	json_t *body = block_body(w);

	kind_project_id(w, body);
	pl_op(w->p, w->ai, OP_CREATE, TARGET_BLOCK, NULL, NULL, body, 0);
	return 0;
}

static int block_update(const struct kind_write *w, const char *id, const json_t *obj)
{
	(void)obj;
	pl_op(w->p, w->ai, OP_UPDATE, TARGET_BLOCK, id, NULL, block_body(w), 0);
	return 0;
}

static void block_pull(json_t *spec, const json_t *b, const struct kind_pull *x)
{
	const char *value = jsonx_get_str(b, "value");
	json_t *md = view_user_metadata(json_object_get(b, "metadata"));

	(void)x;
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

const struct kind_impl kind_block_impl = {
	.want = block_want,
	.have = block_have,
	.have_equal = block_have_equal,
	.fields = block_fields,
	.check = block_check,
	.create = block_create,
	.update = block_update,
	.pull = block_pull,
	.hash_fields = block_hash_fields,
};
