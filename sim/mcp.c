/*
 * MCP servers through the id-based API (the digest, docs/contract/letta-api.md, section 5.5):
 * strict bodies per server type, flat responses, tokens echoed as auth_header "Authorization" +
 * auth_token "Bearer <token>", 409 on a duplicate server_name, 204 on delete. Creating and
 * refreshing a server lists its tools and registers them as external_mcp tools tagged
 * mcp:<server_name>.
 *
 * The real server connects to the MCP server to list its tools, and refuses at create a URL
 * whose host is a literal non-public IP address (issue 21 item 5: a pydantic validator, 422
 * "Value error, Non-public IP not allowed: 127.0.0.1"; host names are checked only when it
 * connects). letta-sim has no network: for a public URL it "offers" a fake tool list derived
 * from the URL (or the stdio command); with --mcp-allow-private, a URL on a non-public address
 * (or named localhost) is accepted and its tools are listed by really asking the MCP server
 * (mcp_client.c: streamable HTTP or SSE, tools/list).
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS (F_NULLABLE)

static const struct fld create_fields[] = {
	{ "server_name", F_STR, F_REQUIRED },
	{ "config", F_OBJ, F_REQUIRED },
	{ NULL, 0, 0 },
};

static const struct fld update_fields[] = {
	{ "server_name", F_STR, NS },
	{ "config", F_OBJ, F_REQUIRED },
	{ NULL, 0, 0 },
};

static const struct fld stdio_create[] = {
	{ "mcp_server_type", F_STR, 0 },
	{ "command", F_STR, F_REQUIRED },
	{ "args", F_ARR_STR, F_REQUIRED },
	{ "env", F_OBJ, NS },
	{ NULL, 0, 0 },
};

static const struct fld stdio_update[] = {
	{ "mcp_server_type", F_STR, 0 },
	{ "command", F_STR, F_REQUIRED | NS },
	{ "args", F_ARR_STR, F_REQUIRED | NS },
	{ "env", F_OBJ, NS },
	{ NULL, 0, 0 },
};

static const struct fld http_create[] = {
	{ "mcp_server_type", F_STR, 0 },
	{ "server_url", F_STR, F_REQUIRED },
	{ "auth_header", F_STR, NS },
	{ "auth_token", F_STR, NS },
	{ "custom_headers", F_OBJ, NS },
	{ NULL, 0, 0 },
};

static const struct fld http_update[] = {
	{ "mcp_server_type", F_STR, 0 },
	{ "server_url", F_STR, F_REQUIRED | NS },
	{ "auth_header", F_STR, NS },
	{ "auth_token", F_STR, NS },
	{ "custom_headers", F_OBJ, NS },
	{ NULL, 0, 0 },
};

static const char *const verbs[] = { "search", "fetch", "list", "get", "create", "update",
				     "summarize", "read" };
static const char *const nouns[] = { "docs", "issues", "files", "pages", "records", "notes",
				     "events", "users" };

static json_t *mcp_render(const json_t *m)
{
	const char *type = jsonx_get_str(m, "mcp_server_type");
	const char *token = jsonx_get_str(m, "_token");
	json_t *o = json_pack("{s:O,s:O,s:O}", "id", json_object_get(m, "id"), "server_name",
			      json_object_get(m, "server_name"), "mcp_server_type",
			      json_object_get(m, "mcp_server_type"));

	if (!strcmp(type, "stdio")) {
		json_object_set(o, "command", obj_or_null(m, "command"));
		json_object_set(o, "args", obj_or_null(m, "args"));
		json_object_set(o, "env", obj_or_null(m, "env"));
		return o;
	}
	json_object_set(o, "server_url", obj_or_null(m, "server_url"));
	/* Digest 5.5: a stored token always comes back as "Authorization: Bearer <token>". */
	if (token && *token) {
		struct buf b = BUF_INIT;
		buf_addf(&b, "Bearer %s", token);
		json_object_set_new(o, "auth_header", json_string("Authorization"));
		json_object_set_new(o, "auth_token", json_string(b.buf));
		buf_release(&b);
	} else {
		json_object_set_new(o, "auth_header", json_null());
		json_object_set_new(o, "auth_token", json_null());
	}
	json_object_set(o, "custom_headers", obj_or_null(m, "custom_headers"));
	return o;
}

