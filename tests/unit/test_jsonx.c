/* util/jsonx and util/utf8: text that is not UTF-8 still becomes a JSON string (issue 20). */
#include "util/jsonx.h"
#include "util/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void test_jsonx__lossy_string_keeps_invalid_bytes_visible(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "plain.yaml", "plain.yaml" },
		{ "caf\xc3\xa9.yaml", "caf\xc3\xa9.yaml" },
		{ "bad-\xff-name.yaml", "bad-\\xff-name.yaml" },
		{ "\xc0\xaf", "\\xc0\\xaf" },             /* overlong '/' */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },     /* a surrogate */
		{ "x\xe2\x82", "x\\xe2\\x82" },            /* truncated sequence */
		{ "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!" }, /* U+1F600 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *v = jsonx_str_lossy(cases[i].in);

		assert_non_null(v);
		assert_string_equal(json_string_value(v), cases[i].want);
		json_decref(v);
	}
	assert_true(json_is_null(jsonx_str_lossy(NULL)));
}

static void test_jsonx__arrays_of_objects_find_pluck_and_add(void **state)
{
	json_t *arr = json_pack("[{s:s, s:s}, {s:i}, s, {s:s, s:s}]", "id", "b-1", "name", "bob",
				"id", 7, "x", "id", "b-2", "name", "bob");
	json_t *ids = jsonx_array_pluck_str(arr, "id");
	json_t *warnings = json_array();

	(void)state;
	assert_ptr_equal(jsonx_array_find(arr, "id", "b-2"), json_array_get(arr, 3));
	assert_ptr_equal(jsonx_array_find(arr, "name", "bob"), json_array_get(arr, 0));
	assert_null(jsonx_array_find(arr, "id", "b-3"));
	assert_null(jsonx_array_find(arr, "id", NULL));
	assert_null(jsonx_array_find(NULL, "id", "b-1"));
	assert_int_equal(json_array_size(ids), 2);
	assert_string_equal(json_string_value(json_array_get(ids, 0)), "b-1");
	assert_string_equal(json_string_value(json_array_get(ids, 1)), "b-2");
	jsonx_array_addf(warnings, "Agent/%s (%d)", "bob", 2);
	jsonx_array_addf(NULL, "dropped %s", "quietly");
	assert_int_equal(json_array_size(warnings), 1);
	assert_string_equal(json_string_value(json_array_get(warnings, 0)), "Agent/bob (2)");
	json_decref(warnings);
	json_decref(ids);
	json_decref(arr);
}

static void test_utf8__seq_len(void **state)
{
	(void)state;
	assert_int_equal(utf8_seq_len("a"), 1);
	assert_int_equal(utf8_seq_len("\xc3\xa9"), 2);
	assert_int_equal(utf8_seq_len("\xe2\x82\xac"), 3);
	assert_int_equal(utf8_seq_len("\xf4\x8f\xbf\xbf"), 4);
	assert_int_equal(utf8_seq_len("\xf4\x90\x80\x80"), 0); /* above U+10FFFF */
	assert_int_equal(utf8_seq_len("\x80"), 0);
	assert_int_equal(utf8_seq_len(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonx__lossy_string_keeps_invalid_bytes_visible),
		cmocka_unit_test(test_jsonx__arrays_of_objects_find_pluck_and_add),
		cmocka_unit_test(test_utf8__seq_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
