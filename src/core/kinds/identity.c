/*
 * Identity: a user or organisation agents act for (docs/manifests.md "Identity"). Its spec
 * fields and rules, its desired and remote views (the hash input; our marker property left
 * out), its request bodies (the marker as a property) and what pull writes from a remote
 * identity.
 */
#include "core/markers.h"
#include "core/kinds/check.h"
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "core/kinds/write.h"
#include "core/plan_build.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const e_identity_type[] = { "org", "user", "other", NULL };
static const char *const e_prop_type[] = { "string", "number", "boolean", "json", NULL };

static const struct field f_property[] = {
	{ "key", TY_STR, F_REQ, NULL, 0, NULL },
	{ "value", TY_STR | TY_NUM | TY_INT | TY_BOOL | TY_OBJ, F_REQ, NULL, 0, NULL },
	{ "type", TY_STR, 0, NULL, 0, e_prop_type },
	FIELD_END,
};

static const struct field identity_fields[] = {
	FIELD_COMMON_SPEC,
	{ "identifierKey", TY_STR, 0, NULL, 0, NULL },
	{ "name", TY_STR, 0, NULL, 0, NULL },
	{ "identityType", TY_STR, 0, NULL, 0, e_identity_type },
	{ "properties", TY_ARR, 0, f_property, TY_OBJ, NULL },
	FIELD_END,
};

static const char *identity_type(const struct resource *r)
{
	const char *t = view_first_str(view_spec_str(r, "identityType"), "other", NULL);

	if (!strcmp(t, "org") || !strcmp(t, "user"))
		return t;
	return "other"; /* service, team and anything else */
}

static int cmp_prop(const void *a, const void *b)
{
	return strcmp(jsonx_get_str(*(json_t *const *)a, "key"),
		      jsonx_get_str(*(json_t *const *)b, "key"));
}

/* Identity properties as [{key, type, value}] sorted by key, without the marker. */
static json_t *props_norm(const json_t *arr)
{
	json_t **v, *out = json_array(), *x;
	size_t i, n = 0;

	v = xmalloc((json_array_size(arr) + 1) * sizeof(*v));
	json_array_foreach(arr, i, x)
	{
		const char *key = jsonx_get_str(x, "key");
		const char *type = jsonx_get_str(x, "type");
		const json_t *val = json_object_get(x, "value");

		if (!key || !strcmp(key, OWN_IDENTITY_PROPERTY))
			continue;
		if (!type)
			type = json_is_string(val)		       ? "string"
			       : json_is_number(val)		       ? "number"
			       : json_is_boolean(val)		       ? "boolean"
								       : "json";
		v[n++] = json_pack("{s:s, s:s, s:o}", "key", key, "type", type, "value",
				   val ? view_norm(val) : json_string(""));
	}
	qsort(v, n, sizeof(*v), cmp_prop);
	for (i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
	return out;
}

static const char *identity_key(const struct resource *r)
{
	return view_first_str(view_spec_str(r, "identifierKey"), r->name, NULL);
}

static json_t *identity_want(const struct resource *r)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "identifier_key", identity_key(r), "name",
			 view_first_str(view_spec_str(r, "name"), r->name, NULL), "identity_type",
			 identity_type(r), "properties",
			 props_norm(json_object_get(r->spec, "properties")));
}

static json_t *identity_have(const json_t *o)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "identifier_key",
			 view_str(json_object_get(o, "identifier_key")), "name",
			 view_str(json_object_get(o, "name")), "identity_type",
			 view_str(json_object_get(o, "identity_type")), "properties",
			 props_norm(json_object_get(o, "properties")));
}

