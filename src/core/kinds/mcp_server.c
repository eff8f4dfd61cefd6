/*
 * MCPServer: an MCP server registered with Letta (docs/manifests.md "MCPServer"). Its spec
 * fields and rules, its desired and remote views (the hash input; credentials reduced to "one
 * is configured"), its request bodies (secrets resolved) and what pull writes from a remote
 * server (secrets as references).
 */
#include "core/kinds/check.h"
#include "core/kinds/impl.h"
#include "core/kinds/kinds.h"
#include "core/kinds/view.h"
#include "core/plan_build.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <ctype.h>
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

static void check_secret(const struct kind_check *k, const char *value, const char *ptr)
{
	if (value && strncmp(value, "${", 2))
		kind_err(k, DIAG_WARNING, ptr,
			 "a literal secret in a manifest; use a ${ENV_VAR} reference");
}

/* An org-wide object (layer: org); what its type needs; secrets as references. */
static void mcp_check(struct kind_check *k)
{
	const json_t *spec = k->r->spec;
	const char *type = jsonx_get_str(spec, "serverType");
	const json_t *hdrs = json_object_get(spec, "customHeaders");
	const char *key;
	json_t *v;

	if (k->r->layer != LAYER_ORG)
		kind_err(k, DIAG_ERROR, "/spec/layer", "MCPServer must have layer: org");
	if (type && !strcmp(type, "stdio") &&
	    !jsonx_get_str(json_object_get(spec, "stdioConfig"), "command"))
		kind_err(k, DIAG_ERROR, "/spec", "stdioConfig.command required for stdio servers");
	if (type && strcmp(type, "stdio") && !json_object_get(spec, "serverUrl"))
		kind_err(k, DIAG_ERROR, "/spec", "serverUrl required for SSE/HTTP servers");
	check_secret(k, jsonx_get_str(spec, "token"), "/spec/token");
	if (json_is_object(hdrs))
		json_object_foreach((json_t *)hdrs, key, v) {
			struct buf ptr = BUF_INIT;

			buf_addstr(&ptr, "/spec/customHeaders");
			yamlx_pointer_add(&ptr, key);
			check_secret(k, json_string_value(v), ptr.buf);
			buf_release(&ptr);
		}
}

/* Expands ${NAME} references; NULL when one does not resolve. */
static char *expand_secret(const struct kind_write *w, const char *s)
{
	struct buf out = BUF_INIT;
	const char *p = s;

	while (*p) {
		const char *start = strstr(p, "${"), *end;
		char *name;
		const char *val;

		if (!start) {
			buf_addstr(&out, p);
			break;
		}
		end = strchr(start, '}');
		if (!end) {
			buf_addstr(&out, p);
			break;
		}
		buf_add(&out, p, (size_t)(start - p));
		name = xstrndup(start + 2, (size_t)(end - start - 2));
		val = w->o->secret ? w->o->secret(w->o->secret_ctx, name) : NULL;
		if (!val) {
			free(name);
			buf_release(&out);
			return NULL;
		}
		free(name);
		buf_addstr(&out, val);
		p = end + 1;
	}
	return buf_detach(&out);
}

/* A secret value for a request body: expanded, or an error with PLAN_NEED_SECRETS. */
static int secret_json(json_t **out, const struct kind_write *w, const char *what,
		       const char *value)
{
	char *v;

	*out = NULL;
	if (!value)
		return 0;
	if (!strchr(value, '$')) {
		*out = json_string(value);
		return 0;
	}
	v = expand_secret(w, value);
	if (!v) {
		if (w->o->flags & PLAN_NEED_SECRETS)
			return ls_error_set(w->err, LS_EINVALID,
					    "%s '%s': %s '%s' refers to an environment variable "
					    "that is not set",
					    kind_name(w->r->kind), w->r->name, what, value);
		*out = json_string(""); /* a plan that is only shown carries no secret */
		return 0;
	}
	*out = json_string(v);
	free(v);
	return 0;
}

