/* util/yamlx: YAML/JSON to jansson with positions, and its limits on hostile input. */
#include "util/buf.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* The documents' compact JSON, "|" between them, or "ERR:<msg>", with each one's line:col. */
static char *docs_text(const struct yamlx_docs *docs, int ret, const struct ls_error *err,
		       int with_pos)
{
	struct buf out = BUF_INIT;

	if (ret < 0) {
		buf_addf(&out, "ERR:%s", err->msg);
	} else {
		for (size_t i = 0; i < docs->n; i++) {
			char *s = json_dumps(docs->items[i].value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

			buf_addf(&out, "%s%s", i ? "|" : "", s);
			if (with_pos)
				buf_addf(&out, "@%d:%d", docs->items[i].line, docs->items[i].col);
			free(s);
		}
	}
	return buf_detach(&out);
}

/*
 * Parses text (YAML) and returns the first document's compact JSON, or "ERR:<msg>". Every
 * case is parsed a second time with YAMLX_NO_POSITIONS (the manifest loader's way, issue 26),
 * which must give the same values, documents, lines and columns, and no position table.
 */
static char *parse_to_json(const char *text, size_t len, int json)
{
	struct yamlx_docs docs = YAMLX_DOCS_INIT, bare = YAMLX_DOCS_INIT;
	struct ls_error err = LS_ERROR_INIT, berr = LS_ERROR_INIT;
	int ret = json ? yamlx_parse_json(&docs, text, len, &err) : yamlx_parse(&docs, text, len, &err);
	int bret = json ? yamlx_parse_json_flags(&bare, text, len, YAMLX_NO_POSITIONS, &berr)
			: yamlx_parse_flags(&bare, text, len, YAMLX_NO_POSITIONS, &berr);
	char *got = docs_text(&docs, ret, &err, 0), *a = docs_text(&docs, ret, &err, 1),
	     *b = docs_text(&bare, bret, &berr, 1);

	assert_int_equal(ret, bret);
	assert_string_equal(a, b);
	if (ret == 0) {
		assert_int_equal(docs.n, bare.n);
		for (size_t i = 0; i < bare.n; i++) {
			assert_non_null(docs.items[i].positions);
			assert_null(bare.items[i].positions);
		}
	} else {
		assert_int_equal(docs.err_line, bare.err_line);
		assert_int_equal(docs.err_col, bare.err_col);
	}
	free(a);
	free(b);
	yamlx_docs_release(&docs);
	yamlx_docs_release(&bare);
	return got;
}

struct case_ {
	const char *in;
	const char *want; /* compact sorted JSON, "|" between documents, or a prefix "ERR:..." */
};

static const struct case_ scalar_cases[] = {
	{ "a: 1", "{\"a\":1}" },
	{ "a: -12", "{\"a\":-12}" },
	{ "a: 0x1f", "{\"a\":31}" },
	{ "a: 0o17", "{\"a\":15}" },
	{ "a: 1.5", "{\"a\":1.5}" },
	{ "a: 1e3", "{\"a\":1000.0}" },
	{ "a: '1'", "{\"a\":\"1\"}" },
	{ "a: \"1\"", "{\"a\":\"1\"}" },
	{ "a: !!str 1", "{\"a\":\"1\"}" },
	{ "a: true\nb: False\nc: TRUE", "{\"a\":true,\"b\":false,\"c\":true}" },
	{ "a: yes\nb: on", "{\"a\":\"yes\",\"b\":\"on\"}" }, /* YAML 1.2: strings */
	{ "a: ~\nb: null\nc:", "{\"a\":null,\"b\":null,\"c\":null}" },
	{ "a: .inf", "{\"a\":\".inf\"}" },
	{ "a: 1.2.3", "{\"a\":\"1.2.3\"}" },
	{ "a: 99999999999999999999", "ERR:integer out of range" },
	{ "a: |\n  x\n  y\n", "{\"a\":\"x\\ny\\n\"}" },
	{ "a: >-\n  x\n  y\n", "{\"a\":\"x y\"}" },
	{ "a: [1, two, {b: c}]", "{\"a\":[1,\"two\",{\"b\":\"c\"}]}" },
	{ "- a\n- b", "[\"a\",\"b\"]" },
	{ "a: 1\n---\nb: 2\n", "{\"a\":1}|{\"b\":2}" },
	{ "", "" },
	{ "---\n...\n", "null" },
	{ "base: &b {x: 1, y: 2}\nd: *b", "{\"base\":{\"x\":1,\"y\":2},\"d\":{\"x\":1,\"y\":2}}" },
	{ "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3", "{\"base\":{\"x\":1,\"y\":2},\"d\":{\"x\":1,\"y\":3}}" },
	{ "d:\n  y: 3\n  <<: [{y: 1, z: 2}]", "{\"d\":{\"y\":3,\"z\":2}}" },
	{ "a: *nope", "ERR:unknown alias" },
	{ "a: 1\na: 2", "ERR:duplicate key 'a'" },
	{ "? [a]\n: 1", "ERR:mapping keys must be scalars" },
	{ "a: \"x\\0y\"", "ERR:string contains a NUL character" },
	{ "a: [1, 2", "ERR:did not find expected" },
	{ "a:\n\tb: 1", "ERR:found character that cannot start any token" },
};

static void test_yamlx__scalars_collections_aliases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scalar_cases) / sizeof(scalar_cases[0]); i++) {
		char *got = parse_to_json(scalar_cases[i].in, strlen(scalar_cases[i].in), 0);
		const char *want = scalar_cases[i].want;

		if (!strncmp(want, "ERR:", 4) ? strncmp(got, want, strlen(want)) : strcmp(got, want)) {
			print_error("case %zu: %s\n  want %s\n  got  %s\n", i, scalar_cases[i].in, want, got);
			fail();
		}
		free(got);
	}
}

