/*
 * An agent's memory repository with libgit2 (see memfs_git.h). The three-way merge of issue 25:
 * base = the last commit letta-sync pushed (the newest commit on the agent's main whose author
 * is letta-sync: the server keeps that record, so a lost reply or a lost cache loses nothing),
 * ours = base's files with the config repository's files written over them, theirs = the
 * agent's main. git_merge_trees() decides each file: only the agent changed it -> kept, only
 * git -> written, both in different places -> merged, overlapping -> a conflict. Without a base
 * (never pushed, or the server rewrote history) the agent's head is the base: git's files win
 * only where they differ, nothing the agent has is lost.
 */
#include "repo/memfs_git.h"
#include "repo/memfs_git_int.h"

#include "util/buf.h"
#include "util/xalloc.h"

#include "repo/files.h"
#include "repo/git.h"

#include <dirent.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void memfs_git_result_release(struct memfs_git_result *r)
{
	json_decref(r->files);
	json_decref(r->conflicts);
	json_decref(r->orphans);
	json_decref(r->kept);
	memset(r, 0, sizeof(*r));
}

int memfs_git_err(struct ls_error *err, const char *what)
{
	const git_error *e = git_error_last();
	int rc = ls_error_set(err, LS_EFAIL, "%s: %s", what,
			      e && e->message ? e->message : "libgit2 error");

	/* libgit2 keeps the last error per thread until cleared (a leak at exit otherwise). */
	git_error_clear();
	return rc;
}

/* The callbacks' payload. */
struct push_st {
	const char *key;
	char *auth; /* "Authorization: Basic base64(letta:<key>)", or NULL; wiped and freed */
	int asked;
	int rejected;
	struct buf why;
};

/*
 * Basic letta:<key> (docs/contract/memfs.md "Auth"): the key never goes into a URL. Asked again after the
 * server refused it: give up (GIT_EUSER) instead of looping.
 */
static int cred_cb(git_credential **out, const char *url, const char *user, unsigned int allowed,
		   void *payload)
{
	struct push_st *p = payload;

	(void)url;
	(void)user;
	if (!p->key || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		return GIT_PASSTHROUGH;
	if (p->asked++)
		return GIT_EUSER;
	return git_credential_userpass_plaintext_new(out, "letta", p->key);
}

static int push_ref_cb(const char *ref, const char *status, void *payload)
{
	struct push_st *p = payload;

	(void)ref;
	if (status) {
		p->rejected = 1;
		buf_addstr(&p->why, status);
	}
	return 0;
}

/*
 * Basic letta:<key> sent with the first request (docs/contract/memfs.md: "a one-off http.extraHeader=
 * Authorization: Basic base64(letta:KEY) works too"), so that a fetch is one request per
 * route instead of a 401 challenge first. The header lives in memory only.
 */
static void auth_header(struct push_st *p)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf in = BUF_INIT, out = BUF_INIT;

	if (!p->key)
		return;
	buf_addf(&in, "letta:%s", p->key);
	buf_addstr(&out, "Authorization: Basic ");
	for (size_t i = 0; i < in.len; i += 3) {
		unsigned v = (unsigned char)in.buf[i] << 16;

		if (i + 1 < in.len)
			v |= (unsigned char)in.buf[i + 1] << 8;
		if (i + 2 < in.len)
			v |= (unsigned char)in.buf[i + 2];
		buf_addch(&out, tbl[(v >> 18) & 63]);
		buf_addch(&out, tbl[(v >> 12) & 63]);
		buf_addch(&out, i + 1 < in.len ? tbl[(v >> 6) & 63] : '=');
		buf_addch(&out, i + 2 < in.len ? tbl[v & 63] : '=');
	}
	p->auth = xstrdup(out.buf);
	memset(in.buf, 0, in.len);
	memset(out.buf, 0, out.len);
	buf_release(&in);
	buf_release(&out);
}

/* A fetch's or a push's credential callback and Authorization header (ps owns the header). */
static void auth_setup(git_remote_callbacks *cb, git_strarray *headers, struct push_st *ps)
{
	cb->credentials = cred_cb;
	cb->payload = ps;
	auth_header(ps);
	if (ps->auth) {
		headers->strings = &ps->auth;
		headers->count = 1;
	}
}

static void auth_free(struct push_st *p)
{
	if (p->auth) {
		memset(p->auth, 0, strlen(p->auth));
		free(p->auth);
		p->auth = NULL;
	}
}

static int mkdirs(const char *path)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	buf_addstr(&b, path);
	for (char *s = b.buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		mkdir(b.buf, 0700);
		*s = '/';
	}
	buf_release(&b);
	return rc;
}

static int open_cache(git_repository **repo, const char *dir, struct ls_error *err)
{
	repo_git_ready();
	if (git_repository_open_bare(repo, dir) == 0)
		return 0;
	mkdirs(dir);
	if (git_repository_init(repo, dir, 1) < 0)
		return memfs_git_err(err, dir);
	return 0;
}