/*
 * Resolves every value of a map of secrets (stdio env, custom headers) into a new object set
 * as cfg[key]; an empty or absent map sets nothing. Returns 0 or secret_json()'s error.
 */
static int secret_map(json_t *cfg, const char *key, const struct kind_write *w, const char *what,
		      const json_t *map)
{
	json_t *e, *v, *x;
	const char *k;
	int rc = 0;

	if (!json_is_object(map) || !json_object_size(map))
		return 0;
	e = json_object();
	json_object_foreach((json_t *)map, k, v)
	{
		if ((rc = secret_json(&x, w, what, json_string_value(v))) < 0)
			break;
		if (x)
			json_object_set_new(e, k, x);
	}
	json_object_set_new(cfg, key, e);
	return rc;
}

/* The server's config of the view, with the secrets resolved. */
static json_t *mcp_config(const struct kind_write *w, int *rc)
{
	const struct resource *r = w->r;
	const char *type = jsonx_get_str(w->view, "mcp_server_type");
	json_t *cfg = json_pack("{s:s}", "mcp_server_type", type), *x = NULL;

	*rc = 0;
	if (!strcmp(type, "stdio")) {
		const json_t *sc = json_object_get(r->spec, "stdioConfig");

		json_object_set_new(cfg, "command", view_str(json_object_get(sc, "command")));
		json_object_set(cfg, "args", json_object_get(w->view, "args"));
		*rc = secret_map(cfg, "env", w, "stdioConfig.env", json_object_get(sc, "env"));
	} else {
		const json_t *h = json_object_get(r->spec, "customHeaders");
		const char *tok = view_spec_str(r, "token");
		struct buf ref = BUF_INIT;

		json_object_set(cfg, "server_url", json_object_get(w->view, "server_url"));
		if (!tok && view_spec_str(r, "tokenSecretRef")) {
			buf_addf(&ref, "${%s}", view_spec_str(r, "tokenSecretRef"));
			tok = ref.buf;
		}
		if (tok) {
			if ((*rc = secret_json(&x, w, "token", tok)) == 0 && x) {
				json_object_set_new(cfg, "auth_header", json_string("Authorization"));
				json_object_set_new(cfg, "auth_token", x);
			}
		}
		buf_release(&ref);
		if (*rc == 0)
			*rc = secret_map(cfg, "custom_headers", w, "customHeaders", h);
	}
	return cfg;
}

/*
 * {server_name, config}: no markers (an MCP server has no room for them; the inventory is the
 * record). Adds op on id; 0 or a secret's error.
 */
static int mcp_write(const struct kind_write *w, enum plan_op op, const char *id)
{
	int rc = 0;
	json_t *body = json_pack("{s:O, s:o}", "server_name", json_object_get(w->view, "server_name"),
				 "config", mcp_config(w, &rc));

	if (rc < 0) {
		json_decref(body);
		return rc;
	}
	pl_op(w->p, w->ai, op, TARGET_MCP_SERVER, id, NULL, body, 0);
	return 0;
}

static int mcp_create(const struct kind_write *w)
{
	return mcp_write(w, OP_CREATE, NULL);
}

static int mcp_update(const struct kind_write *w, const char *id, const json_t *obj)
{
	int rc = mcp_write(w, OP_UPDATE, id);

	(void)obj;
	if (rc == 0)
		pl_op(w->p, w->ai, OP_REFRESH, TARGET_MCP_SERVER, id, NULL, NULL, 0);
	return rc;
}

/* An environment variable name from parts: upper case, [A-Z0-9_], no leading digit. */
static void env_name(struct buf *out, const char *a, const char *b)
{
	const char *parts[2] = { a, b };
	struct buf n = BUF_INIT;

	for (int i = 0; i < 2; i++) {
		const char *p = parts[i];

		if (!p)
			continue;
		if (n.len && n.buf[n.len - 1] != '_')
			buf_addch(&n, '_');
		for (; *p; p++) {
			unsigned char ch = (unsigned char)*p;

			if (isalnum(ch))
				buf_addch(&n, (char)toupper(ch));
			else if (n.len && n.buf[n.len - 1] != '_')
				buf_addch(&n, '_');
		}
	}
	while (n.len && n.buf[n.len - 1] == '_')
		buf_setlen(&n, n.len - 1);
	if (!n.len || isdigit((unsigned char)n.buf[0]))
		buf_addstr(out, "SECRET_");
	buf_addstr(out, n.buf);
	buf_release(&n);
}

