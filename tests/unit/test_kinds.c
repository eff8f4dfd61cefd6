/*
 * core/kinds: the two tables and the kind files' interface (core/kinds/impl.h). The kind table
 * names every kind; the kind-implementation table holds the file of each shared kind, and
 * nothing else; a kind file writes its requests through the interface, with the markers the
 * planner's hash version says (docs/architecture.md "The kind table").
 */
#include "core/kinds/impl_table.h"
#include "core/kinds/kinds.h"
#include "core/ownership.h"
#include "core/plan_build.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* A resource as the model holds one: doc {kind, metadata: {name}, spec}. */
static void resource_of(struct resource *r, enum res_kind kind, const char *name,
			json_t *spec_take)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->name = (char *)(uintptr_t)name;
	r->layer = LAYER_ORG;
	r->managed = MANAGED_TRUE;
	r->doc = json_pack("{s:s, s:{s:s}, s:o}", "kind", kind_name(kind), "metadata", "name", name,
			   "spec", spec_take);
	r->spec = json_object_get(r->doc, "spec");
}

static void test_kinds__the_implementation_table_holds_the_shared_kinds(void **state)
{
	(void)state;
	for (int k = 0; k < KIND__COUNT; k++) {
		const struct kind_impl *i = kind_impl((enum res_kind)k);

		if (!kind_ops((enum res_kind)k)->shared) {
			assert_null(i);
			continue;
		}
		/* A shared kind is a whole kind file: every part of the interface is there. */
		assert_non_null(i);
		assert_non_null(i->want);
		assert_non_null(i->have);
		assert_non_null(i->fields);
		assert_non_null(i->check);
		assert_non_null(i->create);
		assert_non_null(i->update);
		assert_non_null(i->pull);
		assert_non_null(i->hash_fields);
	}
}

static void test_kinds__a_marker_records_the_hash_version_it_is_given(void **state)
{
	json_t *m = own_marker_at(KIND_BLOCK, "a", "demo", "h", 3), *x;

	(void)state;
	assert_string_equal(jsonx_get_str(m, "source"), "Block/a");
	assert_int_equal(own_hash_version_of(m), 3);
	json_decref(m);
	m = own_marker_at(KIND_BLOCK, "a", "demo", "h", 1);
	assert_null(json_object_get(m, OWN_HASH_VERSION_KEY));
	json_decref(m);
	/* ownership.c's marker is this build's version. */
	m = own_marker_json(KIND_TOOL, "t", "demo", "h");
	x = own_marker_at(KIND_TOOL, "t", "demo", "h", OWN_HASH_VERSION);
	assert_true(json_equal(m, x));
	json_decref(m);
	json_decref(x);
}

/* Kind kind's create or update (id, obj) of r, through the table, on action 0 of p. */
static int write_through_table(struct plan *p, const struct resource *r, const struct plan_opts *o,
			       const char *id, const json_t *obj, struct ls_error *err)
{
	json_t *view = kind_want_view(r);
	char hash[OWN_HASH_LEN + 1];
	struct kind_write w;
	int rc;

	own_hash(hash, view);
	pl_add(p, r->kind, r->name, id ? CHANGE_UPDATE : CHANGE_CREATE);
	w = (struct kind_write){ p, p->n - 1, r, view, hash, 7, "demo", o, err };
	rc = id ? kind_impl(r->kind)->update(&w, id, obj) : kind_impl(r->kind)->create(&w);
	json_decref(view);
	return rc;
}