/* Waits before the attempt after failure number t (0-based): base doubled, at most max. */
static void backoff(const struct memfs_git_opts *o, int t)
{
	long ms = o->retry_base_ms << (t < 20 ? t : 20);
	struct timespec ts;

	if (o->retry_max_ms > 0 && ms > o->retry_max_ms)
		ms = o->retry_max_ms;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * One fetch: connect, then fetch over the open connection. libgit2 1.5's git_remote_fetch()
 * keeps its copy of the custom headers (the Authorization header) when it fails to connect
 * (LeakSanitizer shows it for a failed ref advertisement); git_remote_connect_ext() does not,
 * and a fetch over a connected remote sends no second ref advertisement.
 */
static int fetch_once(git_remote *rem, const git_strarray *specs, const git_fetch_options *fo)
{
	git_remote_connect_options co;
	int rc;

	git_remote_connect_options_init(&co, GIT_REMOTE_CONNECT_OPTIONS_VERSION);
	co.callbacks = fo->callbacks;
	co.custom_headers = fo->custom_headers;
	rc = git_remote_connect_ext(rem, GIT_DIRECTION_FETCH, &co);
	if (rc == 0)
		rc = git_remote_fetch(rem, specs, fo, NULL);
	git_remote_disconnect(rem);
	return rc;
}

static int fetch(git_repository *repo, const struct memfs_git_opts *o, git_oid *head, int *have,
		 struct ls_error *err)
{
	git_remote *rem = NULL;
	git_fetch_options fo;
	char spec[] = "+refs/heads/main:refs/remotes/origin/main";
	char *specp = spec;
	git_strarray specs = { &specp, 1 };
	int rc;

	struct push_st ps = { o->key, NULL, 0, 0, BUF_INIT };

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	auth_setup(&fo.callbacks, &fo.custom_headers, &ps);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (git_remote_create_anonymous(&rem, repo, o->url) < 0) {
		auth_free(&ps);
		return memfs_git_err(err, "memory repository");
	}
	rc = fetch_once(rem, &specs, &fo);
	/* A fetch only reads: repeated after a failure, with backoff (see memfs_git_opts). */
	for (int t = 0; rc < 0 && t < o->retries && ps.asked < 2; t++) {
		backoff(o, t);
		git_error_clear();
		ps.asked = 0;
		rc = fetch_once(rem, &specs, &fo);
	}
	git_remote_free(rem);
	auth_free(&ps);
	if (rc < 0)
		return memfs_git_err(err, "fetching the agent's memory");
	*have = git_reference_name_to_id(head, repo, "refs/remotes/origin/main") == 0;
	return 0;
}

int memfs_git_first_parent(git_commit **c)
{
	git_commit *p = NULL;

	if (git_commit_parentcount(*c) == 0 || git_commit_parent(&p, *c, 0) < 0)
		return 0;
	git_commit_free(*c);
	*c = p;
	return 1;
}

/*
 * The base of the merge: the config repository's files as letta-sync last pushed them. Each
 * sync that changes something pushes two commits (a vendor branch, as in git's own
 * "merge a vendor branch" workflow): D, whose tree is the base's files with git's written
 * over them (its parent the previous D), and the merge C of the agent's head and D, which
 * becomes main. The newest C on main's first-parent line (author letta-sync, two parents)
 * names D as its second parent. The record lives in the agent's own repository, so a lost
 * cache or a lost reply loses nothing, and the agent's later commits sit on top of it.
 */
static int find_base(git_repository *repo, const git_oid *head, git_oid *base, git_oid *merge)
{
	git_commit *c = NULL;
	int found = 0, depth = 0;

	if (git_commit_lookup(&c, repo, head) < 0)
		return 0;
	while (c && depth++ < 100000) {
		const git_signature *a = git_commit_author(c);

		if (a && a->name && !strcmp(a->name, MEMFS_GIT_AUTHOR) &&
		    git_commit_parentcount(c) == 2) {
			git_oid_cpy(base, git_commit_parent_id(c, 1));
			git_oid_cpy(merge, git_commit_id(c));
			found = 1;
			break;
		}
		if (!memfs_git_first_parent(&c))
			break;
	}
	git_commit_free(c);
	return found;
}

/*
 * The cache's record of the base (issue 25, "History rewritten by the server"): refs/letta-sync/
 * base is the last D this cache pushed or re-established, refs/letta-sync/seen the agent's main
 * it held for (the merge C pushed, or the head it was re-established on). The server's history
 * stays the record (find_base); this one only tells a rewrite (the recorded base no longer on
 * main) from a first sync, and carries a base re-established after a rewrite until the next push
 * puts it on the server. A lost cache loses only that.
 */
#define REC_BASE "refs/letta-sync/base"
#define REC_SEEN "refs/letta-sync/seen"

static int record_read(git_repository *repo, git_oid *base, git_oid *seen)
{
	git_commit *c = NULL;
	int ok = git_reference_name_to_id(base, repo, REC_BASE) == 0 &&
		 git_reference_name_to_id(seen, repo, REC_SEEN) == 0 &&
		 git_commit_lookup(&c, repo, base) == 0;

	git_commit_free(c);
	git_error_clear();
	return ok;
}

static void record_write(git_repository *repo, const git_oid *base, const git_oid *seen)
{
	git_reference *r = NULL;

	if (git_reference_create(&r, repo, REC_BASE, base, 1, NULL) == 0) {
		git_reference_free(r);
		r = NULL;
		if (git_reference_create(&r, repo, REC_SEEN, seen, 1, NULL) == 0)
			git_reference_free(r);
	}
	git_error_clear();
}

/* The blob id of path in tree, or 0 when absent. */
static int blob_at(git_tree *tree, const char *path, git_oid *id)
{
	git_tree_entry *e = NULL;

	if (!tree || git_tree_entry_bypath(&e, tree, path) < 0) {
		git_error_clear();
		return 0;
	}
	git_oid_cpy(id, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return 1;
}

/*
 * The merge base after the server rewrote history: the recorded base's tree, re-established
 * only where the content matches. A declared file whose content on main still is the recorded
 * base's, or whose content in git still is, keeps that base (only one side changed it: its
 * change wins); a file both changed since (main and git each differ from the recorded base and
 * from each other) loses its base, so that the merge reports it as a conflict instead of
 * trusting a history the server no longer has.
 */
static int rewrite_base(git_oid *out, git_repository *repo, git_tree *old, git_tree *head,
			const struct memfile *want, size_t n)
{
	git_index *idx = NULL;
	int rc = -1;

	if (git_index_new(&idx) < 0 || git_index_read_tree(idx, old) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		git_oid o, h, w;
		int ho = blob_at(old, want[i].path, &o), hh = blob_at(head, want[i].path, &h);

		if (!want[i].data || want[i].mode != MEMFILE_MANAGED)
			continue;
		if (git_blob_create_from_buffer(&w, repo, want[i].data, want[i].len) < 0)
			goto out;
		if (hh && ho && !git_oid_equal(&h, &o) && !git_oid_equal(&w, &o) &&
		    !git_oid_equal(&w, &h))
			git_index_remove(idx, want[i].path, 0);
	}
	rc = git_index_write_tree_to(out, idx, repo);
out:
	git_index_free(idx);
	return rc;
}

/* tree (may be NULL) with want written over it; the result's tree id. */
static int overlay(git_oid *out, git_repository *repo, git_tree *tree, const struct memfile *want,
		   size_t n)
{
	git_index *idx = NULL;
	int rc = -1;

	if (git_index_new(&idx) < 0)
		return -1;
	if (tree && git_index_read_tree(idx, tree) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		git_index_entry e;

		if (!want[i].data) {
			/* A file git removes (upgrade: the new version no longer has it). */
			if (git_index_get_bypath(idx, want[i].path, 0))
				git_index_remove(idx, want[i].path, 0);
			continue;
		}
		if (want[i].mode != MEMFILE_MANAGED)
			continue; /* seed: added after the merge; unmanaged: never written */
		memset(&e, 0, sizeof(e));
		e.mode = GIT_FILEMODE_BLOB;
		e.path = want[i].path;
		if (git_blob_create_from_buffer(&e.id, repo, want[i].data, want[i].len) < 0 ||
		    git_index_add(idx, &e) < 0)
			goto out;
	}
	rc = git_index_write_tree_to(out, idx, repo);
out:
	git_index_free(idx);
	return rc;
}

/* The D commits this version writes say so: only their trees list exactly what was shipped. */
#define MEMFS_RECORD_TRAILER "Letta-Sync-Record: shipped-files"

static const struct memfile *declared(const struct memfile *want, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(want[i].path, path))
			return &want[i];
	return NULL;
}

static int blob_paths_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct buf p = BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	buf_addf(&p, "%s%s", root, git_tree_entry_name(e));
	git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(e));
	json_object_set_new(payload, p.buf, json_string(hex));
	buf_release(&p);
	return 0;
}