/* No metadata (the API has none); identifier keys unique (k->seen: key -> Identity name). */
static void identity_check(struct kind_check *k)
{
	const json_t *spec = k->r->spec;
	const char *key = jsonx_get_str(spec, "identifierKey");
	const char *other;

	if (json_object_get(spec, "lettaMetadata") || json_object_get(spec, "metadata"))
		kind_err(k, DIAG_ERROR,
			 json_object_get(spec, "metadata") ? "/spec/metadata" : "/spec/lettaMetadata",
			 "identities have no metadata in Letta (the API refuses it)");
	if (!key)
		key = k->r->name;
	other = jsonx_get_str(k->seen, key);
	if (other && strcmp(other, k->r->name))
		kind_err(k, DIAG_ERROR,
			 json_object_get(spec, "identifierKey") ? "/spec/identifierKey" : "/metadata/name",
			 "identifierKey '%s' is also the key of Identity '%s'", key, other);
	else if (!other)
		json_object_set_new(k->seen, key, json_string(k->r->name));
}

/* The identity write of the action: a create or an upsert, with our marker property. */
static void identity_req(const struct kind_write *w, enum plan_op op)
{
	json_t *props = json_deep_copy(json_object_get(w->view, "properties"));
	json_t *body;

	json_array_append_new(props, own_identity_property(w->r->name, w->project, w->hash,
							   w->hash_version));
	body = json_pack("{s:O, s:O, s:O, s:o}", "identifier_key",
			 json_object_get(w->view, "identifier_key"), "name",
			 json_object_get(w->view, "name"), "identity_type",
			 json_object_get(w->view, "identity_type"), "properties", props);
	kind_project_id(w, body);
	pl_op(w->p, w->ai, op, TARGET_IDENTITY, NULL, NULL, body, REQ_PROJECT_HEADER);
}

static int identity_create(const struct kind_write *w)
{
	/*
	 * POST, not the PUT upsert: the real server's upsert answers 404 on a key it does not
	 * know (docs/letta-sim.md "Identity upsert"). A 409 (the key appeared meanwhile) is
	 * settled by the create guard, which adopts the identity carrying our marker.
	 */
	identity_req(w, OP_CREATE);
	return 0;
}

static int identity_update(const struct kind_write *w, const char *id, const json_t *obj)
{
	(void)id;
	(void)obj;
	/* The key exists: PUT replaces name, type and properties (an update on both servers). */
	identity_req(w, OP_UPSERT);
	return 0;
}

static void identity_pull(json_t *spec, const json_t *o, const struct kind_pull *x)
{
	const char *name = x->name;
	const char *n = jsonx_get_str(o, "name"), *type = jsonx_get_str(o, "identity_type");
	const json_t *props = json_object_get(o, "properties"), *p;
	json_t **v = xmalloc((json_array_size(props) + 1) * sizeof(*v)), *arr;
	size_t i, k = 0;

	json_object_set_new(spec, "identifierKey", json_string(jsonx_get_str(o, "identifier_key")));
	json_object_set_new(spec, "name", json_string(n ? n : name));
	json_object_set_new(spec, "identityType", json_string(type ? type : "other"));
	json_array_foreach(props, i, p)
	{
		const char *key = jsonx_get_str(p, "key");
		const json_t *val = json_object_get(p, "value");

		if (!key || !strcmp(key, OWN_IDENTITY_PROPERTY) || !val || json_is_null(val))
			continue;
		v[k] = json_pack("{s:s, s:o}", "key", key, "value", view_sorted_copy(val));
		if (jsonx_get_str(p, "type"))
			json_object_set(v[k], "type", json_object_get(p, "type"));
		k++;
	}
	qsort(v, k, sizeof(*v), cmp_prop);
	arr = json_array();
	for (i = 0; i < k; i++)
		json_array_append_new(arr, v[i]);
	free(v);
	if (json_array_size(arr))
		json_object_set(spec, "properties", arr);
	json_decref(arr);
}

/* Its view has not changed since hashes began (hash version 1). */
static const struct own_hash_field identity_hash_fields[] = { { NULL, 0 } };

const struct kind_impl kind_identity_impl = {
	.want = identity_want,
	.have = identity_have,
	.fields = identity_fields,
	.check = identity_check,
	.create = identity_create,
	.update = identity_update,
	.pull = identity_pull,
	.hash_fields = identity_hash_fields,
};