static void test_kinds__bodies_carry_markers_of_the_writers_version(void **state)
{
	struct plan p = PLAN_INIT;
	struct plan_opts o;
	struct ls_error err = LS_ERROR_INIT;
	struct resource b, t, i;
	const struct plan_request *rq;
	const json_t *props;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.project_id = "proj-1";
	resource_of(&b, KIND_BLOCK, "persona", json_pack("{s:s, s:s}", "label", "persona", "value", "v"));
	resource_of(&t, KIND_TOOL, "lookup",
		    json_pack("{s:s, s:s, s:{s:s, s:{s:s}}}", "sourceType", "python", "sourceCode",
			      "def lookup():\n    pass\n", "jsonSchema", "type", "function",
			      "function", "name", "lookup"));
	resource_of(&i, KIND_IDENTITY, "acme", json_pack("{s:s}", "identifierKey", "acme"));

	/* Block: one create, in the project, the marker in metadata. */
	assert_int_equal(write_through_table(&p, &b, &o, NULL, NULL, &err), 0);
	assert_int_equal(p.items[0].nreqs, 1);
	rq = &p.items[0].reqs[0];
	assert_int_equal(rq->op, OP_CREATE);
	assert_int_equal(rq->target, TARGET_BLOCK);
	assert_string_equal(jsonx_get_str(rq->body, "project_id"), "proj-1");
	assert_string_equal(jsonx_get_str(json_object_get(rq->body, "metadata"), "source"),
			    "Block/persona");
	assert_int_equal(own_hash_version_of(json_object_get(rq->body, "metadata")), 7);

	/* Tool: ToolCreate without name or marker, then the marker on @self; our tag. */
	assert_int_equal(write_through_table(&p, &t, &o, NULL, NULL, &err), 0);
	assert_int_equal(p.items[1].nreqs, 2);
	rq = &p.items[1].reqs[0];
	assert_int_equal(rq->op, OP_CREATE);
	assert_null(json_object_get(rq->body, "name"));
	assert_null(json_object_get(rq->body, "metadata_"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(rq->body, "tags"), 0)),
			    OWN_TAG);
	rq = &p.items[1].reqs[1];
	assert_int_equal(rq->op, OP_UPDATE);
	assert_string_equal(rq->id, "@self");
	assert_int_equal(own_hash_version_of(json_object_get(rq->body, "metadata_")), 7);

	/* Identity update: the upsert, the marker as its property. */
	assert_int_equal(write_through_table(&p, &i, &o, "identity-1", NULL, &err), 0);
	rq = &p.items[2].reqs[0];
	assert_int_equal(rq->op, OP_UPSERT);
	assert_int_equal(rq->target, TARGET_IDENTITY);
	props = json_object_get(rq->body, "properties");
	assert_int_equal(json_array_size(props), 1);
	assert_string_equal(jsonx_get_str(json_array_get(props, 0), "key"), OWN_IDENTITY_PROPERTY);
	assert_int_equal(own_hash_version_of(json_object_get(json_array_get(props, 0), "value")), 7);

	plan_release(&p);
	json_decref(b.doc);
	json_decref(t.doc);
	json_decref(i.doc);
	ls_error_clear(&err);
}

