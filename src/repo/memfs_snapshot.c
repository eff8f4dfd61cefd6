/* An agent's memory repository in snapshots: bundle and restore (see memfs_snapshot.h). */
#include "repo/memfs_snapshot.h"

#include "repo/files.h"
#include "repo/git.h"
#include "repo/memfs_git_int.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUNDLE_MAX (1024u * 1024 * 1024) /* a memory repository is text: far below this */

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int pack_cb(void *data, size_t size, void *payload)
{
	return write_all(*(int *)payload, data, size) < 0 ? -1 : 0;
}

int memfs_git_bundle(char head[41], const struct memfs_git_opts *o, const char *path,
		     struct ls_error *err)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_packbuilder *pb = NULL;
	struct buf hdr = BUF_INIT;
	git_oid h;
	int have = 0, fd = -1, rc;

	head[0] = 0;
	repo_git_ready();
	if ((rc = memfs_git_open(&repo, o, err)) < 0 ||
	    (rc = memfs_git_fetch(repo, o, &h, &have, err)) < 0)
		goto out;
	if (!have) {
		rc = ls_error_set(err, LS_ENOTFOUND, "the agent's memory repository has no main branch");
		goto out;
	}
	git_oid_tostr(head, 41, &h);
	/* Every object reachable from main: a bundle without prerequisites. */
	if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, &h) < 0 ||
	    git_packbuilder_new(&pb, repo) < 0 || git_packbuilder_insert_walk(pb, walk) < 0) {
		rc = memfs_git_err(err, "packing the agent's memory");
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	buf_addf(&hdr, "# v2 git bundle\n%s HEAD\n%s refs/heads/main\n\n", head, head);
	if (write_all(fd, hdr.buf, hdr.len) < 0) {
		rc = ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (git_packbuilder_foreach(pb, pack_cb, &fd) < 0) {
		rc = git_error_last() && git_error_last()->klass != GIT_ERROR_CALLBACK
			     ? memfs_git_err(err, "packing the agent's memory")
			     : ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path,
					    strerror(errno));
		git_error_clear();
		goto out;
	}
	if (fsync(fd) < 0) {
		rc = ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
	if (rc < 0 && fd >= 0)
		unlink(path);
	buf_release(&hdr);
	git_packbuilder_free(pb);
	git_revwalk_free(walk);
	git_repository_free(repo);
	return rc;
}

void memfs_restore_result_release(struct memfs_restore_result *r)
{
	json_decref(r->files);
	memset(r, 0, sizeof(*r));
}

/*
 * Reads a bundle (v2, or v3 with SHA-1 objects) into repo's object database: *out gets its
 * refs/heads/main (else its first ref). A bundle with prerequisites is refused: ours have none.
 */
static int load_bundle(git_oid *out, git_repository *repo, const char *path, struct ls_error *err)
{
	struct buf data = BUF_INIT;
	git_odb *odb = NULL;
	git_odb_writepack *wp = NULL;
	git_indexer_progress stats;
	const char *p, *end, *nl;
	int rc, found = 0;

	if ((rc = files_read(&data, path, BUNDLE_MAX, err)) < 0)
		return rc;
	p = data.buf;
	end = data.buf + data.len;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || (strncmp(p, "# v2 git bundle\n", 16) && strncmp(p, "# v3 git bundle\n", 16))) {
		rc = ls_error_set(err, LS_EINVALID, "'%s' is not a git bundle", path);
		goto out;
	}
	for (p = nl + 1; p < end && *p != '\n'; p = nl + 1) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid id;

		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			break;
		if (*p == '@') {
			if (!strncmp(p, "@object-format=", 15) && strncmp(p, "@object-format=sha1\n", 20)) {
				rc = ls_error_set(err, LS_EINVALID, "'%s': only SHA-1 bundles are read",
						  path);
				goto out;
			}
			continue;
		}
		if (*p == '-') {
			rc = ls_error_set(err, LS_EINVALID,
					  "'%s' needs commits it does not hold (a bundle with "
					  "prerequisites)",
					  path);
			goto out;
		}
		if (nl - p < GIT_OID_HEXSZ + 2 || p[GIT_OID_HEXSZ] != ' ')
			continue;
		memcpy(hex, p, GIT_OID_HEXSZ);
		hex[GIT_OID_HEXSZ] = 0;
		if (git_oid_fromstr(&id, hex) < 0)
			continue;
		if (!found || ((size_t)(nl - p) == GIT_OID_HEXSZ + 16 &&
			       !strncmp(p + GIT_OID_HEXSZ + 1, "refs/heads/main", 15)))
			git_oid_cpy(out, &id);
		found = 1;
	}
	if (!found || p >= end || *p != '\n') {
		git_error_clear();
		rc = ls_error_set(err, LS_EINVALID, "'%s': a git bundle without refs or pack", path);
		goto out;
	}
	p++;
	if (git_repository_odb(&odb, repo) < 0) {
		rc = memfs_git_err(err, path);
		goto out;
	}
	if (!git_odb_exists(odb, out)) {
		memset(&stats, 0, sizeof(stats));
		if (git_odb_write_pack(&wp, odb, NULL, NULL) < 0 ||
		    wp->append(wp, p, (size_t)(end - p), &stats) < 0 || wp->commit(wp, &stats) < 0) {
			rc = memfs_git_err(err, path);
			goto out;
		}
	}
