/*
 * MCPServer: an MCP server registered with Letta (docs/manifests.md "MCPServer"). Its spec
 * fields, its desired and remote views (the hash input; credentials reduced to "one is
 * configured") and what pull writes from a remote server.
 */
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const e_server_type[] = { "sse", "stdio", "streamable_http", NULL };

static const struct field f_stdio[] = {
	{ "command", TY_STR, 0, NULL, 0, NULL },
	{ "args", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "env", TY_MAP, 0, NULL, 0, NULL },
	FIELD_END,
};

static const struct field mcp_fields[] = {
	FIELD_COMMON_SPEC,
	{ "serverType", TY_STR, F_REQ, NULL, 0, e_server_type },
	{ "serverUrl", TY_STR, 0, NULL, 0, NULL },
	{ "token", TY_STR, 0, NULL, 0, NULL },
	{ "tokenSecretRef", TY_STR, 0, NULL, 0, NULL },
	{ "customHeaders", TY_MAP, 0, NULL, 0, NULL },
	{ "customHeadersSecretRef", TY_STR, 0, NULL, 0, NULL },
	{ "stdioConfig", TY_OBJ, 0, f_stdio, 0, NULL },
	FIELD_END,
};

static const char *mcp_type(const struct resource *r)
{
	const char *t = view_first_str(view_spec_str(r, "serverType"), view_spec_str(r, "type"), "sse");

	if (!strcmp(t, "http") || !strcmp(t, "streamable-http"))
		return "streamable_http";
	return t;
}

static json_t *mcp_want(const struct resource *r)
{
	const char *type = mcp_type(r);
	json_t *v = json_pack("{s:s, s:s}", "server_name",
			      view_first_str(view_spec_str(r, "serverName"), r->name, NULL),
			      "mcp_server_type", type);

	if (!strcmp(type, "stdio")) {
		const json_t *sc = json_object_get(r->spec, "stdioConfig");
		const json_t *args = json_object_get(sc, "args");

		json_object_set_new(v, "command", view_str(json_object_get(sc, "command")));
		json_object_set_new(v, "args", json_is_array(args) ? view_norm(args) : json_array());
		json_object_set_new(v, "env", view_keys(json_object_get(sc, "env")));
	} else {
		json_object_set_new(v, "server_url", view_str(json_object_get(r->spec, "serverUrl")));
		json_object_set_new(v, "auth",
				    json_boolean(view_spec_str(r, "token") ||
						 view_spec_str(r, "tokenSecretRef")));
		json_object_set_new(v, "custom_headers",
				    view_keys(json_object_get(r->spec, "customHeaders")));
	}
	return v;
}

static json_t *mcp_have(const json_t *o)
{
	const char *type = jsonx_get_str(o, "mcp_server_type");
	json_t *v = json_pack("{s:o, s:s}", "server_name", view_str(json_object_get(o, "server_name")),
			      "mcp_server_type", type ? type : "");

	if (type && !strcmp(type, "stdio")) {
		const json_t *args = json_object_get(o, "args");

		json_object_set_new(v, "command", view_str(json_object_get(o, "command")));
		json_object_set_new(v, "args", json_is_array(args) ? view_norm(args) : json_array());
		json_object_set_new(v, "env", view_keys(json_object_get(o, "env")));
	} else {
		const char *tok = jsonx_get_str(o, "auth_token");

		json_object_set_new(v, "server_url", view_str(json_object_get(o, "server_url")));
		json_object_set_new(v, "auth", json_boolean(tok && tok[0]));
		json_object_set_new(v, "custom_headers",
				    view_keys(json_object_get(o, "custom_headers")));
	}
	return v;
}

/* Its view has not changed since hashes began (hash version 1). */
static const struct own_hash_field mcp_server_hash_fields[] = { { NULL, 0 } };

const struct kind_impl kind_mcp_server_impl = { mcp_want, mcp_have, mcp_fields, NULL, mcp_server_hash_fields };
