/*
 * The JSON each object is served as, in one place because resources render each other: an agent
 * embeds its blocks, tools, sources and identities (AgentState, with the include rules of
 * docs/contract/letta-api.md section 1.2), /v1/blocks/{id}/agents and /v1/identities/{id}/agents
 * list agents, an identity lists its blocks, an MCP server its tools. The stored objects keep
 * internal "_..." keys (relations as id lists, "_seq"); a rendering drops them.
 */
#include "sim.h"
#include "util/jsonx.h"

#include <string.h>

json_t *block_render(const json_t *b)
{
	return obj_public(b);
}

json_t *tool_render(const json_t *t)
{
	return obj_public(t);
}

/* Folder (the /v1/folders routes): no vector_db_provider, which only Source has. */
json_t *folder_render(const json_t *f)
{
	return obj_public(f);
}

/* Source (AgentState.sources, GET /v1/agents/{id}/folders): Folder plus vector_db_provider. */
json_t *source_render(const json_t *f)
{
	json_t *o = obj_public(f);

	json_object_set_new(o, "vector_db_provider", json_string("native"));
	return o;
}

static const char *const identity_keys[] = {
	"id", "identifier_key", "name", "identity_type", "project_id", "agent_ids", "block_ids",
	"properties", NULL,
};

json_t *identity_render(const json_t *idn)
{
	json_t *o = json_object();

	for (int i = 0; identity_keys[i]; i++)
		json_object_set(o, identity_keys[i], obj_or_null(idn, identity_keys[i]));
	return o;
}

static const char *const include_values[] = {
	"agent.blocks", "agent.identities", "agent.managed_group", "agent.pending_approval",
	"agent.secrets", "agent.sources", "agent.tags", "agent.tools", NULL,
};

static const unsigned include_bits[] = {
	INC_BLOCKS, INC_IDENTITIES, 0, 0, INC_SECRETS, INC_SOURCES, INC_TAGS, INC_TOOLS,
};

int agent_includes(struct sim_req *rq, struct sim_resp *rs, unsigned *out)
{
	json_t *inc = req_args_all(rq, "include", 0);
	size_t i;
	json_t *v;
	unsigned bits = 0;

	json_array_foreach(inc, i, v) {
		int k;
		for (k = 0; include_values[k]; k++) {
			if (!strcmp(json_string_value(v), include_values[k]))
				break;
		}
		if (!include_values[k]) {
			resp_422(rs, "enum", "query", "include",
				 "Input should be 'agent.blocks', 'agent.identities', "
				 "'agent.managed_group', 'agent.pending_approval', 'agent.secrets', "
				 "'agent.sources', 'agent.tags' or 'agent.tools'",
				 v, NULL);
			json_decref(inc);
			return -1;
		}
		bits |= include_bits[k];
	}
	/*
	 * Digest 1.2: a 1.0 client gets only what it asks for; a legacy client gets everything
	 * unless it names what it wants.
	 */
	if (!rq->v1_client && !json_array_size(inc))
		bits = INC_ALL;
	json_decref(inc);
	*out = bits;
	return 0;
}

/* A new array of the objects (taken), each rendered by render, or by agent_render with incl. */
static json_t *render_all(json_t *items_take, json_t *(*render)(const json_t *), unsigned incl)
{
	json_t *out = json_array(), *o;
	size_t i;

	json_array_foreach(items_take, i, o)
		json_array_append_new(out, render ? render(o) : agent_render(o, incl));
	json_decref(items_take);
	return out;
}

static json_t *render_ids(const json_t *ids, const struct coll *c, json_t *(*render)(const json_t *))
{
	return render_all(coll_pick(c, ids), render, 0);
}

void resp_page(struct sim_resp *rs, json_t *items_take, const struct page *pg,
	       json_t *(*render)(const json_t *))
{
	resp_json_take(rs, 200, render_all(page_apply(items_take, pg), render, 0));
}

void resp_page_agents(struct sim_resp *rs, json_t *items_take, const struct page *pg,
		      unsigned incl)
{
	resp_json_take(rs, 200, render_all(page_apply(items_take, pg), NULL, incl));
}

