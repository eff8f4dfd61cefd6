/* repo/files: the containment rule of every file written in a repository (issue 20). */
#include "repo/files.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char base[64];

static int setup(void **state)
{
	char path[128];

	(void)state;
	snprintf(base, sizeof(base), "/tmp/ls-files-XXXXXX");
	if (!mkdtemp(base))
		return -1;
	snprintf(path, sizeof(path), "%s/repo", base);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/outside", base);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/repo/inside", base);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/repo/out", base);
	if (symlink("../outside", path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/repo/in", base);
	if (symlink("inside", path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/repo/dangling", base);
	if (symlink("/nonexistent/x", path) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_files__writes_stay_inside_the_repository(void **state)
{
	static const struct {
		const char *rel;
		int ok;
		const char *msg; /* part of the error */
	} cases[] = {
		{ ".letta/manifests/project/blocks.yaml", 1, NULL },
		{ "inside/a/b.yaml", 1, NULL },
		{ "in/x.yaml", 1, NULL },
		{ "./in/./x.yaml", 1, NULL },
		{ "out/x.yaml", 0, "'out' is a symbolic link to '" },
		{ "out/deeper/x.yaml", 0, "'out' is a symbolic link" },
		{ "out", 0, "'out' is a symbolic link" },
		{ "dangling/x", 0, "'dangling' is a symbolic link to '(nowhere)'" },
		{ "new/../../x.yaml", 0, "the path leaves the repository" },
		{ "..", 0, "the path leaves the repository" },
		{ "a..b/x", 1, NULL },
	};
	char root[128];

	(void)state;
	snprintf(root, sizeof(root), "%s/repo", base);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ls_error err = LS_ERROR_INIT;
		int ret = files_check_inside(root, cases[i].rel, &err);

		if (cases[i].ok) {
			assert_int_equal(ret, 0);
		} else {
			assert_int_equal(ret, LS_EINVALID);
			assert_non_null(strstr(err.msg, cases[i].msg));
		}
	}
}

static void test_files__write_inside_refuses_and_writes_nothing(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	char root[128], path[160];

	(void)state;
	snprintf(root, sizeof(root), "%s/repo", base);
	assert_int_equal(files_write_inside(root, "out/sub/f.yaml", "x", 1, &err), LS_EINVALID);
	snprintf(path, sizeof(path), "%s/outside/sub", base);
	assert_false(files_exists(path));
	assert_int_equal(files_write_inside(root, "in/sub/f.yaml", "x\n", 2, &err), 0);
	snprintf(path, sizeof(path), "%s/repo/inside/sub/f.yaml", base);
	assert_true(files_exists(path));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files__writes_stay_inside_the_repository),
		cmocka_unit_test(test_files__write_inside_refuses_and_writes_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
