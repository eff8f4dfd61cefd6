/* core/ownership: markers per kind, legacy adoption, project ownership, hashes, inventory. */
#include "core/ownership.h"
#include "util/jsonx.h"

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
	struct own_marker m = { OWN_LEGACY, "safety", NULL, NULL, 0 };

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

static void test_ownership__inventory_round_trip(void **state)
{
	json_t *blocks = json_array(), *entries, *meta = own_inventory_metadata("demo");
	const json_t *inv;

	(void)state;
	json_array_append_new(blocks, json_pack("{s:s, s:s, s:s, s:O}", "id", "block-2", "label",
						OWN_INVENTORY_LABEL, "value",
						"{\"version\":1,\"objects\":[{\"kind\":\"Tool\","
						"\"name\":\"t\",\"id\":\"tool-1\",\"hash\":\"h\","
						"\"commit\":\"c\"},{\"kind\":\"Nope\",\"name\":\"x\"}]}",
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
	assert_null(own_find_inventory(blocks, "nobody"));
	json_decref(meta);
	json_decref(blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ownership__markers_per_kind),
		cmocka_unit_test(test_ownership__legacy_source_is_the_bare_name),
		cmocka_unit_test(test_ownership__hash_is_canonical),
		cmocka_unit_test(test_ownership__inventory_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
