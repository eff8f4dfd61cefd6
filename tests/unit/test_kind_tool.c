/*
 * core/kinds/tool.c: the Tool kind file. Its views (what is compared and hashed), the spec
 * pull writes from a remote tool (a pulled manifest is what the server has: its view equals
 * the remote view), and its spec fields (validate, `letta-sync schema`). A field added to
 * Tool is added here and in tool.c, nowhere else (docs/reconcile.md "Where a shared kind
 * lives").
 */
#include "core/kinds/impl_table.h"
#include "core/ownership.h"
#include "core/validate.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* A remote tool (openapi.json Tool) with every field the kind manages set. */
static const char remote_tool[] =
	"{\"id\":\"tool-1\",\"name\":\"lookup\",\"tool_type\":\"custom\","
	"\"description\":\"Looks up\",\"source_type\":\"python\","
	"\"source_code\":\"def lookup(q):\\n    return q\\n\","
	"\"json_schema\":{\"name\":\"lookup\",\"description\":\"Looks up\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},"
	"\"required\":[\"q\"]}},"
	"\"tags\":[\"search\",\"managed:letta-sync\"],\"return_char_limit\":1000,"
	"\"pip_requirements\":[{\"name\":\"requests\",\"version\":\"2.31.0\"},{\"name\":\"rich\"}],"
	"\"default_requires_approval\":true,"
	"\"npm_requirements\":[{\"name\":\"lodash\",\"version\":\"4.17.21\"}],"
	"\"enable_parallel_execution\":true,"
	"\"metadata_\":{\"managed_by\":\"letta-sync\",\"source\":\"Tool/lookup\"}}";

static const struct kind_impl *tool(void)
{
	const struct kind_impl *k = kind_impl(KIND_TOOL);

	assert_non_null(k);
	return k;
}

/* A resource as the model holds one: doc {kind, metadata: {name}, spec}. */
static void resource_of(struct resource *r, json_t *spec_take, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->kind = KIND_TOOL;
	r->name = (char *)(uintptr_t)name;
	r->doc = json_pack("{s:s, s:{s:s}, s:o}", "kind", "Tool", "metadata", "name", name, "spec",
			   spec_take);
	r->spec = json_object_get(r->doc, "spec");
}

static int has_field(const struct field *f, const char *name)
{
	for (; f && f->name; f++)
		if (!strcmp(f->name, name))
			return 1;
	return 0;
}

