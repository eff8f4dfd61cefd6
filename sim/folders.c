/*
 * Folders (the digest, docs/contract/letta-api.md, section 5.6; ids `source-...`, "sources" in
 * AgentState) and their files: strict SourceCreate/SourceUpdate, unique names (409), the substring
 * `name` filter, /agents as ids, multipart upload with duplicate_handling and asynchronous
 * processing_status, and file delete at DELETE /v1/folders/{f}/{file} (204, no `files/` segment).
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NS (F_NULLABLE)

/* sources: UniqueConstraint("name", "organization_id", name="uq_source_name_organization"). */
static void resp_folder_name(struct sim_resp *rs, const char *name)
{
	struct buf v = BUF_INIT;

	buf_addf(&v, "%s, %s", name, SIM_ORG_ID);
	resp_unique(rs, "Source", "uq_source_name_organization", "name, organization_id", v.buf);
	buf_release(&v);
}

static const struct fld create_fields[] = {
	{ "name", F_STR, F_REQUIRED },
	{ "description", F_STR, NS },
	{ "instructions", F_STR, NS },
	{ "metadata", F_OBJ, NS },
	{ "embedding", F_STR, NS },
	{ "embedding_chunk_size", F_INT, NS },
	{ "embedding_config", F_OBJ, NS },
	{ NULL, 0, 0 },
};

static const struct fld update_fields[] = {
	{ "name", F_STR, NS },
	{ "description", F_STR, NS },
	{ "instructions", F_STR, NS },
	{ "metadata", F_OBJ, NS },
	{ "embedding_config", F_OBJ, NS },
	{ NULL, 0, 0 },
};

/* Keys a file has on the wire (FileMetadata is additionalProperties:false). */
static const char *const file_keys[] = {
	"id", "source_id", "file_name", "original_file_name", "file_path", "file_type",
	"file_size", "file_creation_date", "file_last_modified_date", "processing_status",
	"error_message", "total_chunks", "chunks_embedded", "created_at", "updated_at", NULL,
};

/* The processing steps a file goes through after upload (FileProcessingStatus). */
static const char *const stages[] = { "pending", "parsing", "embedding", "completed" };
#define STAGE_MS 100

static const struct {
	const char *ext;
	const char *mime;
} file_types[] = {
	{ "txt", "text/plain" },        { "md", "text/markdown" },
	{ "markdown", "text/markdown" }, { "pdf", "application/pdf" },
	{ "json", "application/json" }, { "jsonl", "application/jsonl" },
	{ "csv", "text/csv" },          { "tsv", "text/tab-separated-values" },
	{ "html", "text/html" },        { "htm", "text/html" },
	{ "xml", "application/xml" },   { "yaml", "application/x-yaml" },
	{ "yml", "application/x-yaml" }, { "toml", "application/toml" },
	{ "py", "text/x-python" },      { "js", "text/javascript" },
	{ "ts", "text/x-typescript" },  { "c", "text/x-c" },
	{ "h", "text/x-c" },            { "go", "text/x-go" },
	{ "rs", "text/x-rust" },        { "java", "text/x-java" },
	{ "sh", "text/x-shellscript" }, { "rst", "text/x-rst" },
	{ "log", "text/plain" },        { "ini", "text/plain" },
	{ NULL, NULL },
};

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/*
 * Advances a file's processing: one step per STAGE_MS since upload, or per read, whichever
 * is further, so a client polling with GETs sees pending -> parsing -> embedding -> completed.
 */
static void file_advance(json_t *file)
{
	long long t0 = json_integer_value(json_object_get(file, "_t0_us"));
	long long reads = json_integer_value(json_object_get(file, "_reads"));
	long long by_time = (now_us() - t0) / (STAGE_MS * 1000LL);
	long long st = by_time > reads ? by_time : reads;

	if (st > 3)
		st = 3;
	json_object_set_new(file, "processing_status", json_string(stages[st]));
	if (st == 3) {
		json_t *tc = json_object_get(file, "total_chunks");
		json_object_set(file, "chunks_embedded", tc);
	}
	json_object_set_new(file, "_reads", json_integer(reads + 1));
}

static json_t *file_render(json_t *file, int with_content)
{
	json_t *o = json_object();

	file_advance(file);
	for (int i = 0; file_keys[i]; i++) {
		json_t *v = json_object_get(file, file_keys[i]);
		json_object_set(o, file_keys[i], v ? v : json_null());
	}
	if (with_content)
		json_object_set(o, "content", json_object_get(file, "_content"));
	return o;
}

