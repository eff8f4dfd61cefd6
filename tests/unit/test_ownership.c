/* core/ownership: markers per kind, legacy adoption, project ownership, hashes, inventory. */
#include "core/ownership.h"
#include "util/jsonx.h"
#include "util/sha256.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static const struct {
	enum res_kind kind;
	const char *obj;
	enum own_state want;
	const char *source;
	int tag;
} cases[] = {
	{ KIND_BLOCK, "{\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/a\","
		      "\"project\":\"demo\",\"hash\":\"h\"}}", OWN_OURS, "Block/a", 0 },
	{ KIND_BLOCK, "{\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/a\","
		      "\"project\":\"other\"}}", OWN_OTHER_PROJECT, "Block/a", 0 },
	{ KIND_BLOCK, "{\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/a\"}}",
	  OWN_OURS, "Block/a", 0 },
	{ KIND_BLOCK, "{\"metadata\":{\"managed_by\":\"smarty-admin\",\"source\":\"a\"}}",
	  OWN_LEGACY, "a", 0 },
	{ KIND_BLOCK, "{\"metadata\":null}", OWN_NONE, NULL, 0 },
	{ KIND_BLOCK, "{}", OWN_NONE, NULL, 0 },
	{ KIND_FOLDER, "{\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Folder/f\","
		       "\"project\":\"demo\"}}", OWN_OURS, "Folder/f", 0 },
	/* Tools keep markers in metadata_ (with the underscore), not metadata. */
	{ KIND_TOOL, "{\"metadata\":{\"managed_by\":\"letta-sync\"},\"tags\":[]}", OWN_NONE, NULL,
	  0 },
	{ KIND_TOOL, "{\"metadata_\":{\"managed_by\":\"letta-sync\",\"source\":\"Tool/t\","
		     "\"project\":\"demo\"},\"tags\":[\"managed:letta-sync\"]}", OWN_OURS, "Tool/t",
	  1 },
	{ KIND_TOOL, "{\"tags\":[\"managed_by:smarty-admin\"]}", OWN_LEGACY, NULL, 0 },
	{ KIND_IDENTITY, "{\"properties\":[{\"key\":\"x\",\"value\":1,\"type\":\"number\"},"
			 "{\"key\":\"letta_sync\",\"type\":\"json\",\"value\":{\"managed_by\":"
			 "\"letta-sync\",\"source\":\"Identity/i\",\"project\":\"demo\"}}]}",
	  OWN_OURS, "Identity/i", 0 },
	{ KIND_MCP_SERVER, "{\"server_name\":\"m\"}", OWN_NONE, NULL, 0 },
};

static void test_ownership__markers_per_kind(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *o = json_loads(cases[i].obj, 0, NULL);
		struct own_marker m;

		assert_non_null(o);
		own_read(&m, cases[i].kind, o, "demo");
		if (m.state != cases[i].want)
			fail_msg("case %zu: state %d, want %d", i, m.state, cases[i].want);
		if (cases[i].source)
			assert_string_equal(m.source, cases[i].source);
		else
			assert_null(m.source);
		assert_int_equal(m.has_tag, cases[i].tag);
		json_decref(o);
	}
}

static void test_ownership__legacy_source_is_the_bare_name(void **state)
{
	struct own_marker m = { OWN_LEGACY, "safety", NULL, NULL, 0, 0 };

	(void)state;
	assert_true(own_source_matches(&m, KIND_BLOCK, "safety"));
	m.state = OWN_OURS;
	assert_false(own_source_matches(&m, KIND_BLOCK, "safety"));
	m.source = "Block/safety";
	assert_true(own_source_matches(&m, KIND_BLOCK, "safety"));
	assert_false(own_source_matches(&m, KIND_TOOL, "safety"));
	assert_false(own_source_matches(&m, KIND_BLOCK, "safet"));
}

