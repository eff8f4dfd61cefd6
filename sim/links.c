/*
 * What more than one resource file does to the store, so that no resource file calls another: the
 * cascade that unlinks a deleted object from every agent, an identity's link to an agent or a block
 * (digest 5.7: the identity holds agent_ids and block_ids), the agents that hold a block, creating
 * and updating blocks (POST /v1/blocks/, an agent's memory_blocks, an imported agent file and a
 * MemFS push all make blocks the same way, docs/contract/letta-api.md section 5.3), the built-in
 * tools (a first tools page and include_base_tools, digest 5.4) and projects by slug (the X-Project
 * header and the projects routes, digest 5.11).
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define NS (F_NULLABLE)

/* ---- the cascade on delete ---- */

void agents_unlink(const char *rel, const char *id)
{
	for (size_t i = 0; i < g_store.agents.n; i++)
		strarr_remove(json_object_get(g_store.agents.v[i], rel), id);
}

/* ---- identities ---- */

json_t *identity_link(struct sim_req *rq, struct sim_resp *rs, const char *key, int attach)
{
	json_t *idn = coll_find(&g_store.identities, req_param(rq, 1));

	if (!idn) {
		resp_not_found(rs, "Identity", req_param(rq, 1));
		return NULL;
	}
	if (attach)
		strarr_add(json_object_get(idn, key), req_param(rq, 0));
	else
		strarr_remove(json_object_get(idn, key), req_param(rq, 0));
	return idn;
}

/* ---- projects by slug ---- */

json_t *project_new(const char *name, const char *slug)
{
	char *id = store_new_uuid();
	json_t *p = json_pack("{s:s,s:s,s:s}", "id", id, "name", name, "slug", slug);

	free(id);
	return coll_add_take(&g_store.projects, p);
}

const char *project_resolve_slug(const char *slug)
{
	json_t *p = coll_find_by(&g_store.projects, "slug", slug);

	if (!p)
		p = project_new(slug, slug);
	return json_string_value(json_object_get(p, "id"));
}

/* ---- blocks (CreateBlock, BlockUpdate) ---- */

static const struct fld create_fields[] = {
	{ "label", F_STR, F_REQUIRED },
	{ "value", F_STR, F_REQUIRED },
	{ "limit", F_INT, 0 },
	{ "project_id", F_STR, NS },
	{ "template_name", F_STR, NS },
	{ "is_template", F_BOOL, 0 },
	{ "template_id", F_STR, NS },
	{ "base_template_id", F_STR, NS },
	{ "deployment_id", F_STR, NS },
	{ "entity_id", F_STR, NS },
	{ "preserve_on_migration", F_BOOL, NS },
	{ "read_only", F_BOOL, 0 },
	{ "description", F_STR, NS },
	{ "metadata", F_OBJ, NS },
	{ "hidden", F_BOOL, NS },
	{ "tags", F_ARR_STR, NS },
	{ NULL, 0, 0 },
};

/* BlockUpdate: the same fields, all optional; null means "leave unchanged" (digest 1). */
static const struct fld update_fields[] = {
	{ "label", F_STR, NS },
	{ "value", F_STR, NS },
	{ "limit", F_INT, NS },
	{ "project_id", F_STR, NS },
	{ "template_name", F_STR, NS },
	{ "is_template", F_BOOL, NS },
	{ "template_id", F_STR, NS },
	{ "base_template_id", F_STR, NS },
	{ "deployment_id", F_STR, NS },
	{ "entity_id", F_STR, NS },
	{ "preserve_on_migration", F_BOOL, NS },
	{ "read_only", F_BOOL, NS },
	{ "description", F_STR, NS },
	{ "metadata", F_OBJ, NS },
	{ "hidden", F_BOOL, NS },
	{ "tags", F_ARR_STR, NS },
	{ NULL, 0, 0 },
};

/* Digest 5.3: NUL characters are removed from `value`. */
static void strip_nul(json_t *b)
{
	json_t *v = json_object_get(b, "value");
	struct buf out = BUF_INIT;
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return;
	s = json_string_value(v);
	n = json_string_length(v);
	if (strlen(s) == n)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i])
			buf_addch(&out, s[i]);
	}
	json_object_set_new(b, "value", json_stringn(out.buf, out.len));
	buf_release(&out);
}

int block_body_check(struct sim_req *rq, struct sim_resp *rs)
{
	return body_check(rq, rs, create_fields, 0);
}

int block_create_check(struct sim_req *rq, struct sim_resp *rs, const json_t *body)
{
	(void)rq;
	return json_check(rs, body, create_fields, 0);
}

json_t *block_create_from(const json_t *body, const char *project_id)
{
	char *id = store_new_id("block");
	json_t *b = json_object();
	json_t *v;

	json_object_set_new(b, "id", json_string(id));
	free(id);
	for (const struct fld *f = create_fields; f->key; f++) {
		v = json_object_get(body, f->key);
		json_object_set(b, f->key, v ? v : json_null());
	}
	if (!json_is_integer(json_object_get(b, "limit")))
		json_object_set_new(b, "limit", json_integer(100000));
	if (!json_is_object(json_object_get(b, "metadata")))
		json_object_set_new(b, "metadata", json_object());
	if (!json_is_array(json_object_get(b, "tags")))
		json_object_set_new(b, "tags", json_array());
	if (!json_is_boolean(json_object_get(b, "is_template")))
		json_object_set_new(b, "is_template", json_false());
	if (!json_is_boolean(json_object_get(b, "read_only")))
		json_object_set_new(b, "read_only", json_false());
	if (!json_is_boolean(json_object_get(b, "preserve_on_migration")))
		json_object_set_new(b, "preserve_on_migration", json_false());
	strip_nul(b);
	if (project_id && json_is_null(json_object_get(b, "project_id")))
		json_object_set_new(b, "project_id", json_string(project_id));
	json_object_set_new(b, "created_by_id", json_null());
	json_object_set_new(b, "last_updated_by_id", json_null());
	return coll_add_take(&g_store.blocks, b);
}