/* The config's type: explicit, or the first variant whose required key is there. */
static const char *config_type(const json_t *cfg)
{
	const char *t = jsonx_get_str(cfg, "mcp_server_type");

	if (t)
		return t;
	if (json_object_get(cfg, "command"))
		return "stdio";
	return "sse";
}

static int config_check(struct sim_resp *rs, const json_t *cfg, int update)
{
	const char *t = config_type(cfg);

	if (!strcmp(t, "stdio"))
		return json_check(rs, cfg, update ? stdio_update : stdio_create, 1);
	if (!strcmp(t, "sse") || !strcmp(t, "streamable_http"))
		return json_check(rs, cfg, update ? http_update : http_create, 1);
	resp_422(rs, "literal_error", "body", "mcp_server_type",
		 "Input should be 'stdio', 'sse' or 'streamable_http'",
		 json_object_get(cfg, "mcp_server_type"), NULL);
	return -1;
}

static void set_token(json_t *m, const json_t *tok)
{
	const char *s = json_string_value(tok);

	if (!s)
		return;
	/* A "Bearer " prefix is stripped, so sending back the echoed value is safe. */
	if (!strncmp(s, "Bearer ", 7))
		s += 7;
	json_object_set_new(m, "_token", json_string(s));
}

/* A tool name that another server (or a user) already owns, so this server cannot use it. */
static int name_taken(const char *name, const char *tag)
{
	json_t *t = coll_find_by(&g_store.tools, "name", name);

	return t && !strarr_has(json_object_get(t, "tags"), tag);
}

/*
 * The host of an http(s) URL as Python's urlparse().hostname has it (no userinfo, no port, no
 * brackets, lower case) into out; 0 when there is none.
 */
static int url_host(const char *url, char *out, size_t n)
{
	const char *p = strstr(url, "://"), *end, *at;
	size_t len;

	if (!p)
		return 0;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));
		if (!rb)
			return 0;
		p++;
		end = rb;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		if (colon)
			end = colon;
	}
	len = (size_t)(end - p);
	if (!len || len >= n)
		return 0;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
	out[len] = 0;
	return 1;
}

/* Python's ipaddress is_global == 0 for the special-purpose IPv4 ranges. */
static int v4_non_public(const unsigned char *a)
{
	unsigned x = (unsigned)a[0] << 24 | (unsigned)a[1] << 16 | (unsigned)a[2] << 8 | a[3];
	static const struct {
		unsigned net, bits;
	} r[] = {
		{ 0x00000000, 8 },  { 0x0a000000, 8 },  { 0x64400000, 10 }, { 0x7f000000, 8 },
		{ 0xa9fe0000, 16 }, { 0xac100000, 12 }, { 0xc0000000, 24 }, { 0xc0000200, 24 },
		{ 0xc0a80000, 16 }, { 0xc6120000, 15 }, { 0xc6336400, 24 }, { 0xcb007100, 24 },
		{ 0xe0000000, 4 },  { 0xf0000000, 4 },
	};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		if ((x >> (32 - r[i].bits)) == (r[i].net >> (32 - r[i].bits)))
			return 1;
	}
	return 0;
}

/* 1 when host is a literal IP address that is not global (ipaddress.ip_address().is_global). */
static int literal_non_public(const char *host)
{
	static const unsigned char zero[10] = { 0 };
	unsigned char a[16];

	if (inet_pton(AF_INET, host, a) == 1)
		return v4_non_public(a);
	if (inet_pton(AF_INET6, host, a) != 1)
		return 0;
	if (!memcmp(a, zero, 10) && a[10] == 0xff && a[11] == 0xff)
		return v4_non_public(a + 12); /* ::ffff:a.b.c.d */
	if (!memcmp(a, zero, 10) && !a[10] && !a[11] && !a[12] && !a[13] && !a[14] && a[15] <= 1)
		return 1; /* :: and ::1 */
	return (a[0] & 0xfe) == 0xfc ||                    /* fc00::/7 unique local */
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||   /* fe80::/10 link local */
	       a[0] == 0xff ||                              /* multicast */
	       (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8); /* documentation */
}