static void test_ownership__hash_is_canonical(void **state)
{
	json_t *a = json_loads("{\"b\":1,\"a\":[1,2]}", 0, NULL);
	json_t *b = json_loads("{ \"a\" : [1, 2], \"b\" : 1 }", 0, NULL);
	json_t *c = json_loads("{\"a\":[2,1],\"b\":1}", 0, NULL);
	char ha[OWN_HASH_LEN + 1], hb[OWN_HASH_LEN + 1], hc[OWN_HASH_LEN + 1];

	(void)state;
	own_hash(ha, a);
	own_hash(hb, b);
	own_hash(hc, c);
	assert_string_equal(ha, hb);
	assert_string_not_equal(ha, hc);
	assert_int_equal(strlen(ha), 64);
	/* sha256('{"a":[1,2],"b":1}') */
	assert_string_equal(ha, "94a786c3662bc7beeb598efa7d8cb58d7bea25d6c275ea9785a0230ff1f8c2ba");
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/*
 * own_hash streams the canonical dump into SHA-256 (issue 26): the same hash as the SHA-256 of
 * jsonx_canonical()'s string, for values with escapes, non-ASCII text, reals, nesting and dumps
 * of several 64-byte blocks; NULL hashes as "".
 */
static void test_ownership__hash_streams_the_canonical_dump(void **state)
{
	static const char *const texts[] = {
		"{}", "[]", "\"x\"", "{\"z\":null,\"a\":true,\"m\":false}",
		"{\"label\":\"shared_0\",\"value\":\"line\\nnext \\\"q\\\" \\u00e9 \\u2603 /\",\"limit\":100000}",
		"{\"r\":1.5,\"e\":-2e-7,\"i\":-9007199254740993,\"n\":{\"b\":[{\"y\":1,\"x\":2}],\"a\":{}}}",
		"{\"long\":\"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789012345678901234567890123456789\"}",
	};
	char got[OWN_HASH_LEN + 1], want[OWN_HASH_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *v = json_loads(texts[i], JSON_DECODE_ANY, NULL);
		char *c;

		assert_non_null(v);
		c = jsonx_canonical(v);
		sha256_hex(want, c, strlen(c));
		own_hash(got, v);
		assert_string_equal(got, want);
		free(c);
		json_decref(v);
	}
	sha256_hex(want, "", 0);
	own_hash(got, NULL);
	assert_string_equal(got, want);
}

static void test_ownership__inventory_round_trip(void **state)
{
	json_t *blocks = json_array(), *entries, *meta = own_inventory_metadata("demo");
	const json_t *inv;

	(void)state;
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:O}", "id", "block-2", "label",
						OWN_INVENTORY_LABEL, "value",
						"{\"version\":1,\"objects\":[{\"kind\":\"Tool\","
						"\"name\":\"t\",\"id\":\"tool-1\",\"hash\":\"h\","
						"\"commit\":\"c\"},{\"kind\":\"Nope\",\"name\":\"x\"}],"
						"\"intent\":[{\"kind\":\"Block\",\"name\":\"b\"}]}",
						"metadata", meta));
	/* Another project's inventory and an unmarked look-alike are not ours. */
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "id", "block-1",
						"label", OWN_INVENTORY_LABEL, "value", "{}",
						"metadata", "managed_by", "letta-sync", "project",
						"other"));
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s}", "id", "block-0", "label",
						OWN_INVENTORY_LABEL, "value", "{}"));
	inv = own_find_inventory(blocks, "demo");
	assert_non_null(inv);
	assert_string_equal(jsonx_get_str(inv, "id"), "block-2");
	entries = own_inventory_entries(inv);
	assert_int_equal(json_array_size(entries), 1); /* the unknown kind is dropped */
	assert_non_null(own_inventory_find(entries, KIND_TOOL, "t"));
	assert_null(own_inventory_find(entries, KIND_BLOCK, "t"));
	json_decref(entries);
	/* One parse for both (the planner's): the same entries and intents. */
	{
		json_t *e2, *in2, *in1 = own_inventory_intents(inv);

		own_inventory_read(inv, &e2, &in2);
		entries = own_inventory_entries(inv);
		assert_true(json_equal(e2, entries));
		assert_true(json_equal(in2, in1));
		assert_true(json_is_true(json_object_get(in2, "Block/b")));
		json_decref(e2);
		json_decref(in2);
		json_decref(in1);
		json_decref(entries);
		own_inventory_read(NULL, &e2, &in2);
		assert_int_equal(json_array_size(e2), 0);
		assert_int_equal(json_object_size(in2), 0);
		json_decref(e2);
		json_decref(in2);
	}
	assert_null(own_find_inventory(blocks, "nobody"));
	json_decref(meta);
	json_decref(blocks);
}

