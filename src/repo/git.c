/* Repository facts through libgit2: remote, branch, HEAD, work tree. */
#include "repo/git.h"
#include "core/semver.h"
#include "util/xalloc.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * libgit2 is initialised on first use, not at start: its initialisation (and, in the
 * letta-sync binary, loading it at all: src/lazy/lazy.c) costs milliseconds that a command
 * which never reads git must not pay (issue 26).
 */
static int git_inited;

static void git_ready(void)
{
	if (!git_inited) {
		git_libgit2_init();
		git_inited = 1;
	}
}

void repo_git_init(void)
{
}

void repo_git_ready(void)
{
	git_ready();
}

/* Every use of libgit2 starts by opening the repository: it initialises libgit2 first. */
static int repo_open(git_repository **repo, const char *dir)
{
	git_ready();
	return git_repository_open_ext(repo, dir, 0, NULL);
}

void repo_git_shutdown(void)
{
	if (git_inited)
		git_libgit2_shutdown();
	git_inited = 0;
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
	rc = repo_open(&repo, dir);
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

static int tag_version_cmp(const void *a, const void *b)
{
	const struct git_version *x = a, *y = b;
	struct semver sx, sy;

	semver_parse(&sx, x->version);
	semver_parse(&sy, y->version);
	return semver_cmp(&sx, &sy);
}

static int list_versions(struct git_version **out, size_t *n, git_repository *repo)
{
	git_strarray names = { NULL, 0 };
	struct git_version *v = NULL;
	size_t count = 0, alloc = 0;

	*out = NULL;
	*n = 0;
	if (git_tag_list(&names, repo) < 0)
		return 0;
	for (size_t i = 0; i < names.count; i++) {
		struct semver sv;
		git_object *obj = NULL, *peeled = NULL;
		char ref[512];
		char ver[96];

		if (semver_parse(&sv, names.strings[i]) < 0)
			continue;
		snprintf(ref, sizeof(ref), "refs/tags/%s", names.strings[i]);
		if (git_revparse_single(&obj, repo, ref) < 0)
			continue;
		if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
			git_object_free(obj);
			continue;
		}
		v = xgrow(v, sizeof(*v), count + 1, &alloc);
		memset(&v[count], 0, sizeof(v[count]));
		v[count].tag = xstrdup(names.strings[i]);
		semver_format(ver, sizeof(ver), &sv);
		v[count].version = xstrdup(ver);
		git_oid_tostr(v[count].commit, sizeof(v[count].commit), git_object_id(peeled));
		v[count].release = semver_is_release(&sv);
		count++;
		git_object_free(peeled);
		git_object_free(obj);
	}
	git_strarray_dispose(&names);
	if (count)
		qsort(v, count, sizeof(*v), tag_version_cmp);
	*out = v;
	*n = count;
	return 0;
}

int git_versions_list(struct git_version **out, size_t *n, const char *dir, struct ls_error *err)
{
	git_repository *repo = NULL;
	int ret;

	(void)err;
	*out = NULL;
	*n = 0;
	if (repo_open(&repo, dir) < 0)
		return 0;
	ret = list_versions(out, n, repo);
	git_repository_free(repo);
	return ret;
}

void git_versions_free(struct git_version *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].tag);
		free(v[i].version);
	}
	free(v);
}

int git_worktree_version(char **out, const char *dir, struct ls_error *err)
{
	git_repository *repo = NULL;
	git_oid head;
	struct git_version *v = NULL;
	size_t n = 0;

	(void)err;
	*out = NULL;
	if (repo_open(&repo, dir) < 0)
		goto none;
	if (git_reference_name_to_id(&head, repo, "HEAD") < 0)
		goto none;
	list_versions(&v, &n, repo);
	/* Highest first: the first tag that HEAD is or descends from wins. */
	for (size_t i = n; i > 0; i--) {
		git_oid tagged;

		if (git_oid_fromstr(&tagged, v[i - 1].commit) < 0)
			continue;
		if (git_oid_equal(&tagged, &head) ||
		    git_graph_descendant_of(repo, &head, &tagged) == 1) {
			*out = xstrdup(v[i - 1].version);
			break;
		}
	}
none:
	git_versions_free(v, n);
	git_repository_free(repo);
	if (!*out)
		*out = xstrdup("0.0.0");
	return 0;
}

