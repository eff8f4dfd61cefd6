/*
 * Agents (the digest, docs/contract/letta-api.md, section 5.1), their attachments (5.2) and the
 * tags list (5.8). An agent keeps its relations as id lists under internal keys (_tags, _blocks,
 * _tools, _sources, _secrets); identities keep their own agent_ids. agent_render() (render.c)
 * applies the include rules of digest 1.2.
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define NS (F_NULLABLE)

/*
 * The settings CreateAgentRequest and UpdateAgent both take, all nullable (openapi.json); the
 * two tables below end with them. settings_apply() and settings_scalars store them.
 */
#define SETTINGS_FIELDS                                         \
	{ "context_window_limit", F_INT, NS },                  \
	{ "model_settings", F_OBJ, NS },                        \
	{ "compaction_settings", F_OBJ, NS },                   \
	{ "reasoning", F_BOOL, NS },                            \
	{ "max_tokens", F_INT, NS },                            \
	{ "parallel_tool_calls", F_BOOL, NS },                  \
	{ "tool_rules", F_ARR, NS },                            \
	{ "message_buffer_autoclear", F_BOOL, NS },             \
	{ "max_files_open", F_INT, NS },                        \
	{ "per_file_view_window_char_limit", F_INT, NS },       \
	{ "response_format", F_OBJ, NS },                       \
	{ "enable_sleeptime", F_BOOL, NS }

static const struct fld create_fields[] = {
	{ "name", F_STR, NS },
	{ "model", F_STR, NS },
	{ "embedding", F_STR, NS },
	{ "llm_config", F_OBJ, NS },
	{ "embedding_config", F_OBJ, NS },
	{ "system", F_STR, NS },
	{ "description", F_STR, NS },
	{ "metadata", F_OBJ, NS },
	{ "tags", F_ARR_STR, NS },
	{ "tool_ids", F_ARR_STR, NS },
	{ "block_ids", F_ARR_STR, NS },
	{ "folder_ids", F_ARR_STR, NS },
	{ "source_ids", F_ARR_STR, NS },
	{ "identity_ids", F_ARR_STR, NS },
	{ "memory_blocks", F_ARR, NS },
	{ "include_base_tools", F_BOOL, 0 },
	{ "agent_type", F_STR, 0 },
	{ "secrets", F_OBJ, NS },
	{ "timezone", F_STR, NS },
	{ "project", F_STR, NS },
	{ "hidden", F_BOOL, NS },
	SETTINGS_FIELDS,
	{ NULL, 0, 0 },
};

static const struct fld update_fields[] = {
	{ "name", F_STR, NS },
	{ "system", F_STR, NS },
	{ "description", F_STR, NS },
	{ "metadata", F_OBJ, NS },
	{ "project_id", F_STR, NS },
	{ "template_id", F_STR, NS },
	{ "base_template_id", F_STR, NS },
	{ "model", F_STR, NS },
	{ "embedding", F_STR, NS },
	{ "llm_config", F_OBJ, NS },
	{ "embedding_config", F_OBJ, NS },
	{ "timezone", F_STR, NS },
	{ "hidden", F_BOOL, NS },
	{ "tags", F_ARR_STR, NS },
	{ "tool_ids", F_ARR_STR, NS },
	{ "block_ids", F_ARR_STR, NS },
	{ "folder_ids", F_ARR_STR, NS },
	{ "source_ids", F_ARR_STR, NS },
	{ "identity_ids", F_ARR_STR, NS },
	{ "secrets", F_OBJ, NS },
	SETTINGS_FIELDS,
	{ NULL, 0, 0 },
};

/*
 * The settings CreateAgentRequest and UpdateAgent share that AgentState shows as they were
 * sent (openapi.json AgentState: compaction_settings, model_settings, tool_rules, ...); null
 * leaves the stored value alone.
 */
static const char *const settings_scalars[] = {
	"model_settings", "compaction_settings", "tool_rules", "message_buffer_autoclear",
	"max_files_open", "per_file_view_window_char_limit", "response_format", "enable_sleeptime",
	NULL,
};

