/* The observed remote state: constructors and look-ups (see remote.h). */
#include "core/remote.h"
#include "util/error.h"
#include "util/jsonx.h"
#include "util/sha256.h"

#include <stdlib.h>

#include <string.h>

void remote_state_init(struct remote_state *rs)
{
	rs->blocks = json_array();
	rs->tools = json_array();
	rs->folders = json_array();
	rs->mcp_servers = json_array();
	rs->identities = json_array();
	rs->agents = json_array();
}

void remote_state_release(struct remote_state *rs)
{
	if (!rs)
		return;
	json_decref(rs->blocks);
	json_decref(rs->tools);
	json_decref(rs->folders);
	json_decref(rs->mcp_servers);
	json_decref(rs->identities);
	json_decref(rs->agents);
	rs->blocks = rs->tools = rs->folders = rs->mcp_servers = rs->identities = rs->agents =
		NULL;
}

/* a's handle in key, else in its config object's "handle", else in the config's field. */
static const char *agent_handle(const json_t *a, const char *key, const char *config,
				const char *field)
{
	const json_t *c = json_object_get(a, config);

	if (jsonx_get_str(a, key))
		return jsonx_get_str(a, key);
	if (jsonx_get_str(c, "handle"))
		return jsonx_get_str(c, "handle");
	return jsonx_get_str(c, field);
}

const char *remote_agent_model(const json_t *a)
{
	return agent_handle(a, "model", "llm_config", "model");
}

const char *remote_agent_embedding(const json_t *a)
{
	return agent_handle(a, "embedding", "embedding_config", "embedding_model");
}

const json_t *remote_find_id(const json_t *list, const char *id)
{
	return jsonx_array_find(list, "id", id);
}

static json_t *ids_of(const json_t *arr)
{
	return jsonx_array_pluck_str(arr, "id");
}

static json_t *reduce(const char *kind, const json_t *o)
{
	json_t *r, *files, *f;
	size_t i;

	if (!strcmp(kind, "agent")) {
		r = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:o, s:o, s:o, s:o}", "name",
			      json_object_get(o, "name"), "system", json_object_get(o, "system"),
			      "tags", json_object_get(o, "tags"), "model", json_object_get(o, "model"),
			      "description", json_object_get(o, "description"), "blocks",
			      ids_of(json_object_get(o, "blocks")), "tools",
			      ids_of(json_object_get(o, "tools")), "sources",
			      ids_of(json_object_get(o, "sources")), "identities",
			      ids_of(json_object_get(o, "identities")));
		return r;
	}
	r = json_deep_copy(o);
	if (!strcmp(kind, "folder") && json_is_array(json_object_get(o, "files"))) {
		files = json_array();
		json_array_foreach(json_object_get(o, "files"), i, f)
			json_array_append_new(files, json_pack("{s:O?, s:O?}", "id",
							      json_object_get(f, "id"), "file_name",
							      json_object_get(f, "file_name")));
		json_object_set_new(r, "files", files);
	}
	return r;
}

json_t *remote_fingerprints(const struct remote_state *rs)
{
	const struct {
		const char *kind;
		const json_t *list;
		const char *name_key;
	} lists[] = {
		{ "block", rs->blocks, "label" },	     { "tool", rs->tools, "name" },
		{ "folder", rs->folders, "name" },	     { "mcp_server", rs->mcp_servers, "server_name" },
		{ "identity", rs->identities, "identifier_key" }, { "agent", rs->agents, "name" },
	};
	json_t *out = json_object(), *o;
	size_t k, i;

	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		json_array_foreach(lists[k].list, i, o)
		{
			const char *id = jsonx_get_str(o, "id"), *name;
			json_t *red;
			char *c, hex[SHA256_HEX_LEN + 1];

			if (!id)
				continue;
			red = reduce(lists[k].kind, o);
			c = jsonx_canonical(red);
			sha256_hex(hex, c ? c : "", c ? strlen(c) : 0);
			free(c);
			json_decref(red);
			name = jsonx_get_str(o, lists[k].name_key);
			json_object_set_new(out, id,
					    json_pack("{s:s, s:s, s:s}", "kind", lists[k].kind, "name",
						      name ? name : "", "sha256", hex));
		}
	}
	return out;
}

int remote_state_check(const struct remote_state *rs, struct ls_error *err)
{
	const struct {
		const char *name;
		const json_t *list;
	} lists[] = {
		{ "blocks", rs->blocks },
		{ "tools", rs->tools },
		{ "folders", rs->folders },
		{ "MCP servers", rs->mcp_servers },
		{ "identities", rs->identities },
		{ "agents", rs->agents },
	};
	size_t i, j;
	const json_t *o;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (!lists[i].list)
			continue;
		if (!json_is_array(lists[i].list))
			return ls_error_set(err, LS_EAPI, "the server's list of %s is not an array",
					    lists[i].name);
		json_array_foreach(lists[i].list, j, o) {
			const json_t *id = json_object_get(o, "id");

			if (!json_is_object(o) || !json_is_string(id) || !json_string_value(id)[0])
				return ls_error_set(err, LS_EAPI,
						    "entry %zu of the server's list of %s has no id",
						    j, lists[i].name);
		}
	}
	return 0;
}
