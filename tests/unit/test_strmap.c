/* util/strmap: (tag, string) -> size_t with borrowed keys, against a linear reference. */
#include "util/strmap.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

static void test_strmap__put_get_tags(void **state)
{
	struct strmap m = STRMAP_INIT;
	int added = -1;

	(void)state;
	assert_null(strmap_get(&m, 0, "a"));
	assert_int_equal(*strmap_put(&m, 0, "a", 7, &added), 7);
	assert_int_equal(added, 1);
	/* A second put finds the first value and leaves it. */
	assert_int_equal(*strmap_put(&m, 0, "a", 9, &added), 7);
	assert_int_equal(added, 0);
	/* The tag is part of the key; "" is a key like any other. */
	assert_null(strmap_get(&m, 1, "a"));
	*strmap_put(&m, 1, "a", 0, NULL) = 3;
	*strmap_put(&m, 0, "", 0, NULL) = 4;
	assert_int_equal(*strmap_get(&m, 0, "a"), 7);
	assert_int_equal(*strmap_get(&m, 1, "a"), 3);
	assert_int_equal(*strmap_get(&m, 0, ""), 4);
	assert_int_equal(m.n, 3);
	strmap_release(&m);
	assert_null(strmap_get(&m, 0, "a"));
}

/* Many keys through several growths: every one found with its value, no stranger found. */
static void test_strmap__many_keys(void **state)
{
	enum { N = 20000 };
	static char keys[N][16];
	struct strmap m = STRMAP_INIT;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		*strmap_put(&m, (unsigned)(i % 3), keys[i], 0, NULL) = i;
	}
	assert_int_equal(m.n, N);
	for (size_t i = 0; i < N; i++) {
		assert_non_null(strmap_get(&m, (unsigned)(i % 3), keys[i]));
		assert_int_equal(*strmap_get(&m, (unsigned)(i % 3), keys[i]), i);
		assert_null(strmap_get(&m, (unsigned)(i % 3) + 3, keys[i]));
	}
	assert_null(strmap_get(&m, 0, "k"));
	strmap_release(&m);
	/* Reserved first: the same, without growing on the way. */
	strmap_reserve(&m, N);
	for (size_t i = 0; i < N; i++)
		*strmap_put(&m, 0, keys[i], 0, NULL) = i;
	assert_int_equal(m.n, N);
	assert_true(m.cap >= 2 * N);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(*strmap_get(&m, 0, keys[i]), i);
	strmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strmap__put_get_tags),
		cmocka_unit_test(test_strmap__many_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