/*
 * The request fields the server folds into llm_config (letta/schemas/agent.py and
 * services/agent_manager.py: context_window_limit caps llm_config.context_window, max_tokens,
 * parallel_tool_calls and reasoning (enable_reasoner) are set on it), applied after a model
 * change rebuilt it.
 */
static void settings_apply(json_t *a, const json_t *body)
{
	static const char *const llm[][2] = { { "context_window_limit", "context_window" },
					      { "max_tokens", "max_tokens" },
					      { "parallel_tool_calls", "parallel_tool_calls" },
					      { "reasoning", "enable_reasoner" } };
	json_t *v, *lc = json_object_get(a, "llm_config");

	for (int i = 0; settings_scalars[i]; i++)
		if ((v = json_object_get(body, settings_scalars[i])) && !json_is_null(v))
			json_object_set(a, settings_scalars[i], v);
	for (size_t i = 0; json_is_object(lc) && i < sizeof(llm) / sizeof(llm[0]); i++)
		if ((v = json_object_get(body, llm[i][0])) && !json_is_null(v))
			json_object_set(lc, llm[i][1], v);
}

/* Scalars copied as they are from UpdateAgent. */
static const char *const update_scalars[] = {
	"name", "system", "description", "metadata", "project_id", "template_id",
	"base_template_id", "timezone", "hidden", NULL,
};

static json_t *embedding_config_for(const char *handle)
{
	const char *slash = strchr(handle, '/');

	return json_pack("{s:s,s:s,s:i,s:i,s:s,s:s}", "embedding_endpoint_type", "openai",
			 "embedding_model", slash ? slash + 1 : handle, "embedding_dim", 1536,
			 "embedding_chunk_size", 300, "handle", handle, "embedding_endpoint",
			 "https://api.example.invalid/v1");
}

static void touch(json_t *a)
{
	char *now = store_now_iso();

	json_object_set_new(a, "updated_at", json_string(now));
	free(now);
}

/* Checks that each id exists; writes the given status and returns -1 on the first unknown. */
static int ids_exist(struct sim_resp *rs, const json_t *ids, const struct coll *c,
		     const char *what, int status)
{
	size_t i;
	json_t *id;

	json_array_foreach(ids, i, id) {
		if (!coll_find(c, json_string_value(id))) {
			if (status == 500)
				resp_detail(rs, 500, "An unknown error occurred");
			else if (status == 409)
				resp_foreign_key(rs, "Agent",
						 !strcmp(what, "Tool") ? "tools_agents" : "agents",
						 !strcmp(what, "Tool") ? "tool_id" : "id",
						 json_string_value(id),
						 !strcmp(what, "Tool") ? "tools" : "blocks");
			else
				resp_not_found(rs, what, json_string_value(id));
			return -1;
		}
	}
	return 0;
}

/* Per-agent block labels are unique (digest 2.2, 409). */
static int labels_unique(struct sim_resp *rs, const json_t *block_ids)
{
	json_t *seen = json_array();
	size_t i;
	json_t *id;

	json_array_foreach(block_ids, i, id) {
		json_t *b = coll_find(&g_store.blocks, json_string_value(id));
		const char *label = b ? jsonx_get_str(b, "label") : NULL;
		if (!label)
			continue;
		if (strarr_has(seen, label)) {
			resp_unique(rs, "BlocksAgents", "unique_label_per_agent",
				    "agent_id, block_label", label);
			json_decref(seen);
			return -1;
		}
		strarr_add(seen, label);
	}
	json_decref(seen);
	return 0;
}

static json_t *dedup(const json_t *arr)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		strarr_add(out, json_string_value(v));
	return out;
}

static void set_identities(const char *agent_id, const json_t *identity_ids)
{
	for (size_t i = 0; i < g_store.identities.n; i++) {
		json_t *idn = g_store.identities.v[i];
		json_t *ids = json_object_get(idn, "agent_ids");
		if (strarr_has(identity_ids, jsonx_get_str(idn, "id")))
			strarr_add(ids, agent_id);
		else
			strarr_remove(ids, agent_id);
	}
}

static const char *const names_a[] = { "Brave", "Calm", "Eager", "Gentle", "Jolly", "Keen",
				       "Lively", "Merry", "Nimble", "Quiet", "Swift", "Witty" };