static const char *no_secret(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

static void test_kinds__an_unresolved_secret_stops_a_write_that_needs_it(void **state)
{
	struct plan p = PLAN_INIT;
	struct plan_opts o;
	struct ls_error err = LS_ERROR_INIT;
	struct resource m;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.secret = no_secret;
	resource_of(&m, KIND_MCP_SERVER, "github",
		    json_pack("{s:s, s:s, s:s}", "serverType", "streamable_http", "serverUrl",
			      "https://mcp.example/", "token", "${GITHUB_TOKEN}"));
	/* Only shown: the plan carries no secret. */
	assert_int_equal(write_through_table(&p, &m, &o, "mcp-1", NULL, &err), 0);
	assert_int_equal(p.items[0].nreqs, 2);
	assert_string_equal(jsonx_get_str(json_object_get(p.items[0].reqs[0].body, "config"),
					  "auth_token"),
			    "");
	assert_int_equal(p.items[0].reqs[1].op, OP_REFRESH);
	/* sync: an error naming the object and the variable's reference. */
	o.flags = PLAN_NEED_SECRETS;
	assert_true(write_through_table(&p, &m, &o, NULL, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, "MCPServer 'github'"));
	assert_non_null(strstr(err.msg, "${GITHUB_TOKEN}"));
	assert_int_equal(p.items[1].nreqs, 0);
	plan_release(&p);
	json_decref(m.doc);
	ls_error_clear(&err);
}

/*
 * kind_have_equals() answers json_equal(want, kind_have_view(...)) without the view for a
 * Block (issue 26): the same answer on every difference the view sees or hides (absent and
 * non-string fields, an embedded NUL, the default limit, markers and nulls in metadata).
 */
static void test_kinds__a_blocks_equality_without_the_view_is_the_views(void **state)
{
	static const char *const specs[] = {
		"{\"label\": \"l\", \"value\": \"v\"}",
		"{\"label\": \"l\", \"value\": \"v\", \"limit\": 7, \"readOnly\": true, "
		"\"description\": \"d\"}",
		"{\"value\": \"v\", \"lettaMetadata\": {\"a\": 1, \"b\": {\"c\": null}}}",
		"{\"label\": \"l\", \"value\": \"\", \"lettaMetadata\": {\"a\": [1, null]}}",
	};
	static const char *const objs[] = {
		"{\"id\": \"b1\", \"label\": \"l\", \"value\": \"v\", \"limit\": 100000}",
		"{\"id\": \"b1\", \"label\": \"l\", \"value\": \"v\"}",
		"{\"label\": \"l\", \"value\": \"v\", \"read_only\": false, \"description\": null, "
		"\"metadata\": {\"managed_by\": \"letta-sync\", \"source\": \"Block/x\", \"y\": null}}",
		"{\"label\": \"l\", \"value\": \"v\", \"metadata\": {\"extra\": 1}}",
		"{\"label\": \"l\", \"value\": \"v\\u0000tail\"}",
		"{\"label\": \"l\", \"value\": \"v\", \"limit\": 7, \"read_only\": true, "
		"\"description\": \"d\"}",
		"{\"label\": \"l\", \"value\": \"v\", \"limit\": 7, \"read_only\": false, "
		"\"description\": \"d\"}",
		"{\"label\": \"l\", \"value\": \"v\", \"limit\": 7.0, \"read_only\": 1}",
		"{\"label\": 5, \"value\": \"v\"}",
		"{\"label\": \"x\", \"value\": \"v\", \"metadata\": []}",
		"{\"value\": \"v\", \"metadata\": {\"a\": 1, \"b\": {\"c\": 2}}}",
		"{\"label\": \"x\", \"value\": \"v\", \"metadata\": {\"a\": 1, \"b\": {}, \"hash\": \"h\"}}",
		"{\"label\": \"l\", \"value\": \"\", \"metadata\": {\"a\": [1, null]}}",
		"{\"label\": \"l\"}",
	};
	size_t si, oi, equal = 0;

	(void)state;
	for (si = 0; si < sizeof(specs) / sizeof(specs[0]); si++) {
		struct resource r;
		json_t *want;

		resource_of(&r, KIND_BLOCK, "x", json_loads(specs[si], 0, NULL));
		want = kind_want_view(&r);
		for (oi = 0; oi < sizeof(objs) / sizeof(objs[0]); oi++) {
			json_t *o = json_loads(objs[oi], JSON_ALLOW_NUL, NULL), *have = NULL;
			json_t *view = kind_have_view(KIND_BLOCK, o, want);
			int eq = kind_have_equals(KIND_BLOCK, o, want, &have);

			assert_non_null(o);
			assert_int_equal(eq, json_equal(want, view));
			equal += (size_t)eq;
			assert_null(have); /* a Block's answer builds no view */
			json_decref(view);
			json_decref(o);
		}
		json_decref(want);
		json_decref(r.doc);
	}
	assert_true(equal >= 4); /* the cases hold equal pairs too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds__the_implementation_table_holds_the_shared_kinds),
		cmocka_unit_test(test_kinds__a_marker_records_the_hash_version_it_is_given),
		cmocka_unit_test(test_kinds__bodies_carry_markers_of_the_writers_version),
		cmocka_unit_test(test_kinds__an_unresolved_secret_stops_a_write_that_needs_it),
		cmocka_unit_test(test_kinds__a_blocks_equality_without_the_view_is_the_views),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
