/*
 * repo/memfs_snapshot.c against real temporary repositories, the "server" a bare repository
 * reached by libgit2's local transport and the agent a clone driven by the git program: the
 * bundle git reads, the restore commit on top of the agent's main (the merge that undoes
 * letta-sync's write and keeps the agent's), the no-op second restore, the snapshot's files
 * exactly when letta-sync wrote nothing since, the dry run, a broken bundle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/git.h"
#include "repo/memfs_snapshot.h"
#include "support/git_sh.h"

static char dir[256];
static char url[300], cache[300], bundle[300];

static void sh(const char *cmd)
{
	git_sh(dir, "agent", "a@e", cmd);
}

/* The first line of a command's output. */
static void out1(char *buf, size_t n, const char *cmd)
{
	char full[2048];
	FILE *f;

	snprintf(full, sizeof(full), "cd '%s' && %s", dir, cmd);
	f = popen(full, "r");
	assert_non_null(f);
	if (!fgets(buf, (int)n, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	pclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ls-test-memfs-snap.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(url, sizeof(url), "%s/srv.git", dir);
	snprintf(cache, sizeof(cache), "%s/cache.git", dir);
	snprintf(bundle, sizeof(bundle), "%s/m.bundle", dir);
	repo_git_init();
	/* The agent's memory: notes.md (a..e) and persona.md; S = its main now. */
	sh("git init -q --bare -b main srv.git && git clone -q srv.git ag && cd ag && "
	   "git checkout -q -b main && printf 'a\\nb\\nc\\nd\\ne\\n' > notes.md && "
	   "printf 'I am\\n' > persona.md && git add -A && git commit -qm one && "
	   "sed -i 's/^b$/B (agent)/' notes.md && git commit -qam two && git push -q origin main");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return git_sh_teardown(dir);
}

static struct memfs_git_opts opts(int push)
{
	struct memfs_git_opts o;

	memset(&o, 0, sizeof(o));
	o.url = url;
	o.cache = cache;
	o.message = "letta-sync: restore memory of mem from snapshot S1\n";
	o.push = push;
	return o;
}

static void test_memfs_snapshot__bundle_git_reads(void **state)
{
	struct memfs_git_opts o = opts(0);
	struct ls_error err = LS_ERROR_INIT;
	char head[41], want[64];
	(void)state;

	assert_int_equal(memfs_git_bundle(head, &o, bundle, &err), 0);
	out1(want, sizeof(want), "git -C srv.git rev-parse main");
	assert_string_equal(head, want);
	sh("git -C ag bundle verify ../m.bundle && git clone -q m.bundle fromb && "
	   "grep -qx 'B (agent)' fromb/notes.md && test \"$(git -C fromb rev-list --count HEAD)\" = 2");
	/* A second bundle to the same path is refused (O_EXCL), the first stays whole. */
	assert_true(memfs_git_bundle(head, &o, bundle, &err) < 0);
	ls_error_clear(&err);
	sh("git -C ag bundle verify ../m.bundle");
}

/*
 * A memory repository URL libgit2 refuses (empty): an error naming it, and the Authorization
 * header built for the key before is freed (ASan's leak check in make test-asan).
 */
static void test_memfs_snapshot__bad_url_frees_the_auth_header(void **state)
{
	struct memfs_git_opts o = opts(0);
	struct ls_error err = LS_ERROR_INIT;
	char head[41];
	(void)state;

	o.url = "";
	o.key = "sk-test-key";
	assert_true(memfs_git_bundle(head, &o, bundle, &err) < 0);
	assert_non_null(strstr(err.msg, "memory repository"));
	assert_null(strstr(err.msg, "sk-test-key"));
}

static void test_memfs_snapshot__restore_merges_and_is_idempotent(void **state)
{
	struct memfs_git_opts o = opts(0);
	struct memfs_restore_result r;
	struct ls_error err = LS_ERROR_INIT;
	char agent_head[64], now[64], line[256];
	(void)state;

	/* letta-sync overwrites the agent's line, then the agent commits far from it. */
	sh("cd ag && sed -i 's/^B (agent)$/B (git)/' notes.md && "
	   "git -c user.name=letta-sync -c user.email=l@e commit -q --author='letta-sync <l@e>' -am sync && "
	   "sed -i 's/^e$/E (agent, later)/' notes.md && git commit -qam later && git push -q origin main");
	out1(agent_head, sizeof(agent_head), "git -C srv.git rev-parse main");

	/* Dry run: the file diff, nothing pushed. */
	assert_int_equal(memfs_git_restore(&r, &o, bundle, "S1", &err), 0);
	assert_int_equal(json_array_size(r.files), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.files, 0), "path")),
			    "notes.md");
	assert_string_equal(r.pushed, "");
	assert_true(r.base[0] != 0);
	memfs_restore_result_release(&r);
	out1(now, sizeof(now), "git -C srv.git rev-parse main");
	assert_string_equal(now, agent_head);

	o.push = 1;
	assert_int_equal(memfs_git_restore(&r, &o, bundle, "S1", &err), 0);
	assert_int_equal(r.tries, 1);
	assert_true(r.pushed[0] != 0);
	memfs_restore_result_release(&r);
	out1(now, sizeof(now), "git -C srv.git rev-parse main^");
	assert_string_equal(now, agent_head);
	out1(line, sizeof(line), "git -C srv.git show main:notes.md | sed -n 2p");
	assert_string_equal(line, "B (agent)");
	out1(line, sizeof(line), "git -C srv.git show main:notes.md | sed -n 5p");
	assert_string_equal(line, "E (agent, later)");
	out1(line, sizeof(line), "git -C srv.git log -1 --format=%an%x20%s main");
	assert_string_equal(line, "letta-sync letta-sync: restore memory of mem from snapshot S1");
	out1(line, sizeof(line), "git -C srv.git log -1 --format='%(trailers:key=Letta-Sync-Restore,valueonly)' main");
	assert_string_equal(line, "S1");

	/* Again, even after the agent commits once more: nothing to do. */
	sh("cd ag && git pull -q --ff-only && printf 'x\\n' >> persona.md && git commit -qam more && "
	   "git push -q origin main");
	out1(agent_head, sizeof(agent_head), "git -C srv.git rev-parse main");
	assert_int_equal(memfs_git_restore(&r, &o, bundle, "S1", &err), 0);
	assert_int_equal(r.already, 1);
	assert_int_equal(r.tries, 0);
	assert_string_equal(r.pushed, "");
	memfs_restore_result_release(&r);
	out1(now, sizeof(now), "git -C srv.git rev-parse main");
	assert_string_equal(now, agent_head);
}