static const char *const names_b[] = { "Otter", "Falcon", "Heron", "Lynx", "Marten", "Owl",
				       "Panda", "Quokka", "Raven", "Seal", "Tapir", "Wren" };

static void h_agents_create(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *body, *a, *v, *blocks = json_array(), *tools = json_array(), *mb;
	json_t *llm = NULL, *ec = NULL;
	const char *model, *emb, *slug;
	const char *project_id = NULL;
	char *id = NULL, *now = NULL;
	struct buf name = BUF_INIT;
	size_t i;
	json_t *x;
	int base_tools;

	if (body_check(rq, rs, create_fields, 0) < 0)
		goto out;
	body = rq->json;
	model = jsonx_get_str(body, "model");
	emb = jsonx_get_str(body, "embedding");
	if (!model && !json_is_object(json_object_get(body, "llm_config"))) {
		resp_detail(rs, 400,
			    "INVALID_ARGUMENT: Must specify either model or llm_config in request");
		goto out;
	}
	/*
	 * The real server resolves the handles before it creates anything: an unknown model is
	 * a 404 "Handle X not found", an unknown embedding a 400 "Embedding model X not found".
	 */
	if (model && !json_is_object(json_object_get(body, "llm_config")) &&
	    !(llm = models_llm_config(rs, model)))
		goto out;
	if (emb && !json_is_object(json_object_get(body, "embedding_config")) &&
	    !(ec = models_embedding_config(rs, emb, 0)))
		goto out;
	if (ids_exist(rs, json_object_get(body, "block_ids"), &g_store.blocks, "Block", 404) < 0 ||
	    ids_exist(rs, json_object_get(body, "tool_ids"), &g_store.tools, "Tool", 404) < 0 ||
	    ids_exist(rs, json_object_get(body, "folder_ids"), &g_store.folders, "Folder", 404) <
		    0 ||
	    ids_exist(rs, json_object_get(body, "source_ids"), &g_store.folders, "Source", 404) <
		    0 ||
	    ids_exist(rs, json_object_get(body, "identity_ids"), &g_store.identities, "Identity",
		      404) < 0)
		goto out;
	mb = json_object_get(body, "memory_blocks");
	json_array_foreach(mb, i, x) {
		if (block_create_check(rq, rs, x) < 0)
			goto out;
	}
	/* The deprecated body field `project` is a slug too; X-Project wins (digest 1.1). */
	slug = rq->x_project ? rq->x_project : jsonx_get_str(body, "project");
	if (slug)
		project_id = project_resolve_slug(slug);

	json_array_foreach(mb, i, x) {
		json_t *b = block_create_from(x, project_id);
		json_array_append(blocks, json_object_get(b, "id"));
	}
	json_array_foreach(json_object_get(body, "block_ids"), i, x)
		strarr_add(blocks, json_string_value(x));
	base_tools = jsonx_get_bool(body, "include_base_tools", 1);
	if (base_tools)
		tools_base_ids(tools);
	json_array_foreach(json_object_get(body, "tool_ids"), i, x)
		strarr_add(tools, json_string_value(x));

	id = store_new_id("agent");
	now = store_now_iso();
	if (jsonx_get_str(body, "name")) {
		buf_addstr(&name, jsonx_get_str(body, "name"));
	} else {
		unsigned long long s = g_store.next_seq;
		buf_addf(&name, "%s%s", names_a[s % 12], names_b[(s / 12) % 12]);
	}
	a = json_pack("{s:s,s:s,s:s,s:s,s:O,s:s,s:s,s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:n}", "id", id,
		      "name", name.buf, "created_at", now, "updated_at", now, "description",
		      json_object_get(body, "description") ? json_object_get(body, "description")
							   : json_null(),
		      "system",
		      jsonx_get_str(body, "system") ? jsonx_get_str(body, "system")
						    : "You are a helpful assistant.",
		      "agent_type",
		      jsonx_get_str(body, "agent_type") ? jsonx_get_str(body, "agent_type")
							: "letta_v1_agent",
		      "template_id", "base_template_id", "deployment_id", "entity_id",
		      "created_by_id", "last_updated_by_id", "last_run_completion", "hidden",
		      "timezone");
	json_object_set_new(a, "project_id", project_id ? json_string(project_id) : json_null());
	v = json_object_get(body, "metadata");
	json_object_set(a, "metadata", json_is_object(v) ? v : json_null());
	if (json_is_boolean(json_object_get(body, "hidden")))
		json_object_set(a, "hidden", json_object_get(body, "hidden"));
	if (jsonx_get_str(body, "timezone"))
		json_object_set(a, "timezone", json_object_get(body, "timezone"));
	if (json_is_object(json_object_get(body, "llm_config")))
		json_object_set(a, "llm_config", json_object_get(body, "llm_config"));
	else
		json_object_set(a, "llm_config", llm);
	json_object_set_new(a, "model", model ? json_string(model) : json_null());
	if (json_is_object(json_object_get(body, "embedding_config")))
		json_object_set(a, "embedding_config", json_object_get(body, "embedding_config"));
	else if (ec)
		json_object_set(a, "embedding_config", ec);
	else
		json_object_set_new(a, "embedding_config",
				    embedding_config_for("openai/text-embedding-3-small"));
	json_object_set_new(a, "embedding", emb ? json_string(emb) : json_null());
	settings_apply(a, body);
	json_object_set_new(a, "_tags", dedup(json_object_get(body, "tags")));
	json_object_set_new(a, "_blocks", blocks);
	blocks = NULL;
	json_object_set_new(a, "_tools", tools);
	tools = NULL;
	json_object_set_new(a, "_sources", json_array());
	json_array_foreach(json_object_get(body, "folder_ids"), i, x)
		strarr_add(json_object_get(a, "_sources"), json_string_value(x));
	json_array_foreach(json_object_get(body, "source_ids"), i, x)
		strarr_add(json_object_get(a, "_sources"), json_string_value(x));
	v = json_object_get(body, "secrets");
	json_object_set_new(a, "_secrets", json_is_object(v) ? json_deep_copy(v) : json_object());
	coll_add_take(&g_store.agents, a);
	json_array_foreach(json_object_get(body, "identity_ids"), i, x) {
		json_t *idn = coll_find(&g_store.identities, json_string_value(x));
		strarr_add(json_object_get(idn, "agent_ids"), id);
	}
	/* Create answers as PATCH does, with every relationship loaded. */
	resp_json_take(rs, 200, agent_render(a, INC_ALL));
out:
	json_decref(blocks);
	json_decref(tools);
	json_decref(llm);
	json_decref(ec);
	buf_release(&name);
	free(id);
	free(now);
}

