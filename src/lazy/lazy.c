/*
 * Lazy loading of libcurl and libgit2 for the letta-sync binary (issue 26, start-up): this
 * file defines every libcurl and libgit2 function letta-sync calls, and each definition opens
 * the real library with dlopen() on its first call and forwards to it. letta-sync is linked
 * with --as-needed, so neither library (nor the ~35 libraries they pull in: GnuTLS, OpenSSL,
 * mbedTLS, Kerberos, LDAP, ...) is loaded by a command that does not use it: `--version`,
 * `--help` and `validate` load neither.
 *
 * Only the letta-sync executable links this file; the tests, tools and fuzzers link the
 * libraries directly. A function used elsewhere in src/ but missing here is simply resolved by
 * the linker from the real library, which then loads at start again:
 * tests/e2e/t0804-startup-lazy-libs.sh fails when that happens. The stubs are written from the
 * prototypes in <curl/curl.h> and <git2.h>, which are included so that a mismatch does not
 * compile.
 */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <git2.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef LS_LIBCURL_SONAME
#define LS_LIBCURL_SONAME "libcurl.so.4"
#endif
#ifndef LS_LIBGIT2_SONAME
#define LS_LIBGIT2_SONAME "libgit2.so.1.5"
#endif

enum lazy_lib { LIB_CURL, LIB_GIT2 };

static void *lazy_sym(enum lazy_lib lib, const char *name)
{
	static void *handles[2];
	static const char *const sonames[2] = { LS_LIBCURL_SONAME, LS_LIBGIT2_SONAME };
	void *sym;

	if (!handles[lib]) {
		handles[lib] = dlopen(sonames[lib], RTLD_NOW | RTLD_LOCAL);
		if (!handles[lib]) {
			fprintf(stderr, "letta-sync: cannot load %s: %s\n", sonames[lib], dlerror());
			fprintf(stderr, "hint: install it (scripts/install-deps.sh lists the packages)\n");
			exit(70);
		}
	}
	sym = dlsym(handles[lib], name);
	if (!sym) {
		fprintf(stderr, "letta-sync: %s has no %s: %s\n", sonames[lib], name, dlerror());
		exit(70);
	}
	return sym;
}

/* The dlsym() idiom POSIX gives for function pointers (ISO C has no such conversion). */
#define LAZY_RESOLVE(lib, fn, name)                                                          \
	do {                                                                                 \
		if (!(fn)) {                                                                 \
			void *sym_ = lazy_sym(lib, name);                                    \
			*(void **)(&(fn)) = sym_;                                            \
		}                                                                            \
	} while (0)