/*
 * The git side of the merge (ours: the merge base bt with the managed files written over it)
 * and the record (D's tree, see find_base: exactly the files letta-sync ships; without a
 * trusted record, the managed files alone). Seed and unmanaged files leave the record (they
 * are the agent's once written). A file of the record no manifest declares now is an orphan;
 * with --prune it leaves ours and the record (so the merge deletes it) when the agent's head
 * still has what was shipped, else it is kept (the agent changed it).
 */
static int build_ours(git_oid *ours, git_oid *rec, git_repository *repo, git_tree *record,
		      git_tree *bt, git_tree *ht, const struct memfs_git_opts *o,
		      const struct memfile *want, size_t n, struct memfs_git_result *out)
{
	git_index *ri = NULL;
	json_t *shipped = json_object(), *have = json_object(), *v;
	const char *k;
	int rc = -1;

	if (overlay(ours, repo, bt, want, n) < 0 || overlay(rec, repo, record, want, n) < 0)
		goto out;
	if (!record) {
		rc = 0;
		goto out;
	}
	if (git_index_new(&ri) < 0)
		goto out;
	{
		git_tree *t = NULL;
		git_index *oi = NULL;

		if (git_tree_lookup(&t, repo, rec) < 0 || git_index_read_tree(ri, t) < 0 ||
		    git_tree_walk(record, GIT_TREEWALK_PRE, blob_paths_cb, shipped) < 0 ||
		    git_tree_walk(ht, GIT_TREEWALK_PRE, blob_paths_cb, have) < 0) {
			git_tree_free(t);
			goto out;
		}
		git_tree_free(t);
		for (size_t i = 0; i < n; i++)
			if (want[i].mode != MEMFILE_MANAGED)
				git_index_remove(ri, want[i].path, 0);
		if (o->prune) {
			if (git_tree_lookup(&t, repo, ours) < 0 || git_index_new(&oi) < 0 ||
			    git_index_read_tree(oi, t) < 0) {
				git_tree_free(t);
				git_index_free(oi);
				goto out;
			}
			git_tree_free(t);
		}
		json_object_foreach(shipped, k, v) {
			const json_t *h = json_object_get(have, k);

			if (declared(want, n, k))
				continue;
			if (!o->prune) {
				json_array_append_new(out->orphans, json_string(k));
			} else if (!h || json_equal(h, v)) {
				git_index_remove(oi, k, 0);
				git_index_remove(ri, k, 0);
			} else {
				json_array_append_new(out->kept, json_string(k));
			}
		}
		if (oi && git_index_write_tree_to(ours, oi, repo) < 0) {
			git_index_free(oi);
			goto out;
		}
		git_index_free(oi);
	}
	if (git_index_write_tree_to(rec, ri, repo) < 0)
		goto out;
	rc = 0;
out:
	git_index_free(ri);
	json_decref(shipped);
	json_decref(have);
	return rc;
}