/* ---- list, count ---- */

struct agent_filter {
	const char *name;
	const char *query_text;
	const char *project_id;
	const char *template_id;
	const char *base_template_id;
	const char *identity_id;
	json_t *identifier_keys;
	json_t *tags;
	int match_all;
};

static int afilter_parse(struct agent_filter *af, struct sim_req *rq, struct sim_resp *rs)
{
	memset(af, 0, sizeof(*af));
	if (query_bool(rq, rs, "match_all_tags", 0, &af->match_all) < 0)
		return -1;
	af->name = req_arg(rq, "name");
	af->query_text = req_arg(rq, "query_text");
	af->project_id = req_arg(rq, "project_id");
	af->template_id = req_arg(rq, "template_id");
	af->base_template_id = req_arg(rq, "base_template_id");
	af->identity_id = req_arg(rq, "identity_id");
	af->tags = req_args_all(rq, "tags", 0);
	af->identifier_keys = req_args_all(rq, "identifier_keys", 0);
	return 0;
}

static void afilter_release(struct agent_filter *af)
{
	json_decref(af->tags);
	json_decref(af->identifier_keys);
}

static int str_eq(const json_t *o, const char *key, const char *want)
{
	const char *s = jsonx_get_str(o, key);

	return s && !strcmp(s, want);
}

