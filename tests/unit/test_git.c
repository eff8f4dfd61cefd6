/* repo/git.c against real temporary repositories: versions, tree files, facts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo/git.h"
#include "support/git_sh.h"

static char dir[256];

static void sh(const char *cmd)
{
	git_sh(dir, "t", "t@e", cmd);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ls-test-git.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	repo_git_init();
	sh("git init -q -b main && mkdir -p .letta/manifests/base sub && "
	   "printf 'a: 1\\n' > .letta/manifests/base/a.yaml && echo x > sub/other && "
	   "git add -A && git commit -qm one && git tag v1.0.0 && "
	   "printf 'a: 2\\n' > .letta/manifests/base/a.yaml && printf 'b\\n' > .letta/manifests/b.yml && "
	   "git add -A && git commit -qm two && git tag -a v1.1.0-beta.1 -m b && "
	   "git remote add origin git@example.com:Acme/Repo.git");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return git_sh_teardown(dir);
}

static void test_git__versions_sorted(void **state)
{
	struct git_version *v;
	size_t n;
	struct ls_error err = LS_ERROR_INIT;
	(void)state;

	assert_int_equal(git_versions_list(&v, &n, dir, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].version, "1.0.0");
	assert_true(v[0].release);
	assert_string_equal(v[1].tag, "v1.1.0-beta.1");
	assert_false(v[1].release);
	git_versions_free(v, n);
}

static void test_git__tree_files_at_a_tag(void **state)
{
	struct git_blob_file *f;
	size_t n;
	struct ls_error err = LS_ERROR_INIT;
	(void)state;

	/* The old version, read from the object database while the work tree has the new one. */
	assert_int_equal(git_tree_files(&f, &n, dir, "v1.0.0", ".letta", 1 << 20, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].path, ".letta/manifests/base/a.yaml");
	assert_string_equal(f[0].data, "a: 1\n");
	git_tree_files_free(f, n);

	assert_int_equal(git_tree_files(&f, &n, dir, "v1.1.0-beta.1", ".letta", 1 << 20, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].path, ".letta/manifests/b.yml");
	assert_string_equal(f[1].data, "a: 2\n");
	git_tree_files_free(f, n);

	assert_int_equal(git_tree_files(&f, &n, dir, "v9.9.9", ".letta", 1 << 20, &err), LS_ENOTFOUND);
	assert_int_equal(git_tree_files(&f, &n, dir, "v1.0.0", ".letta", 2, &err), LS_EINVALID);
	assert_non_null(strstr(err.msg, "a.yaml"));
}

static void test_git__facts(void **state)
{
	struct git_facts g;
	char *v = NULL;
	struct ls_error err = LS_ERROR_INIT;
	(void)state;

	assert_int_equal(git_facts_read(&g, dir, &err), 0);
	assert_string_equal(g.branch, "main");
	assert_string_equal(g.remote_url, "git@example.com:Acme/Repo.git");
	assert_non_null(g.head);
	assert_int_equal(strlen(g.head), 40);
	assert_false(g.is_worktree);
	git_facts_release(&g);

	assert_int_equal(git_worktree_version(&v, dir, &err), 0);
	assert_string_equal(v, "1.1.0-beta.1");
	free(v);

	/* Outside any repository every fact is unknown. */
	git_facts_read(&g, "/", &err);
	assert_null(g.workdir);
	git_facts_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_git__versions_sorted),
		cmocka_unit_test(test_git__tree_files_at_a_tag),
		cmocka_unit_test(test_git__facts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