/* Seed files the merged memory lacks: written once (created when missing, never updated). */
static int add_seeds(git_repository *repo, git_index *mi, const struct memfile *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		git_index_entry e;

		if (want[i].mode != MEMFILE_SEED || git_index_get_bypath(mi, want[i].path, 0) ||
		    git_index_get_bypath(mi, want[i].path, 2) || git_index_get_bypath(mi, want[i].path, 3))
			continue;
		memset(&e, 0, sizeof(e));
		e.mode = GIT_FILEMODE_BLOB;
		e.path = want[i].path;
		if (git_blob_create_from_buffer(&e.id, repo, want[i].data, want[i].len) < 0 ||
		    git_index_add(mi, &e) < 0)
			return -1;
	}
	return 0;
}

/* Whether the D commit id records exactly the files shipped (this version's trailer). */
static int record_trusted(git_repository *repo, const git_oid *id)
{
	git_commit *c = NULL;
	int ok;

	if (git_commit_lookup(&c, repo, id) < 0)
		return 0;
	ok = git_commit_message(c) && strstr(git_commit_message(c), MEMFS_RECORD_TRAILER) != NULL;
	git_commit_free(c);
	return ok;
}

static int patch_cb(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l,
		    void *payload)
{
	struct buf *b = payload;

	(void)d;
	(void)h;
	if (l->origin == GIT_DIFF_LINE_CONTEXT || l->origin == GIT_DIFF_LINE_ADDITION ||
	    l->origin == GIT_DIFF_LINE_DELETION)
		buf_addch(b, l->origin);
	buf_add(b, l->content, l->content_len);
	return 0;
}

/* Per-file unified diffs a -> b, only paths (when given) in keep. */
static json_t *diff_trees(git_repository *repo, git_tree *a, git_tree *b, const json_t *keep)
{
	git_diff *d = NULL;
	json_t *out = json_array();

	if (git_diff_tree_to_tree(&d, repo, a, b, NULL) < 0)
		return out;
	for (size_t i = 0; i < git_diff_num_deltas(d); i++) {
		const git_diff_delta *dl = git_diff_get_delta(d, i);
		const char *path = dl->new_file.path ? dl->new_file.path : dl->old_file.path;
		git_patch *p = NULL;
		struct buf t = BUF_INIT;
		const char *change = dl->status == GIT_DELTA_ADDED	 ? "create"
				     : dl->status == GIT_DELTA_DELETED ? "delete"
									: "update";

		if (keep && !json_object_get(keep, path))
			continue;
		if (git_patch_from_diff(&p, d, i) == 0 && p)
			git_patch_print(p, patch_cb, &t);
		git_patch_free(p);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "path", path, "change", change,
						     "diff", t.buf ? t.buf : ""));
		buf_release(&t);
	}
	git_diff_free(d);
	return out;
}

static int commit_push(git_repository *repo, const struct memfs_git_opts *o, const git_oid *tree_id,
		       const git_oid *ours_id, const git_oid *base, const git_oid *parent,
		       git_oid *cid, git_oid *did, int *rejected, struct buf *why,
		       struct ls_error *err)
{
	git_tree *otree = NULL;
	git_commit *dprev = NULL, *dc = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_commit *par = NULL;
	git_remote *rem = NULL;
	git_reference *ref = NULL;
	git_push_options po;
	char spec[] = "refs/heads/main:refs/heads/main";
	char *specp = spec;
	git_strarray specs = { &specp, 1 };
	struct push_st ps = { o->key, NULL, 0, 0, BUF_INIT };
	const git_commit *parents[2];
	int rc = LS_EFAIL;