static void test_yamlx__json_files(void **state)
{
	static const struct case_ cases[] = {
		{ "{\"a\": [1, \"x\", null, true]}", "{\"a\":[1,\"x\",null,true]}" },
		{ "{\"a\": \"\\ud83d\\ude00\"}", "{\"a\":\"\xf0\x9f\x98\x80\"}" },
		{ "{\"a\": 1, \"a\": 2}", "ERR:duplicate object key" },
		{ "{\"a\": }", "ERR:" },
		{ "{\n\t\"a\": 1\n}", "{\"a\":1}" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = parse_to_json(cases[i].in, strlen(cases[i].in), 1);

		if (!strncmp(cases[i].want, "ERR:", 4) ? strncmp(got, cases[i].want, strlen(cases[i].want))
						       : strcmp(got, cases[i].want)) {
			print_error("json case %zu: want %s got %s\n", i, cases[i].want, got);
			fail();
		}
		free(got);
	}
}

static void test_yamlx__positions_point_at_keys_and_items(void **state)
{
	const char *text = "apiVersion: letta.ai/v1\nkind: Block\nspec:\n  label: a/b\n  tags:\n    - x\n    - y\n  \"we/ird\": 1\n";
	struct yamlx_docs docs = YAMLX_DOCS_INIT;
	struct ls_error err = LS_ERROR_INIT;
	int line, col;

	(void)state;
	assert_int_equal(yamlx_parse(&docs, text, strlen(text), &err), 0);
	assert_int_equal(docs.n, 1);
	assert_int_equal(yamlx_lookup(docs.items[0].positions, "/kind", &line, &col), 1);
	assert_int_equal(line, 2);
	assert_int_equal(col, 1);
	yamlx_lookup(docs.items[0].positions, "/spec/label", &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 3);
	yamlx_lookup(docs.items[0].positions, "/spec/tags/1", &line, &col);
	assert_int_equal(line, 7);
	assert_int_equal(col, 7);
	yamlx_lookup(docs.items[0].positions, "/spec/we~1ird", &line, &col);
	assert_int_equal(line, 8);
	/* A missing pointer falls back to its nearest ancestor. */
	assert_int_equal(yamlx_lookup(docs.items[0].positions, "/spec/tags/9/x", &line, &col), 0);
	assert_int_equal(line, 5);
	yamlx_docs_release(&docs);
}

static void test_yamlx__syntax_error_has_position(void **state)
{
	const char *text = "a: 1\nb: [1, 2\nc: 3\n";
	struct yamlx_docs docs = YAMLX_DOCS_INIT;
	struct ls_error err = LS_ERROR_INIT;

	(void)state;
	assert_int_equal(yamlx_parse(&docs, text, strlen(text), &err), LS_EINVALID);
	assert_true(docs.err_line >= 2);
	yamlx_docs_release(&docs);
}

/* Hostile input: each must fail cleanly, quickly, without a crash. */
static void test_yamlx__alias_bomb_is_capped(void **state)
{
	struct buf b = BUF_INIT;
	char *got;

	(void)state;
	buf_addstr(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 12; i++)
		buf_addf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
			 i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	got = parse_to_json(b.buf, b.len, 0);
	assert_string_equal(got, "ERR:too many nodes (more than 200000 after expanding aliases)");
	free(got);
	buf_release(&b);
}

static void test_yamlx__expanded_text_is_capped(void **state)
{
	struct buf b = BUF_INIT;
	char *got;

	(void)state;
	buf_addstr(&b, "a: &x '");
	for (int i = 0; i < 1000000; i++)
		buf_addch(&b, 'x');
	buf_addstr(&b, "'\nb: [");
	for (int i = 0; i < 40; i++)
		buf_addstr(&b, "*x, ");
	buf_addstr(&b, "1]\n");
	got = parse_to_json(b.buf, b.len, 0);
	assert_string_equal(got, "ERR:too much text (more than 32 MiB after expanding aliases)");
	free(got);
	buf_release(&b);
}

static void test_yamlx__deep_nesting_is_capped(void **state)
{
	struct buf b = BUF_INIT;
	char *got;

	(void)state;
	for (int i = 0; i < 10000; i++)
		buf_addch(&b, '[');
	got = parse_to_json(b.buf, b.len, 0);
	assert_string_equal(got, "ERR:nesting too deep (more than 64 levels)");
	free(got);
	got = parse_to_json(b.buf, b.len, 1);
	assert_true(!strncmp(got, "ERR:", 4));
	free(got);
	buf_release(&b);
}

static void test_yamlx__binary_and_bad_utf8_refused(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "a: 1\n\0b", 7, "ERR:binary file (NUL byte at offset 5)" },
		{ "a: \xff\n", 5, "ERR:invalid UTF-8 (byte 0xff at offset 3)" },
		{ "a: \xc0\xaf\n", 6, "ERR:invalid UTF-8 (byte 0xc0 at offset 3)" },
		{ "a: \xed\xa0\x80\n", 7, "ERR:invalid UTF-8 (byte 0xed at offset 3)" },
		{ "a: \xe2\x82", 5, "ERR:invalid UTF-8" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = parse_to_json(cases[i].in, cases[i].len, 0);

		if (strncmp(got, cases[i].want, strlen(cases[i].want))) {
			print_error("case %zu: want %s got %s\n", i, cases[i].want, got);
			fail();
		}
		free(got);
	}
}

