/* core/channel.c: channel precedence and version selection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/channel.h"

static const char *const versions[] = { "1.0.0", "1.1.0", "2.0.0-beta.1", "1.2.0-rc.1" };

static void test_channel__precedence(void **state)
{
	const char *tags[] = { "managed:letta-sync", "channel:beta" };
	const char *bad[] = { "channel:nightly" };
	(void)state;

	assert_int_equal(channel_resolve("pinned", tags, 2), CHANNEL_PINNED);
	assert_int_equal(channel_resolve(NULL, tags, 2), CHANNEL_BETA);
	assert_int_equal(channel_resolve(NULL, tags, 1), CHANNEL_STABLE);
	assert_int_equal(channel_resolve(NULL, bad, 1), CHANNEL_STABLE);
	assert_string_equal(channel_name(CHANNEL_BETA), "beta");
	assert_int_equal(channel_parse("gamma"), -1);
}

static void test_channel__pick(void **state)
{
	static const struct {
		enum channel ch;
		const char *target;
		int ret;
		const char *want;
	} cases[] = {
		{ CHANNEL_STABLE, NULL, 0, "1.1.0" },
		{ CHANNEL_BETA, NULL, 0, "2.0.0-beta.1" },
		{ CHANNEL_PINNED, NULL, 0, NULL },
		{ CHANNEL_PINNED, "1.0.0", 0, "1.0.0" },
		{ CHANNEL_STABLE, "v1.2.0-rc.1", 0, "1.2.0-rc.1" },
		{ CHANNEL_STABLE, "3.0.0", LS_ENOTFOUND, NULL },
		{ CHANNEL_STABLE, "latest", LS_EUSAGE, NULL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = "unset";
		struct ls_error err = LS_ERROR_INIT;

		assert_int_equal(channel_pick(&got, versions, 4, cases[i].ch, cases[i].target, &err),
				 cases[i].ret);
		if (cases[i].want)
			assert_string_equal(got, cases[i].want);
		else
			assert_null(got);
	}
}

static void test_channel__version_cmp(void **state)
{
	(void)state;
	assert_true(version_cmp("1.10.0", "1.9.0") > 0);
	assert_true(version_cmp("2.0.0-beta.1", "2.0.0") < 0);
	assert_int_equal(version_cmp("v1.0.0", "1.0.0"), 0);
	assert_true(version_cmp("junk", "0.0.1") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel__precedence),
		cmocka_unit_test(test_channel__pick),
		cmocka_unit_test(test_channel__version_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