	*rejected = 0;
	if (git_signature_now(&sig, MEMFS_GIT_AUTHOR, MEMFS_GIT_EMAIL) < 0 ||
	    git_tree_lookup(&tree, repo, tree_id) < 0 || git_commit_lookup(&par, repo, parent) < 0) {
		rc = memfs_git_err(err, "memory commit");
		goto out;
	}
	/* D: git's files over the base's, on the previous D (see find_base). */
	if (git_tree_lookup(&otree, repo, ours_id) < 0 ||
	    (base && git_commit_lookup(&dprev, repo, base) < 0)) {
		rc = memfs_git_err(err, "memory commit");
		goto out;
	}
	parents[0] = dprev;
	if (git_commit_create(did, repo, NULL, sig, sig, NULL,
			      "letta-sync: the config repository's memory files\n\n" MEMFS_RECORD_TRAILER "\n", otree,
			      dprev ? 1 : 0, parents) < 0 ||
	    git_commit_lookup(&dc, repo, did) < 0) {
		rc = memfs_git_err(err, "memory commit");
		goto out;
	}
	parents[0] = par;
	parents[1] = dc;
	if (git_commit_create(cid, repo, NULL, sig, sig, NULL, o->message, tree, 2, parents) < 0 ||
	    git_reference_create(&ref, repo, "refs/heads/main", cid, 1, NULL) < 0) {
		rc = memfs_git_err(err, "memory commit");
		goto out;
	}
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	auth_setup(&po.callbacks, &po.custom_headers, &ps);
	po.callbacks.push_update_reference = push_ref_cb;
	if (git_remote_create_anonymous(&rem, repo, o->url) < 0) {
		rc = memfs_git_err(err, "memory repository");
		goto out;
	}
	if (git_remote_push(rem, &specs, &po) < 0) {
		const git_error *ge = git_error_last();

		/* A 409: the server refused the push (someone moved main); like a non-fast-forward. */
		if (ge && ge->message && strstr(ge->message, "status code: 409")) {
			*rejected = 1;
			buf_addstr(why, ge->message);
			git_error_clear();
			rc = 0;
			goto out;
		}
		rc = memfs_git_err(err, "pushing the agent's memory");
		goto out;
	}
	*rejected = ps.rejected;
	buf_add(why, ps.why.buf ? ps.why.buf : "", ps.why.len);
	rc = 0;
out:
	git_commit_free(dc);
	git_commit_free(dprev);
	git_tree_free(otree);
	auth_free(&ps);
	buf_release(&ps.why);
	git_reference_free(ref);
	git_remote_free(rem);
	git_commit_free(par);
	git_tree_free(tree);
	git_signature_free(sig);
	return rc;
}

/*
 * After a rewrite, with main already holding git's files: the base re-established from the
 * files (a D of ours, no parent: the old history is not sent back), kept in the cache until the
 * next push puts it on the server.
 */
static int reestablish(git_repository *repo, const git_oid *ours_id, git_oid *did)
{
	git_signature *sig = NULL;
	git_tree *t = NULL;
	int rc = -1;

	if (git_signature_now(&sig, MEMFS_GIT_AUTHOR, MEMFS_GIT_EMAIL) == 0 &&
	    git_tree_lookup(&t, repo, ours_id) == 0)
		rc = git_commit_create(did, repo, NULL, sig, sig, NULL,
				       "letta-sync: the config repository's memory files\n\n" MEMFS_RECORD_TRAILER "\n",
				       t, 0, NULL);
	git_tree_free(t);
	git_signature_free(sig);
	git_error_clear();
	return rc;
}

/* The conflicted path settled with tree's entry for it (none: the file goes). */
static void take_side(git_repository *repo, git_index *mi, const char *path, git_tree *tree)
{
	git_tree_entry *te = NULL;
	git_index_entry e;

	(void)repo;
	git_index_conflict_remove(mi, path);
	if (git_tree_entry_bypath(&te, tree, path) == 0) {
		memset(&e, 0, sizeof(e));
		e.mode = git_tree_entry_filemode(te);
		e.path = path;
		git_oid_cpy(&e.id, git_tree_entry_id(te));
		git_index_add(mi, &e);
		git_tree_entry_free(te);
	} else {
		git_error_clear();
		if (git_index_get_bypath(mi, path, 0))
			git_index_remove(mi, path, 0);
	}
}

/*
 * sync --interactive's answers (resolve: {path: "git"|"agent"}): "git" merges the file again
 * with git winning the overlapping hunks (as --force does; the agent's other edits stay),
 * "agent" keeps the file as the agent has it. Each settled path leaves keep.
 */
static int settle(git_repository *repo, git_index *mi, json_t *keep, const json_t *resolve,
		  git_tree *ot, git_tree *ht)
{
	const char *k;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(keep, tmp, k, v) {
		const char *how = json_string_value(json_object_get(resolve, k));
		const git_index_entry *a = NULL, *ours = NULL, *theirs = NULL;

		if (!how)
			continue;
		if (!strcmp(how, "git") &&
		    git_index_conflict_get(&a, &ours, &theirs, mi, k) == 0 && a && ours && theirs) {
			git_merge_file_result mr;
			git_merge_file_options fo;
			git_index_entry e;

			git_merge_file_options_init(&fo, GIT_MERGE_FILE_OPTIONS_VERSION);
			fo.favor = GIT_MERGE_FILE_FAVOR_OURS;
			memset(&mr, 0, sizeof(mr));
			if (git_merge_file_from_index(&mr, repo, a, ours, theirs, &fo) < 0)
				return -1;
			memset(&e, 0, sizeof(e));
			e.mode = ours->mode;
			e.path = k;
			if (git_blob_create_from_buffer(&e.id, repo, mr.ptr, mr.len) < 0) {
				git_merge_file_result_free(&mr);
				return -1;
			}
			git_merge_file_result_free(&mr);
			git_index_conflict_remove(mi, k);
			if (git_index_add(mi, &e) < 0)
				return -1;
		} else {
			git_error_clear();
			take_side(repo, mi, k, !strcmp(how, "git") ? ot : ht);
		}
		json_object_del(keep, k);
	}
	return 0;
}

