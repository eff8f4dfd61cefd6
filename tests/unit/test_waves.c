/* core/waves.c: --waves parsing and the deterministic assignment. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/waves.h"

static void test_waves__parse(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	struct wave_spec *w;
	size_t n;
	(void)state;

	assert_int_equal(waves_parse(&w, &n, "1,10%,100%", &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(w[0].value, 1);
	assert_false(w[0].percent);
	assert_true(w[1].percent && w[1].value == 10);
	assert_int_equal(waves_upto(w, n, 0, 20), 1);
	assert_int_equal(waves_upto(w, n, 1, 20), 2);
	assert_int_equal(waves_upto(w, n, 2, 20), 20);
	assert_int_equal(waves_upto(w, n, 1, 5), 1); /* 10% of 5 rounds up to 1 */
	free(w);
	assert_int_equal(waves_parse(&w, &n, "1,10%", &err), LS_EUSAGE);
	assert_non_null(strstr(err.msg, "100%"));
	assert_int_equal(waves_parse(&w, &n, "50%,10%,100%", &err), LS_EUSAGE);
	assert_int_equal(waves_parse(&w, &n, "1,,100%", &err), LS_EUSAGE);
	assert_int_equal(waves_parse(&w, &n, "0,100%", &err), LS_EUSAGE);
	assert_int_equal(waves_parse(&w, &n, "1,200%", &err), LS_EUSAGE);
	assert_int_equal(waves_parse(&w, &n, "1;100%", &err), LS_EUSAGE);
}

static void test_waves__assign(void **state)
{
	const char *ids[] = { "agent-a", "agent-b", "agent-c", "agent-d", "agent-e",
			      "agent-f", "agent-g", "agent-h", "agent-i", "agent-j" };
	const char *rev[10];
	int canary[10] = { 0 }, canary2[10] = { 0 };
	size_t wave[10], wave2[10], count[3] = { 0 }, i;
	struct ls_error err = LS_ERROR_INIT;
	struct wave_spec *w;
	size_t n;
	(void)state;

	assert_int_equal(waves_parse(&w, &n, "1,30%,100%", &err), 0);
	canary[7] = 1;
	waves_assign(wave, ids, canary, 10, w, n);
	assert_int_equal(wave[7], 0); /* the canary first */
	for (i = 0; i < 10; i++)
		count[wave[i]]++;
	assert_int_equal(count[0], 1);
	assert_int_equal(count[1], 2);
	assert_int_equal(count[2], 7);
	/* The same agents in another order land in the same waves. */
	for (i = 0; i < 10; i++) {
		rev[i] = ids[9 - i];
		canary2[i] = canary[9 - i];
	}
	waves_assign(wave2, rev, canary2, 10, w, n);
	for (i = 0; i < 10; i++)
		assert_int_equal(wave2[i], wave[9 - i]);
	/* Without a canary, the hash decides: stable across runs. */
	waves_assign(wave, ids, NULL, 10, w, n);
	waves_assign(wave2, ids, NULL, 10, w, n);
	assert_memory_equal(wave, wave2, sizeof(wave));
	assert_int_equal(waves_hash("a"), 0xaf63dc4c8601ec8cULL);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waves__parse),
		cmocka_unit_test(test_waves__assign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