static void test_kind_tool__pulled_manifest_has_the_servers_view(void **state)
{
	json_t *o = json_loads(remote_tool, 0, NULL), *spec = json_object(), *want, *have;
	struct resource r;
	char *a, *b;

	(void)state;
	assert_non_null(o);
	tool()->pull(spec, o, &(struct kind_pull){ .name = "lookup" });
	assert_string_equal(jsonx_get_str(spec, "sourceType"), "python");
	assert_string_equal(jsonx_get_str(json_array_get(json_object_get(spec, "pipRequirements"), 0),
					  "package"),
			    "requests");
	assert_true(json_is_true(json_object_get(spec, "requiresApproval")));
	assert_int_equal(jsonx_get_int(spec, "returnCharLimit", 0), 1000);
	assert_string_equal(jsonx_get_str(json_array_get(json_object_get(spec, "npmRequirements"), 0),
					  "package"),
			    "lodash");
	assert_true(json_is_true(json_object_get(spec, "enableParallelExecution")));
	/* Our tag is a marker, not the user's. */
	assert_int_equal(json_array_size(json_object_get(spec, "tags")), 1);

	resource_of(&r, spec, "lookup");
	want = kind_want_view(&r);
	have = kind_have_view(KIND_TOOL, o, want);
	a = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
	b = json_dumps(have, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(want);
	json_decref(have);
	json_decref(r.doc);
	json_decref(o);
}

static void test_kind_tool__views_fill_in_the_servers_defaults(void **state)
{
	struct resource r;
	json_t *want, *have, *o;

	(void)state;
	resource_of(&r,
		    json_pack("{s:s, s:{s:s, s:{s:s}}}", "sourceCode", "def f(): pass", "jsonSchema",
			      "type", "function", "function", "name", "f"),
		    "f");
	want = kind_want_view(&r);
	assert_string_equal(jsonx_get_str(want, "source_type"), "python");
	assert_int_equal(jsonx_get_int(want, "return_char_limit", 0), 50000);
	assert_int_equal(json_array_size(json_object_get(want, "pip_requirements")), 0);
	assert_true(json_is_false(json_object_get(want, "default_requires_approval")));
	assert_int_equal(json_array_size(json_object_get(want, "npm_requirements")), 0);
	assert_true(json_is_false(json_object_get(want, "enable_parallel_execution")));
	/* A server answer with nulls is the same tool. */
	o = json_pack("{s:s, s:s, s:n, s:s, s:{s:s}, s:n, s:n, s:n, s:n, s:n, s:n}", "name", "f",
		      "description", "", "source_type", "source_code", "def f(): pass",
		      "json_schema", "name", "f", "tags", "return_char_limit", "pip_requirements",
		      "default_requires_approval", "npm_requirements", "enable_parallel_execution");
	have = kind_have_view(KIND_TOOL, o, want);
	assert_true(json_equal(want, have));
	json_decref(want);
	json_decref(have);
	json_decref(o);
	json_decref(r.doc);
}

static void test_kind_tool__spec_fields(void **state)
{
	static const char *const fields[] = { "sourceType", "sourceCode", "sourceFile",
					      "jsonSchema", "toolType", "tags",
					      "pipRequirements", "requiresApproval", "description",
					      "returnCharLimit", "npmRequirements",
					      "enableParallelExecution", "managed", "layer", NULL };

	(void)state;
	assert_ptr_equal(validate_kind_fields(KIND_TOOL), tool()->fields);
	for (size_t i = 0; fields[i]; i++)
		if (!has_field(tool()->fields, fields[i]))
			fail_msg("Tool has no spec field %s", fields[i]);
}

/*
 * npm_requirements and enable_parallel_execution came with hash version 2: a tool that a
 * version-1 letta-sync synced (its hash covers a view without them) is not edited outside git,
 * while an edit of a field version 1 knew still is.
 */
static void test_kind_tool__fields_of_version_2_leave_version_1_hashes_alone(void **state)
{
	const struct own_hash_field *hf = own_hash_fields(KIND_TOOL);
	char h1[OWN_HASH_LEN + 1], hw[OWN_HASH_LEN + 1];
	struct resource r;
	json_t *want, *v1;

	(void)state;
	assert_true(OWN_HASH_VERSION >= 2);
	resource_of(&r,
		    json_pack("{s:s, s:{s:s, s:{s:s}}}", "sourceCode", "def f(): pass", "jsonSchema",
			      "type", "function", "function", "name", "f"),
		    "f");
	want = kind_want_view(&r);
	v1 = json_deep_copy(want);
	json_object_del(v1, "npm_requirements");
	json_object_del(v1, "enable_parallel_execution");
	own_hash(h1, v1);
	own_hash(hw, want);
	assert_string_not_equal(h1, hw);
	assert_true(own_hash_matches(h1, 1, want, hw, hf));
	/* Not when the recorded version is this one: then the hash covers them. */
	assert_false(own_hash_matches(h1, OWN_HASH_VERSION, want, hw, hf));
	json_object_set_new(want, "description", json_string("edited by hand"));
	assert_false(own_hash_matches(h1, 1, want, NULL, hf));
	json_decref(want);
	json_decref(v1);
	json_decref(r.doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_tool__pulled_manifest_has_the_servers_view),
		cmocka_unit_test(test_kind_tool__views_fill_in_the_servers_defaults),
		cmocka_unit_test(test_kind_tool__spec_fields),
		cmocka_unit_test(test_kind_tool__fields_of_version_2_leave_version_1_hashes_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