/* Whether a is b or an ancestor of it. */
static int reaches(git_repository *repo, const git_oid *a, const git_oid *b)
{
	return git_oid_equal(a, b) || git_graph_descendant_of(repo, b, a) == 1;
}

int memfs_git_sync(struct memfs_git_result *out, const struct memfs_git_opts *o,
		   const struct memfile *want, size_t n, struct ls_error *err)
{
	git_repository *repo = NULL;
	git_oid head, base, ours_id, rec_id, res_id, cid, did, merge, rec, seen;
	int have = 0, rc = 0, tries = 0, lost = 0, fails = 0, rejects = 0, has_rec;
	struct buf why = BUF_INIT;

	memset(&cid, 0, sizeof(cid));
	memset(&did, 0, sizeof(did));
	memset(out, 0, sizeof(*out));
	out->files = json_array();
	out->conflicts = json_array();
	out->orphans = json_array();
	out->kept = json_array();
	if ((rc = open_cache(&repo, o->cache, err)) < 0)
		goto out;
	has_rec = record_read(repo, &rec, &seen);
	for (;;) {
		git_commit *hc = NULL, *bc = NULL;
		git_tree *ht = NULL, *bt = NULL, *ot = NULL, *rt = NULL, *mt = NULL;
		git_index *mi = NULL;
		git_merge_options mo;
		int rejected = 0, has_base;

		git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
		if ((rc = fetch(repo, o, &head, &have, err)) < 0)
			break;
		if (!have) {
			rc = ls_error_set(err, LS_EFAIL, "the agent's memory repository has no main branch");
			break;
		}
		git_oid_tostr(out->head, sizeof(out->head), &head);
		/* A push whose reply was lost: the fetch shows whether it landed. */
		if (lost && reaches(repo, &cid, &head)) {
			/* It landed (and perhaps the agent committed on top): done. */
			git_oid_tostr(out->pushed, sizeof(out->pushed), &cid);
			record_write(repo, &did, &cid);
			break;
		}
		lost = 0;
		has_base = find_base(repo, &head, &base, &merge);
		out->rewritten = 0;
		out->lost_base[0] = 0;
		if (!has_base && has_rec) {
			if (reaches(repo, &seen, &head)) {
				/* A base re-established after a rewrite, not pushed yet. */
				git_oid_cpy(&base, &rec);
				git_oid_cpy(&merge, &seen);
				has_base = 2;
			} else {
				/* The recorded base is no longer on main: the server rewrote it. */
				out->rewritten = 1;
				git_oid_tostr(out->lost_base, sizeof(out->lost_base), &rec);
			}
		}
		out->base[0] = 0;
		if (has_base)
			git_oid_tostr(out->base, sizeof(out->base), &base);
		if (git_commit_lookup(&hc, repo, &head) < 0 || git_commit_tree(&ht, hc) < 0 ||
		    ((has_base || out->rewritten) &&
		     (git_commit_lookup(&bc, repo, has_base ? &base : &rec) < 0 ||
		      git_commit_tree(&bt, bc) < 0))) {
			rc = memfs_git_err(err, "reading the agent's memory");
			goto round;
		}
		if (out->rewritten) {
			git_oid rb;
			git_tree *old = bt;

			bt = NULL;
			rc = rewrite_base(&rb, repo, old, ht, want, n) < 0 ||
			     git_tree_lookup(&bt, repo, &rb) < 0;
			git_tree_free(old);
			if (rc) {
				rc = memfs_git_err(err, "memory merge");
				goto round;
			}
		}
		/* The agent's own edits: main's files differ from those letta-sync last left. */
		out->agent_edits = 0;
		if (has_base) {
			git_commit *mc = NULL;

			if (git_commit_lookup(&mc, repo, &merge) == 0 && git_commit_tree(&mt, mc) == 0)
				out->agent_edits = !git_oid_equal(git_tree_id(mt), git_tree_id(ht));
			git_commit_free(mc);
		}
		if (!bt)
			git_tree_dup(&bt, ht);
		json_array_clear(out->files);
		json_array_clear(out->conflicts);
		/* --force: git wins the overlapping hunks, the agent keeps the rest. */
		mo.file_favor = o->force ? GIT_MERGE_FILE_FAVOR_OURS : GIT_MERGE_FILE_FAVOR_NORMAL;
		json_array_clear(out->orphans);
		json_array_clear(out->kept);
		if (build_ours(&ours_id, &rec_id, repo, has_base && record_trusted(repo, &base) ? bt : NULL,
			       bt, ht, o, want, n, out) < 0 ||
		    git_tree_lookup(&ot, repo, &ours_id) < 0 ||
		    git_merge_trees(&mi, repo, bt, ot, ht, &mo) < 0) {
			rc = memfs_git_err(err, "memory merge");
			goto round;
		}
		if (git_index_has_conflicts(mi)) {
			git_index_conflict_iterator *it = NULL;
			const git_index_entry *a, *b, *c;
			json_t *keep = json_object();
			const char *k;
			json_t *v;

			if (git_index_conflict_iterator_new(&it, mi) == 0)
				while (git_index_conflict_next(&a, &b, &c, it) == 0) {
					const char *p = b ? b->path : c ? c->path : a->path;
					json_object_set_new(keep, p, json_true());
				}
			git_index_conflict_iterator_free(it);
			/* sync --interactive: the files the user settled, one by one. */
			if (o->resolve && settle(repo, mi, keep, o->resolve, ot, ht) < 0) {
				json_decref(keep);
				rc = memfs_git_err(err, "memory merge");
				goto round;
			}
			if (o->force) {
				/* What is left (add/add, edit/delete): git's side of the file. */
				json_object_foreach(keep, k, v)
					take_side(repo, mi, k, ot);
				json_decref(keep);
			} else if (!json_object_size(keep)) {
				json_decref(keep);
			} else {
				/* The hunks: what the agent has -> what git wants. */
				json_decref(out->conflicts);
				out->conflicts = diff_trees(repo, ht, ot, keep);
				json_decref(keep);
				goto round;
			}
		}
		if (add_seeds(repo, mi, want, n) < 0 || git_index_write_tree_to(&res_id, mi, repo) < 0) {
			rc = memfs_git_err(err, "memory merge");
			goto round;
		}
		if (git_oid_equal(&res_id, git_tree_id(ht))) {
			/* In step: nothing to push. */
			if (o->push && has_base)
				record_write(repo, &base, &head);
			else if (o->push && out->rewritten &&
				 reestablish(repo, &rec_id, &did) == 0)
				record_write(repo, &did, &head);
			goto round;
		}
		if (git_tree_lookup(&rt, repo, &res_id) < 0) {
			rc = memfs_git_err(err, "memory merge");
			goto round;
		}
		json_decref(out->files);
		out->files = diff_trees(repo, ht, rt, NULL);
		if (!o->push)
			goto round;
		tries++;
		buf_reset(&why);
		rc = commit_push(repo, o, &res_id, &rec_id, has_base ? &base : NULL, &head, &cid,
				 &did, &rejected, &why, err);
		if (rc < 0) {
			/*
			 * No answer (a lost reply, a dropped connection, a 5xx or 429): fetch to
			 * see, within the retry budget of the API (see memfs_git_opts).
			 */
			if (fails++ < (o->retries > MEMFS_GIT_TRIES - 1 ? o->retries : MEMFS_GIT_TRIES - 1)) {
				ls_error_clear(err);
				rc = 0;
				lost = 1;
				backoff(o, fails - 1);
			}
		} else if (rejected) {
			if (++rejects >= MEMFS_GIT_TRIES)
				rc = ls_error_set(err, LS_ECONFLICT,
						  "the agent's memory moved during each of %d pushes (%s)",
						  rejects, why.buf ? why.buf : "rejected");
		} else {
			git_oid_tostr(out->pushed, sizeof(out->pushed), &cid);
			record_write(repo, &did, &cid);
		}
round:
		git_tree_free(mt);
		git_index_free(mi);
		git_tree_free(rt);
		git_tree_free(ot);
		git_tree_free(bt);
		git_tree_free(ht);
		git_commit_free(bc);
		git_commit_free(hc);
		if (rc < 0 || !(lost || rejected))
			break;
	}
	out->tries = tries;
out:
	buf_release(&why);
	git_repository_free(repo);
	return rc;
}