struct tree_walk {
	git_repository *repo;
	struct git_blob_file *files;
	size_t n, alloc;
	size_t max;
	const char *prefix; /* subdir + "/" */
	struct ls_error *err;
	int failed;
};

static int tree_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	struct tree_walk *w = payload;
	git_blob *blob = NULL;
	char path[4096];
	size_t len;

	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK)
		return 0; /* a symbolic link's blob is its target, not file contents */
	snprintf(path, sizeof(path), "%s%s", root, git_tree_entry_name(entry));
	if (strncmp(path, w->prefix, strlen(w->prefix)))
		return 0;
	if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(entry)) < 0)
		return 0;
	len = (size_t)git_blob_rawsize(blob);
	if (len > w->max) {
		ls_error_set(w->err, LS_EINVALID, "'%s' is too large (%zu bytes; the limit is %zu)",
			     path, len, w->max);
		w->failed = 1;
		git_blob_free(blob);
		return -1;
	}
	w->files = xgrow(w->files, sizeof(*w->files), w->n + 1, &w->alloc);
	w->files[w->n].path = xstrdup(path);
	w->files[w->n].data = xmalloc(len + 1);
	memcpy(w->files[w->n].data, git_blob_rawcontent(blob), len);
	w->files[w->n].data[len] = '\0';
	w->files[w->n].len = len;
	w->n++;
	git_blob_free(blob);
	return 0;
}

static int blob_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct git_blob_file *)a)->path, ((const struct git_blob_file *)b)->path);
}

int git_tree_files(struct git_blob_file **out, size_t *n, const char *dir, const char *rev,
		   const char *subdir, size_t max, struct ls_error *err)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_tree *tree = NULL;
	struct tree_walk w;
	char prefix[1024];
	int ret = 0;

	memset(&w, 0, sizeof(w));
	*out = NULL;
	*n = 0;
	snprintf(prefix, sizeof(prefix), "%s%s", subdir, subdir[0] ? "/" : "");
	if (repo_open(&repo, dir) < 0)
		return ls_error_set(err, LS_EINVALID, "'%s' is not in a git repository", dir);
	if (git_revparse_single(&obj, repo, rev) < 0) {
		ret = ls_error_set(err, LS_ENOTFOUND, "no version '%s' in this repository", rev);
		ls_error_hint(err, "list the versions with 'git tag -l \"v*\"'");
		goto out;
	}
	if (git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE) < 0) {
		ret = ls_error_set(err, LS_EINVALID, "'%s' does not name a commit", rev);
		goto out;
	}
	w.repo = repo;
	w.max = max;
	w.prefix = prefix;
	w.err = err;
	git_tree_walk(tree, GIT_TREEWALK_PRE, tree_cb, &w);
	if (w.failed) {
		git_tree_files_free(w.files, w.n);
		ret = LS_EINVALID;
		goto out;
	}
	if (w.n)
		qsort(w.files, w.n, sizeof(*w.files), blob_file_cmp);
	*out = w.files;
	*n = w.n;
out:
	git_tree_free(tree);
	git_object_free(obj);
	git_repository_free(repo);
	return ret;
}

int git_blob_read(struct buf *out, const char *dir, const char *rev, const char *path,
		  size_t max, struct ls_error *err)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int ret = 0;

	if (repo_open(&repo, dir) < 0)
		return ls_error_set(err, LS_EINVALID, "'%s' is not in a git repository", dir);
	if (git_revparse_single(&obj, repo, rev) < 0 ||
	    git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE) < 0) {
		ret = ls_error_set(err, LS_ENOTFOUND, "no version '%s' in this repository", rev);
		goto out;
	}
	if (git_tree_entry_bypath(&entry, tree, path) < 0 ||
	    git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK ||
	    git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) < 0) {
		ret = ls_error_set(err, LS_ENOTFOUND, "no file '%s' at '%s'", path, rev);
		goto out;
	}
	if ((size_t)git_blob_rawsize(blob) > max) {
		ret = ls_error_set(err, LS_EINVALID, "'%s' is too large", path);
		goto out;
	}
	buf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
out:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_object_free(obj);
	git_repository_free(repo);
	return ret;
}

void git_tree_files_free(struct git_blob_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].data);
	}
	free(f);
}