static int embedding_config_ok(struct sim_resp *rs, const json_t *ec)
{
	static const struct fld ec_fields[] = {
		{ "embedding_endpoint_type", F_STR, F_REQUIRED },
		{ "embedding_model", F_STR, F_REQUIRED },
		{ "embedding_dim", F_INT, F_REQUIRED },
		{ NULL, 0, 0 },
	};

	return !ec || json_is_null(ec) ? 0 : json_check(rs, ec, ec_fields, 0);
}

static json_t *folder_by_name(const char *name)
{
	return coll_find_by(&g_store.folders, "name", name);
}

static void h_folders_create(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *body, *ec, *f, *made = NULL;
	const char *emb, *name;
	char *id, *now;

	if (body_check(rq, rs, create_fields, 1) < 0)
		return;
	body = rq->json;
	ec = json_object_get(body, "embedding_config");
	if (embedding_config_ok(rs, ec) < 0)
		return;
	emb = jsonx_get_str(body, "embedding");
	if (!emb && !json_is_object(ec)) {
		resp_detail(rs, 400,
			    "INVALID_ARGUMENT: Must specify either embedding or embedding_config in request");
		return;
	}
	/* create_folder resolves the handle first: 400 "Embedding model X not found" (models.c). */
	if (!json_is_object(ec) &&
	    !(made = models_embedding_config(rs, emb, (long)jsonx_get_int(body, "embedding_chunk_size", 0))))
		return;
	name = jsonx_get_str(body, "name");
	if (folder_by_name(name)) {
		json_decref(made);
		resp_folder_name(rs, name);
		return;
	}
	id = store_new_id("source");
	now = store_now_iso();
	f = json_pack("{s:s,s:s,s:O,s:O,s:O,s:s,s:s,s:n,s:n}", "id", id, "name", name,
		      "description", obj_or_null(body, "description"), "instructions",
		      obj_or_null(body, "instructions"), "metadata",
		      obj_or_null(body, "metadata"), "created_at",
		      now, "updated_at", now, "created_by_id", "last_updated_by_id");
	if (json_is_object(ec))
		json_object_set(f, "embedding_config", ec);
	else
		json_object_set_new(f, "embedding_config", made);
	free(id);
	free(now);
	coll_add_take(&g_store.folders, f);
	resp_json_take(rs, 200, folder_render(f));
}

static void h_folders_list(struct sim_req *rq, struct sim_resp *rs)
{
	const char *name = req_arg(rq, "name");
	struct page pg;
	json_t *items;
	size_t i;

	if (page_parse(&pg, rq, rs, 50, 0, NULL) < 0)
		return;
	items = json_array();
	for (i = 0; i < g_store.folders.n; i++) {
		/* `name` is a case-insensitive substring match (digest 5.6). */
		if (!name || ci_contains(jsonx_get_str(g_store.folders.v[i], "name"), name))
			json_array_append(items, g_store.folders.v[i]);
	}
	resp_page(rs, items, &pg, folder_render);
}

static void h_folders_count(struct sim_req *rq, struct sim_resp *rs)
{
	(void)rq;
	resp_json_take(rs, 200, json_integer((json_int_t)g_store.folders.n));
}

static json_t *folder_or_404(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *f = coll_find(&g_store.folders, req_param(rq, 0));

	/* letta/server/rest_api/routers/v1/folders.py retrieve_folder: its own 404 text. */
	if (!f)
		resp_detail(rs, 404, "Folder with id=%s not found.", req_param(rq, 0));
	return f;
}

static void h_folder_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *f = folder_or_404(rq, rs);

	if (f)
		resp_json_take(rs, 200, folder_render(f));
}

static void h_folder_patch(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *f = folder_or_404(rq, rs), *other, *v;
	const char *name;
	char *now;
	int changed = 0;

	if (!f || body_check(rq, rs, update_fields, 1) < 0 ||
	    embedding_config_ok(rs, json_object_get(rq->json, "embedding_config")) < 0)
		return;
	name = jsonx_get_str(rq->json, "name");
	other = name ? folder_by_name(name) : NULL;
	if (other && other != f) {
		resp_folder_name(rs, name);
		return;
	}
	for (const struct fld *fl = update_fields; fl->key; fl++) {
		v = json_object_get(rq->json, fl->key);
		if (v && !json_is_null(v) && !json_equal(v, json_object_get(f, fl->key))) {
			json_object_set(f, fl->key, v);
			changed = 1;
		}
	}
	/* The server skips no-op folder updates (digest 4), so updated_at stays. */
	if (changed) {
		now = store_now_iso();
		json_object_set_new(f, "updated_at", json_string(now));
		free(now);
	}
	resp_json_take(rs, 200, folder_render(f));
}

