/*
 * Tools (the digest, docs/contract/letta-api.md, section 5.4): ToolCreate (strict) through POST and
 * PUT, both an upsert by name that resets metadata_ to {"tool_hash": ...} as the real server does
 * (stamp_tool_hash); ToolUpdate (lenient, `metadata_`); the list with its built-in tools (links.c
 * makes them); no timestamps.
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define NS (F_NULLABLE)

static const struct fld create_fields[] = {
	{ "description", F_STR, NS },
	{ "tags", F_ARR_STR, NS },
	{ "source_code", F_STR, F_REQUIRED },
	{ "source_type", F_STR, 0 },
	{ "json_schema", F_OBJ, NS },
	{ "args_json_schema", F_OBJ, NS },
	{ "return_char_limit", F_INT, 0 },
	{ "pip_requirements", F_ARR, NS },
	{ "npm_requirements", F_ARR, NS },
	{ "default_requires_approval", F_BOOL, NS },
	{ "enable_parallel_execution", F_BOOL, NS },
	{ NULL, 0, 0 },
};

static const struct fld update_fields[] = {
	{ "description", F_STR, NS },
	{ "tags", F_ARR_STR, NS },
	{ "source_code", F_STR, NS },
	{ "source_type", F_STR, NS },
	{ "json_schema", F_OBJ, NS },
	{ "args_json_schema", F_OBJ, NS },
	{ "return_char_limit", F_INT, NS },
	{ "pip_requirements", F_ARR, NS },
	{ "npm_requirements", F_ARR, NS },
	{ "metadata_", F_OBJ, NS },
	{ "default_requires_approval", F_BOOL, NS },
	{ "enable_parallel_execution", F_BOOL, NS },
	{ NULL, 0, 0 },
};

static const char *const tool_types[] = {
	"custom", "letta_core", "letta_memory_core", "letta_multi_agent_core",
	"letta_sleeptime_core", "letta_voice_sleeptime_core", "letta_builtin", "letta_files_core",
	"external_langchain", "external_composio", "external_mcp", NULL,
};

/* ---- list and count ---- */

struct tool_filter {
	json_t *names; /* name and names together */
	json_t *ids;
	json_t *types;
	json_t *exclude_types;
	const char *search;
	const char *project_id;
	int only_letta;
	int exclude_letta;
};

static int valid_types(struct sim_resp *rs, const json_t *types)
{
	size_t i;
	json_t *v;

	json_array_foreach(types, i, v) {
		int k;
		for (k = 0; tool_types[k]; k++) {
			if (!strcmp(tool_types[k], json_string_value(v)))
				break;
		}
		if (!tool_types[k]) {
			resp_detail(rs, 400, "Invalid tool type: '%s'", json_string_value(v));
			return -1;
		}
	}
	return 0;
}

static void tfilter_release(struct tool_filter *tf)
{
	json_decref(tf->names);
	json_decref(tf->ids);
	json_decref(tf->types);
	json_decref(tf->exclude_types);
}

static int tfilter_parse(struct tool_filter *tf, struct sim_req *rq, struct sim_resp *rs)
{
	memset(tf, 0, sizeof(*tf));
	tf->names = req_args_all(rq, "names", 0);
	if (req_arg(rq, "name"))
		json_array_append_new(tf->names, json_string(req_arg(rq, "name")));
	tf->ids = req_args_all(rq, "tool_ids", 1);
	tf->types = req_args_all(rq, "tool_types", 1);
	tf->exclude_types = req_args_all(rq, "exclude_tool_types", 1);
	tf->search = req_arg(rq, "search");
	tf->project_id = rq->x_project_id;
	if (query_bool(rq, rs, "return_only_letta_tools", 0, &tf->only_letta) < 0 ||
	    query_bool(rq, rs, "exclude_letta_tools", 0, &tf->exclude_letta) < 0 ||
	    valid_types(rs, tf->types) < 0 || valid_types(rs, tf->exclude_types) < 0) {
		tfilter_release(tf);
		return -1;
	}
	return 0;
}

