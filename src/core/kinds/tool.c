/*
 * Tool: a custom tool (docs/manifests.md "Tool"). Its spec fields, its desired and remote views
 * (the hash input) and what pull writes from a remote tool.
 */
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define TOOL_RETURN_LIMIT_DEFAULT 50000

static const char *const e_source_type[] = { "python", "typescript", NULL };
static const char *const e_tool_type[] = { "custom", "letta_core", "letta_mcp", "letta_builtin", NULL };

static const struct field f_params[] = {
	{ "type", TY_STR, 0, NULL, 0, NULL },
	{ "properties", TY_OBJ, 0, NULL, 0, NULL },
	{ "required", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "additionalProperties", TY_ANY, 0, NULL, 0, NULL },
	FIELD_END,
};

static const struct field f_function[] = {
	{ "name", TY_STR, 0, NULL, 0, NULL },
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "parameters", TY_OBJ, 0, f_params, 0, NULL },
	{ "strict", TY_BOOL, 0, NULL, 0, NULL },
	FIELD_END,
};

static const struct field f_json_schema[] = {
	{ "type", TY_STR, 0, NULL, 0, NULL },
	{ "function", TY_OBJ, 0, f_function, 0, NULL },
	FIELD_END,
};

static const struct field f_pip[] = {
	{ "package", TY_STR, F_REQ, NULL, 0, NULL },
	{ "version", TY_STR, 0, NULL, 0, NULL },
	FIELD_END,
};

/* npmRequirements: as pipRequirements (openapi.json NpmRequirement: name, version). */
#define f_npm f_pip

static const struct field tool_fields[] = {
	FIELD_COMMON_SPEC,
	{ "sourceType", TY_STR, F_REQ, NULL, 0, e_source_type },
	{ "sourceCode", TY_STR, 0, NULL, 0, NULL },
	{ "sourceFile", TY_STR, 0, NULL, 0, NULL },
	{ "jsonSchema", TY_OBJ, F_REQ, f_json_schema, 0, NULL },
	{ "toolType", TY_STR, 0, NULL, 0, e_tool_type },
	{ "tags", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "pipRequirements", TY_ARR, 0, f_pip, TY_OBJ, NULL },
	{ "requiresApproval", TY_BOOL, 0, NULL, 0, NULL },
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "returnCharLimit", TY_INT, 0, NULL, 0, NULL },
	{ "npmRequirements", TY_ARR, 0, f_npm, TY_OBJ, NULL },
	{ "enableParallelExecution", TY_BOOL, 0, NULL, 0, NULL },
	FIELD_END,
};

/*
 * The view's fields added after hash version 1 (ownership.h "Hash versions"): an object hashed
 * by an older version is compared without them.
 */
static const struct own_hash_field tool_hash_fields[] = {
	{ "npm_requirements", 2 },
	{ "enable_parallel_execution", 2 },
	{ NULL, 0 },
};

/* The bare function schema of a manifest's jsonSchema ({type:"function", function:{...}}). */
static const json_t *tool_schema(const struct resource *r)
{
	const json_t *s = json_object_get(r->spec, "jsonSchema");
	const json_t *f = json_object_get(s, "function");

	if (json_is_object(f))
		return f;
	return json_is_object(s) ? s : NULL;
}

static const char *tool_name(const struct resource *r)
{
	const char *n = jsonx_get_str(tool_schema(r), "name");

	return n ? n : r->name;
}

static json_t *pip_reqs(const json_t *arr, const char *name_key)
{
	json_t *out = json_array(), *x;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		const char *n = jsonx_get_str(x, name_key);
		const char *v = jsonx_get_str(x, "version");
		json_t *e;

		if (!n && json_is_string(x))
			n = json_string_value(x);
		if (!n)
			continue;
		e = json_pack("{s:s}", "name", n);
		if (v && v[0])
			json_object_set_new(e, "version", json_string(v));
		json_array_append_new(out, e);
	}
	return out;
}

