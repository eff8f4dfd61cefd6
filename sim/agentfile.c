/*
 * Agent files (.af): GET /v1/agents/{agent_id}/export and POST /v1/agents/import
 * (openapi.json "export_agent" and "import_agent").
 *
 * Export answers the AgentFileSchema document (the v2 "multi-entity" format: agents, groups,
 * blocks, files, sources, tools, mcp_servers, skills, metadata, created_at). openapi.json and
 * the official TS SDK type the 200 as a string (`AgentExportFileResponse = string`); the body
 * is that document's JSON. Inside the file, ids are file-local ("agent-0", "block-0",
 * "tool-0", "source-0") and the agent refers to its blocks, tools and sources through them.
 * letta-sim keeps no message history, so "messages" and "in_context_message_ids" are empty.
 * The agent's secrets are exported as the server holds them, so clients must keep them out of
 * what they store.
 *
 * Import takes multipart/form-data with the document in the part "file" (Body_import_agent)
 * and answers ImportedAgentsResponse {"agent_ids": [...]}. Every block is created anew; tools
 * are matched by name (override_existing_tools, default true, replaces their source code),
 * sources by name (created when missing); the agent is new, in the project named by
 * X-Project (or the form's deprecated project_id), named by the form's "name" when given.
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const agent_keys[] = { "name", "system", "agent_type", "description",
					  "metadata", "llm_config", "embedding_config", "model",
					  "embedding", "timezone", "hidden", NULL };
static const char *const block_keys[] = { "value", "limit", "project_id", "template_name",
					  "is_template", "template_id", "base_template_id",
					  "deployment_id", "entity_id", "preserve_on_migration",
					  "label", "read_only", "description", "metadata",
					  "hidden", "tags", NULL };
static const char *const tool_keys[] = { "tool_type", "description", "source_type", "name",
					 "tags", "source_code", "json_schema",
					 "args_json_schema", "return_char_limit",
					 "pip_requirements", "npm_requirements",
					 "default_requires_approval", "enable_parallel_execution",
					 "metadata_", NULL };
static const char *const nulls[] = { "template_id", "base_template_id", "deployment_id",
				     "entity_id", "created_by_id", "last_updated_by_id",
				     "last_run_completion", NULL };
static const char *const rels[][2] = { { "block_ids", "_blocks" },
				       { "tool_ids", "_tools" },
				       { "source_ids", "_sources" } };
static const char *const source_keys[] = { "name", "description", "instructions", "metadata",
					   "embedding_config", NULL };

static json_t *pick(const json_t *o, const char *const *keys, const char *file_id)
{
	json_t *out = json_object();

	for (int i = 0; keys[i]; i++)
		json_object_set(out, keys[i], obj_or_null(o, keys[i]));
	json_object_set_new(out, "id", json_string(file_id));
	return out;
}

/* Adds the objects of ids (from c) to list with file ids "<prefix>-N"; refs gets those ids. */
static void export_rel(json_t *list, json_t *refs, const json_t *ids, const struct coll *c,
		       const char *prefix, const char *const *keys)
{
	size_t i;
	json_t *id;
	char fid[64];

	json_array_foreach(ids, i, id) {
		const json_t *o = coll_find(c, json_string_value(id));

		if (!o)
			continue;
		snprintf(fid, sizeof(fid), "%s-%zu", prefix, json_array_size(list));
		json_array_append_new(list, pick(o, keys, fid));
		json_array_append_new(refs, json_string(fid));
	}
}

static void h_agent_export(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = coll_find(&g_store.agents, req_param(rq, 0));
	json_t *doc, *ag, *blocks, *tools, *sources, *refs;
	char *now;
	int scrub = 0;

	if (!a) {
		resp_not_found(rs, "Agent", req_param(rq, 0));
		return;
	}
	if (query_bool(rq, rs, "scrub_messages", 0, &scrub) < 0)
		return;
	blocks = json_array();
	tools = json_array();
	sources = json_array();
	ag = pick(a, agent_keys, "agent-0");
	json_object_set(ag, "tags", json_object_get(a, "_tags"));
	refs = json_array();
	export_rel(blocks, refs, json_object_get(a, "_blocks"), &g_store.blocks, "block",
		   block_keys);
	json_object_set_new(ag, "block_ids", refs);
	refs = json_array();
	export_rel(tools, refs, json_object_get(a, "_tools"), &g_store.tools, "tool", tool_keys);
	json_object_set_new(ag, "tool_ids", refs);
	refs = json_array();
	export_rel(sources, refs, json_object_get(a, "_sources"), &g_store.folders, "source",
		   source_keys);
	json_object_set_new(ag, "source_ids", refs);
	json_object_set(ag, "secrets", json_object_get(a, "_secrets"));
	json_object_set_new(ag, "messages", json_array());
	json_object_set_new(ag, "in_context_message_ids", json_array());
	json_object_set_new(ag, "tool_rules", json_array());
	json_object_set_new(ag, "files_agents", json_array());
	json_object_set_new(ag, "group_ids", json_array());
	now = store_now_iso();
	doc = json_pack("{s:[o], s:[], s:o, s:[], s:o, s:o, s:[], s:[], s:{s:s}, s:s}", "agents",
			ag, "groups", "blocks", blocks, "files", "sources", sources, "tools", tools,
			"mcp_servers", "skills", "metadata", "revision_id", "letta-sim",
			"created_at", now);
	free(now);
	resp_json_take(rs, 200, doc);
}

/* The value of a plain form field (caller frees), or NULL. */
static char *form_field(const struct sim_req *rq, const char *name)
{
	const char *data = NULL;
	size_t len = 0;
	char *fname = sim_multipart(rq, name, &data, &len);

	if (!fname)
		return NULL;
	free(fname);
	return xstrndup(data, len);
}

