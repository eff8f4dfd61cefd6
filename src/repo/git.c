/* Repository facts through libgit2: remote, branch, HEAD, work tree. */
#include "repo/git.h"
#include "util/xalloc.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

void repo_git_init(void)
{
	git_libgit2_init();
}

void repo_git_shutdown(void)
{
	git_libgit2_shutdown();
}

static char *strip_slash(const char *s)
{
	char *d = xstrdup(s);
	size_t n = strlen(d);

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

int git_facts_read(struct git_facts *out, const char *dir, struct ls_error *err)
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_reference *head = NULL;
	int rc;

	(void)err;
	memset(out, 0, sizeof(*out));
	rc = git_repository_open_ext(&repo, dir, 0, NULL);
	if (rc < 0)
		return 0; /* not a repository: every fact stays unknown */
	if (git_repository_workdir(repo))
		out->workdir = strip_slash(git_repository_workdir(repo));
	if (git_repository_commondir(repo))
		out->commondir = strip_slash(git_repository_commondir(repo));
	out->is_worktree = git_repository_is_worktree(repo) == 1;
	if (git_remote_lookup(&remote, repo, "origin") == 0 && git_remote_url(remote))
		out->remote_url = xstrdup(git_remote_url(remote));
	if (git_repository_head(&head, repo) == 0) {
		const git_oid *oid = git_reference_target(head);

		if (git_reference_is_branch(head))
			out->branch = xstrdup(git_reference_shorthand(head));
		if (oid) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), oid);
			out->head = xstrdup(hex);
		}
	} else {
		/* Unborn branch: HEAD names a branch with no commit yet. */
		git_reference *sym = NULL;

		if (git_reference_lookup(&sym, repo, "HEAD") == 0 &&
		    git_reference_type(sym) == GIT_REFERENCE_SYMBOLIC) {
			const char *t = git_reference_symbolic_target(sym);

			if (t && !strncmp(t, "refs/heads/", 11))
				out->branch = xstrdup(t + 11);
		}
		git_reference_free(sym);
	}
	git_reference_free(head);
	git_remote_free(remote);
	git_repository_free(repo);
	return 0;
}

void git_facts_release(struct git_facts *f)
{
	if (!f)
		return;
	free(f->workdir);
	free(f->commondir);
	free(f->remote_url);
	free(f->branch);
	free(f->head);
	memset(f, 0, sizeof(*f));
}
