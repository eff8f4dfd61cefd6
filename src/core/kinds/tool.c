/*
 * Tool: a custom tool (docs/manifests.md "Tool"). Its spec fields and rules, its desired and
 * remote views (the hash input), its request bodies and what pull writes from a remote tool.
 */
#include "core/kinds/check.h"
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "core/kinds/write.h"
#include "core/plan_build.h"
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

static int is_identifier(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* Source code or a source file; a name the API takes; a function schema named as the tool. */
static void tool_check(struct kind_check *k)
{
	const json_t *spec = k->r->spec;
	const char *name = k->r->name;
	const json_t *code = json_object_get(spec, "sourceCode");
	const json_t *file = json_object_get(spec, "sourceFile");
	const json_t *schema = json_object_get(spec, "jsonSchema");
	const char *tt = jsonx_get_str(spec, "toolType");
	const char *type, *fname;

	if (!code && !file)
		kind_err(k, DIAG_ERROR, "/spec", "Missing required field: spec.sourceCode");
	else if (code && file)
		kind_err(k, DIAG_ERROR, "/spec/sourceFile",
			 "give spec.sourceCode or spec.sourceFile, not both");
	else if (json_is_string(code) && !json_string_length(code))
		kind_err(k, DIAG_ERROR, "/spec/sourceCode", "spec.sourceCode is empty");
	if (strlen(name) > VALIDATE_TOOL_NAME_MAX)
		kind_err(k, DIAG_ERROR, "/metadata/name",
			 "tool name is %zu characters; Letta allows at most %d", strlen(name),
			 VALIDATE_TOOL_NAME_MAX);
	else if (!is_identifier(name))
		kind_err(k, DIAG_ERROR, "/metadata/name",
			 "tool name '%s' is not a function name ([A-Za-z_][A-Za-z0-9_]*)", name);
	if (tt && strcmp(tt, "custom"))
		kind_err(k, DIAG_ERROR, "/spec/toolType",
			 "toolType '%s' cannot be created through the Letta API (only custom tools can)",
			 tt);
	if (!json_is_object(schema))
		return;
	type = jsonx_get_str(schema, "type");
	if (!type || strcmp(type, "function"))
		kind_err(k, DIAG_ERROR, "/spec/jsonSchema/type", "jsonSchema.type must be 'function'");
	fname = jsonx_get_str(json_object_get(schema, "function"), "name");
	if (!json_is_object(json_object_get(schema, "function")))
		kind_err(k, DIAG_ERROR, "/spec/jsonSchema",
			 "Missing required field: spec.jsonSchema.function");
	else if (!fname || strcmp(fname, name))
		kind_err(k, DIAG_ERROR,
			 fname ? "/spec/jsonSchema/function/name" : "/spec/jsonSchema/function",
			 "jsonSchema.function.name must match metadata.name");
	type = jsonx_get_str(json_object_get(json_object_get(schema, "function"), "parameters"),
			     "type");
	if (type && strcmp(type, "object"))
		kind_err(k, DIAG_ERROR, "/spec/jsonSchema/function/parameters/type",
			 "jsonSchema.function.parameters.type must be 'object'");
}

/* ToolCreate / ToolUpdate: the view without its name (the server takes it from the schema), our tag added. */
static json_t *tool_body(const struct kind_write *w)
{
	json_t *body = json_deep_copy(w->view);

	json_object_del(body, "name");
	json_array_append_new(json_object_get(body, "tags"), json_string(OWN_TAG));
	return body;
}

static int tool_create(const struct kind_write *w)
{
	/* ToolCreate is strict: no name, no tool_type, no metadata_ (set right after). */
	pl_op(w->p, w->ai, OP_CREATE, TARGET_TOOL, NULL, NULL, tool_body(w), 0);
	pl_op(w->p, w->ai, OP_UPDATE, TARGET_TOOL, "@self", NULL,
	      json_pack("{s:o}", "metadata_", kind_marker(w, w->hash)), 0);
	return 0;
}

static int tool_update(const struct kind_write *w, const char *id, const json_t *obj)
{
	json_t *body = tool_body(w);

	(void)obj;
	json_object_set_new(body, "metadata_", kind_marker(w, w->hash));
	pl_op(w->p, w->ai, OP_UPDATE, TARGET_TOOL, id, NULL, body, 0);
	return 0;
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
static void tool_pull(json_t *spec, const json_t *t, const struct kind_pull *x)
{
	const char *st = jsonx_get_str(t, "source_type");
	const json_t *rcl = json_object_get(t, "return_char_limit");
	json_t *tags;

	(void)x;
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

const struct kind_impl kind_tool_impl = {
	.want = tool_want,
	.have = tool_have,
	.fields = tool_fields,
	.check = tool_check,
	.create = tool_create,
	.update = tool_update,
	.pull = tool_pull,
	.hash_fields = tool_hash_fields,
};