char *memfs_text_diff(const char *a, size_t alen, const char *b, size_t blen)
{
	git_patch *p = NULL;
	struct buf t = BUF_INIT;

	if (git_patch_from_buffers(&p, a, alen, NULL, b, blen, NULL, NULL) == 0 && p)
		git_patch_print(p, patch_cb, &t);
	git_patch_free(p);
	git_error_clear();
	if (!t.buf)
		buf_addstr(&t, "");
	return buf_detach(&t);
}

void memfs_files_free(struct memfile *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].data);
	}
	free(f);
}

struct walk {
	struct memfile *f;
	size_t n, alloc;
	int rc;
	struct ls_error *err;
};

static int walk_dir(struct walk *w, const char *root, const char *rel)
{
	struct buf p = BUF_INIT;
	struct dirent **ents = NULL;
	int k;

	buf_addf(&p, "%s%s%s", root, *rel ? "/" : "", rel);
	k = scandir(p.buf, &ents, NULL, alphasort);
	if (k < 0) {
		w->rc = ls_error_set(w->err, LS_ENOTFOUND, "%s: cannot read the memory folder", p.buf);
		buf_release(&p);
		return w->rc;
	}
	for (int i = 0; i < k; i++) {
		const char *name = ents[i]->d_name;
		struct buf r = BUF_INIT, full = BUF_INIT, data = BUF_INIT;
		struct stat st;

		if (w->rc == 0 && !(name[0] == '.' && strcmp(name, ".memfs.config.json"))) {
			buf_addf(&r, "%s%s%s", rel, *rel ? "/" : "", name);
			buf_addf(&full, "%s/%s", root, r.buf);
			if (lstat(full.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
				walk_dir(w, root, r.buf);
			} else if (S_ISREG(st.st_mode)) {
				if ((w->rc = files_read(&data, full.buf, 1u << 20, w->err)) == 0) {
					if (w->n == w->alloc) {
						w->alloc = w->alloc ? 2 * w->alloc : 16;
						w->f = xrealloc(w->f, w->alloc * sizeof(*w->f));
					}
					w->f[w->n].path = xstrdup(r.buf);
					w->f[w->n].len = data.len;
					w->f[w->n].data = xmalloc(data.len + 1);
					memcpy(w->f[w->n].data, data.buf ? data.buf : "", data.len);
					w->f[w->n].data[data.len] = 0;
					w->f[w->n].mode = MEMFILE_MANAGED;
					w->n++;
				}
			}
		}
		buf_release(&r);
		buf_release(&full);
		buf_release(&data);
		free(ents[i]);
	}
	free(ents);
	buf_release(&p);
	return w->rc;
}

int memfs_read_dir(struct memfile **out, size_t *n, const char *dir, struct ls_error *err)
{
	struct walk w = { NULL, 0, 0, 0, err };

	*out = NULL;
	*n = 0;
	if (walk_dir(&w, dir, "") < 0) {
		memfs_files_free(w.f, w.n);
		return w.rc;
	}
	*out = w.f;
	*n = w.n;
	return 0;
}

/*
 * For repo/memfs_snapshot.c (memfs_git_int.h): the same cache, fetch, credentials and push as
 * the sync above, without its merge.
 */
int memfs_git_open(git_repository **repo, const struct memfs_git_opts *o, struct ls_error *err)
{
	return open_cache(repo, o->cache, err);
}

int memfs_git_fetch(git_repository *repo, const struct memfs_git_opts *o, git_oid *head, int *have,
		    struct ls_error *err)
{
	return fetch(repo, o, head, have, err);
}

json_t *memfs_git_diff(git_repository *repo, git_tree *a, git_tree *b)
{
	return diff_trees(repo, a, b, NULL);
}

int memfs_git_push_main(git_repository *repo, const struct memfs_git_opts *o, int *rejected,
			struct buf *why, struct ls_error *err)
{
	git_remote *rem = NULL;
	git_push_options po;
	char spec[] = "refs/heads/main:refs/heads/main";
	char *specp = spec;
	git_strarray specs = { &specp, 1 };
	struct push_st ps = { o->key, NULL, 0, 0, BUF_INIT };
	int rc = 0;

	*rejected = 0;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	auth_setup(&po.callbacks, &po.custom_headers, &ps);
	po.callbacks.push_update_reference = push_ref_cb;
	if (git_remote_create_anonymous(&rem, repo, o->url) < 0)
		rc = memfs_git_err(err, "memory repository");
	else if (git_remote_push(rem, &specs, &po) < 0)
		rc = memfs_git_err(err, "pushing the agent's memory");
	*rejected = ps.rejected;
	buf_add(why, ps.why.buf ? ps.why.buf : "", ps.why.len);
	auth_free(&ps);
	buf_release(&ps.why);
	git_remote_free(rem);
	return rc;
}

struct tree_read {
	git_repository *repo;
	struct walk w;
};

static int read_blob_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct tree_read *t = payload;
	git_blob *b = NULL;
	struct memfile *f;
	size_t len;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (git_blob_lookup(&b, t->repo, git_tree_entry_id(e)) < 0)
		return -1;
	if (t->w.n == t->w.alloc) {
		t->w.alloc = t->w.alloc ? 2 * t->w.alloc : 16;
		t->w.f = xrealloc(t->w.f, t->w.alloc * sizeof(*t->w.f));
	}
	f = &t->w.f[t->w.n++];
	len = (size_t)git_blob_rawsize(b);
	{
		struct buf p = BUF_INIT;

		buf_addf(&p, "%s%s", root, git_tree_entry_name(e));
		f->path = buf_detach(&p);
	}
	f->len = len;
	f->data = xmalloc(len + 1);
	memcpy(f->data, git_blob_rawcontent(b), len);
	f->data[len] = 0;
	f->mode = MEMFILE_MANAGED;
	git_blob_free(b);
	return 0;
}