static int tool_matches(const json_t *t, const struct tool_filter *tf)
{
	const char *name = jsonx_get_str(t, "name");
	const char *type = jsonx_get_str(t, "tool_type");
	const char *pid = jsonx_get_str(t, "project_id");
	int letta = type && !strncmp(type, "letta_", 6);

	if (json_array_size(tf->names) && !strarr_has(tf->names, name ? name : ""))
		return 0;
	if (json_array_size(tf->ids) && !strarr_has(tf->ids, jsonx_get_str(t, "id")))
		return 0;
	if (json_array_size(tf->types) && !strarr_has(tf->types, type ? type : ""))
		return 0;
	if (strarr_has(tf->exclude_types, type ? type : ""))
		return 0;
	if (tf->search && !ci_contains(name, tf->search))
		return 0;
	if (tf->only_letta && !letta)
		return 0;
	if (tf->exclude_letta && letta)
		return 0;
	/* X-Project-Id: that project's tools plus the global ones (digest 1.1). */
	if (tf->project_id && pid && strcmp(pid, tf->project_id))
		return 0;
	return 1;
}

static void h_tools_list(struct sim_req *rq, struct sim_resp *rs)
{
	struct tool_filter tf;
	struct page pg;
	json_t *items;
	size_t i;

	if (tfilter_parse(&tf, rq, rs) < 0)
		return;
	if (page_parse(&pg, rq, rs, 50, 1, NULL) < 0)
		goto out;
	if (!pg.after)
		tools_ensure_builtins();
	items = json_array();
	for (i = 0; i < g_store.tools.n; i++) {
		if (tool_matches(g_store.tools.v[i], &tf))
			json_array_append(items, g_store.tools.v[i]);
	}
	resp_page(rs, items, &pg, tool_render);
out:
	tfilter_release(&tf);
}

static void h_tools_count(struct sim_req *rq, struct sim_resp *rs)
{
	struct tool_filter tf;
	long n = 0;

	if (tfilter_parse(&tf, rq, rs) < 0)
		return;
	for (size_t i = 0; i < g_store.tools.n; i++)
		n += tool_matches(g_store.tools.v[i], &tf);
	tfilter_release(&tf);
	resp_json_take(rs, 200, json_integer(n));
}

/* ---- create / upsert ---- */

static int check_limit(struct sim_resp *rs, const json_t *body)
{
	json_t *v = json_object_get(body, "return_char_limit");

	if (!json_is_integer(v))
		return 0;
	if (json_integer_value(v) < 1) {
		resp_422(rs, "greater_than_equal", "body", "return_char_limit",
			 "Input should be greater than or equal to 1", v, NULL);
		return -1;
	}
	if (json_integer_value(v) > 1000000) {
		resp_422(rs, "less_than_equal", "body", "return_char_limit",
			 "Input should be less than or equal to 1000000", v, NULL);
		return -1;
	}
	return 0;
}

/* The schema a body implies: its json_schema, or one derived from source_code. */
static int schema_for(json_t **out, struct sim_resp *rs, const json_t *body)
{
	json_t *js = json_object_get(body, "json_schema");
	struct buf err = BUF_INIT;
	const char *name;

	if (json_is_object(js)) {
		name = jsonx_get_str(js, "name");
		if (!name || !*name) {
			resp_detail(rs, 400, "json_schema must have a 'name'");
			return -1;
		}
		*out = json_incref(js);
	} else if (tool_derive_schema(out, jsonx_get_str(body, "source_code"), &err) < 0) {
		resp_detail(rs, 400, "%s", err.buf);
		buf_release(&err);
		return -1;
	}
	name = jsonx_get_str(*out, "name");
	if (strlen(name) > 48) {
		resp_detail(rs, 400, "Tool name '%s' is longer than 48 characters", name);
		json_decref(*out);
		return -1;
	}
	return 0;
}

static void set_if(json_t *t, const json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);

	if (v && !json_is_null(v))
		json_object_set(t, key, v);
}

/*
 * The real server (0.16.8) stamps every tool it writes through POST or PUT /v1/tools/ with
 * metadata_ = {"tool_hash": compute_tool_hash(tool)} (letta/services/tool_manager.py,
 * create_tool_async: "Add tool hash to metadata for Modal deployment tracking"), and on a name
 * that exists the upsert replaces the tool: whatever metadata_ held before (a marker, say) is
 * gone, the answer being a 200. Only PATCH /v1/tools/{id} sets metadata_ from the body. The
 * hash here is sha256 over the source code and the schema (the server's own hash is of the same
 * parts; its value does not matter to a client).
 */