/* A reference "${NAME}"; the local manifest's reference when it has one. */
static json_t *secret_ref(const char *local_value, const char *a, const char *b)
{
	struct buf ref = BUF_INIT;
	json_t *v;

	if (local_value && !strncmp(local_value, "${", 2) && strchr(local_value, '}'))
		return json_string(local_value);
	buf_addstr(&ref, "${");
	env_name(&ref, a, b);
	buf_addch(&ref, '}');
	v = json_string(ref.buf);
	buf_release(&ref);
	return v;
}

/*
 * A map of secrets (stdio env, custom headers) as references, sorted: the local manifest's
 * reference for a key it has, else one named from (prefix, key) or (key) when prefix is NULL.
 */
static json_t *secret_refs(const json_t *map, const json_t *local, const char *prefix)
{
	json_t *e = json_object(), *v, *sorted;
	const char *k;

	json_object_foreach((json_t *)map, k, v)
		json_object_set_new(e, k, secret_ref(jsonx_get_str(local, k), prefix ? prefix : k,
						     prefix ? k : NULL));
	sorted = view_sorted_copy(e);
	json_decref(e);
	return sorted;
}

/* The server's config as a spec: secrets never written, references to the environment instead. */
static void mcp_pull(json_t *spec, const json_t *s, const struct kind_pull *x)
{
	const char *type = jsonx_get_str(s, "mcp_server_type");
	const json_t *lspec = x->local ? x->local->spec : NULL;

	if (!type)
		type = "sse";
	json_object_set_new(spec, "serverType", json_string(type));
	if (!strcmp(type, "stdio")) {
		const json_t *args = json_object_get(s, "args"), *env = json_object_get(s, "env");
		const json_t *lenv = json_object_get(json_object_get(lspec, "stdioConfig"), "env");
		json_t *sc = json_pack("{s:s}", "command",
				       view_first_str(jsonx_get_str(s, "command"), "", NULL));

		if (json_is_array(args) && json_array_size(args))
			json_object_set(sc, "args", (json_t *)args);
		if (json_is_object(env) && json_object_size(env))
			json_object_set_new(sc, "env", secret_refs(env, lenv, NULL));
		json_object_set_new(spec, "stdioConfig", sc);
	} else {
		const char *tok = jsonx_get_str(s, "auth_token");
		const json_t *h = json_object_get(s, "custom_headers");
		const json_t *lh = json_object_get(lspec, "customHeaders");

		json_object_set_new(spec, "serverUrl",
				    json_string(view_first_str(jsonx_get_str(s, "server_url"), "",
							       NULL)));
		if (tok && *tok) {
			const char *ltok = jsonx_get_str(lspec, "token");
			const char *lref = jsonx_get_str(lspec, "tokenSecretRef");

			if (!ltok && lref)
				json_object_set_new(spec, "tokenSecretRef", json_string(lref));
			else
				json_object_set_new(spec, "token", secret_ref(ltok, x->name, "TOKEN"));
		}
		if (json_is_object(h) && json_object_size(h))
			json_object_set_new(spec, "customHeaders", secret_refs(h, lh, x->name));
	}
}

/* Its view has not changed since hashes began (hash version 1). */
static const struct own_hash_field mcp_server_hash_fields[] = { { NULL, 0 } };

const struct kind_impl kind_mcp_server_impl = {
	.want = mcp_want,
	.have = mcp_have,
	.fields = mcp_fields,
	.check = mcp_check,
	.create = mcp_create,
	.update = mcp_update,
	.pull = mcp_pull,
	.hash_fields = mcp_server_hash_fields,
};