/*
 * The AgentState fields the real server returns that letta-sync does not manage (issue 21 item
 * 7; openapi.json AgentState). A stored agent may set them; otherwise they get the values a new
 * agent has on the server: one initial message, no tool rules, no groups, the file limits of a
 * 128k-token context window (letta/utils.py get_file_limits_for_context_window: 10 files,
 * 25000 chars; *sim* for other windows), and the deprecated tool_exec_environment_variables
 * mirroring secrets. model_settings is left null (the spec allows it).
 */
static void agent_extras(json_t *o, const char *id)
{
	static const char *const nulls[] = { "compaction_settings", "last_run_duration_ms",
					     "last_stop_reason", "managed_group",
					     "multi_agent_group", "pending_approval",
					     "response_format", "model_settings", NULL };
	struct buf mid = BUF_INIT;

	for (int i = 0; nulls[i]; i++)
		if (!json_object_get(o, nulls[i]))
			json_object_set_new(o, nulls[i], json_null());
	if (!json_object_get(o, "enable_sleeptime"))
		json_object_set_new(o, "enable_sleeptime", json_false());
	if (!json_object_get(o, "message_buffer_autoclear"))
		json_object_set_new(o, "message_buffer_autoclear", json_false());
	if (!json_object_get(o, "max_files_open"))
		json_object_set_new(o, "max_files_open", json_integer(10));
	if (!json_object_get(o, "per_file_view_window_char_limit"))
		json_object_set_new(o, "per_file_view_window_char_limit", json_integer(25000));
	if (!json_object_get(o, "tool_rules"))
		json_object_set_new(o, "tool_rules", json_array());
	if (!json_object_get(o, "message_ids")) {
		/* The system message, its id derived from the agent's so that no counter moves. */
		buf_addf(&mid, "message-%s", id && !strncmp(id, "agent-", 6) ? id + 6 : "");
		json_object_set_new(o, "message_ids", json_pack("[s]", mid.buf));
		buf_release(&mid);
	}
	json_object_set(o, "tool_exec_environment_variables", json_object_get(o, "secrets"));
	if (!jsonx_get_str(o, "created_by_id"))
		json_object_set_new(o, "created_by_id", json_string(SIM_USER_ID));
	if (!jsonx_get_str(o, "last_updated_by_id"))
		json_object_set_new(o, "last_updated_by_id", json_string(SIM_USER_ID));
}

json_t *agent_render(const json_t *a, unsigned incl)
{
	json_t *o = obj_public(a);
	json_t *blocks, *idns, *secrets = json_array();
	const char *id = jsonx_get_str(a, "id");
	const char *k;
	json_t *v;
	size_t i;

	json_object_set_new(o, "tags", (incl & INC_TAGS) ? json_deep_copy(json_object_get(a, "_tags"))
							   : json_array());
	blocks = (incl & INC_BLOCKS)
			 ? render_ids(json_object_get(a, "_blocks"), &g_store.blocks, block_render)
			 : json_array();
	json_object_set_new(o, "memory",
			    json_pack("{s:O,s:[],s:s,s:O}", "blocks", blocks, "file_blocks",
				      "prompt_template", "", "agent_type",
				      json_object_get(a, "agent_type")));
	json_object_set_new(o, "blocks", blocks);
	json_object_set_new(o, "tools",
			    (incl & INC_TOOLS) ? render_ids(json_object_get(a, "_tools"),
							    &g_store.tools, tool_render)
					       : json_array());
	json_object_set_new(o, "sources",
			    (incl & INC_SOURCES) ? render_ids(json_object_get(a, "_sources"),
							      &g_store.folders, source_render)
						 : json_array());
	idns = json_array();
	if (incl & INC_IDENTITIES) {
		json_t *all = coll_having(&g_store.identities, "agent_ids", id);
		json_array_foreach(all, i, v)
			json_array_append_new(idns, identity_render(v));
		json_decref(all);
	}
	json_object_set_new(o, "identities", idns);
	{
		json_t *ids = json_array();
		json_array_foreach(idns, i, v)
			json_array_append(ids, json_object_get(v, "id"));
		json_object_set_new(o, "identity_ids", ids);
	}
	if (incl & INC_SECRETS) {
		json_object_foreach(json_object_get(a, "_secrets"), k, v)
			json_array_append_new(secrets, json_pack("{s:s,s:O,s:s}", "key", k, "value",
								 v, "agent_id", id));
	}
	json_object_set_new(o, "secrets", secrets);
	agent_extras(o, id);
	return o;
}