static void files_drop(const char *folder_id)
{
	for (size_t i = g_store.files.n; i-- > 0;) {
		json_t *file = g_store.files.v[i];
		if (!strcmp(jsonx_get_str(file, "source_id"), folder_id))
			coll_remove(&g_store.files, jsonx_get_str(file, "id"));
	}
}

static void h_folder_delete(struct sim_req *rq, struct sim_resp *rs)
{
	if (!folder_or_404(rq, rs))
		return;
	agents_unlink("_sources", req_param(rq, 0));
	files_drop(req_param(rq, 0));
	coll_remove(&g_store.folders, req_param(rq, 0));
	resp_null(rs);
}

static void h_folder_agents(struct sim_req *rq, struct sim_resp *rs)
{
	struct page pg;
	json_t *items, *out, *a;
	size_t i;

	if (!folder_or_404(rq, rs) || page_parse(&pg, rq, rs, 50, 1, NULL) < 0)
		return;
	items = page_apply(coll_having(&g_store.agents, "_sources", req_param(rq, 0)), &pg);
	/* A bare array of agent ids, not objects (digest 5.6). */
	out = json_array();
	json_array_foreach(items, i, a)
		json_array_append(out, json_object_get(a, "id"));
	json_decref(items);
	resp_json_take(rs, 200, out);
}

static void h_folder_files(struct sim_req *rq, struct sim_resp *rs)
{
	struct page pg;
	json_t *items, *out, *file;
	size_t i;
	int content;

	if (!folder_or_404(rq, rs) || page_parse(&pg, rq, rs, 1000, 1, NULL) < 0 ||
	    query_bool(rq, rs, "include_content", 0, &content) < 0)
		return;
	items = json_array();
	for (i = 0; i < g_store.files.n; i++) {
		if (!strcmp(jsonx_get_str(g_store.files.v[i], "source_id"), req_param(rq, 0)))
			json_array_append(items, g_store.files.v[i]);
	}
	items = page_apply(items, &pg);
	out = json_array();
	json_array_foreach(items, i, file)
		json_array_append_new(out, file_render(file, content));
	json_decref(items);
	resp_json_take(rs, 200, out);
}

static json_t *file_in_folder(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *file = coll_find(&g_store.files, req_param(rq, 1));

	if (!file || strcmp(jsonx_get_str(file, "source_id"), req_param(rq, 0))) {
		resp_not_found(rs, "File", req_param(rq, 1));
		return NULL;
	}
	return file;
}

static void h_folder_file_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *file;
	int content;

	if (!folder_or_404(rq, rs) || query_bool(rq, rs, "include_content", 0, &content) < 0)
		return;
	file = file_in_folder(rq, rs);
	if (file)
		resp_json_take(rs, 200, file_render(file, content));
}

static void h_folder_file_delete(struct sim_req *rq, struct sim_resp *rs)
{
	if (!folder_or_404(rq, rs) || !file_in_folder(rq, rs))
		return;
	coll_remove(&g_store.files, req_param(rq, 1));
	resp_empty(rs, 204);
}

/* ---- multipart upload ---- */

static const char *mime_for(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot)
		return NULL;
	for (int i = 0; file_types[i].ext; i++) {
		if (!strcasecmp(dot + 1, file_types[i].ext))
			return file_types[i].mime;
	}
	return NULL;
}

static json_t *file_named(const char *folder_id, const char *name)
{
	for (size_t i = 0; i < g_store.files.n; i++) {
		json_t *file = g_store.files.v[i];
		if (!strcmp(jsonx_get_str(file, "source_id"), folder_id) &&
		    !strcmp(jsonx_get_str(file, "file_name"), name))
			return file;
	}
	return NULL;
}