static int cmp_memfile(const void *a, const void *b)
{
	return strcmp(((const struct memfile *)a)->path, ((const struct memfile *)b)->path);
}

int memfs_git_read(struct memfile **out, size_t *n, char head_hex[41],
		   const struct memfs_git_opts *o, struct ls_error *err)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_oid head;
	struct tree_read tr;
	int have = 0, rc;

	*out = NULL;
	*n = 0;
	memset(&tr, 0, sizeof(tr));
	if ((rc = open_cache(&repo, o->cache, err)) < 0)
		return rc;
	tr.repo = repo;
	if ((rc = fetch(repo, o, &head, &have, err)) < 0)
		goto out;
	if (!have) {
		rc = ls_error_set(err, LS_EFAIL, "the agent's memory repository has no main branch");
		goto out;
	}
	git_oid_tostr(head_hex, 41, &head);
	if (git_commit_lookup(&c, repo, &head) < 0 || git_commit_tree(&t, c) < 0 ||
	    git_tree_walk(t, GIT_TREEWALK_PRE, read_blob_cb, &tr) < 0) {
		rc = memfs_git_err(err, "reading the agent's memory");
		memfs_files_free(tr.w.f, tr.w.n);
		goto out;
	}
	if (tr.w.n)
		qsort(tr.w.f, tr.w.n, sizeof(*tr.w.f), cmp_memfile);
	*out = tr.w.f;
	*n = tr.w.n;
out:
	git_tree_free(t);
	git_commit_free(c);
	git_repository_free(repo);
	return rc;
}