static void test_memfs_snapshot__exact_files_without_a_letta_sync_write(void **state)
{
	struct memfs_git_opts o = opts(1);
	struct memfs_restore_result r;
	struct ls_error err = LS_ERROR_INIT;
	char line[256];
	(void)state;

	/* Another snapshot of main now; then only the agent edits: restore S2 takes that back. */
	sh("rm -f m2.bundle");
	{
		char head[41], b2[320];

		snprintf(b2, sizeof(b2), "%s/m2.bundle", dir);
		assert_int_equal(memfs_git_bundle(head, &o, b2, &err), 0);
		sh("cd ag && git pull -q --ff-only && printf 'junk\\n' > persona.md && git commit -qam junk && "
		   "git push -q origin main");
		assert_int_equal(memfs_git_restore(&r, &o, b2, "S2", &err), 0);
		assert_string_equal(r.base, "");
		assert_true(r.pushed[0] != 0);
		memfs_restore_result_release(&r);
	}
	out1(line, sizeof(line), "git -C srv.git show main:persona.md | head -1");
	assert_string_equal(line, "I am");
	sh("test \"$(git -C srv.git log -1 --format=%s main~1)\" = junk");
}

static void test_memfs_snapshot__broken_bundle(void **state)
{
	struct memfs_git_opts o = opts(0);
	struct memfs_restore_result r;
	struct ls_error err = LS_ERROR_INIT;
	char bad[320];
	(void)state;

	snprintf(bad, sizeof(bad), "%s/bad.bundle", dir);
	sh("printf 'not a bundle\\n' > bad.bundle");
	assert_int_equal(memfs_git_restore(&r, &o, bad, "S1", &err), LS_EINVALID);
	assert_non_null(strstr(err.msg, "is not a git bundle"));
	memfs_restore_result_release(&r);
	ls_error_clear(&err);
	/* A bundle that needs commits it does not hold (git bundle create with a range). */
	sh("cd ag && git bundle create -q ../bad.bundle main~1..main");
	assert_int_equal(memfs_git_restore(&r, &o, bad, "S1", &err), LS_EINVALID);
	assert_non_null(strstr(err.msg, "prerequisites"));
	memfs_restore_result_release(&r);
	ls_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memfs_snapshot__bundle_git_reads),
		cmocka_unit_test(test_memfs_snapshot__restore_merges_and_is_idempotent),
		cmocka_unit_test(test_memfs_snapshot__exact_files_without_a_letta_sync_write),
		cmocka_unit_test(test_memfs_snapshot__broken_bundle),
		cmocka_unit_test(test_memfs_snapshot__bad_url_frees_the_auth_header),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