static json_t *tool_want(const struct resource *r)
{
	const json_t *schema = tool_schema(r);
	const json_t *rcl = json_object_get(r->spec, "returnCharLimit");
	const json_t *appr = json_object_get(r->spec, "requiresApproval");
	const char *code = r->source_code ? r->source_code : view_spec_str(r, "sourceCode");
	json_t *v;

	v = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:b}", "name", tool_name(r),
		      "description",
		      view_first_str(view_spec_str(r, "description"), jsonx_get_str(schema, "description"),
				view_meta_str(r, "description")),
		      "source_type", view_first_str(view_spec_str(r, "sourceType"), "python", NULL),
		      "source_code", code ? code : "", "tags",
		      view_strset(json_object_get(r->spec, "tags"), view_is_own_tag), "return_char_limit",
		      (json_int_t)(json_is_integer(rcl) ? json_integer_value(rcl)
							: TOOL_RETURN_LIMIT_DEFAULT),
		      "pip_requirements",
		      pip_reqs(json_object_get(r->spec, "pipRequirements"), "package"),
		      "default_requires_approval", json_is_true(appr));
	if (schema)
		json_object_set_new(v, "json_schema", view_norm(schema));
	json_object_set_new(v, "npm_requirements",
			    pip_reqs(json_object_get(r->spec, "npmRequirements"), "package"));
	json_object_set_new(v, "enable_parallel_execution",
			    json_boolean(json_is_true(json_object_get(r->spec,
								       "enableParallelExecution"))));
	return v;
}

static json_t *tool_have(const json_t *o)
{
	const json_t *rcl = json_object_get(o, "return_char_limit");
	const char *st = jsonx_get_str(o, "source_type");

	return json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:I, s:o, s:b, s:o, s:b}", "name",
			 view_str(json_object_get(o, "name")), "description",
			 view_str(json_object_get(o, "description")), "source_type",
			 st ? st : "python", "source_code",
			 view_str(json_object_get(o, "source_code")), "json_schema",
			 view_norm(json_object_get(o, "json_schema")), "tags",
			 view_strset(json_object_get(o, "tags"), view_is_own_tag), "return_char_limit",
			 (json_int_t)(json_is_integer(rcl) ? json_integer_value(rcl)
							   : TOOL_RETURN_LIMIT_DEFAULT),
			 "pip_requirements",
			 pip_reqs(json_object_get(o, "pip_requirements"), "name"),
			 "default_requires_approval",
			 json_is_true(json_object_get(o, "default_requires_approval")),
			 "npm_requirements", pip_reqs(json_object_get(o, "npm_requirements"), "name"),
			 "enable_parallel_execution",
			 json_is_true(json_object_get(o, "enable_parallel_execution")));
}

/* Requirements as the manifest has them (key): the API's "name" is the manifest's "package". */
static void pull_reqs(json_t *spec, const char *key, const json_t *arr)
{
	json_t *out = json_array(), *x;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		const char *n = jsonx_get_str(x, "name"), *v = jsonx_get_str(x, "version");
		json_t *e;

		if (!n)
			continue;
		e = json_pack("{s:s}", "package", n);
		if (v && v[0])
			json_object_set_new(e, "version", json_string(v));
		json_array_append_new(out, e);
	}
	if (json_array_size(out))
		json_object_set(spec, key, out);
	json_decref(out);
}

/* A custom tool's spec as pull writes it (name, ownership and managed are pull.c's). */
static void tool_pull(json_t *spec, const json_t *t, const char *name)
{
	const char *st = jsonx_get_str(t, "source_type");
	const json_t *rcl = json_object_get(t, "return_char_limit");
	json_t *tags;

	(void)name;
	json_object_set_new(spec, "sourceType", json_string(st ? st : "python"));
	json_object_set_new(spec, "description",
			    json_string(view_first_str(jsonx_get_str(t, "description"), "", NULL)));
	json_object_set_new(spec, "sourceCode", json_string(jsonx_get_str(t, "source_code")));
	json_object_set_new(spec, "jsonSchema",
			    json_pack("{s:s, s:o}", "type", "function", "function",
				      view_sorted_copy(json_object_get(t, "json_schema"))));
	tags = view_strset(json_object_get(t, "tags"), view_is_own_tag);
	if (json_array_size(tags))
		json_object_set(spec, "tags", tags);
	json_decref(tags);
	pull_reqs(spec, "pipRequirements", json_object_get(t, "pip_requirements"));
	pull_reqs(spec, "npmRequirements", json_object_get(t, "npm_requirements"));
	if (json_is_true(json_object_get(t, "default_requires_approval")))
		json_object_set_new(spec, "requiresApproval", json_true());
	if (json_is_true(json_object_get(t, "enable_parallel_execution")))
		json_object_set_new(spec, "enableParallelExecution", json_true());
	/* returnCharLimit only when it is not the planner's default. */
	if (json_is_integer(rcl) && json_integer_value(rcl) != TOOL_RETURN_LIMIT_DEFAULT)
		json_object_set(spec, "returnCharLimit", (json_t *)rcl);
}

const struct kind_impl kind_tool_impl = { tool_want, tool_have, tool_fields, tool_pull,
					  tool_hash_fields };
