/*
 * Test support: a temporary work area for the tests that drive the git program beside libgit2
 * (their fixtures' setup makes it with mkdtemp and calls repo_git_init(); teardown is
 * git_sh_teardown()). Header-only, as fake_remote.h.
 */
#ifndef LS_TEST_GIT_SH_H
#define LS_TEST_GIT_SH_H

#include "repo/git.h"
#include "util/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

/*
 * Runs CMD in DIR with git's author and committer NAME <EMAIL>, no system configuration and
 * HOME=DIR, its output discarded; fails the test unless it exits 0.
 */
static __attribute__((unused)) void git_sh(const char *dir, const char *name, const char *email,
					   const char *cmd)
{
	struct buf full = BUF_INIT;

	buf_addf(&full,
		 "cd '%s' && export GIT_AUTHOR_NAME=%s GIT_AUTHOR_EMAIL=%s GIT_COMMITTER_NAME=%s "
		 "GIT_COMMITTER_EMAIL=%s GIT_CONFIG_NOSYSTEM=1 HOME='%s' && (%s) >/dev/null 2>&1",
		 dir, name, email, name, email, dir, cmd);
	assert_int_equal(system(full.buf), 0);
	buf_release(&full);
}

/* A fixture's teardown: libgit2 shut down and DIR removed; -1 when it cannot be. */
static __attribute__((unused)) int git_sh_teardown(const char *dir)
{
	struct buf cmd = BUF_INIT;
	int rc;

	buf_addf(&cmd, "rm -rf '%s'", dir);
	repo_git_shutdown();
	rc = system(cmd.buf);
	buf_release(&cmd);
	return rc == 0 ? 0 : -1;
}

#endif