#define LAZY(lib, ret, name, params, args)                                                   \
	ret name params;                                                                     \
	ret name params                                                                      \
	{                                                                                    \
		static ret(*fn) params;                                                      \
		LAZY_RESOLVE(lib, fn, #name);                                                \
		return fn args;                                                              \
	}

#define LAZY_VOID(lib, name, params, args)                                                   \
	void name params;                                                                    \
	void name params                                                                     \
	{                                                                                    \
		static void(*fn) params;                                                     \
		LAZY_RESOLVE(lib, fn, #name);                                                \
		fn args;                                                                     \
	}

/* clang-format off */
LAZY_VOID(LIB_CURL, curl_easy_cleanup, (CURL *curl), (curl))
LAZY(LIB_CURL, CURL *, curl_easy_init, (void), ())
LAZY_VOID(LIB_CURL, curl_easy_reset, (CURL *curl), (curl))
LAZY(LIB_CURL, const char *, curl_easy_strerror, (CURLcode code), (code))
LAZY(LIB_CURL, time_t, curl_getdate, (const char *p, const time_t *unused), (p, unused))
LAZY_VOID(LIB_CURL, curl_global_cleanup, (void), ())
LAZY(LIB_CURL, CURLcode, curl_global_init, (long flags), (flags))
LAZY(LIB_CURL, curl_mimepart *, curl_mime_addpart, (curl_mime *mime), (mime))
LAZY(LIB_CURL, CURLcode, curl_mime_data, (curl_mimepart *part, const char *data, size_t datasize), (part, data, datasize))
LAZY(LIB_CURL, CURLcode, curl_mime_filedata, (curl_mimepart *part, const char *filename), (part, filename))
LAZY(LIB_CURL, CURLcode, curl_mime_filename, (curl_mimepart *part, const char *filename), (part, filename))
LAZY_VOID(LIB_CURL, curl_mime_free, (curl_mime *mime), (mime))
LAZY(LIB_CURL, curl_mime *, curl_mime_init, (CURL *easy), (easy))
LAZY(LIB_CURL, CURLcode, curl_mime_name, (curl_mimepart *part, const char *name), (part, name))
LAZY(LIB_CURL, CURLMcode, curl_multi_add_handle, (CURLM *multi_handle, CURL *curl_handle), (multi_handle, curl_handle))
LAZY(LIB_CURL, CURLMcode, curl_multi_cleanup, (CURLM *multi_handle), (multi_handle))
LAZY(LIB_CURL, CURLMsg *, curl_multi_info_read, (CURLM *multi_handle, int *msgs_in_queue), (multi_handle, msgs_in_queue))
LAZY(LIB_CURL, CURLM *, curl_multi_init, (void), ())
LAZY(LIB_CURL, CURLMcode, curl_multi_perform, (CURLM *multi_handle, int *running_handles), (multi_handle, running_handles))
LAZY(LIB_CURL, CURLMcode, curl_multi_poll, (CURLM *multi_handle, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int *ret), (multi_handle, extra_fds, extra_nfds, timeout_ms, ret))
LAZY(LIB_CURL, CURLMcode, curl_multi_remove_handle, (CURLM *multi_handle, CURL *curl_handle), (multi_handle, curl_handle))
LAZY(LIB_CURL, struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *data), (list, data))
LAZY_VOID(LIB_CURL, curl_slist_free_all, (struct curl_slist *list), (list))
LAZY_VOID(LIB_GIT2, git_blob_free, (git_blob *blob), (blob))
LAZY(LIB_GIT2, int, git_blob_lookup, (git_blob **blob, git_repository *repo, const git_oid *id), (blob, repo, id))
LAZY(LIB_GIT2, const void *, git_blob_rawcontent, (const git_blob *blob), (blob))
LAZY(LIB_GIT2, git_object_size_t, git_blob_rawsize, (const git_blob *blob), (blob))
LAZY(LIB_GIT2, int, git_graph_descendant_of, (git_repository *repo, const git_oid *commit, const git_oid *ancestor), (repo, commit, ancestor))
LAZY(LIB_GIT2, int, git_libgit2_init, (void), ())
LAZY(LIB_GIT2, int, git_libgit2_shutdown, (void), ())
LAZY_VOID(LIB_GIT2, git_object_free, (git_object *object), (object))
LAZY(LIB_GIT2, const git_oid *, git_object_id, (const git_object *obj), (obj))
LAZY(LIB_GIT2, int, git_object_peel, (git_object **peeled, const git_object *object, git_object_t target_type), (peeled, object, target_type))
LAZY(LIB_GIT2, int, git_oid_equal, (const git_oid *a, const git_oid *b), (a, b))
LAZY(LIB_GIT2, int, git_oid_fromstr, (git_oid *out, const char *str), (out, str))
LAZY(LIB_GIT2, char *, git_oid_tostr, (char *out, size_t n, const git_oid *id), (out, n, id))
LAZY_VOID(LIB_GIT2, git_reference_free, (git_reference *ref), (ref))
LAZY(LIB_GIT2, int, git_reference_is_branch, (const git_reference *ref), (ref))
LAZY(LIB_GIT2, int, git_reference_lookup, (git_reference **out, git_repository *repo, const char *name), (out, repo, name))
LAZY(LIB_GIT2, int, git_reference_name_to_id, (git_oid *out, git_repository *repo, const char *name), (out, repo, name))
LAZY(LIB_GIT2, const char *, git_reference_shorthand, (const git_reference *ref), (ref))
LAZY(LIB_GIT2, const char *, git_reference_symbolic_target, (const git_reference *ref), (ref))
LAZY(LIB_GIT2, const git_oid *, git_reference_target, (const git_reference *ref), (ref))
LAZY(LIB_GIT2, git_reference_t, git_reference_type, (const git_reference *ref), (ref))
LAZY_VOID(LIB_GIT2, git_remote_free, (git_remote *remote), (remote))
LAZY(LIB_GIT2, int, git_remote_lookup, (git_remote **out, git_repository *repo, const char *name), (out, repo, name))
LAZY(LIB_GIT2, const char *, git_remote_url, (const git_remote *remote), (remote))
LAZY(LIB_GIT2, const char *, git_repository_commondir, (const git_repository *repo), (repo))
LAZY_VOID(LIB_GIT2, git_repository_free, (git_repository *repo), (repo))
LAZY(LIB_GIT2, int, git_repository_head, (git_reference **out, git_repository *repo), (out, repo))
LAZY(LIB_GIT2, int, git_repository_is_worktree, (const git_repository *repo), (repo))
LAZY(LIB_GIT2, int, git_repository_open_ext, (git_repository **out, const char *path, unsigned int flags, const char *ceiling_dirs), (out, path, flags, ceiling_dirs))
LAZY(LIB_GIT2, const char *, git_repository_workdir, (const git_repository *repo), (repo))
LAZY(LIB_GIT2, int, git_revparse_single, (git_object **out, git_repository *repo, const char *spec), (out, repo, spec))
LAZY_VOID(LIB_GIT2, git_strarray_dispose, (git_strarray *array), (array))
LAZY(LIB_GIT2, int, git_tag_list, (git_strarray *tag_names, git_repository *repo), (tag_names, repo))
LAZY(LIB_GIT2, int, git_tree_entry_bypath, (git_tree_entry **out, const git_tree *root, const char *path), (out, root, path))
LAZY(LIB_GIT2, git_filemode_t, git_tree_entry_filemode, (const git_tree_entry *entry), (entry))
LAZY_VOID(LIB_GIT2, git_tree_entry_free, (git_tree_entry *entry), (entry))
LAZY(LIB_GIT2, const git_oid *, git_tree_entry_id, (const git_tree_entry *entry), (entry))
LAZY(LIB_GIT2, const char *, git_tree_entry_name, (const git_tree_entry *entry), (entry))
LAZY(LIB_GIT2, git_object_t, git_tree_entry_type, (const git_tree_entry *entry), (entry))
LAZY_VOID(LIB_GIT2, git_tree_free, (git_tree *tree), (tree))
LAZY(LIB_GIT2, int, git_tree_walk, (const git_tree *tree, git_treewalk_mode mode, git_treewalk_cb callback, void *payload), (tree, mode, callback, payload))
/* repo/memfs_git.c (issue 25: agent memory over git smart HTTP). */
LAZY(LIB_GIT2, int, git_blob_create_from_buffer, (git_oid *id, git_repository *repo, const void *buffer, size_t len), (id, repo, buffer, len))
LAZY(LIB_GIT2, const git_signature *, git_commit_author, (const git_commit *commit), (commit))
LAZY(LIB_GIT2, const char *, git_commit_message, (const git_commit *commit), (commit))
LAZY(LIB_GIT2, const git_oid *, git_commit_id, (const git_commit *commit), (commit))
LAZY(LIB_GIT2, int, git_commit_create, (git_oid *id, git_repository *repo, const char *update_ref, const git_signature *author, const git_signature *committer, const char *message_encoding, const char *message, const git_tree *tree, size_t parent_count, const git_commit *parents[]), (id, repo, update_ref, author, committer, message_encoding, message, tree, parent_count, parents))
LAZY_VOID(LIB_GIT2, git_commit_free, (git_commit *commit), (commit))
LAZY(LIB_GIT2, int, git_commit_lookup, (git_commit **commit, git_repository *repo, const git_oid *id), (commit, repo, id))
LAZY(LIB_GIT2, int, git_commit_parent, (git_commit **out, const git_commit *commit, unsigned int n), (out, commit, n))
LAZY(LIB_GIT2, const git_oid *, git_commit_parent_id, (const git_commit *commit, unsigned int n), (commit, n))
LAZY(LIB_GIT2, unsigned int, git_commit_parentcount, (const git_commit *commit), (commit))
LAZY(LIB_GIT2, int, git_commit_tree, (git_tree **tree_out, const git_commit *commit), (tree_out, commit))
LAZY(LIB_GIT2, int, git_credential_userpass_plaintext_new, (git_credential **out, const char *username, const char *password), (out, username, password))
LAZY_VOID(LIB_GIT2, git_diff_free, (git_diff *diff), (diff))
LAZY(LIB_GIT2, const git_diff_delta *, git_diff_get_delta, (const git_diff *diff, size_t idx), (diff, idx))
LAZY(LIB_GIT2, size_t, git_diff_num_deltas, (const git_diff *diff), (diff))
LAZY(LIB_GIT2, int, git_diff_tree_to_tree, (git_diff **diff, git_repository *repo, git_tree *old_tree, git_tree *new_tree, const git_diff_options *opts), (diff, repo, old_tree, new_tree, opts))
LAZY_VOID(LIB_GIT2, git_error_clear, (void), ())
LAZY(LIB_GIT2, const git_error *, git_error_last, (void), ())
LAZY(LIB_GIT2, int, git_fetch_options_init, (git_fetch_options *opts, unsigned int version), (opts, version))
LAZY(LIB_GIT2, int, git_index_add, (git_index *index, const git_index_entry *source_entry), (index, source_entry))
LAZY_VOID(LIB_GIT2, git_index_conflict_iterator_free, (git_index_conflict_iterator *iterator), (iterator))
LAZY(LIB_GIT2, int, git_index_conflict_iterator_new, (git_index_conflict_iterator **iterator_out, git_index *index), (iterator_out, index))
LAZY(LIB_GIT2, int, git_index_conflict_next, (const git_index_entry **ancestor_out, const git_index_entry **our_out, const git_index_entry **their_out, git_index_conflict_iterator *iterator), (ancestor_out, our_out, their_out, iterator))
LAZY(LIB_GIT2, int, git_index_conflict_get, (const git_index_entry **ancestor_out, const git_index_entry **our_out, const git_index_entry **their_out, git_index *index, const char *path), (ancestor_out, our_out, their_out, index, path))
LAZY(LIB_GIT2, int, git_index_conflict_remove, (git_index *index, const char *path), (index, path))
LAZY_VOID(LIB_GIT2, git_index_free, (git_index *index), (index))
LAZY(LIB_GIT2, const git_index_entry *, git_index_get_bypath, (git_index *index, const char *path, int stage), (index, path, stage))
LAZY(LIB_GIT2, int, git_index_has_conflicts, (const git_index *index), (index))
LAZY(LIB_GIT2, int, git_index_new, (git_index **out), (out))
LAZY(LIB_GIT2, int, git_index_read_tree, (git_index *index, const git_tree *tree), (index, tree))
LAZY(LIB_GIT2, int, git_index_remove, (git_index *index, const char *path, int stage), (index, path, stage))
LAZY(LIB_GIT2, int, git_index_write_tree_to, (git_oid *out, git_index *index, git_repository *repo), (out, index, repo))
LAZY(LIB_GIT2, int, git_merge_options_init, (git_merge_options *opts, unsigned int version), (opts, version))
LAZY(LIB_GIT2, int, git_merge_file_from_index, (git_merge_file_result *out, git_repository *repo, const git_index_entry *ancestor, const git_index_entry *ours, const git_index_entry *theirs, const git_merge_file_options *opts), (out, repo, ancestor, ours, theirs, opts))
LAZY(LIB_GIT2, int, git_merge_file_options_init, (git_merge_file_options *opts, unsigned int version), (opts, version))
LAZY_VOID(LIB_GIT2, git_merge_file_result_free, (git_merge_file_result *result), (result))
LAZY(LIB_GIT2, int, git_merge_trees, (git_index **out, git_repository *repo, const git_tree *ancestor_tree, const git_tree *our_tree, const git_tree *their_tree, const git_merge_options *opts), (out, repo, ancestor_tree, our_tree, their_tree, opts))
LAZY(LIB_GIT2, int, git_oid_cpy, (git_oid *out, const git_oid *src), (out, src))
LAZY_VOID(LIB_GIT2, git_patch_free, (git_patch *patch), (patch))
LAZY(LIB_GIT2, int, git_patch_from_diff, (git_patch **out, git_diff *diff, size_t idx), (out, diff, idx))
LAZY(LIB_GIT2, int, git_patch_from_buffers, (git_patch **out, const void *old_buffer, size_t old_len, const char *old_as_path, const void *new_buffer, size_t new_len, const char *new_as_path, const git_diff_options *opts), (out, old_buffer, old_len, old_as_path, new_buffer, new_len, new_as_path, opts))
LAZY(LIB_GIT2, int, git_patch_print, (git_patch *patch, git_diff_line_cb print_cb, void *payload), (patch, print_cb, payload))
LAZY(LIB_GIT2, int, git_push_options_init, (git_push_options *opts, unsigned int version), (opts, version))
LAZY(LIB_GIT2, int, git_reference_create, (git_reference **out, git_repository *repo, const char *name, const git_oid *id, int force, const char *log_message), (out, repo, name, id, force, log_message))
LAZY(LIB_GIT2, int, git_remote_connect_ext, (git_remote *remote, git_direction direction, const git_remote_connect_options *opts), (remote, direction, opts))
LAZY(LIB_GIT2, int, git_remote_connect_options_init, (git_remote_connect_options *opts, unsigned int version), (opts, version))
LAZY(LIB_GIT2, int, git_remote_disconnect, (git_remote *remote), (remote))
LAZY(LIB_GIT2, int, git_remote_create_anonymous, (git_remote **out, git_repository *repo, const char *url), (out, repo, url))
LAZY(LIB_GIT2, int, git_remote_fetch, (git_remote *remote, const git_strarray *refspecs, const git_fetch_options *opts, const char *reflog_message), (remote, refspecs, opts, reflog_message))
LAZY(LIB_GIT2, int, git_remote_push, (git_remote *remote, const git_strarray *refspecs, const git_push_options *opts), (remote, refspecs, opts))
LAZY(LIB_GIT2, int, git_repository_init, (git_repository **out, const char *path, unsigned is_bare), (out, path, is_bare))
LAZY(LIB_GIT2, int, git_repository_open_bare, (git_repository **out, const char *bare_path), (out, bare_path))
LAZY_VOID(LIB_GIT2, git_signature_free, (git_signature *sig), (sig))
LAZY(LIB_GIT2, int, git_signature_now, (git_signature **out, const char *name, const char *email), (out, name, email))
LAZY(LIB_GIT2, int, git_tree_dup, (git_tree **out, git_tree *source), (out, source))
LAZY(LIB_GIT2, const git_oid *, git_tree_id, (const git_tree *tree), (tree))
LAZY(LIB_GIT2, int, git_tree_lookup, (git_tree **out, git_repository *repo, const git_oid *id), (out, repo, id))
/* repo/memfs_snapshot.c (issue 27: memory bundles in snapshots, restore as a new commit). */
LAZY(LIB_GIT2, int, git_odb_exists, (git_odb *db, const git_oid *id), (db, id))
LAZY_VOID(LIB_GIT2, git_odb_free, (git_odb *db), (db))
LAZY(LIB_GIT2, int, git_odb_write_pack, (git_odb_writepack **out, git_odb *db, git_indexer_progress_cb progress_cb, void *progress_payload), (out, db, progress_cb, progress_payload))
LAZY(LIB_GIT2, int, git_packbuilder_foreach, (git_packbuilder *pb, git_packbuilder_foreach_cb cb, void *payload), (pb, cb, payload))
LAZY_VOID(LIB_GIT2, git_packbuilder_free, (git_packbuilder *pb), (pb))
LAZY(LIB_GIT2, int, git_packbuilder_insert_walk, (git_packbuilder *pb, git_revwalk *walk), (pb, walk))
LAZY(LIB_GIT2, int, git_packbuilder_new, (git_packbuilder **out, git_repository *repo), (out, repo))
LAZY(LIB_GIT2, int, git_repository_odb, (git_odb **out, git_repository *repo), (out, repo))
LAZY_VOID(LIB_GIT2, git_revwalk_free, (git_revwalk *walk), (walk))
LAZY(LIB_GIT2, int, git_revwalk_new, (git_revwalk **out, git_repository *repo), (out, repo))
LAZY(LIB_GIT2, int, git_revwalk_push, (git_revwalk *walk, const git_oid *id), (walk, id))
/* clang-format on */

/*
 * The variadic ones take exactly one more argument, whose type the option's number says
 * (CURLOPTTYPE_*: long below 10000, object pointer, function pointer, curl_off_t from 30000,
 * blob from 40000), as libcurl reads it itself.
 */
typedef void (*lazy_fnptr)(void);

CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	static CURLcode (*fn)(CURL *, CURLoption, ...);
	CURLcode rc;
	va_list ap;
	int kind = (int)option / 10000;

	LAZY_RESOLVE(LIB_CURL, fn, "curl_easy_setopt");
	va_start(ap, option);
	if (kind == 0)
		rc = fn(curl, option, va_arg(ap, long));
	else if (kind == 2)
		rc = fn(curl, option, va_arg(ap, lazy_fnptr));
	else if (kind == 3)
		rc = fn(curl, option, va_arg(ap, curl_off_t));
	else
		rc = fn(curl, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLMcode curl_multi_setopt(CURLM *multi_handle, CURLMoption option, ...)
{
	static CURLMcode (*fn)(CURLM *, CURLMoption, ...);
	CURLMcode rc;
	va_list ap;
	int kind = (int)option / 10000;

	LAZY_RESOLVE(LIB_CURL, fn, "curl_multi_setopt");
	va_start(ap, option);
	if (kind == 0)
		rc = fn(multi_handle, option, va_arg(ap, long));
	else if (kind == 2)
		rc = fn(multi_handle, option, va_arg(ap, lazy_fnptr));
	else if (kind == 3)
		rc = fn(multi_handle, option, va_arg(ap, curl_off_t));
	else
		rc = fn(multi_handle, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	static CURLcode (*fn)(CURL *, CURLINFO, ...);
	CURLcode rc;
	va_list ap;

	LAZY_RESOLVE(LIB_CURL, fn, "curl_easy_getinfo");
	va_start(ap, info);
	rc = fn(curl, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