static int agent_matches(const json_t *a, const struct agent_filter *af)
{
	const json_t *tags = json_object_get(a, "_tags");
	size_t i;
	json_t *t;

	if (json_is_true(json_object_get(a, "hidden")))
		return 0;
	if (af->name && !str_eq(a, "name", af->name))
		return 0;
	if (af->query_text && !ci_contains(jsonx_get_str(a, "name"), af->query_text))
		return 0;
	if (af->project_id && !str_eq(a, "project_id", af->project_id))
		return 0;
	if (af->template_id && !str_eq(a, "template_id", af->template_id))
		return 0;
	if (af->base_template_id && !str_eq(a, "base_template_id", af->base_template_id))
		return 0;
	if (af->identity_id || json_array_size(af->identifier_keys)) {
		json_t *idns = coll_having(&g_store.identities, "agent_ids", jsonx_get_str(a, "id"));
		int ok = 0;
		json_array_foreach(idns, i, t) {
			if (af->identity_id && str_eq(t, "id", af->identity_id))
				ok = 1;
			if (strarr_has(af->identifier_keys, jsonx_get_str(t, "identifier_key")))
				ok = 1;
		}
		json_decref(idns);
		if (!ok)
			return 0;
	}
	if (!json_array_size(af->tags))
		return 1;
	json_array_foreach(af->tags, i, t) {
		int has = strarr_has(tags, json_string_value(t));
		if (af->match_all && !has)
			return 0;
		if (!af->match_all && has)
			return 1;
	}
	return af->match_all;
}

static const char *const agent_order_by[] = { "created_at", "updated_at", "last_run_completion",
					      NULL };

static void h_agents_list(struct sim_req *rq, struct sim_resp *rs)
{
	struct agent_filter af;
	struct page pg;
	unsigned incl;
	json_t *items;
	size_t i;
	int asc;

	if (afilter_parse(&af, rq, rs) < 0)
		return;
	if (agent_includes(rq, rs, &incl) < 0 || page_parse(&pg, rq, rs, 50, 1, agent_order_by) < 0 ||
	    query_bool(rq, rs, "ascending", -1, &asc) < 0)
		goto out;
	/* Deprecated `ascending` counts only when `order` is absent (digest 3). */
	if (asc >= 0 && !req_arg(rq, "order"))
		pg.desc = !asc;
	items = json_array();
	for (i = 0; i < g_store.agents.n; i++) {
		if (agent_matches(g_store.agents.v[i], &af))
			json_array_append(items, g_store.agents.v[i]);
	}
	resp_page_agents(rs, items, &pg, incl);
out:
	afilter_release(&af);
}

static void h_agents_count(struct sim_req *rq, struct sim_resp *rs)
{
	struct agent_filter af;
	long n = 0;

	if (afilter_parse(&af, rq, rs) < 0)
		return;
	for (size_t i = 0; i < g_store.agents.n; i++)
		n += agent_matches(g_store.agents.v[i], &af);
	afilter_release(&af);
	resp_json_take(rs, 200, json_integer(n));
}

/* ---- one agent ---- */

static json_t *agent_or_404(struct sim_req *rq, struct sim_resp *rs)
{
	return coll_find_or_404(rs, &g_store.agents, "Agent", req_param(rq, 0));
}

static void h_agent_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = agent_or_404(rq, rs);
	unsigned incl;

	if (!a || agent_includes(rq, rs, &incl) < 0)
		return;
	resp_json_take(rs, 200, agent_render(a, incl));
}