out:
	if (wp)
		wp->free(wp);
	git_odb_free(odb);
	buf_release(&data);
	return rc;
}

/* Whether msg carries the trailer of a restore of snapshot id. */
static int restores(const char *msg, const char *id)
{
	size_t tl = strlen(MEMFS_RESTORE_TRAILER), il = strlen(id);

	for (const char *s = msg; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
		if (!strncmp(s, MEMFS_RESTORE_TRAILER, tl) && !strncmp(s + tl, id, il) &&
		    (s[tl + il] == '\n' || !s[tl + il]))
			return 1;
	return 0;
}

/*
 * Walks main's first-parent line back to the snapshot's history, looking for letta-sync's
 * newest commit since the snapshot: 1 with *base set (a sync's merge, another restore), 2 when
 * it is a restore of snapshot id (done already), 0 when letta-sync wrote nothing since.
 */
static int written_since(git_oid *base, git_repository *repo, const git_oid *head,
			 const git_oid *snap, const char *id)
{
	git_commit *c = NULL;
	int found = 0, depth = 0;

	if (git_commit_lookup(&c, repo, head) < 0)
		return 0;
	while (c && depth++ < 100000) {
		const git_oid *cid = git_commit_id(c);
		const git_signature *a = git_commit_author(c);

		if (git_oid_equal(cid, snap) || git_graph_descendant_of(repo, snap, cid) == 1)
			break;
		if (a && a->name && !strcmp(a->name, MEMFS_GIT_AUTHOR)) {
			found = restores(git_commit_message(c), id) ? 2 : 1;
			git_oid_cpy(base, cid);
			break;
		}
		if (!memfs_git_first_parent(&c))
			break;
	}
	git_commit_free(c);
	git_error_clear();
	return found;
}

/* base -> snapshot's files over base -> main's; the snapshot wins what overlaps. */
static int merge_back(git_oid *out, git_repository *repo, git_tree *bt, git_tree *st,
		      git_tree *ht)
{
	git_index *mi = NULL;
	git_merge_options mo;
	json_t *paths = json_object();
	const char *k;
	json_t *v;
	int rc = -1;

	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	mo.file_favor = GIT_MERGE_FILE_FAVOR_OURS;
	if (git_merge_trees(&mi, repo, bt, st, ht, &mo) < 0)
		goto out;
	if (git_index_has_conflicts(mi)) {
		git_index_conflict_iterator *it = NULL;
		const git_index_entry *a, *b, *c;

		if (git_index_conflict_iterator_new(&it, mi) == 0)
			while (git_index_conflict_next(&a, &b, &c, it) == 0)
				json_object_set_new(paths, b ? b->path : c ? c->path : a->path,
						    json_true());
		git_index_conflict_iterator_free(it);
		/* What is left (add/add, edit/delete): the snapshot's side of the file. */
		json_object_foreach(paths, k, v) {
			git_tree_entry *te = NULL;
			git_index_entry e;

			git_index_conflict_remove(mi, k);
			if (git_tree_entry_bypath(&te, st, k) == 0) {
				memset(&e, 0, sizeof(e));
				e.mode = git_tree_entry_filemode(te);
				e.path = k;
				git_oid_cpy(&e.id, git_tree_entry_id(te));
				if (git_index_add(mi, &e) < 0) {
					git_tree_entry_free(te);
					goto out;
				}
				git_tree_entry_free(te);
			}
		}
	}
	rc = git_index_write_tree_to(out, mi, repo);
out:
	json_decref(paths);
	git_index_free(mi);
	return rc;
}

int memfs_git_restore(struct memfs_restore_result *out, const struct memfs_git_opts *o,
		      const char *bundle, const char *snapshot_id, struct ls_error *err)
{
	git_repository *repo = NULL;
	git_signature *sig = NULL;
	git_oid snap, head, base, res, cid;
	struct buf msg = BUF_INIT, why = BUF_INIT;
	int rc, have = 0, sent = 0;

	memset(out, 0, sizeof(*out));
	memset(&cid, 0, sizeof(cid));
	out->files = json_array();
	repo_git_ready();
	if ((rc = memfs_git_open(&repo, o, err)) < 0 ||
	    (rc = load_bundle(&snap, repo, bundle, err)) < 0)
		goto out;
	git_oid_tostr(out->snapshot, sizeof(out->snapshot), &snap);
	buf_addstr(&msg, o->message ? o->message : "letta-sync: restore memory\n");
	if (msg.len && msg.buf[msg.len - 1] != '\n')
		buf_addch(&msg, '\n');
	buf_addf(&msg, "\n%s%s\n", MEMFS_RESTORE_TRAILER, snapshot_id);
	for (;;) {
		git_commit *hc = NULL, *sc = NULL, *bc = NULL, *nc = NULL;
		git_tree *ht = NULL, *st = NULL, *bt = NULL, *rt = NULL;
		git_reference *ref = NULL;
		const git_commit *parents[1];
		int rejected = 0, lost = 0, w;

		if ((rc = memfs_git_fetch(repo, o, &head, &have, err)) < 0)
			break;
		if (!have) {
			rc = ls_error_set(err, LS_EFAIL, "the agent's memory repository has no main branch");
			break;
		}
		git_oid_tostr(out->head, sizeof(out->head), &head);
		w = written_since(&base, repo, &head, &snap, snapshot_id);
		if (w == 2) {
			/* This restore landed (a reply lost on the way), or ran before. */
			if (sent)
				git_oid_tostr(out->pushed, sizeof(out->pushed), &base);
			else
				out->already = 1;
			goto round;
		}
		if (w == 1)
			git_oid_tostr(out->base, sizeof(out->base), &base);
		if (git_commit_lookup(&hc, repo, &head) < 0 || git_commit_tree(&ht, hc) < 0 ||
		    git_commit_lookup(&sc, repo, &snap) < 0 || git_commit_tree(&st, sc) < 0 ||
		    (w == 1 && (git_commit_lookup(&bc, repo, &base) < 0 ||
				git_commit_tree(&bt, bc) < 0))) {
			rc = memfs_git_err(err, "reading the agent's memory");
			goto round;
		}
		if (w == 1) {
			if (merge_back(&res, repo, bt, st, ht) < 0) {
				rc = memfs_git_err(err, "memory merge");
				goto round;
			}
		} else {
			git_oid_cpy(&res, git_tree_id(st));
		}
		json_array_clear(out->files);
		if (git_oid_equal(&res, git_tree_id(ht)))
			goto round; /* main has the snapshot's files already */
		if (git_tree_lookup(&rt, repo, &res) < 0) {
			rc = memfs_git_err(err, "memory merge");
			goto round;
		}
		json_decref(out->files);
		out->files = memfs_git_diff(repo, ht, rt);
		if (!o->push)
			goto round;
		parents[0] = hc;
		if ((!sig && git_signature_now(&sig, MEMFS_GIT_AUTHOR, MEMFS_GIT_EMAIL) < 0) ||
		    git_commit_create(&cid, repo, NULL, sig, sig, NULL, msg.buf, rt, 1, parents) < 0 ||
		    git_commit_lookup(&nc, repo, &cid) < 0 ||
		    git_reference_create(&ref, repo, "refs/heads/main", &cid, 1, NULL) < 0) {
			rc = memfs_git_err(err, "memory commit");
			goto round;
		}
		out->tries++;
		sent = 1;
		buf_reset(&why);
		rc = memfs_git_push_main(repo, o, &rejected, &why, err);
		if (rc < 0) {
			/* No answer (a lost reply, a dropped connection): the next fetch shows it. */
			if (out->tries < MEMFS_GIT_TRIES) {
				ls_error_clear(err);
				rc = 0;
				lost = 1;
			}
		} else if (rejected) {
			if (out->tries >= MEMFS_GIT_TRIES)
				rc = ls_error_set(err, LS_ECONFLICT,
						  "the agent's memory moved during each of %d pushes (%s)",
						  out->tries, why.buf ? why.buf : "rejected");
		} else {
			git_oid_tostr(out->pushed, sizeof(out->pushed), &cid);
		}
round:
		git_reference_free(ref);
		git_commit_free(nc);
		git_tree_free(rt);
		git_tree_free(bt);
		git_tree_free(st);
		git_tree_free(ht);
		git_commit_free(bc);
		git_commit_free(sc);
		git_commit_free(hc);
		if (rc < 0 || !(lost || (rejected && rc == 0)))
			break;
	}
out:
	git_signature_free(sig);
	buf_release(&msg);
	buf_release(&why);
	git_repository_free(repo);
	return rc;
}