/* Whether another block attached to one of b's agents already has this label. */
static int label_clash(const char *block_id, const char *label)
{
	json_t *agents = coll_having(&g_store.agents, "_blocks", block_id);
	size_t i, j;
	json_t *a, *bid;
	int clash = 0;

	json_array_foreach(agents, i, a) {
		json_array_foreach(json_object_get(a, "_blocks"), j, bid) {
			json_t *o = coll_find(&g_store.blocks, json_string_value(bid));
			if (o && strcmp(json_string_value(bid), block_id) &&
			    !strcmp(jsonx_get_str(o, "label") ? jsonx_get_str(o, "label") : "", label))
				clash = 1;
		}
	}
	json_decref(agents);
	return clash;
}

int block_update(json_t *b, struct sim_req *rq, struct sim_resp *rs)
{
	const char *label;
	const char *k;
	json_t *v;

	if (body_check(rq, rs, update_fields, 0) < 0)
		return -1;
	label = jsonx_get_str(rq->json, "label");
	if (label && strcmp(label, jsonx_get_str(b, "label") ? jsonx_get_str(b, "label") : "") &&
	    label_clash(jsonx_get_str(b, "id"), label)) {
		resp_unique(rs, "Block", "unique_label_per_agent", "agent_id, block_label", label);
		return -1;
	}
	json_object_foreach(rq->json, k, v) {
		const struct fld *f;
		for (f = update_fields; f->key; f++) {
			if (!strcmp(f->key, k))
				break;
		}
		if (f->key && !json_is_null(v))
			json_object_set(b, k, v);
	}
	strip_nul(b);
	return 0;
}

/* ---- the built-in tools ---- */

/* A handful of Letta's built-in tools (digest 5.4: a first-page list creates them). */
static const struct builtin {
	const char *name;
	const char *type;
	const char *desc;
	const char *param;
	const char *param_desc;
	int base; /* attached by include_base_tools */
} builtins[] = {
	{ "send_message", "letta_core", "Sends a message to the human user.", "message",
	  "Message contents. All unicode (including emojis) are supported.", 1 },
	{ "conversation_search", "letta_core", "Search prior conversation history.", "query",
	  "String to search for.", 1 },
	{ "archival_memory_insert", "letta_core", "Add to archival memory.", "content",
	  "Content to write to the memory.", 1 },
	{ "archival_memory_search", "letta_core", "Search archival memory.", "query",
	  "String to search for.", 1 },
	{ "core_memory_append", "letta_memory_core", "Append to the contents of core memory.",
	  "content", "Content to write to the memory.", 1 },
	{ "core_memory_replace", "letta_memory_core", "Replace the contents of core memory.",
	  "new_content", "Content to write to the memory.", 1 },
	{ "web_search", "letta_builtin", "Search the web.", "query", "The search query.", 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

json_t *tool_new(const char *name, const char *type)
{
	char *id = store_new_id("tool");
	json_t *t = json_pack("{s:s,s:s,s:s,s:n,s:s,s:[],s:n,s:n,s:n,s:i,s:n,s:n,s:n,s:b,s:n,s:n,"
			      "s:{},s:n}",
			      "id", id, "tool_type", type, "name", name, "description",
			      "source_type", "python", "tags", "source_code", "json_schema",
			      "args_json_schema", "return_char_limit", 50000, "pip_requirements",
			      "npm_requirements", "default_requires_approval",
			      "enable_parallel_execution", 0, "created_by_id",
			      "last_updated_by_id", "metadata_", "project_id");

	free(id);
	return t;
}

void tools_ensure_builtins(void)
{
	for (const struct builtin *b = builtins; b->name; b++) {
		json_t *t;
		if (coll_find_by(&g_store.tools, "name", b->name))
			continue;
		t = tool_new(b->name, b->type);
		json_object_set_new(t, "description", json_string(b->desc));
		json_object_set_new(t, "json_schema",
				    json_pack("{s:s,s:s,s:{s:s,s:{s:{s:s,s:s}},s:[s]}}", "name",
					      b->name, "description", b->desc, "parameters", "type",
					      "object", "properties", b->param, "type", "string",
					      "description", b->param_desc, "required", b->param));
		json_object_set_new(t, "tags", json_pack("[s]", "letta"));
		coll_add_take(&g_store.tools, t);
	}
}

void tools_base_ids(json_t *out_ids)
{
	tools_ensure_builtins();
	for (const struct builtin *b = builtins; b->name; b++) {
		json_t *t = coll_find_by(&g_store.tools, "name", b->name);
		if (b->base && t)
			strarr_add(out_ids, jsonx_get_str(t, "id"));
	}
}
