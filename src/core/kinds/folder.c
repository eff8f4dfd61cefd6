/*
 * Folder: a folder of files for agents (docs/manifests.md "Folder"). Its spec fields and
 * rules, its desired and remote views (the hash input: the files by content hash included),
 * its request bodies (the folder, then its files' uploads and deletes) and what pull writes
 * from a remote folder (its files too, when they are what letta-sync uploaded).
 */
#include "core/kinds/check.h"
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "core/kinds/write.h"
#include "core/plan_build.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct field f_embedding_config[] = {
	{ "model", TY_STR, 0, NULL, 0, NULL },
	{ "chunkSize", TY_INT, 0, NULL, 0, NULL },
	{ "provider", TY_STR, 0, NULL, 0, NULL },
	FIELD_END,
};

static const struct field folder_fields[] = {
	FIELD_COMMON_SPEC,
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "instructions", TY_STR, 0, NULL, 0, NULL },
	{ "embeddingConfig", TY_OBJ, 0, f_embedding_config, 0, NULL },
	{ "embedding", TY_STR, 0, NULL, 0, NULL },
	{ "files", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "lettaMetadata", TY_OBJ, 0, NULL, 0, NULL },
	FIELD_END,
};

static json_t *folder_want(const struct resource *r)
{
	const json_t *md = json_object_get(r->spec, "lettaMetadata");

	return json_pack("{s:s, s:s, s:s, s:o}", "name",
			 view_first_str(view_spec_str(r, "name"), r->name, NULL), "description",
			 view_first_str(view_spec_str(r, "description"), view_meta_str(r, "description"), NULL),
			 "instructions", view_first_str(view_spec_str(r, "instructions"), NULL, NULL),
			 "metadata", json_is_object(md) ? view_norm(md) : json_object());
}

/*
 * A folder's files as {file name: sha256}: the hash letta-sync recorded in the folder's
 * metadata when it uploaded that file, "?" for a file it did not upload.
 */
json_t *folder_files_have(const json_t *o)
{
	const json_t *rec = json_object_get(json_object_get(o, "metadata"), "files"), *f;
	json_t *out = json_object();
	size_t i;

	json_array_foreach(json_object_get(o, "files"), i, f)
	{
		const char *n = jsonx_get_str(f, "file_name");
		const char *h = jsonx_get_str(rec, n ? n : "");

		if (n)
			json_object_set_new(out, n, json_string(h ? h : "?"));
	}
	return out;
}

static json_t *folder_have(const json_t *o)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "name", view_str(json_object_get(o, "name")),
			 "description", view_str(json_object_get(o, "description")), "instructions",
			 view_str(json_object_get(o, "instructions")), "metadata",
			 view_user_metadata(json_object_get(o, "metadata")), "files",
			 folder_files_have(o));
}

/* Not in the base layer; an embedding; file patterns inside the repository. */
static void folder_check(struct kind_check *k)
{
	const json_t *spec = k->r->spec;
	const json_t *files = json_object_get(spec, "files");
	size_t i;
	json_t *it;

	if (k->r->layer == LAYER_BASE)
		kind_err(k, DIAG_ERROR, "/spec/layer", "Folder cannot have layer: base");
	if (!jsonx_get_str(json_object_get(spec, "embeddingConfig"), "model") &&
	    !json_object_get(spec, "embedding")) {
		kind_err(k, DIAG_ERROR, "/spec", "Missing required field: spec.embeddingConfig.model");
		diag_hint(k->diags, "or give spec.embedding, a provider/model handle");
	}
	json_array_foreach(json_is_array(files) ? files : NULL, i, it) {
		const char *g = json_string_value(it);
		struct buf ptr = BUF_INIT;

		buf_addf(&ptr, "/spec/files/%zu", i);
		if (g && (g[0] == '/' || !strcmp(g, "..") || !strncmp(g, "../", 3) ||
			  strstr(g, "/../") || (strlen(g) >= 3 && !strcmp(g + strlen(g) - 3, "/..")))) {
			kind_err(k, DIAG_ERROR, ptr.buf, "file pattern '%s' leaves the repository", g);
		}
		buf_release(&ptr);
	}
}