static void h_agent_patch(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = agent_or_404(rq, rs);
	json_t *body, *v, *llm = NULL, *ec = NULL;
	const char *folders_key;

	if (!a || body_check(rq, rs, update_fields, 0) < 0)
		return;
	body = rq->json;
	/* Validate every id before changing anything: a failed PATCH changes nothing. */
	if (ids_exist(rs, json_object_get(body, "tool_ids"), &g_store.tools, "Tool", 409) < 0 ||
	    ids_exist(rs, json_object_get(body, "block_ids"), &g_store.blocks, "Block", 500) < 0 ||
	    ids_exist(rs, json_object_get(body, "folder_ids"), &g_store.folders, "Folder", 409) <
		    0 ||
	    ids_exist(rs, json_object_get(body, "source_ids"), &g_store.folders, "Source", 409) <
		    0 ||
	    ids_exist(rs, json_object_get(body, "identity_ids"), &g_store.identities, "Identity",
		      404) < 0 ||
	    labels_unique(rs, json_object_get(body, "block_ids")) < 0)
		return;
	/* As on create: the handles resolve before anything changes (see models.c). */
	if ((v = json_object_get(body, "model")) && json_is_string(v) &&
	    !(llm = models_llm_config(rs, json_string_value(v))))
		return;
	if ((v = json_object_get(body, "embedding")) && json_is_string(v) &&
	    !(ec = models_embedding_config(rs, json_string_value(v), 0))) {
		json_decref(llm);
		return;
	}
	for (int i = 0; update_scalars[i]; i++) {
		v = json_object_get(body, update_scalars[i]);
		if (v && !json_is_null(v))
			json_object_set(a, update_scalars[i], v);
	}
	if ((v = json_object_get(body, "model")) && json_is_string(v)) {
		json_object_set(a, "model", v);
		json_object_set_new(a, "llm_config", llm);
	}
	if ((v = json_object_get(body, "llm_config")) && json_is_object(v))
		json_object_set(a, "llm_config", v);
	if ((v = json_object_get(body, "embedding")) && json_is_string(v)) {
		json_object_set(a, "embedding", v);
		json_object_set_new(a, "embedding_config", ec);
	}
	if ((v = json_object_get(body, "embedding_config")) && json_is_object(v))
		json_object_set(a, "embedding_config", v);
	settings_apply(a, body);
	/* Relation lists replace the whole set; null leaves them alone (digest 5.1). */
	if ((v = json_object_get(body, "tags")) && json_is_array(v))
		json_object_set_new(a, "_tags", dedup(v));
	if ((v = json_object_get(body, "tool_ids")) && json_is_array(v))
		json_object_set_new(a, "_tools", dedup(v));
	if ((v = json_object_get(body, "block_ids")) && json_is_array(v))
		json_object_set_new(a, "_blocks", dedup(v));
	folders_key = json_is_array(json_object_get(body, "folder_ids")) ? "folder_ids"
									  : "source_ids";
	if ((v = json_object_get(body, folders_key)) && json_is_array(v))
		json_object_set_new(a, "_sources", dedup(v));
	if ((v = json_object_get(body, "identity_ids")) && json_is_array(v))
		set_identities(jsonx_get_str(a, "id"), v);
	if ((v = json_object_get(body, "secrets")) && json_is_object(v))
		json_object_set_new(a, "_secrets", json_deep_copy(v));
	touch(a);
	resp_json_take(rs, 200, agent_render(a, INC_ALL));
}

static void h_agent_delete(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = agent_or_404(rq, rs);
	const char *id;

	if (!a)
		return;
	id = req_param(rq, 0);
	for (size_t i = 0; i < g_store.identities.n; i++)
		strarr_remove(json_object_get(g_store.identities.v[i], "agent_ids"), id);
	coll_remove(&g_store.agents, id);
	resp_null(rs);
}

/* ---- core memory ---- */

static void list_rel(struct sim_req *rq, struct sim_resp *rs, const char *rel,
		     const struct coll *c, json_t *(*render)(const json_t *), long def_limit)
{
	json_t *a = agent_or_404(rq, rs);
	struct page pg;

	if (!a || page_parse(&pg, rq, rs, def_limit, 1, NULL) < 0)
		return;
	resp_page(rs, coll_pick(c, json_object_get(a, rel)), &pg, render);
}

static void h_agent_blocks_list(struct sim_req *rq, struct sim_resp *rs)
{
	list_rel(rq, rs, "_blocks", &g_store.blocks, block_render, 100);
}

static void h_agent_block_attach(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = agent_or_404(rq, rs), *b, *id;
	const char *label;
	size_t i;

	if (!a)
		return;
	b = coll_find(&g_store.blocks, req_param(rq, 1));
	if (!b) {
		resp_not_found(rs, "Block", req_param(rq, 1));
		return;
	}
	if (!strarr_has(json_object_get(a, "_blocks"), req_param(rq, 1))) {
		label = jsonx_get_str(b, "label");
		json_array_foreach(json_object_get(a, "_blocks"), i, id) {
			json_t *o = coll_find(&g_store.blocks, json_string_value(id));
			if (o && label && str_eq(o, "label", label)) {
				struct buf v = BUF_INIT;

				buf_addf(&v, "%s, %s", req_param(rq, 0), label);
				resp_unique(rs, "BlocksAgents", "unique_label_per_agent",
					    "agent_id, block_label", v.buf);
				buf_release(&v);
				return;
			}
		}
		strarr_add(json_object_get(a, "_blocks"), req_param(rq, 1));
		touch(a);
	}
	resp_json_take(rs, 200, agent_render(a, INC_ALL));
}

