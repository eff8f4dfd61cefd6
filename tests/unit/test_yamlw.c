/*
 * util/yamlw: what yamlw_docs() writes, yamlx_parse() reads back equal (strings that look like
 * other scalars, multi-line text, reals, empty collections, keys in order), with block
 * scalars for multi-line strings and quotes only where YAML needs them.
 */
#include "util/yamlw.h"
#include "util/yamlx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void roundtrip(const char *json_text, struct buf *yaml)
{
	json_error_t jerr;
	json_t *v = json_loads(json_text, JSON_DECODE_ANY, &jerr);
	struct yamlx_docs docs = YAMLX_DOCS_INIT;
	struct ls_error err = LS_ERROR_INIT;

	assert_non_null(v);
	buf_reset(yaml);
	assert_int_equal(yamlw_docs(yaml, &v, 1, &err), 0);
	if (yamlx_parse(&docs, yaml->buf, yaml->len, &err) < 0)
		fail_msg("cannot read back %s: %s", yaml->buf, err.msg);
	assert_int_equal(docs.n, 1);
	if (!json_equal(v, docs.items[0].value)) {
		char *got = json_dumps(docs.items[0].value, JSON_ENCODE_ANY);

		fail_msg("%s -> %s -> %s", json_text, yaml->buf, got);
	}
	yamlx_docs_release(&docs);
	json_decref(v);
}

static void test_yamlw__scalars_read_back_as_written(void **state)
{
	static const char *const cases[] = {
		"{\"s\": \"true\", \"t\": true, \"n\": null, \"ns\": \"null\", \"e\": \"\"}",
		"{\"i\": 12, \"is\": \"12\", \"neg\": \"-3\", \"hex\": \"0x1F\", \"oct\": \"0o17\"}",
		"{\"r\": 1.0, \"r2\": 2.5, \"big\": 1e+20, \"fs\": \"1.5\", \"exp\": \"1e3\"}",
		"{\"ref\": \"${GITHUB_TOKEN}\", \"colon\": \"a: b\", \"hash\": \"x #y\", \"tag\": \"!x\"}",
		"{\"lead\": \" space\", \"trail\": \"space \", \"star\": \"*alias\", \"dash\": \"- x\"}",
		"{\"yes\": \"yes\", \"No\": \"No\", \"tilde\": \"~\", \"quote\": \"it's \\\"q\\\"\"}",
		"{\"ml\": \"line 1\\nline 2\\n\", \"ml2\": \"no newline\\nat end\", \"ml3\": \"x\\n\\n\"}",
		"{\"mlsp\": \"  indented first\\nline\\n\", \"tabs\": \"a\\tb\\nc\\n\"}",
		"{\"arr\": [\"a\", \"b:c\", \"true\", 1, false], \"empty\": [], \"obj\": {}}",
		"{\"nested\": {\"list\": [{\"name\": \"x\"}, {\"label\": \"y\", \"value\": \"\"}]}}",
		"{\"unicode\": \"caf\\u00e9 \\u2713\", \"123\": \"numeric key\", \"true\": 1}",
		"[\"top\", \"level\", \"array\"]",
	};
	struct buf yaml = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		roundtrip(cases[i], &yaml);
	buf_release(&yaml);
}

static void test_yamlw__block_scalars_and_plain_where_possible(void **state)
{
	struct buf yaml = BUF_INIT;

	(void)state;
	roundtrip("{\"value\": \"line 1\\nline 2\\n\", \"label\": \"persona\", \"n\": \"42\"}", &yaml);
	assert_non_null(strstr(yaml.buf, "value: |\n  line 1\n  line 2\n"));
	assert_non_null(strstr(yaml.buf, "label: persona\n"));
	assert_non_null(strstr(yaml.buf, "n: \"42\"\n"));
	buf_release(&yaml);
}

static void test_yamlw__documents_separated_and_keys_in_order(void **state)
{
	json_t *docs[2];
	struct buf yaml = BUF_INIT;
	struct ls_error err = LS_ERROR_INIT;

	(void)state;
	docs[0] = json_pack("{s:s, s:s}", "zeta", "1", "alpha", "2");
	docs[1] = json_pack("{s:s}", "kind", "Block");
	assert_int_equal(yamlw_docs(&yaml, docs, 2, &err), 0);
	assert_string_equal(yaml.buf, "zeta: \"1\"\nalpha: \"2\"\n---\nkind: Block\n");
	json_decref(docs[0]);
	json_decref(docs[1]);
	buf_release(&yaml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yamlw__scalars_read_back_as_written),
		cmocka_unit_test(test_yamlw__block_scalars_and_plain_where_possible),
		cmocka_unit_test(test_yamlw__documents_separated_and_keys_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