/* "notes.md" -> "notes_(1).md", the first free one. */
static char *suffixed(const char *folder_id, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);
	struct buf b = BUF_INIT;

	for (int n = 1;; n++) {
		buf_reset(&b);
		buf_add(&b, name, stem);
		buf_addf(&b, "_(%d)%s", n, dot ? dot : "");
		if (!file_named(folder_id, b.buf))
			return buf_detach(&b);
	}
}

static void h_folder_upload(struct sim_req *rq, struct sim_resp *rs)
{
	const char *mode = req_arg(rq, "duplicate_handling");
	const char *data = NULL, *mime, *folder_id = req_param(rq, 0);
	size_t len = 0;
	char *fname = NULL, *final = NULL, *id = NULL, *now = NULL;
	json_t *dup, *file, *in;

	if (!folder_or_404(rq, rs))
		return;
	if (!mode)
		mode = "suffix";
	if (strcmp(mode, "skip") && strcmp(mode, "error") && strcmp(mode, "suffix") &&
	    strcmp(mode, "replace")) {
		in = json_string(mode);
		resp_422(rs, "enum", "query", "duplicate_handling",
			 "Input should be 'skip', 'error', 'suffix' or 'replace'", in, NULL);
		json_decref(in);
		return;
	}
	fname = sim_multipart(rq, "file", &data, &len);
	if (!fname) {
		resp_422(rs, "missing", "body", "file", "Field required", NULL, NULL);
		return;
	}
	if (req_arg(rq, "name") && *req_arg(rq, "name")) {
		free(fname);
		fname = xstrdup(req_arg(rq, "name"));
	}
	mime = mime_for(fname);
	if (!mime) {
		resp_detail(rs, 415, "Unsupported file type: '%s'", fname);
		goto out;
	}
	dup = file_named(folder_id, fname);
	if (dup && !strcmp(mode, "skip")) {
		rs->upload_result = "skipped";
		resp_json_take(rs, 200, file_render(dup, 0));
		goto out;
	}
	if (dup && !strcmp(mode, "error")) {
		resp_detail(rs, 400, "File '%s' already exists in folder '%s'", fname, folder_id);
		goto out;
	}
	if (dup && !strcmp(mode, "replace"))
		coll_remove(&g_store.files, jsonx_get_str(dup, "id"));
	final = dup && !strcmp(mode, "suffix") ? suffixed(folder_id, fname) : xstrdup(fname);
	id = store_new_id("file");
	now = store_now_iso();
	file = json_pack("{s:s,s:s,s:s,s:s,s:n,s:s,s:I,s:n,s:n,s:s,s:n,s:I,s:i,s:s,s:s,"
			 "s:I,s:i}",
			 "id", id, "source_id", folder_id, "file_name", final,
			 "original_file_name", fname, "file_path", "file_type", mime, "file_size",
			 (json_int_t)len, "file_creation_date", "file_last_modified_date",
			 "processing_status", "pending", "error_message", "total_chunks",
			 (json_int_t)(len / 1000 + 1), "chunks_embedded", 0, "created_at", now,
			 "updated_at", now, "_t0_us",
			 (json_int_t)now_us(), "_reads", 0);
	/* Binary or non-UTF-8 content is not kept (include_content then gives null). */
	in = json_stringn(data, len);
	json_object_set_new(file, "_content", in ? in : json_null());
	coll_add_take(&g_store.files, file);
	resp_json_take(rs, 200, file_render(file, 0));
out:
	free(fname);
	free(final);
	free(id);
	free(now);
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route folders_routes[] = {
	{ "GET", "/v1/folders/", h_folders_list, 0 },
	{ "POST", "/v1/folders/", h_folders_create, 0 },
	{ "GET", "/v1/folders/count", h_folders_count, 0 },
	{ "GET", "/v1/folders/{folder_id}", h_folder_get, 0 },
	{ "PATCH", "/v1/folders/{folder_id}", h_folder_patch, 0 },
	{ "DELETE", "/v1/folders/{folder_id}", h_folder_delete, 0 },
	{ "GET", "/v1/folders/{folder_id}/agents", h_folder_agents, 0 },
	{ "GET", "/v1/folders/{folder_id}/files", h_folder_files, 0 },
	{ "GET", "/v1/folders/{folder_id}/files/{file_id}", h_folder_file_get, 0 },
	{ "POST", "/v1/folders/{folder_id}/upload", h_folder_upload, 0 },
	{ "DELETE", "/v1/folders/{folder_id}/{file_id}", h_folder_file_delete, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
