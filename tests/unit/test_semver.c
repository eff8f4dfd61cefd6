/* core/semver.c: parsing and precedence of config-repository version tags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/semver.h"

static void test_semver__parse(void **state)
{
	static const struct {
		const char *text;
		int ok;
		const char *formatted;
	} cases[] = {
		{ "1.2.3", 0, "1.2.3" },
		{ "v1.2.3", 0, "1.2.3" },
		{ "V10.20.30", 0, "10.20.30" },
		{ "v2.0.0-beta.1", 0, "2.0.0-beta.1" },
		{ "1.0.0-rc.1+build.5", 0, "1.0.0-rc.1" },
		{ "1.0.0+20130313144700", 0, "1.0.0" },
		{ "1.2", -1, NULL },
		{ "1.2.3.4", -1, NULL },
		{ "01.2.3", -1, NULL },
		{ "1.2.3-", -1, NULL },
		{ "1.2.3-beta..1", 0, "1.2.3-beta..1" },
		{ "release-1", -1, NULL },
		{ "v1.2.x", -1, NULL },
		{ "", -1, NULL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct semver v;
		char buf[96];

		assert_int_equal(semver_parse(&v, cases[i].text), cases[i].ok);
		if (cases[i].ok)
			continue;
		semver_format(buf, sizeof(buf), &v);
		assert_string_equal(buf, cases[i].formatted);
	}
}

static void test_semver__precedence(void **state)
{
	/* semver.org's own example order, then majors and minors. */
	static const char *const order[] = {
		"0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
		"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0",
		"1.10.0", "2.0.0-beta.1", "2.0.0", "10.0.0",
	};
	size_t n = sizeof(order) / sizeof(order[0]);
	(void)state;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			struct semver a, b;
			int c;

			assert_int_equal(semver_parse(&a, order[i]), 0);
			assert_int_equal(semver_parse(&b, order[j]), 0);
			c = semver_cmp(&a, &b);
			if (i < j)
				assert_true(c < 0);
			else if (i > j)
				assert_true(c > 0);
			else
				assert_int_equal(c, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_semver__parse),
		cmocka_unit_test(test_semver__precedence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