/* A URL letta-sim can only serve by connecting for real: a non-public IP, or localhost. */
static int url_private(const char *url)
{
	char host[256];
	size_t n;

	if (!url || !url_host(url, host, sizeof(host)))
		return 0;
	n = strlen(host);
	return literal_non_public(host) || !strcmp(host, "localhost") ||
	       (n > 10 && !strcmp(host + n - 10, ".localhost"));
}

static json_t *mcp_tool_schema(const char *name, const char *server)
{
	struct buf d = BUF_INIT;
	json_t *s;

	buf_addf(&d, "%s (from MCP server %s)", name, server);
	s = json_pack("{s:s,s:s,s:{s:s,s:{s:{s:s,s:s}},s:[s]}}", "name", name, "description",
		      d.buf, "parameters", "type", "object", "properties", "query", "type",
		      "string", "description", "What to look for.", "required", "query");
	buf_release(&d);
	return s;
}

/* The fake tool list a public server "offers": 2-4 tools, a function of its URL or command. */
static json_t *fake_tools(const json_t *m)
{
	const char *src = jsonx_get_str(m, "server_url");
	struct buf key = BUF_INIT;
	unsigned long long h = 0xcbf29ce484222325ULL;
	json_t *out = json_array(), *names = json_array();
	size_t i;
	json_t *a;

	if (src) {
		buf_addstr(&key, src);
	} else {
		buf_addstr(&key, jsonx_get_str(m, "command") ? jsonx_get_str(m, "command") : "");
		json_array_foreach(json_object_get(m, "args"), i, a)
			buf_addf(&key, " %s", json_string_value(a) ? json_string_value(a) : "");
	}
	for (const char *p = key.buf; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	for (unsigned n = 0; n < 2 + (unsigned)(h % 3); n++) {
		unsigned long long x = h >> (8 * n);
		struct buf name = BUF_INIT;
		buf_addf(&name, "%s_%s", verbs[x % 8], nouns[(x >> 3) % 8]);
		if (!strarr_has(names, name.buf)) {
			json_array_append_new(names, json_string(name.buf));
			json_array_append_new(out, mcp_tool_schema(name.buf,
								   jsonx_get_str(m, "server_name")));
		}
		buf_release(&name);
	}
	json_decref(names);
	buf_release(&key);
	return out;
}

/*
 * The real server's schema for an MCP tool: name, description and the tool's inputSchema as
 * parameters (its "$schema" dropped).
 */
static json_t *real_tool_schema(const json_t *t)
{
	json_t *params = json_deep_copy(json_object_get(t, "inputSchema"));

	if (!json_is_object(params)) {
		json_decref(params);
		params = json_pack("{s:s,s:{}}", "type", "object", "properties");
	}
	json_object_del(params, "$schema");
	return json_pack("{s:O,s:s,s:o}", "name", json_object_get(t, "name"), "description",
			 jsonx_get_str(t, "description") ? jsonx_get_str(t, "description") : "",
			 "parameters", params);
}

/*
 * The tools the server offers, as schemas {name, description, parameters}; NULL (err set)
 * when a real MCP server could not be asked.
 */
static json_t *offered_tools(const json_t *m, struct buf *err)
{
	const char *url = jsonx_get_str(m, "server_url"), *token = jsonx_get_str(m, "_token");
	json_t *headers, *tools, *out, *t;
	size_t i;

	if (!url_private(url))
		return fake_tools(m);
	if (!g_opts.mcp_allow_private) {
		/* A host name that resolves to a private address: refused when connecting. */
		buf_addf(err, "Hostname resolves to non-public IP: %s", url);
		return NULL;
	}
	headers = json_is_object(json_object_get(m, "custom_headers"))
			  ? json_deep_copy(json_object_get(m, "custom_headers"))
			  : json_object();
	if (token && *token) {
		struct buf b = BUF_INIT;
		buf_addf(&b, "Bearer %s", token);
		json_object_set_new(headers, "Authorization", json_string(b.buf));
		buf_release(&b);
	}
	tools = mcp_client_tools(jsonx_get_str(m, "mcp_server_type"), url, headers, err);
	json_decref(headers);
	if (!tools)
		return NULL;
	out = json_array();
	json_array_foreach(tools, i, t)
		json_array_append_new(out, real_tool_schema(t));
	json_decref(tools);
	return out;
}

struct refresh {
	json_t *added;
	json_t *updated;
	json_t *deleted;
};

/*
 * Makes the tool rows match what the server offers; fills r when not NULL. -1 (err set, the
 * rows unchanged) when the server could not be asked.
 */
static int sync_tools(const json_t *m, struct refresh *r, struct buf *err)
{
	const char *server = jsonx_get_str(m, "server_name");
	struct buf tag = BUF_INIT;
	json_t *offered = offered_tools(m, err), *names, *v;
	size_t i;

	if (!offered)
		return -1;
	names = json_array();
	json_array_foreach(offered, i, v)
		json_array_append(names, json_object_get(v, "name"));
	buf_addf(&tag, "mcp:%s", server);
	for (i = g_store.tools.n; i-- > 0;) {
		json_t *t = g_store.tools.v[i];
		const char *name = jsonx_get_str(t, "name");
		if (!strarr_has(json_object_get(t, "tags"), tag.buf) ||
		    strarr_has(names, name))
			continue;
		if (r)
			json_array_append_new(r->deleted, json_string(name));
		agents_unlink("_tools", jsonx_get_str(t, "id"));
		coll_remove(&g_store.tools, jsonx_get_str(t, "id"));
	}
	json_array_foreach(offered, i, v) {
		const char *name = jsonx_get_str(v, "name");
		json_t *t = coll_find_by(&g_store.tools, "name", name), *schema = v;
		if (name_taken(name, tag.buf))
			continue;
		if (!t) {
			char *id = store_new_id("tool");
			t = json_pack("{s:s,s:s,s:s,s:O,s:s,s:[s],s:n,s:O,s:n,s:i,s:n,s:n,s:n,s:b,"
				      "s:n,s:n,s:{s:{s:s,s:O}},s:n}",
				      "id", id, "tool_type", "external_mcp", "name", name,
				      "description", json_object_get(schema, "description"),
				      "source_type", "python", "tags", tag.buf, "source_code",
				      "json_schema", schema, "args_json_schema", "return_char_limit",
				      50000, "pip_requirements", "npm_requirements",
				      "default_requires_approval", "enable_parallel_execution", 0,
				      "created_by_id", "last_updated_by_id", "metadata_", "mcp",
				      "server_name", server, "server_id", json_object_get(m, "id"),
				      "project_id");
			free(id);
			coll_add_take(&g_store.tools, t);
			if (r)
				json_array_append_new(r->added, json_string(name));
		} else if (!json_equal(json_object_get(t, "json_schema"), schema)) {
			json_object_set(t, "json_schema", schema);
			json_object_set(t, "description", json_object_get(schema, "description"));
			if (r)
				json_array_append_new(r->updated, json_string(name));
		}
	}
	json_decref(offered);
	json_decref(names);
	buf_release(&tag);
	return 0;
}

static void drop_tools(const char *server)
{
	struct buf tag = BUF_INIT;

	buf_addf(&tag, "mcp:%s", server);
	for (size_t i = g_store.tools.n; i-- > 0;) {
		json_t *t = g_store.tools.v[i];
		if (strarr_has(json_object_get(t, "tags"), tag.buf) &&
		    !strcmp(jsonx_get_str(t, "tool_type"), "external_mcp")) {
			agents_unlink("_tools", jsonx_get_str(t, "id"));
			coll_remove(&g_store.tools, jsonx_get_str(t, "id"));
		}
	}
	buf_release(&tag);
}

static void retag_tools(const char *from, const char *to, const char *server_id)
{
	struct buf old = BUF_INIT, new_tag = BUF_INIT;

	buf_addf(&old, "mcp:%s", from);
	buf_addf(&new_tag, "mcp:%s", to);
	for (size_t i = 0; i < g_store.tools.n; i++) {
		json_t *t = g_store.tools.v[i], *tags = json_object_get(t, "tags");
		if (strarr_remove(tags, old.buf)) {
			strarr_add(tags, new_tag.buf);
			json_object_set_new(t, "metadata_",
					    json_pack("{s:{s:s,s:s}}", "mcp", "server_name", to,
						      "server_id", server_id));
		}
	}
	buf_release(&old);
	buf_release(&new_tag);
}

/*
 * The real server's config validator (issue 21 item 5): a URL whose host is a literal
 * non-public IP is a 422 "Value error, Non-public IP not allowed: <host>" at create, unless
 * --mcp-allow-private. Host names pass here (they are checked when it connects).
 */
static int url_check(struct sim_resp *rs, const json_t *cfg)
{
	const char *url = jsonx_get_str(cfg, "server_url");
	char host[256];
	struct buf msg = BUF_INIT;

	if (g_opts.mcp_allow_private || !url || !url_host(url, host, sizeof(host)) ||
	    !literal_non_public(host))
		return 0;
	buf_addf(&msg, "Value error, Non-public IP not allowed: %s", host);
	resp_422(rs, "value_error", "body", "config", msg.buf, cfg, NULL);
	buf_release(&msg);
	return -1;
}

static void h_mcp_create(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *cfg, *m;
	const char *name, *type;
	struct buf err = BUF_INIT;
	char *id;

	if (body_check(rq, rs, create_fields, 1) < 0)
		return;
	cfg = json_object_get(rq->json, "config");
	if (config_check(rs, cfg, 0) < 0 || url_check(rs, cfg) < 0)
		return;
	name = jsonx_get_str(rq->json, "server_name");
	if (coll_find_by(&g_store.mcp_servers, "server_name", name)) {
		struct buf v = BUF_INIT;

		/* mcp_server: UniqueConstraint("server_name", "organization_id"). */
		buf_addf(&v, "%s, %s", name, SIM_ORG_ID);
		resp_unique(rs, "MCPServer", "uix_name_organization_mcp_server",
			    "server_name, organization_id", v.buf);
		buf_release(&v);
		return;
	}
	type = config_type(cfg);
	id = store_new_id("mcp_server");
	m = json_pack("{s:s,s:s,s:s}", "id", id, "server_name", name, "mcp_server_type", type);
	free(id);
	if (!strcmp(type, "stdio")) {
		json_object_set(m, "command", json_object_get(cfg, "command"));
		json_object_set(m, "args", json_object_get(cfg, "args"));
		json_object_set(m, "env", obj_or_null(cfg, "env"));
	} else {
		json_object_set(m, "server_url", json_object_get(cfg, "server_url"));
		json_object_set(m, "custom_headers", obj_or_null(cfg, "custom_headers"));
		set_token(m, json_object_get(cfg, "auth_token"));
	}
	coll_add_take(&g_store.mcp_servers, m);
	/*
	 * Creating connects and registers the server's tools, best-effort in the real server: a
	 * server that cannot be asked is created without tools.
	 */
	if (sync_tools(m, NULL, &err) < 0)
		fprintf(stderr, "letta-sim: MCP server '%s': cannot list its tools: %s\n", name,
			err.buf);
	buf_release(&err);
	resp_json_take(rs, 200, mcp_render(m));
}

static void h_mcp_list(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *out = json_array();

	(void)rq;
	for (size_t i = 0; i < g_store.mcp_servers.n; i++)
		json_array_append_new(out, mcp_render(g_store.mcp_servers.v[i]));
	resp_json_take(rs, 200, out);
}

static json_t *mcp_or_404(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *m = coll_find(&g_store.mcp_servers, req_param(rq, 0));

	if (!m)
		resp_not_found(rs, "MCP server", req_param(rq, 0));
	return m;
}

static void h_mcp_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *m = mcp_or_404(rq, rs);

	if (m)
		resp_json_take(rs, 200, mcp_render(m));
}