static void h_agent_block_detach(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = agent_or_404(rq, rs);

	if (!a)
		return;
	if (!strarr_remove(json_object_get(a, "_blocks"), req_param(rq, 1))) {
		resp_detail(rs, 404, "Block with id '%s' is not attached to agent '%s'",
			    req_param(rq, 1), req_param(rq, 0));
		return;
	}
	touch(a);
	resp_json_take(rs, 200, agent_render(a, INC_ALL));
}

static json_t *block_by_label(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = agent_or_404(rq, rs), *id;
	size_t i;

	if (!a)
		return NULL;
	json_array_foreach(json_object_get(a, "_blocks"), i, id) {
		json_t *b = coll_find(&g_store.blocks, json_string_value(id));
		if (b && str_eq(b, "label", req_param(rq, 1)))
			return b;
	}
	resp_detail(rs, 404, "Block with label '%s' not found for agent '%s'", req_param(rq, 1),
		    req_param(rq, 0));
	return NULL;
}

static void h_agent_block_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *b = block_by_label(rq, rs);

	if (b)
		resp_json_take(rs, 200, block_render(b));
}

static void h_agent_block_patch(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *b = block_by_label(rq, rs);

	if (b && block_update(b, rq, rs) == 0)
		resp_json_take(rs, 200, block_render(b));
}

/* ---- tools ---- */

static void h_agent_tools_list(struct sim_req *rq, struct sim_resp *rs)
{
	list_rel(rq, rs, "_tools", &g_store.tools, tool_render, 10);
}

/* Tool and folder attach/detach answer null to a 1.0 client (digest 1.2). */
static void rel_toggle(struct sim_req *rq, struct sim_resp *rs, const char *rel,
		       const struct coll *c, const char *what, int attach)
{
	json_t *a = agent_or_404(rq, rs);
	int changed;

	if (!a)
		return;
	if (!coll_find(c, req_param(rq, 1))) {
		resp_not_found(rs, what, req_param(rq, 1));
		return;
	}
	if (attach) {
		changed = !strarr_has(json_object_get(a, rel), req_param(rq, 1));
		strarr_add(json_object_get(a, rel), req_param(rq, 1));
	} else {
		changed = strarr_remove(json_object_get(a, rel), req_param(rq, 1));
	}
	if (changed)
		touch(a);
	if (rq->v1_client)
		resp_null(rs);
	else
		resp_json_take(rs, 200, agent_render(a, INC_ALL));
}

static void h_agent_tool_attach(struct sim_req *rq, struct sim_resp *rs)
{
	rel_toggle(rq, rs, "_tools", &g_store.tools, "Tool", 1);
}

static void h_agent_tool_detach(struct sim_req *rq, struct sim_resp *rs)
{
	rel_toggle(rq, rs, "_tools", &g_store.tools, "Tool", 0);
}

static void h_agent_folders_list(struct sim_req *rq, struct sim_resp *rs)
{
	list_rel(rq, rs, "_sources", &g_store.folders, source_render, 100);
}

static void h_agent_folder_attach(struct sim_req *rq, struct sim_resp *rs)
{
	rel_toggle(rq, rs, "_sources", &g_store.folders, "Folder", 1);
}

static void h_agent_folder_detach(struct sim_req *rq, struct sim_resp *rs)
{
	rel_toggle(rq, rs, "_sources", &g_store.folders, "Folder", 0);
}

static void identity_toggle(struct sim_req *rq, struct sim_resp *rs, int attach)
{
	if (agent_or_404(rq, rs) && identity_link(rq, rs, "agent_ids", attach))
		resp_null(rs);
}