/* The embedding handle a folder is created with: spec.embedding, embeddingConfig, the default. */
static const char *folder_embedding(const struct kind_write *w, struct buf *tmp)
{
	const json_t *ec = json_object_get(w->r->spec, "embeddingConfig");
	const char *e = view_spec_str(w->r, "embedding");
	const char *model = jsonx_get_str(ec, "model");
	const char *prov = jsonx_get_str(ec, "provider");

	if (e)
		return e;
	if (model && prov && !strchr(model, '/')) {
		buf_addf(tmp, "%s/%s", prov, model);
		return tmp->buf;
	}
	if (model)
		return model;
	return w->o->default_embedding;
}

/* A folder's metadata: user metadata, markers and the files uploaded (with their hashes). */
static json_t *folder_metadata(const struct kind_write *w, const char *hash, int with_files)
{
	json_t *m = kind_metadata(w, json_object_get(w->view, "metadata"), hash);

	if (with_files && json_object_get(w->view, "files"))
		json_object_set(m, "files", json_object_get(w->view, "files"));
	return m;
}

/*
 * Uploads of the files whose content changed (or that are missing) and deletes of the files
 * no pattern matches any more; folder is the id (or "@self"), obj the remote folder or NULL.
 */
static void folder_file_reqs(const struct kind_write *w, const char *folder, const json_t *obj)
{
	const json_t *want = json_object_get(w->view, "files"), *f;
	const json_t *local = json_object_get(w->o->folder_files, w->r->name);
	json_t *have = obj ? folder_files_have(obj) : json_object();
	const char *fn;
	size_t i;

	json_object_foreach((json_t *)want, fn, f)
	{
		const json_t *h = json_object_get(have, fn);
		struct plan_request *rq;

		if (h && json_equal((json_t *)h, (json_t *)f))
			continue;
		rq = pl_op(w->p, w->ai, OP_UPLOAD, TARGET_FOLDER_FILE, NULL, folder, NULL, 0);
		rq->name = xstrdup(fn);
		rq->upload = xstrdup(jsonx_get_str(json_object_get(local, fn), "path"));
	}
	json_array_foreach(obj ? json_object_get(obj, "files") : NULL, i, f)
	{
		const char *n = jsonx_get_str(f, "file_name"), *fid = jsonx_get_str(f, "id");

		if (!n || !fid || json_object_get(want, n))
			continue;
		pl_op(w->p, w->ai, OP_DELETE, TARGET_FOLDER_FILE, fid, folder, NULL, REQ_404_OK);
	}
	json_decref(have);
}

static int folder_create(const struct kind_write *w)
{
	const struct resource *r = w->r;
	struct buf tmp = BUF_INIT;
	const char *emb = folder_embedding(w, &tmp);
	const json_t *chunk =
		json_object_get(json_object_get(r->spec, "embeddingConfig"), "chunkSize");
	json_t *body;

	if (!emb) {
		buf_release(&tmp);
		return ls_error_set(w->err, LS_EINVALID,
				    "Folder '%s' has no embedding: set spec.embedding "
				    "(a provider/model handle) or LETTA_DEFAULT_EMBEDDING",
				    r->name);
	}
	body = json_deep_copy(w->view);
	json_object_del(body, "files");
	if (json_object_get(w->view, "files")) {
		/* Until the files are in, the folder records the hash of an empty one. */
		json_t *empty = json_deep_copy(w->view);
		char h0[OWN_HASH_LEN + 1];

		json_object_set_new(empty, "files", json_object());
		own_hash(h0, empty);
		json_decref(empty);
		json_object_set_new(body, "metadata", folder_metadata(w, h0, 0));
	} else {
		json_object_set_new(body, "metadata", folder_metadata(w, w->hash, 0));
	}
	json_object_set_new(body, "embedding", json_string(emb));
	if (json_is_integer(chunk))
		json_object_set(body, "embedding_chunk_size", (json_t *)chunk);
	buf_release(&tmp);
	pl_op(w->p, w->ai, OP_CREATE, TARGET_FOLDER, NULL, NULL, body, 0);
	if (json_object_size(json_object_get(w->view, "files"))) {
		folder_file_reqs(w, "@self", NULL);
		pl_op(w->p, w->ai, OP_UPDATE, TARGET_FOLDER, "@self", NULL,
		      json_pack("{s:o}", "metadata", folder_metadata(w, w->hash, 1)), 0);
	}
	return 0;
}