static void h_mcp_patch(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *m = mcp_or_404(rq, rs), *cfg, *other, *v;
	const char *name, *type;

	if (!m || body_check(rq, rs, update_fields, 1) < 0)
		return;
	cfg = json_object_get(rq->json, "config");
	if (!json_object_get(cfg, "mcp_server_type"))
		json_object_set(cfg, "mcp_server_type", json_object_get(m, "mcp_server_type"));
	if (config_check(rs, cfg, 1) < 0)
		return;
	type = config_type(cfg);
	if (strcmp(type, jsonx_get_str(m, "mcp_server_type"))) {
		resp_detail(rs, 400, "Cannot change the type of MCP server '%s' from %s to %s",
			    jsonx_get_str(m, "server_name"), jsonx_get_str(m, "mcp_server_type"),
			    type);
		return;
	}
	name = jsonx_get_str(rq->json, "server_name");
	other = name ? coll_find_by(&g_store.mcp_servers, "server_name", name) : NULL;
	if (other && other != m) {
		resp_detail(rs, 409, "UNIQUE constraint failed: an MCP server named '%s' already exists",
			    name);
		return;
	}
	if (name && strcmp(name, jsonx_get_str(m, "server_name"))) {
		retag_tools(jsonx_get_str(m, "server_name"), name, jsonx_get_str(m, "id"));
		json_object_set_new(m, "server_name", json_string(name));
	}
	/* Null config fields mean unchanged; command and args change only together. */
	if (!strcmp(type, "stdio")) {
		if (json_is_string(json_object_get(cfg, "command")) &&
		    json_is_array(json_object_get(cfg, "args"))) {
			json_object_set(m, "command", json_object_get(cfg, "command"));
			json_object_set(m, "args", json_object_get(cfg, "args"));
		}
		if (json_is_object(v = json_object_get(cfg, "env")))
			json_object_set(m, "env", v);
	} else {
		if (json_is_string(v = json_object_get(cfg, "server_url")))
			json_object_set(m, "server_url", v);
		if (json_is_object(v = json_object_get(cfg, "custom_headers")))
			json_object_set(m, "custom_headers", v);
		set_token(m, json_object_get(cfg, "auth_token"));
	}
	resp_json_take(rs, 200, mcp_render(m));
}