static void h_agent_identity_attach(struct sim_req *rq, struct sim_resp *rs)
{
	identity_toggle(rq, rs, 1);
}

static void h_agent_identity_detach(struct sim_req *rq, struct sim_resp *rs)
{
	identity_toggle(rq, rs, 0);
}

/* ---- tags ---- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void h_tags_list(struct sim_req *rq, struct sim_resp *rs)
{
	const char *name = req_arg(rq, "name") ? req_arg(rq, "name") : req_arg(rq, "query_text");
	const char *after = req_arg(rq, "after"), *before = req_arg(rq, "before");
	static const char *const by_name[] = { "name", NULL };
	json_t *set = json_array(), *t, *out = json_array();
	const char **v;
	struct page pg;
	size_t i, n, hi;

	if (page_parse(&pg, rq, rs, 50, 0, by_name) < 0) {
		json_decref(set);
		json_decref(out);
		return;
	}
	for (i = 0; i < g_store.agents.n; i++) {
		json_array_foreach(json_object_get(g_store.agents.v[i], "_tags"), n, t)
			strarr_add(set, json_string_value(t));
	}
	for (i = 0; i < g_store.blocks.n; i++) {
		json_array_foreach(json_object_get(g_store.blocks.v[i], "tags"), n, t)
			strarr_add(set, json_string_value(t));
	}
	n = json_array_size(set);
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(set, i));
	qsort(v, n, sizeof(*v), cmp_str);
	/* Cursors are tag strings, compared in the page's direction (digest 5.8). */
	hi = 0;
	for (i = 0; i < n; i++) {
		size_t k = pg.desc ? n - 1 - i : i;
		int ok_after = !after || (pg.desc ? strcmp(v[k], after) < 0 : strcmp(v[k], after) > 0);
		int ok_before =
			!before || (pg.desc ? strcmp(v[k], before) > 0 : strcmp(v[k], before) < 0);

		if (name && !ci_contains(v[k], name))
			continue;
		if (!ok_after || !ok_before)
			continue;
		if (g_store.faults.max_page > 0 && (long)hi >= g_store.faults.max_page)
			break;
		if (pg.limit >= 0 && (long)hi >= pg.limit)
			break;
		json_array_append_new(out, json_string(v[k]));
		hi++;
	}
	free(v);
	json_decref(set);
	resp_json_take(rs, 200, out);
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route agents_routes[] = {
	{ "GET", "/v1/agents/", h_agents_list, 0 },
	{ "POST", "/v1/agents/", h_agents_create, 0 },
	{ "GET", "/v1/agents/count", h_agents_count, 0 },
	{ "GET", "/v1/agents/{agent_id}", h_agent_get, 0 },
	{ "PATCH", "/v1/agents/{agent_id}", h_agent_patch, 0 },
	{ "DELETE", "/v1/agents/{agent_id}", h_agent_delete, 0 },
	{ "GET", "/v1/agents/{agent_id}/core-memory/blocks", h_agent_blocks_list, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/core-memory/blocks/attach/{block_id}", h_agent_block_attach, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/core-memory/blocks/detach/{block_id}", h_agent_block_detach, 0 },
	{ "GET", "/v1/agents/{agent_id}/core-memory/blocks/{block_label}", h_agent_block_get, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/core-memory/blocks/{block_label}", h_agent_block_patch, 0 },
	{ "GET", "/v1/agents/{agent_id}/tools", h_agent_tools_list, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/tools/attach/{tool_id}", h_agent_tool_attach, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/tools/detach/{tool_id}", h_agent_tool_detach, 0 },
	{ "GET", "/v1/agents/{agent_id}/folders", h_agent_folders_list, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/folders/attach/{folder_id}", h_agent_folder_attach, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/folders/detach/{folder_id}", h_agent_folder_detach, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/sources/attach/{source_id}", h_agent_folder_attach, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/sources/detach/{source_id}", h_agent_folder_detach, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/identities/attach/{identity_id}", h_agent_identity_attach, 0 },
	{ "PATCH", "/v1/agents/{agent_id}/identities/detach/{identity_id}", h_agent_identity_detach, 0 },
	{ "GET", "/v1/tags/", h_tags_list, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