static int folder_update(const struct kind_write *w, const char *id, const json_t *obj)
{
	json_t *body;

	/* Files first: the metadata records their hashes only once they are in. */
	folder_file_reqs(w, id, obj);
	body = json_deep_copy(w->view);
	json_object_del(body, "files");
	json_object_set_new(body, "metadata", folder_metadata(w, w->hash, 1));
	pl_op(w->p, w->ai, OP_UPDATE, TARGET_FOLDER, id, NULL, body, 0);
	return 0;
}

static int safe_name(const char *s)
{
	if (!s || !*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._- ", *s))
			return 0;
	return 1;
}

/*
 * A folder's files, which letta-sync uploaded from the repository: written back under
 * .letta/folders/<folder>/ (spec.files names them) when the server still has the content it
 * recorded a hash of; otherwise a warning (diff then shows the files).
 */
static void folder_files(json_t *spec, const json_t *f, const struct kind_pull *x)
{
	const json_t *rec = json_object_get(json_object_get(f, "metadata"), "files"), *it;
	json_t *pending = json_array();
	struct buf dir = BUF_INIT;
	size_t i;
	int ok = safe_name(x->name);

	buf_addf(&dir, ".letta/folders/%s", x->name);
	json_array_foreach(json_object_get(f, "files"), i, it)
	{
		const char *fn = jsonx_get_str(it, "file_name");
		const char *content = jsonx_get_str(it, "content");
		const char *want = jsonx_get_str(rec, fn ? fn : "");
		char hex[SHA256_HEX_LEN + 1];
		struct buf path = BUF_INIT;

		if (!ok || !safe_name(fn) || !content || !want) {
			ok = 0;
			break;
		}
		sha256_hex(hex, content, strlen(content));
		if (strcmp(hex, want)) {
			ok = 0;
			break;
		}
		buf_addf(&path, "%s/%s", dir.buf, fn);
		json_array_append_new(pending, json_pack("{s:s, s:s, s:s}", "folder", x->name, "path",
							 path.buf, "content", content));
		buf_release(&path);
	}
	if (ok) {
		buf_addstr(&dir, "/*");
		json_object_set_new(spec, "files", json_pack("[s]", dir.buf));
		json_array_extend(x->raw, pending);
	} else {
		view_pull_warn(x,
			       "Folder '%s': its files cannot be written back (not uploaded by "
			       "letta-sync, binary, or changed on the server); add spec.files by hand",
			       x->name);
	}
	json_decref(pending);
	buf_release(&dir);
}

/* Instructions, the embedding (the local handle kept), the files and user metadata. */
static void folder_pull(json_t *spec, const json_t *f, const struct kind_pull *x)
{
	const json_t *ec = json_object_get(f, "embedding_config");
	const json_t *lspec = x->local ? x->local->spec : NULL;
	const char *ins = jsonx_get_str(f, "instructions");
	const char *emb;
	json_t *md;

	if (ins && *ins)
		json_object_set(spec, "instructions", json_object_get(f, "instructions"));
	emb = jsonx_get_str(lspec, "embedding");
	if (!emb)
		emb = jsonx_get_str(f, "embedding");
	if (!emb)
		emb = jsonx_get_str(ec, "handle");
	if (!emb)
		emb = jsonx_get_str(ec, "embedding_model");
	if (emb)
		json_object_set_new(spec, "embedding", json_string(emb));
	else
		view_pull_warn(x, "Folder '%s': the server reports no embedding model", x->name);
	if (json_is_array(json_object_get(lspec, "files")))
		json_object_set(spec, "files", json_object_get(lspec, "files"));
	else if (json_array_size(json_object_get(f, "files")))
		folder_files(spec, f, x);
	md = view_user_metadata(json_object_get(f, "metadata"));
	if (json_object_size(md))
		json_object_set_new(spec, "lettaMetadata", view_sorted_copy(md));
	json_decref(md);
}

/* Its view has not changed since hashes began (hash version 1). */
static const struct own_hash_field folder_hash_fields[] = { { NULL, 0 } };

const struct kind_impl kind_folder_impl = {
	.want = folder_want,
	.have = folder_have,
	.fields = folder_fields,
	.check = folder_check,
	.create = folder_create,
	.update = folder_update,
	.pull = folder_pull,
	.hash_fields = folder_hash_fields,
};