/* own_hash of a JSON text. */
static void hash_of(char out[OWN_HASH_LEN + 1], const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	assert_non_null(v);
	own_hash(out, v);
	json_decref(v);
}

/*
 * Versioned hashes: a view of version 3 (a key added in 2, a nested key and a key of each
 * array element added in 3) is hashed by older versions on the fields they knew, exactly as
 * they hashed their own (smaller) views.
 */
static void test_ownership__hash_rehashed_on_the_fields_a_version_knew(void **state)
{
	static const struct own_hash_field fields[] = {
		{ "npm_requirements", 2 },
		{ "json_schema.strict", 3 },
		{ "pip[].hashes", 3 },
		{ "absent.key", 2 }, /* a path the view lacks changes nothing */
		{ NULL, 0 },
	};
	json_t *v3 = json_loads("{\"name\":\"t\",\"npm_requirements\":[{\"name\":\"x\"}],"
				"\"json_schema\":{\"name\":\"f\",\"strict\":true},"
				"\"pip\":[{\"name\":\"a\",\"hashes\":[\"h\"]},{\"name\":\"b\"}]}",
				0, NULL);
	json_t *copy, *edited;
	char h1[OWN_HASH_LEN + 1], h2[OWN_HASH_LEN + 1], h3[OWN_HASH_LEN + 1];
	char got[OWN_HASH_LEN + 1];

	(void)state;
	assert_non_null(v3);
	copy = json_deep_copy(v3);
	/* What versions 1 and 2 hashed for the same object. */
	hash_of(h1, "{\"name\":\"t\",\"json_schema\":{\"name\":\"f\"},"
		    "\"pip\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
	hash_of(h2, "{\"name\":\"t\",\"npm_requirements\":[{\"name\":\"x\"}],"
		    "\"json_schema\":{\"name\":\"f\"},\"pip\":[{\"name\":\"a\"},{\"name\":\"b\"}]}");
	own_hash(h3, v3);
	assert_string_not_equal(h1, h3);

	own_hash_as(got, v3, 1, fields);
	assert_string_equal(got, h1);
	own_hash_as(got, v3, 2, fields);
	assert_string_equal(got, h2);
	own_hash_as(got, v3, 3, fields);
	assert_string_equal(got, h3);
	assert_true(json_equal(v3, copy)); /* the caller's view is left as it was */

	/* Each version's hash matches on its own fields only, with or without the current hash. */
	assert_true(own_hash_matches(h1, 1, v3, NULL, fields));
	assert_true(own_hash_matches(h1, 1, v3, h3, fields));
	assert_true(own_hash_matches(h2, 2, v3, h3, fields));
	assert_true(own_hash_matches(h3, 3, v3, h3, fields));
	assert_false(own_hash_matches(h1, 2, v3, h3, fields));
	assert_false(own_hash_matches(h2, 1, v3, h3, fields));
	assert_false(own_hash_matches(h3, 1, v3, NULL, fields));
	/* A version above every row is compared as the current one. */
	assert_true(own_hash_matches(h3, 4, v3, NULL, fields));
	/* No hash, or an unreadable version, never matches. */
	assert_false(own_hash_matches(NULL, 1, v3, h3, fields));
	assert_false(own_hash_matches(h3, 0, v3, h3, fields));

	/* An edit of a field version 1 knew is still an edit; one of a later field is not. */
	edited = json_deep_copy(v3);
	json_object_set_new(edited, "name", json_string("u"));
	assert_false(own_hash_matches(h1, 1, edited, NULL, fields));
	json_decref(edited);
	edited = json_deep_copy(v3);
	json_object_set_new(json_object_get(edited, "json_schema"), "strict", json_false());
	assert_true(own_hash_matches(h1, 1, edited, NULL, fields));
	assert_true(own_hash_matches(h2, 2, edited, NULL, fields));
	assert_false(own_hash_matches(h3, 3, edited, NULL, fields));
	json_decref(edited);

	/* An empty table: every version hashes the whole view. */
	own_hash_as(got, v3, 1, own_hash_fields(KIND_AGENT));
	assert_string_equal(got, h3);
	json_decref(copy);
	json_decref(v3);
}

/* The version is recorded next to the hash: absent is 1, and version 1 writes no key. */
static void test_ownership__hash_version_recorded(void **state)
{
	json_t *m = own_marker_json(KIND_BLOCK, "a", "demo", "h"), *x;
	struct own_marker r;
	int k;

	(void)state;
	assert_int_equal(own_hash_version_of(m), OWN_HASH_VERSION);
	/* Version 1 markers are what letta-sync wrote before hashes had versions. */
	assert_true((json_object_get(m, OWN_HASH_VERSION_KEY) == NULL) == (OWN_HASH_VERSION == 1));
	json_decref(m);
	m = own_marker_json(KIND_BLOCK, "a", "demo", NULL);
	assert_null(json_object_get(m, OWN_HASH_VERSION_KEY));
	json_decref(m);

	x = json_object();
	assert_int_equal(own_hash_version_of(x), 1);
	assert_int_equal(own_hash_version_of(NULL), 1);
	own_hash_stamp(x, 3);
	assert_int_equal(json_integer_value(json_object_get(x, OWN_HASH_VERSION_KEY)), 3);
	assert_int_equal(own_hash_version_of(x), 3);
	own_hash_stamp(x, 1);
	assert_null(json_object_get(x, OWN_HASH_VERSION_KEY));
	json_object_set_new(x, OWN_HASH_VERSION_KEY, json_string("2"));
	assert_int_equal(own_hash_version_of(x), 0);
	json_object_set_new(x, OWN_HASH_VERSION_KEY, json_integer(0));
	assert_int_equal(own_hash_version_of(x), 0);
	json_decref(x);

	/* own_read gives the marker's version, for every kind that carries markers. */
	x = json_loads("{\"metadata_\":{\"managed_by\":\"letta-sync\",\"source\":\"Tool/t\","
		       "\"project\":\"demo\",\"hash\":\"h\",\"hash_version\":2}}",
		       0, NULL);
	own_read(&r, KIND_TOOL, x, "demo");
	assert_int_equal(r.state, OWN_OURS);
	assert_int_equal(r.hash_version, 2);
	json_decref(x);
	x = json_loads("{\"properties\":[{\"key\":\"letta_sync\",\"type\":\"json\",\"value\":"
		       "{\"managed_by\":\"letta-sync\",\"source\":\"Identity/i\",\"hash\":\"h\"}}]}",
		       0, NULL);
	own_read(&r, KIND_IDENTITY, x, "demo");
	assert_int_equal(r.state, OWN_OURS);
	assert_int_equal(r.hash_version, 1);
	json_decref(x);

	/* Every kind's table is consistent with the version this build writes. */
	for (k = 0; k < KIND__COUNT; k++) {
		const struct own_hash_field *f = own_hash_fields((enum res_kind)k);

		assert_non_null(f);
		for (; f->path; f++) {
			if (f->since < 2 || f->since > OWN_HASH_VERSION)
				fail_msg("%s: %s since %u (this build writes version %u)",
					 own_kind_name((enum res_kind)k), f->path, f->since,
					 OWN_HASH_VERSION);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ownership__markers_per_kind),
		cmocka_unit_test(test_ownership__legacy_source_is_the_bare_name),
		cmocka_unit_test(test_ownership__hash_is_canonical),
		cmocka_unit_test(test_ownership__hash_streams_the_canonical_dump),
		cmocka_unit_test(test_ownership__inventory_round_trip),
		cmocka_unit_test(test_ownership__hash_rehashed_on_the_fields_a_version_knew),
		cmocka_unit_test(test_ownership__hash_version_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