static void stamp_tool_hash(json_t *t)
{
	struct sha256 h;
	unsigned char d[32];
	char hex[17];
	char *schema = json_dumps(json_object_get(t, "json_schema"), JSON_COMPACT | JSON_SORT_KEYS);
	const char *src = jsonx_get_str(t, "source_code");

	sha256_init(&h);
	if (src)
		sha256_update(&h, src, strlen(src));
	if (schema)
		sha256_update(&h, schema, strlen(schema));
	sha256_final(&h, d);
	free(schema);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	json_object_set_new(t, "metadata_", json_pack("{s:s}", "tool_hash", hex));
}

static void h_tools_upsert(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *schema = NULL, *t;
	const char *name;
	static const char *const copy[] = { "source_code", "source_type", "args_json_schema",
					    "return_char_limit", "pip_requirements",
					    "npm_requirements", "default_requires_approval",
					    "enable_parallel_execution", "tags", NULL };

	if (body_check(rq, rs, create_fields, 1) < 0 || check_limit(rs, rq->json) < 0 ||
	    schema_for(&schema, rs, rq->json) < 0)
		return;
	name = jsonx_get_str(schema, "name");
	/* POST and PUT are both an upsert by name within the org (digest 4). */
	t = coll_find_by(&g_store.tools, "name", name);
	if (!t) {
		t = coll_add_take(&g_store.tools, tool_new(name, "custom"));
		if (rq->x_project_id)
			json_object_set_new(t, "project_id", json_string(rq->x_project_id));
	}
	for (int i = 0; copy[i]; i++)
		set_if(t, rq->json, copy[i]);
	json_object_set(t, "json_schema", schema);
	if (jsonx_get_str(rq->json, "description"))
		set_if(t, rq->json, "description");
	else if (jsonx_get_str(schema, "description"))
		json_object_set(t, "description", json_object_get(schema, "description"));
	json_decref(schema);
	stamp_tool_hash(t);
	resp_json_take(rs, 200, tool_render(t));
}

static json_t *tool_or_404(struct sim_req *rq, struct sim_resp *rs)
{
	return coll_find_or_404(rs, &g_store.tools, "Tool", req_param(rq, 0));
}

static void h_tool_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *t = tool_or_404(rq, rs);

	if (t)
		resp_json_take(rs, 200, tool_render(t));
}

static void h_tool_patch(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *t = tool_or_404(rq, rs), *schema = NULL, *other;
	const char *name;

	if (!t || body_check(rq, rs, update_fields, 0) < 0 || check_limit(rs, rq->json) < 0)
		return;
	/* A new source or schema can rename the tool; a clash is a 400 (digest 5.4). */
	if (json_is_object(json_object_get(rq->json, "json_schema")) ||
	    jsonx_get_str(rq->json, "source_code")) {
		if (schema_for(&schema, rs, rq->json) < 0)
			return;
		name = jsonx_get_str(schema, "name");
		other = coll_find_by(&g_store.tools, "name", name);
		if (other && other != t) {
			resp_detail(rs, 400, "Tool with name '%s' already exists in your organization",
				    name);
			json_decref(schema);
			return;
		}
	}
	for (const struct fld *f = update_fields; f->key; f++) {
		if (strcmp(f->key, "json_schema"))
			set_if(t, rq->json, f->key);
	}
	if (schema) {
		json_object_set(t, "json_schema", schema);
		json_object_set(t, "name", json_object_get(schema, "name"));
		if (!jsonx_get_str(rq->json, "description") && jsonx_get_str(schema, "description"))
			json_object_set(t, "description", json_object_get(schema, "description"));
		json_decref(schema);
	}
	resp_json_take(rs, 200, tool_render(t));
}

static void h_tool_delete(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *t = tool_or_404(rq, rs);

	if (!t)
		return;
	agents_unlink("_tools", req_param(rq, 0));
	coll_remove(&g_store.tools, req_param(rq, 0));
	resp_null(rs);
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route tools_routes[] = {
	{ "GET", "/v1/tools/", h_tools_list, 0 },
	{ "POST", "/v1/tools/", h_tools_upsert, 0 },
	{ "PUT", "/v1/tools/", h_tools_upsert, 0 },
	{ "GET", "/v1/tools/count", h_tools_count, 0 },
	{ "GET", "/v1/tools/{tool_id}", h_tool_get, 0 },
	{ "PATCH", "/v1/tools/{tool_id}", h_tool_patch, 0 },
	{ "DELETE", "/v1/tools/{tool_id}", h_tool_delete, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