static void h_mcp_delete(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *m = mcp_or_404(rq, rs);

	if (!m)
		return;
	drop_tools(jsonx_get_str(m, "server_name"));
	coll_remove(&g_store.mcp_servers, req_param(rq, 0));
	resp_empty(rs, 204);
}

static void h_mcp_tools(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *m = mcp_or_404(rq, rs), *out;
	struct buf tag = BUF_INIT;

	if (!m)
		return;
	buf_addf(&tag, "mcp:%s", jsonx_get_str(m, "server_name"));
	out = json_array();
	for (size_t i = 0; i < g_store.tools.n; i++) {
		json_t *t = g_store.tools.v[i];
		if (strarr_has(json_object_get(t, "tags"), tag.buf))
			json_array_append_new(out, tool_render(t));
	}
	buf_release(&tag);
	resp_json_take(rs, 200, out);
}

static void h_mcp_refresh(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *m = mcp_or_404(rq, rs);
	const char *agent_id = req_arg(rq, "agent_id");
	struct buf err = BUF_INIT;
	struct refresh r;

	if (!m)
		return;
	if (agent_id && !coll_find(&g_store.agents, agent_id)) {
		resp_not_found(rs, "Agent", agent_id);
		return;
	}
	r.added = json_array();
	r.updated = json_array();
	r.deleted = json_array();
	if (sync_tools(m, &r, &err) < 0) {
		/* Digest 2.1: 502 is an MCP connection failure (its detail text is the sim's). */
		resp_detail(rs, 502, "Failed to connect to MCP server '%s': %s",
			    jsonx_get_str(m, "server_name"), err.buf);
		buf_release(&err);
		json_decref(r.added);
		json_decref(r.updated);
		json_decref(r.deleted);
		return;
	}
	/* The spec leaves this body open; the lists say what the refresh did. */
	resp_json_take(rs, 200, json_pack("{s:o,s:o,s:o}", "added", r.added, "updated", r.updated,
					  "deleted", r.deleted));
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route mcp_routes[] = {
	{ "GET", "/v1/mcp-servers/", h_mcp_list, 0 },
	{ "POST", "/v1/mcp-servers/", h_mcp_create, 0 },
	{ "GET", "/v1/mcp-servers/{mcp_server_id}", h_mcp_get, 0 },
	{ "PATCH", "/v1/mcp-servers/{mcp_server_id}", h_mcp_patch, 0 },
	{ "DELETE", "/v1/mcp-servers/{mcp_server_id}", h_mcp_delete, 0 },
	{ "GET", "/v1/mcp-servers/{mcp_server_id}/tools", h_mcp_tools, 0 },
	{ "PATCH", "/v1/mcp-servers/{mcp_server_id}/refresh", h_mcp_refresh, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