static const char *map_id(const json_t *map, const json_t *fid)
{
	return jsonx_get_str(map, json_string_value(fid));
}

static void h_agents_import(struct sim_req *rq, struct sim_resp *rs)
{
	const char *data = NULL, *slug;
	size_t len = 0, i, j;
	char *fname = sim_multipart(rq, "file", &data, &len);
	char *name = NULL, *override = NULL, *pid_form = NULL, *id, *now;
	json_t *doc = NULL, *map = NULL, *ids = NULL, *x, *ag;
	const char *project_id = NULL;
	int override_tools;

	if (!fname) {
		resp_422(rs, "missing", "body", "file", "Field required", NULL, NULL);
		return;
	}
	doc = json_loadb(data, len, 0, NULL);
	if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "agents")) ||
	    !json_array_size(json_object_get(doc, "agents"))) {
		resp_detail(rs, 400, "Invalid agent file: it must be an AgentFileSchema JSON "
				     "document with at least one agent");
		goto out;
	}
	name = form_field(rq, "name");
	override = form_field(rq, "override_existing_tools");
	pid_form = form_field(rq, "project_id");
	override_tools = !override || strcmp(override, "false");
	/* X-Project wins over the deprecated form field (digest 1.1). */
	slug = rq->x_project;
	if (slug && *slug)
		project_id = project_resolve_slug(slug);
	else if (pid_form && *pid_form)
		project_id = coll_find(&g_store.projects, pid_form) ? pid_form : NULL;
	map = json_object();
	json_array_foreach(json_object_get(doc, "blocks"), i, x) {
		json_t *b = block_create_from(x, project_id);

		json_object_set(map, jsonx_get_str(x, "id") ? jsonx_get_str(x, "id") : "",
				json_object_get(b, "id"));
	}
	json_array_foreach(json_object_get(doc, "tools"), i, x) {
		const char *tn = jsonx_get_str(x, "name");
		json_t *t = tn ? coll_find_by(&g_store.tools, "name", tn) : NULL;

		if (!tn)
			continue;
		if (!t) {
			t = pick(x, tool_keys, "");
			id = store_new_id("tool");
			json_object_set_new(t, "id", json_string(id));
			free(id);
			json_object_set_new(t, "project_id",
					    project_id ? json_string(project_id) : json_null());
			coll_add_take(&g_store.tools, t);
		} else if (override_tools && jsonx_get_str(x, "source_code") &&
			   strcmp(jsonx_get_str(t, "tool_type"), "custom") == 0) {
			json_object_set(t, "source_code", json_object_get(x, "source_code"));
		}
		json_object_set(map, jsonx_get_str(x, "id") ? jsonx_get_str(x, "id") : "",
				json_object_get(t, "id"));
	}
	json_array_foreach(json_object_get(doc, "sources"), i, x) {
		const char *sn = jsonx_get_str(x, "name");
		json_t *f = sn ? coll_find_by(&g_store.folders, "name", sn) : NULL;

		if (!sn)
			continue;
		if (!f) {
			f = pick(x, source_keys, "");
			id = store_new_id("source");
			now = store_now_iso();
			json_object_set_new(f, "id", json_string(id));
			json_object_set_new(f, "created_at", json_string(now));
			json_object_set_new(f, "updated_at", json_string(now));
			free(id);
			free(now);
			coll_add_take(&g_store.folders, f);
		}
		json_object_set(map, jsonx_get_str(x, "id") ? jsonx_get_str(x, "id") : "",
				json_object_get(f, "id"));
	}
	ids = json_array();
	json_array_foreach(json_object_get(doc, "agents"), i, x) {
		json_t *rel;
		const json_t *sec = json_object_get(x, "secrets");

		ag = pick(x, agent_keys, "");
		id = store_new_id("agent");
		now = store_now_iso();
		json_object_set_new(ag, "id", json_string(id));
		json_object_set_new(ag, "created_at", json_string(now));
		json_object_set_new(ag, "updated_at", json_string(now));
		free(now);
		if (name && *name)
			json_object_set_new(ag, "name", json_string(name));
		if (!jsonx_get_str(ag, "agent_type"))
			json_object_set_new(ag, "agent_type", json_string("letta_v1_agent"));
		json_object_set_new(ag, "project_id",
				    project_id ? json_string(project_id) : json_null());
		for (j = 0; nulls[j]; j++)
			json_object_set_new(ag, nulls[j], json_null());
		json_object_set_new(ag, "_tags", json_array());
		json_array_foreach(json_object_get(x, "tags"), j, rel)
			if (json_is_string(rel))
				strarr_add(json_object_get(ag, "_tags"), json_string_value(rel));
		for (size_t k = 0; k < 3; k++) {
			json_t *l = json_array(), *fid;

			json_array_foreach(json_object_get(x, rels[k][0]), j, fid)
				if (map_id(map, fid))
					strarr_add(l, map_id(map, fid));
			json_object_set_new(ag, rels[k][1], l);
		}
		json_object_set_new(ag, "_secrets",
				    json_is_object(sec) ? json_deep_copy(sec) : json_object());
		if (!json_is_object(json_object_get(ag, "metadata")))
			json_object_set_new(ag, "metadata", json_null());
		coll_add_take(&g_store.agents, ag);
		json_array_append_new(ids, json_string(id));
		free(id);
	}
	resp_json_take(rs, 200, json_pack("{s:O}", "agent_ids", ids));
out:
	json_decref(ids);
	json_decref(map);
	json_decref(doc);
	free(fname);
	free(name);
	free(override);
	free(pid_form);
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route agentfile_routes[] = {
	{ "POST", "/v1/agents/import", h_agents_import, 0 },
	{ "GET", "/v1/agents/{agent_id}/export", h_agent_export, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