static void test_yamlx__huge_input_and_scalar_refused(void **state)
{
	size_t n = YAMLX_MAX_INPUT + 1;
	char *big = xmalloc(n);
	char *got;

	(void)state;
	memset(big, 'a', n);
	got = parse_to_json(big, n, 0);
	assert_true(!strncmp(got, "ERR:file too large", 18));
	free(got);
	big[0] = 'a';
	big[1] = ':';
	big[2] = ' ';
	got = parse_to_json(big, YAMLX_MAX_SCALAR + 100, 0);
	assert_string_equal(got, "ERR:scalar too long (more than 1 MiB)");
	free(got);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yamlx__scalars_collections_aliases),
		cmocka_unit_test(test_yamlx__json_files),
		cmocka_unit_test(test_yamlx__positions_point_at_keys_and_items),
		cmocka_unit_test(test_yamlx__syntax_error_has_position),
		cmocka_unit_test(test_yamlx__alias_bomb_is_capped),
		cmocka_unit_test(test_yamlx__expanded_text_is_capped),
		cmocka_unit_test(test_yamlx__deep_nesting_is_capped),
		cmocka_unit_test(test_yamlx__binary_and_bad_utf8_refused),
		cmocka_unit_test(test_yamlx__huge_input_and_scalar_refused),
	};

	xalloc_setup_jansson();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
