/*
 * The reconcile planner for shared resources (blocks, tools, MCP servers, folders,
 * identities) and the inventory; agents are planned in plan_agents.c. See plan.h.
 *
 * For each kind the desired resource and the remote object are both reduced to a "view": a
 * JSON object of the fields letta-sync manages, with wire names and the server's defaults
 * filled in (null, absent and empty mean the same; tags are sorted sets; credentials become
 * "is one configured"). Equal views mean no change, whatever else the server stores, and the
 * content hash is the hash of the view.
 */
#include "core/plan.h"
#include "core/plan_int.h"
#include "core/ownership.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_LIMIT_DEFAULT 100000
#define TOOL_RETURN_LIMIT_DEFAULT 50000
#define INVENTORY_LIMIT 5000000

const char *const plan_section_names[SECTION__COUNT + 1] = {
	"system_prompt", "memory_blocks", "tools", "folders", "tags", "model", "identities",
	"mcp_servers", "settings", "memory_files", NULL,
};

int plan_section_parse(const char *name)
{
	int i;

	for (i = 0; name && i < SECTION__COUNT; i++)
		if (!strcmp(plan_section_names[i], name))
			return i;
	return -1;
}

const char *plan_change_name(enum plan_change c)
{
	static const char *const names[] = { "create",	 "update",    "delete", "orphan",
					     "conflict", "downgrade", "drift" };

	if ((unsigned)c >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[c];
}

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->warnings = json_array();
	p->same = json_array();
}

static void action_release(struct plan_action *a)
{
	size_t j;

	free(a->name);
	free(a->agent);
	free(a->section);
	free(a->reason);
	free(a->id);
	json_decref(a->fields);
	json_decref(a->view);
	for (j = 0; j < a->nreqs; j++) {
		free(a->reqs[j].method);
		free(a->reqs[j].path);
		free(a->reqs[j].upload);
		json_decref(a->reqs[j].body);
	}
	free(a->reqs);
	free(a->deps);
}

void plan_truncate(struct plan *p, size_t n)
{
	while (p->n > n)
		action_release(&p->items[--p->n]);
}

void plan_release(struct plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		action_release(&p->items[i]);
	}
	free(p->items);
	json_decref(p->warnings);
	json_decref(p->same);
	memset(p, 0, sizeof(*p));
}

void pl_same(struct plan *p, enum res_kind kind, const char *name, const char *agent,
	     const char *section, const json_t *view)
{
	p->unchanged++;
	if (!p->same)
		p->same = json_array();
	json_array_append_new(p->same, json_pack("{s:s, s:s, s:s?, s:s?, s:O}", "kind",
						 own_kind_name(kind), "name", name, "agent", agent,
						 "section", section, "view", view));
}

size_t plan_count_changes(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].internal && p->items[i].change != CHANGE_DRIFT)
			n++;
	return n;
}

size_t plan_count_writes(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].skip && p->items[i].nreqs > 0)
			n++;
	return n;
}

/* ---- building actions ---- */

size_t pl_add(struct plan *p, enum res_kind kind, const char *name, enum plan_change change)
{
	struct plan_action *a;

	p->items = xgrow(p->items, sizeof(*p->items), p->n + 1, &p->alloc);
	a = &p->items[p->n];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->name = xstrdup(name ? name : "");
	a->change = change;
	a->fields = json_array();
	return p->n++;
}

void pl_req(struct plan *p, size_t ai, const char *method, const char *path, json_t *body_take,
	    unsigned flags)
{
	struct plan_action *a = &p->items[ai];
	struct plan_request *r;

	a->reqs = xrealloc(a->reqs, (a->nreqs + 1) * sizeof(*a->reqs));
	r = &a->reqs[a->nreqs++];
	r->method = xstrdup(method);
	r->path = xstrdup(path);
	r->body = body_take;
	r->flags = flags;
	r->upload = NULL;
}

void pl_dep(struct plan *p, size_t ai, size_t dep)
{
	struct plan_action *a = &p->items[ai];
	size_t i;

	for (i = 0; i < a->ndeps; i++)
		if (a->deps[i] == dep)
			return;
	a->deps = xrealloc(a->deps, (a->ndeps + 1) * sizeof(*a->deps));
	a->deps[a->ndeps++] = dep;
}

void pl_reason(struct plan *p, size_t ai, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(p->items[ai].reason);
	p->items[ai].reason = buf_detach(&b);
}

char *pl_ref(size_t ai)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "@ref:%zu", ai);
	return buf_detach(&b);
}

char *pl_path(const char *prefix, const char *id, const char *suffix)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s%s%s", prefix, id ? id : "", suffix ? suffix : "");
	return buf_detach(&b);
}

void pl_field(json_t *fields, const char *path, const json_t *from, const json_t *to)
{
	json_array_append_new(fields, json_pack("{s:s, s:O, s:O}", "path", path, "from",
						from ? from : json_null(), "to",
						to ? to : json_null()));
}

/* Field-level differences from -> to under prefix; objects are compared key by key. */
void pl_diff(json_t *fields, const char *prefix, const json_t *from, const json_t *to)
{
	/* A create or a delete lists every field, from or to null. */
	int whole = (!prefix || !prefix[0]) && (!from || !to);

	if ((json_is_object(from) || (whole && !from)) && (json_is_object(to) || (whole && !to)) &&
	    json_object_size(from) + json_object_size(to) > 0) {
		json_t *keys = json_array();
		const char *k;
		json_t *v;
		size_t i;

		json_object_foreach((json_t *)from, k, v)
			json_array_append_new(keys, json_string(k));
		json_object_foreach((json_t *)to, k, v)
			if (!json_object_get(from, k))
				json_array_append_new(keys, json_string(k));
		/* Sorted, so the output is stable. */
		for (i = 1; i < json_array_size(keys); i++) {
			size_t j = i;

			while (j > 0 && strcmp(json_string_value(json_array_get(keys, j - 1)),
					       json_string_value(json_array_get(keys, j))) > 0) {
				json_t *t = json_incref(json_array_get(keys, j));

				json_array_set(keys, j, json_array_get(keys, j - 1));
				json_array_set_new(keys, j - 1, t);
				j--;
			}
		}
		json_array_foreach(keys, i, v)
		{
			struct buf path = BUF_INIT;

			k = json_string_value(v);
			if (prefix && prefix[0])
				buf_addf(&path, "%s.%s", prefix, k);
			else
				buf_addstr(&path, k);
			pl_diff(fields, path.buf, json_object_get(from, k), json_object_get(to, k));
			buf_release(&path);
		}
		json_decref(keys);
		return;
	}
	if (!json_equal((json_t *)(from ? from : json_null()), (json_t *)(to ? to : json_null())))
		pl_field(fields, prefix, from, to);
}

/* ---- normalisation ---- */

/* A deep copy without null object members (null and absent mean the same). */
json_t *pl_norm(const json_t *v)
{
	json_t *out;
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach((json_t *)v, k, x)
			if (!json_is_null(x))
				json_object_set_new(out, k, pl_norm(x));
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, x)
			json_array_append_new(out, pl_norm(x));
		return out;
	}
	if (!v)
		return json_null();
	return json_deep_copy(v);
}

json_t *pl_str(const json_t *v)
{
	return json_string(json_is_string(v) ? json_string_value(v) : "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted, de-duplicated array of the strings in arr, without those drop() rejects. */
json_t *pl_strset(const json_t *arr, int (*drop)(const char *))
{
	const char **v = NULL;
	size_t i, n = 0;
	json_t *out = json_array(), *x;

	v = xmalloc((json_array_size(arr) + 1) * sizeof(*v));
	json_array_foreach(arr, i, x)
	{
		if (json_is_string(x) && !(drop && drop(json_string_value(x))))
			v[n++] = json_string_value(x);
	}
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]))
			json_array_append_new(out, json_string(v[i]));
	free(v);
	return out;
}

/* The sorted keys of an object, as an array. */
static json_t *key_set(const json_t *obj)
{
	json_t *keys = json_array(), *out;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v)
		json_array_append_new(keys, json_string(k));
	out = pl_strset(keys, NULL);
	json_decref(keys);
	return out;
}

static int is_marker_key(const char *k)
{
	return !strcmp(k, "managed_by") || !strcmp(k, "source") || !strcmp(k, "project") ||
	       !strcmp(k, "hash") || !strcmp(k, "files");
}

/* metadata without the ownership markers. */
static json_t *user_metadata(const json_t *m)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)m, k, v)
		if (!is_marker_key(k) && !json_is_null(v))
			json_object_set_new(out, k, pl_norm(v));
	return out;
}

static int is_own_tag(const char *t)
{
	return !strcmp(t, OWN_TAG) || !strcmp(t, OWN_LEGACY_TAG) || !strcmp(t, OWN_LEGACY_TOOL_TAG);
}

const char *pl_spec_str(const struct resource *r, const char *key)
{
	return jsonx_get_str(r->spec, key);
}

static const char *meta_str(const struct resource *r, const char *key)
{
	return jsonx_get_str(json_object_get(r->doc, "metadata"), key);
}

static const char *first_str(const char *a, const char *b, const char *c)
{
	return a ? a : b ? b : c ? c : "";
}

/* ---- views: the managed fields of each kind ---- */

static json_t *block_want(const struct resource *r)
{
	const json_t *limit = json_object_get(r->spec, "limit");
	const json_t *md = json_object_get(r->spec, "lettaMetadata");

	return json_pack("{s:s, s:b, s:s, s:I, s:s, s:o}", "label",
			 first_str(pl_spec_str(r, "label"), r->name, NULL), "read_only",
			 json_is_true(json_object_get(r->spec, "readOnly")), "value",
			 first_str(pl_spec_str(r, "value"), NULL, NULL), "limit",
			 (json_int_t)(json_is_integer(limit) ? json_integer_value(limit)
							     : BLOCK_LIMIT_DEFAULT),
			 "description",
			 first_str(pl_spec_str(r, "description"), meta_str(r, "description"), NULL),
			 "metadata", json_is_object(md) ? pl_norm(md) : json_object());
}

static json_t *block_have(const json_t *o)
{
	const json_t *limit = json_object_get(o, "limit");

	return json_pack("{s:o, s:b, s:o, s:I, s:o, s:o}", "label",
			 pl_str(json_object_get(o, "label")), "read_only",
			 json_is_true(json_object_get(o, "read_only")), "value", pl_str(json_object_get(o, "value")), "limit",
			 (json_int_t)(json_is_integer(limit) ? json_integer_value(limit)
							     : BLOCK_LIMIT_DEFAULT),
			 "description", pl_str(json_object_get(o, "description")), "metadata",
			 user_metadata(json_object_get(o, "metadata")));
}

/* The bare function schema of a manifest's jsonSchema ({type:"function", function:{...}}). */
static const json_t *tool_schema(const struct resource *r)
{
	const json_t *s = json_object_get(r->spec, "jsonSchema");
	const json_t *f = json_object_get(s, "function");

	if (json_is_object(f))
		return f;
	return json_is_object(s) ? s : NULL;
}

static const char *tool_name(const struct resource *r)
{
	const char *n = jsonx_get_str(tool_schema(r), "name");

	return n ? n : r->name;
}

static json_t *pip_reqs(const json_t *arr, const char *name_key)
{
	json_t *out = json_array(), *x;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		const char *n = jsonx_get_str(x, name_key);
		const char *v = jsonx_get_str(x, "version");
		json_t *e;

		if (!n && json_is_string(x))
			n = json_string_value(x);
		if (!n)
			continue;
		e = json_pack("{s:s}", "name", n);
		if (v && v[0])
			json_object_set_new(e, "version", json_string(v));
		json_array_append_new(out, e);
	}
	return out;
}

static json_t *tool_want(const struct resource *r)
{
	const json_t *schema = tool_schema(r);
	const json_t *rcl = json_object_get(r->spec, "returnCharLimit");
	const json_t *appr = json_object_get(r->spec, "requiresApproval");
	const char *code = r->source_code ? r->source_code : pl_spec_str(r, "sourceCode");
	json_t *v;

	v = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:b}", "name", tool_name(r),
		      "description",
		      first_str(pl_spec_str(r, "description"), jsonx_get_str(schema, "description"),
				meta_str(r, "description")),
		      "source_type", first_str(pl_spec_str(r, "sourceType"), "python", NULL),
		      "source_code", code ? code : "", "tags",
		      pl_strset(json_object_get(r->spec, "tags"), is_own_tag), "return_char_limit",
		      (json_int_t)(json_is_integer(rcl) ? json_integer_value(rcl)
							: TOOL_RETURN_LIMIT_DEFAULT),
		      "pip_requirements",
		      pip_reqs(json_object_get(r->spec, "pipRequirements"), "package"),
		      "default_requires_approval", json_is_true(appr));
	if (schema)
		json_object_set_new(v, "json_schema", pl_norm(schema));
	return v;
}

static json_t *tool_have(const json_t *o)
{
	const json_t *rcl = json_object_get(o, "return_char_limit");
	const char *st = jsonx_get_str(o, "source_type");

	return json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:I, s:o, s:b}", "name",
			 pl_str(json_object_get(o, "name")), "description",
			 pl_str(json_object_get(o, "description")), "source_type",
			 st ? st : "python", "source_code",
			 pl_str(json_object_get(o, "source_code")), "json_schema",
			 pl_norm(json_object_get(o, "json_schema")), "tags",
			 pl_strset(json_object_get(o, "tags"), is_own_tag), "return_char_limit",
			 (json_int_t)(json_is_integer(rcl) ? json_integer_value(rcl)
							   : TOOL_RETURN_LIMIT_DEFAULT),
			 "pip_requirements",
			 pip_reqs(json_object_get(o, "pip_requirements"), "name"),
			 "default_requires_approval",
			 json_is_true(json_object_get(o, "default_requires_approval")));
}

static json_t *folder_want(const struct resource *r)
{
	const json_t *md = json_object_get(r->spec, "lettaMetadata");

	return json_pack("{s:s, s:s, s:s, s:o}", "name",
			 first_str(pl_spec_str(r, "name"), r->name, NULL), "description",
			 first_str(pl_spec_str(r, "description"), meta_str(r, "description"), NULL),
			 "instructions", first_str(pl_spec_str(r, "instructions"), NULL, NULL),
			 "metadata", json_is_object(md) ? pl_norm(md) : json_object());
}

/*
 * A folder's files as {file name: sha256}: the hash letta-sync recorded in the folder's
 * metadata when it uploaded that file, "?" for a file it did not upload.
 */
static json_t *folder_files_have(const json_t *o)
{
	const json_t *rec = json_object_get(json_object_get(o, "metadata"), "files"), *f;
	json_t *out = json_object();
	size_t i;

	json_array_foreach(json_object_get(o, "files"), i, f)
	{
		const char *n = jsonx_get_str(f, "file_name");
		const char *h = jsonx_get_str(rec, n ? n : "");

		if (n)
			json_object_set_new(out, n, json_string(h ? h : "?"));
	}
	return out;
}

static json_t *folder_have(const json_t *o)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "name", pl_str(json_object_get(o, "name")),
			 "description", pl_str(json_object_get(o, "description")), "instructions",
			 pl_str(json_object_get(o, "instructions")), "metadata",
			 user_metadata(json_object_get(o, "metadata")), "files",
			 folder_files_have(o));
}

static const char *mcp_type(const struct resource *r)
{
	const char *t = first_str(pl_spec_str(r, "serverType"), pl_spec_str(r, "type"), "sse");

	if (!strcmp(t, "http") || !strcmp(t, "streamable-http"))
		return "streamable_http";
	return t;
}

static json_t *mcp_want(const struct resource *r)
{
	const char *type = mcp_type(r);
	json_t *v = json_pack("{s:s, s:s}", "server_name",
			      first_str(pl_spec_str(r, "serverName"), r->name, NULL),
			      "mcp_server_type", type);

	if (!strcmp(type, "stdio")) {
		const json_t *sc = json_object_get(r->spec, "stdioConfig");
		const json_t *args = json_object_get(sc, "args");

		json_object_set_new(v, "command", pl_str(json_object_get(sc, "command")));
		json_object_set_new(v, "args", json_is_array(args) ? pl_norm(args) : json_array());
		json_object_set_new(v, "env", key_set(json_object_get(sc, "env")));
	} else {
		json_object_set_new(v, "server_url", pl_str(json_object_get(r->spec, "serverUrl")));
		json_object_set_new(v, "auth",
				    json_boolean(pl_spec_str(r, "token") ||
						 pl_spec_str(r, "tokenSecretRef")));
		json_object_set_new(v, "custom_headers",
				    key_set(json_object_get(r->spec, "customHeaders")));
	}
	return v;
}

static json_t *mcp_have(const json_t *o)
{
	const char *type = jsonx_get_str(o, "mcp_server_type");
	json_t *v = json_pack("{s:o, s:s}", "server_name", pl_str(json_object_get(o, "server_name")),
			      "mcp_server_type", type ? type : "");

	if (type && !strcmp(type, "stdio")) {
		const json_t *args = json_object_get(o, "args");

		json_object_set_new(v, "command", pl_str(json_object_get(o, "command")));
		json_object_set_new(v, "args", json_is_array(args) ? pl_norm(args) : json_array());
		json_object_set_new(v, "env", key_set(json_object_get(o, "env")));
	} else {
		const char *tok = jsonx_get_str(o, "auth_token");

		json_object_set_new(v, "server_url", pl_str(json_object_get(o, "server_url")));
		json_object_set_new(v, "auth", json_boolean(tok && tok[0]));
		json_object_set_new(v, "custom_headers",
				    key_set(json_object_get(o, "custom_headers")));
	}
	return v;
}

static const char *identity_type(const struct resource *r)
{
	const char *t = first_str(pl_spec_str(r, "identityType"), "other", NULL);

	if (!strcmp(t, "org") || !strcmp(t, "user"))
		return t;
	return "other"; /* service, team and anything else */
}

static int cmp_prop(const void *a, const void *b)
{
	return strcmp(jsonx_get_str(*(json_t *const *)a, "key"),
		      jsonx_get_str(*(json_t *const *)b, "key"));
}

/* Identity properties as [{key, type, value}] sorted by key, without the marker. */
static json_t *props_norm(const json_t *arr)
{
	json_t **v, *out = json_array(), *x;
	size_t i, n = 0;

	v = xmalloc((json_array_size(arr) + 1) * sizeof(*v));
	json_array_foreach(arr, i, x)
	{
		const char *key = jsonx_get_str(x, "key");
		const char *type = jsonx_get_str(x, "type");
		const json_t *val = json_object_get(x, "value");

		if (!key || !strcmp(key, OWN_IDENTITY_PROPERTY))
			continue;
		if (!type)
			type = json_is_string(val)		       ? "string"
			       : json_is_number(val)		       ? "number"
			       : json_is_boolean(val)		       ? "boolean"
								       : "json";
		v[n++] = json_pack("{s:s, s:s, s:o}", "key", key, "type", type, "value",
				   val ? pl_norm(val) : json_string(""));
	}
	qsort(v, n, sizeof(*v), cmp_prop);
	for (i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
	return out;
}

static const char *identity_key(const struct resource *r)
{
	return first_str(pl_spec_str(r, "identifierKey"), r->name, NULL);
}

static json_t *identity_want(const struct resource *r)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "identifier_key", identity_key(r), "name",
			 first_str(pl_spec_str(r, "name"), r->name, NULL), "identity_type",
			 identity_type(r), "properties",
			 props_norm(json_object_get(r->spec, "properties")));
}

static json_t *identity_have(const json_t *o)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "identifier_key",
			 pl_str(json_object_get(o, "identifier_key")), "name",
			 pl_str(json_object_get(o, "name")), "identity_type",
			 pl_str(json_object_get(o, "identity_type")), "properties",
			 props_norm(json_object_get(o, "properties")));
}

json_t *pl_want_view(const struct resource *r)
{
	switch (r->kind) {
	case KIND_BLOCK:
		return block_want(r);
	case KIND_TOOL:
		return tool_want(r);
	case KIND_FOLDER:
		return folder_want(r);
	case KIND_MCP_SERVER:
		return mcp_want(r);
	case KIND_IDENTITY:
		return identity_want(r);
	default:
		return json_object();
	}
}

/* The remote view, limited to the keys the desired view manages. */
json_t *pl_have_view(enum res_kind kind, const json_t *o, const json_t *want)
{
	json_t *v;
	const char *k;
	json_t *x;
	void *tmp;

	switch (kind) {
	case KIND_BLOCK:
		v = block_have(o);
		break;
	case KIND_TOOL:
		v = tool_have(o);
		break;
	case KIND_FOLDER:
		v = folder_have(o);
		break;
	case KIND_MCP_SERVER:
		v = mcp_have(o);
		break;
	case KIND_IDENTITY:
		v = identity_have(o);
		break;
	default:
		return json_object();
	}
	if (want)
		json_object_foreach_safe(v, tmp, k, x)
			if (!json_object_get(want, k))
				json_object_del(v, k);
	return v;
}

/* ---- the planner ---- */

struct pc {
	struct plan *p;
	const struct desired_state *want;
	const struct remote_state *have;
	const struct plan_opts *o;
	const char *project;
	const json_t *inventory; /* the inventory block, or NULL */
	json_t *old_entries;     /* its entries */
	json_t *new_entries;     /* what it will hold: entries and {"@if"} objects */
	json_t *used;            /* ids matched to a manifest, {id: true} */
	json_t *ids;             /* "Kind/name" -> id, or "@ref:N" when created in this run */
	/* Look-ups built once (plans of thousands of objects stay linear): */
	json_t *block_index;     /* manifest name -> [blocks marked for it] */
	json_t *key_index;       /* "Kind/key" -> [objects with that natural key] */
	json_t *inv_index;       /* "Kind/name" -> inventory entry */
	json_t *intents;         /* the inventory's write-ahead intents, {"Kind/name": true} */
	struct ls_error *err;
};

static void set_id(struct pc *c, const struct resource *r, const char *id)
{
	struct buf k = BUF_INIT;

	buf_addf(&k, "%s/%s", own_kind_name(r->kind), r->name);
	json_object_set_new(c->ids, k.buf, json_string(id ? id : ""));
	buf_release(&k);
}

/* Expands ${NAME} references; NULL when one does not resolve. */
static char *expand_secret(const struct pc *c, const char *s)
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
		val = c->o->secret ? c->o->secret(c->o->secret_ctx, name) : NULL;
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
static int secret_json(json_t **out, const struct pc *c, const struct resource *r,
		       const char *what, const char *value)
{
	char *v;

	*out = NULL;
	if (!value)
		return 0;
	if (!strchr(value, '$')) {
		*out = json_string(value);
		return 0;
	}
	v = expand_secret(c, value);
	if (!v) {
		if (c->o->flags & PLAN_NEED_SECRETS)
			return ls_error_set(c->err, LS_EINVALID,
					    "%s '%s': %s '%s' refers to an environment variable "
					    "that is not set",
					    own_kind_name(r->kind), r->name, what, value);
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
static int secret_map(json_t *cfg, const char *key, const struct pc *c, const struct resource *r,
		      const char *what, const json_t *map)
{
	json_t *e, *v, *x;
	const char *k;
	int rc = 0;

	if (!json_is_object(map) || !json_object_size(map))
		return 0;
	e = json_object();
	json_object_foreach((json_t *)map, k, v)
	{
		if ((rc = secret_json(&x, c, r, what, json_string_value(v))) < 0)
			break;
		if (x)
			json_object_set_new(e, k, x);
	}
	json_object_set_new(cfg, key, e);
	return rc;
}

static json_t *marker_for(const struct pc *c, const struct resource *r, const char *hash)
{
	return own_marker_json(r->kind, r->name, c->project, hash);
}

/* Desired metadata = user metadata + markers. */
static json_t *with_markers(const struct pc *c, const struct resource *r, const json_t *user,
			    const char *hash)
{
	json_t *m = json_is_object(user) ? json_deep_copy(user) : json_object();
	json_t *marker = marker_for(c, r, hash);

	json_object_update(m, marker);
	json_decref(marker);
	return m;
}

static json_t *mcp_config(const struct pc *c, const struct resource *r, const json_t *view,
			  int *rc)
{
	const char *type = jsonx_get_str(view, "mcp_server_type");
	json_t *cfg = json_pack("{s:s}", "mcp_server_type", type), *x = NULL;

	*rc = 0;
	if (!strcmp(type, "stdio")) {
		const json_t *sc = json_object_get(r->spec, "stdioConfig");

		json_object_set_new(cfg, "command", pl_str(json_object_get(sc, "command")));
		json_object_set(cfg, "args", json_object_get(view, "args"));
		*rc = secret_map(cfg, "env", c, r, "stdioConfig.env", json_object_get(sc, "env"));
	} else {
		const json_t *h = json_object_get(r->spec, "customHeaders");
		const char *tok = pl_spec_str(r, "token");
		struct buf ref = BUF_INIT;

		json_object_set(cfg, "server_url", json_object_get(view, "server_url"));
		if (!tok && pl_spec_str(r, "tokenSecretRef")) {
			buf_addf(&ref, "${%s}", pl_spec_str(r, "tokenSecretRef"));
			tok = ref.buf;
		}
		if (tok) {
			if ((*rc = secret_json(&x, c, r, "token", tok)) == 0 && x) {
				json_object_set_new(cfg, "auth_header", json_string("Authorization"));
				json_object_set_new(cfg, "auth_token", x);
			}
		}
		buf_release(&ref);
		if (*rc == 0)
			*rc = secret_map(cfg, "custom_headers", c, r, "customHeaders", h);
	}
	return cfg;
}

static const char *folder_embedding(const struct pc *c, const struct resource *r,
				    struct buf *tmp)
{
	const json_t *ec = json_object_get(r->spec, "embeddingConfig");
	const char *e = pl_spec_str(r, "embedding");
	const char *model = jsonx_get_str(ec, "model");
	const char *prov = jsonx_get_str(ec, "provider");

	if (e)
		return e;
	if (model && prov && !strchr(model, '/')) {
		buf_addf(tmp, "%s/%s", prov, model);
		return tmp->buf;
	}
	if (model)
		return model;
	return c->o->default_embedding;
}

/* A folder's metadata: user metadata, markers and the files uploaded (with their hashes). */
static json_t *folder_metadata(const struct pc *c, const struct resource *r, const json_t *view,
			       const char *hash, int with_files)
{
	json_t *m = with_markers(c, r, json_object_get(view, "metadata"), hash);

	if (with_files && json_object_get(view, "files"))
		json_object_set(m, "files", json_object_get(view, "files"));
	return m;
}

/* Percent-encodes a query value (RFC 3986 unreserved characters kept). */
static void add_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~')
			buf_addch(b, (char)ch);
		else
			buf_addf(b, "%%%02X", ch);
	}
}

/*
 * Uploads of the files whose content changed (or that are missing) and deletes of the files
 * no pattern matches any more; folder is the id (or "@self"), obj the remote folder or NULL.
 */
static void folder_file_reqs(struct pc *c, size_t ai, const struct resource *r,
			     const json_t *view, const char *folder, const json_t *obj)
{
	const json_t *want = json_object_get(view, "files"), *f;
	const json_t *local = json_object_get(c->o->folder_files, r->name);
	json_t *have = obj ? folder_files_have(obj) : json_object();
	const char *fn;
	size_t i;

	json_object_foreach((json_t *)want, fn, f)
	{
		struct buf path = BUF_INIT;
		const json_t *h = json_object_get(have, fn);

		if (h && json_equal((json_t *)h, (json_t *)f))
			continue;
		buf_addf(&path, "/v1/folders/%s/upload?duplicate_handling=replace&name=", folder);
		add_escaped(&path, fn);
		pl_req(c->p, ai, "POST", path.buf, NULL, 0);
		c->p->items[ai].reqs[c->p->items[ai].nreqs - 1].upload =
			xstrdup(jsonx_get_str(json_object_get(local, fn), "path"));
		buf_release(&path);
	}
	json_array_foreach(obj ? json_object_get(obj, "files") : NULL, i, f)
	{
		const char *n = jsonx_get_str(f, "file_name"), *fid = jsonx_get_str(f, "id");
		struct buf path = BUF_INIT;

		if (!n || !fid || json_object_get(want, n))
			continue;
		buf_addf(&path, "/v1/folders/%s/%s", folder, fid);
		pl_req(c->p, ai, "DELETE", path.buf, NULL, REQ_404_OK);
		buf_release(&path);
	}
	json_decref(have);
}

/* The identity write of action ai: POST (create) or PUT (replace), with our marker property. */
static void identity_req(struct pc *c, size_t ai, const struct resource *r, const json_t *view,
			 const char *hash, const char *method)
{
	json_t *props = json_deep_copy(json_object_get(view, "properties"));
	json_t *body;

	json_array_append_new(props, own_identity_property(r->name, c->project, hash));
	body = json_pack("{s:O, s:O, s:O, s:o}", "identifier_key",
			 json_object_get(view, "identifier_key"), "name", json_object_get(view, "name"),
			 "identity_type", json_object_get(view, "identity_type"), "properties", props);
	if (c->o->project_id)
		json_object_set_new(body, "project_id", json_string(c->o->project_id));
	pl_req(c->p, ai, method, "/v1/identities/", body, REQ_PROJECT_HEADER);
}

/* Requests that create r (action ai). */
static int create_reqs(struct pc *c, size_t ai, const struct resource *r, const json_t *view,
		       const char *hash)
{
	json_t *body;
	int rc = 0;

	switch (r->kind) {
	case KIND_BLOCK:
		body = json_deep_copy(view);
		json_object_set_new(body, "metadata",
				    with_markers(c, r, json_object_get(view, "metadata"), hash));
		if (c->o->project_id)
			json_object_set_new(body, "project_id", json_string(c->o->project_id));
		pl_req(c->p, ai, "POST", "/v1/blocks/", body, 0);
		break;
	case KIND_TOOL:
		/* ToolCreate is strict: no name, no tool_type, no metadata_ (set right after). */
		body = json_deep_copy(view);
		json_object_del(body, "name");
		json_array_append_new(json_object_get(body, "tags"), json_string(OWN_TAG));
		pl_req(c->p, ai, "POST", "/v1/tools/", body, 0);
		pl_req(c->p, ai, "PATCH", "/v1/tools/@self",
		       json_pack("{s:o}", "metadata_", marker_for(c, r, hash)), 0);
		break;
	case KIND_FOLDER: {
		struct buf tmp = BUF_INIT;
		const char *emb = folder_embedding(c, r, &tmp);
		const json_t *chunk =
			json_object_get(json_object_get(r->spec, "embeddingConfig"), "chunkSize");

		if (!emb) {
			buf_release(&tmp);
			return ls_error_set(c->err, LS_EINVALID,
					    "Folder '%s' has no embedding: set spec.embedding "
					    "(a provider/model handle) or LETTA_DEFAULT_EMBEDDING",
					    r->name);
		}
		body = json_deep_copy(view);
		json_object_del(body, "files");
		if (json_object_get(view, "files")) {
			/* Until the files are in, the folder records the hash of an empty one. */
			json_t *empty = json_deep_copy(view);
			char h0[OWN_HASH_LEN + 1];

			json_object_set_new(empty, "files", json_object());
			own_hash(h0, empty);
			json_decref(empty);
			json_object_set_new(body, "metadata", folder_metadata(c, r, view, h0, 0));
		} else {
			json_object_set_new(body, "metadata", folder_metadata(c, r, view, hash, 0));
		}
		json_object_set_new(body, "embedding", json_string(emb));
		if (json_is_integer(chunk))
			json_object_set(body, "embedding_chunk_size", (json_t *)chunk);
		buf_release(&tmp);
		pl_req(c->p, ai, "POST", "/v1/folders/", body, 0);
		if (json_object_size(json_object_get(view, "files"))) {
			folder_file_reqs(c, ai, r, view, "@self", NULL);
			pl_req(c->p, ai, "PATCH", "/v1/folders/@self",
			       json_pack("{s:o}", "metadata", folder_metadata(c, r, view, hash, 1)), 0);
		}
		break;
	}
	case KIND_MCP_SERVER:
		body = json_pack("{s:O, s:o}", "server_name", json_object_get(view, "server_name"),
				 "config", mcp_config(c, r, view, &rc));
		if (rc < 0) {
			json_decref(body);
			return rc;
		}
		pl_req(c->p, ai, "POST", "/v1/mcp-servers/", body, 0);
		break;
	case KIND_IDENTITY:
		/*
		 * POST, not the PUT upsert: the real server's upsert answers 404 on a key it does not
		 * know (docs/letta-sim.md "Identity upsert"). A 409 (the key appeared meanwhile) is
		 * settled by the create guard, which adopts the identity carrying our marker.
		 */
		identity_req(c, ai, r, view, hash, "POST");
		break;
	default:
		BUG("create of kind %d", (int)r->kind);
	}
	return 0;
}

/* Requests that bring the remote object id in line with view (action ai). */
static int update_reqs(struct pc *c, size_t ai, const struct resource *r, const json_t *view,
		       const char *hash, const char *id, const json_t *obj)
{
	json_t *body;
	char *path;
	int rc = 0;

	switch (r->kind) {
	case KIND_BLOCK:
		body = json_deep_copy(view);
		json_object_set_new(body, "metadata",
				    with_markers(c, r, json_object_get(view, "metadata"), hash));
		path = pl_path("/v1/blocks/", id, NULL);
		pl_req(c->p, ai, "PATCH", path, body, 0);
		free(path);
		break;
	case KIND_TOOL:
		body = json_deep_copy(view);
		json_object_del(body, "name");
		json_array_append_new(json_object_get(body, "tags"), json_string(OWN_TAG));
		json_object_set_new(body, "metadata_", marker_for(c, r, hash));
		path = pl_path("/v1/tools/", id, NULL);
		pl_req(c->p, ai, "PATCH", path, body, 0);
		free(path);
		break;
	case KIND_FOLDER:
		/* Files first: the metadata records their hashes only once they are in. */
		folder_file_reqs(c, ai, r, view, id, obj);
		body = json_deep_copy(view);
		json_object_del(body, "files");
		json_object_set_new(body, "metadata", folder_metadata(c, r, view, hash, 1));
		path = pl_path("/v1/folders/", id, NULL);
		pl_req(c->p, ai, "PATCH", path, body, 0);
		free(path);
		break;
	case KIND_MCP_SERVER:
		body = json_pack("{s:O, s:o}", "server_name", json_object_get(view, "server_name"),
				 "config", mcp_config(c, r, view, &rc));
		if (rc < 0) {
			json_decref(body);
			return rc;
		}
		path = pl_path("/v1/mcp-servers/", id, NULL);
		pl_req(c->p, ai, "PATCH", path, body, 0);
		free(path);
		path = pl_path("/v1/mcp-servers/", id, "/refresh");
		pl_req(c->p, ai, "PATCH", path, NULL, 0);
		free(path);
		break;
	case KIND_IDENTITY:
		(void)obj;
		/* The key exists: PUT replaces name, type and properties (an update on both servers). */
		identity_req(c, ai, r, view, hash, "PUT");
		break;
	default:
		BUG("update of kind %d", (int)r->kind);
	}
	return 0;
}

static const char *delete_prefix(enum res_kind kind)
{
	switch (kind) {
	case KIND_BLOCK:
		return "/v1/blocks/";
	case KIND_TOOL:
		return "/v1/tools/";
	case KIND_FOLDER:
		return "/v1/folders/";
	case KIND_MCP_SERVER:
		return "/v1/mcp-servers/";
	case KIND_IDENTITY:
		return "/v1/identities/";
	default:
		return NULL;
	}
}

static const json_t *remote_list(const struct pc *c, enum res_kind kind)
{
	switch (kind) {
	case KIND_BLOCK:
		return c->have->blocks;
	case KIND_TOOL:
		return c->have->tools;
	case KIND_FOLDER:
		return c->have->folders;
	case KIND_MCP_SERVER:
		return c->have->mcp_servers;
	case KIND_IDENTITY:
		return c->have->identities;
	default:
		return NULL;
	}
}

/*
 * The key an object of that kind is found by: tool, folder and MCP names, identity keys. The
 * desired view uses the wire field names, so the same function reads both sides.
 */
static const char *remote_key(enum res_kind kind, const json_t *o)
{
	switch (kind) {
	case KIND_TOOL:
	case KIND_FOLDER:
		return jsonx_get_str(o, "name");
	case KIND_MCP_SERVER:
		return jsonx_get_str(o, "server_name");
	case KIND_IDENTITY:
		return jsonx_get_str(o, "identifier_key");
	default:
		return NULL;
	}
}

static int agent_has(const json_t *agent, const char *rel, const char *id)
{
	return remote_find_id(json_object_get(agent, rel), id) != NULL;
}

/*
 * An object to remove: an orphan (in the inventory, no manifest) or a duplicate copy. With
 * prune it is deleted, except a block still attached to an unmanaged agent, which is only
 * detached from managed agents. Returns the action's index, or (size_t)-1 when nothing to say.
 */
static size_t plan_removal(struct pc *c, enum res_kind kind, const char *name, const json_t *obj,
			   const char *why)
{
	const char *id = jsonx_get_str(obj, "id");
	int prune = (c->o->flags & PLAN_PRUNE) != 0;
	struct buf unmanaged = BUF_INIT;
	size_t ai, i;
	const json_t *ag;
	char *path;
	json_t *view;

	ai = pl_add(c->p, kind, name, prune ? CHANGE_DELETE : CHANGE_ORPHAN);
	c->p->items[ai].id = xstrdup(id);
	c->p->items[ai].breaking = 1;
	view = pl_have_view(kind, obj, NULL);
	pl_diff(c->p->items[ai].fields, "", view, NULL);
	json_decref(view);
	if (kind == KIND_BLOCK) {
		json_array_foreach(c->have->agents, i, ag)
		{
			if (agent_has(ag, "blocks", id) && !own_agent_is_managed(ag))
				buf_addf(&unmanaged, "%s%s", unmanaged.len ? ", " : "",
					 jsonx_get_str(ag, "name") ? jsonx_get_str(ag, "name")
								   : jsonx_get_str(ag, "id"));
		}
	}
	if (!prune) {
		c->p->items[ai].skip = 1;
		pl_reason(c->p, ai, "%s; sync --prune deletes it", why);
	} else if (unmanaged.len) {
		c->p->items[ai].change = CHANGE_ORPHAN;
		pl_reason(c->p, ai,
			  "%s, but still attached to unmanaged agent(s) %s: detached from "
			  "managed agents only",
			  why, unmanaged.buf);
		json_array_foreach(c->have->agents, i, ag)
		{
			if (!agent_has(ag, "blocks", id) || !own_agent_is_managed(ag))
				continue;
			path = pl_path("/v1/agents/", jsonx_get_str(ag, "id"),
				       "/core-memory/blocks/detach/");
			{
				char *full = pl_path(path, id, NULL);

				pl_req(c->p, ai, "PATCH", full, NULL, REQ_404_OK);
				free(full);
			}
			free(path);
		}
		if (c->p->items[ai].nreqs == 0)
			c->p->items[ai].skip = 1;
	} else {
		pl_reason(c->p, ai, "%s", why);
		path = pl_path(delete_prefix(kind), id, NULL);
		pl_req(c->p, ai, "DELETE", path, NULL, REQ_404_OK);
		free(path);
	}
	buf_release(&unmanaged);
	return ai;
}

static json_t *entry(enum res_kind kind, const char *name, const char *id, const char *hash,
		     const char *commit)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", own_kind_name(kind), "name", name,
			 "id", id, "hash", hash ? hash : "", "commit", commit ? commit : "");
}

/* Records what the inventory holds for r after action ai (or no action: ai == -1). */
static void record(struct pc *c, size_t ai, json_t *then_take, const json_t *old)
{
	if (ai == (size_t)-1) {
		if (then_take)
			json_array_append_new(c->new_entries, then_take);
		else if (old)
			json_array_append(c->new_entries, (json_t *)old);
		return;
	}
	json_array_append_new(c->new_entries,
			      json_pack("{s:I, s:o, s:O}", "@if", (json_int_t)ai, "then",
					then_take ? then_take : json_null(), "else",
					old ? old : json_null()));
}

/* Finds the remote object for a desired resource of a keyed kind (not blocks). */
static void index_add(json_t *index, const char *key, const json_t *o)
{
	json_t *arr = json_object_get(index, key);

	if (!arr) {
		arr = json_array();
		json_object_set_new(index, key, arr);
	}
	json_array_append(arr, (json_t *)o);
}

static void build_indexes(struct pc *c)
{
	static const enum res_kind keyed[] = { KIND_TOOL, KIND_FOLDER, KIND_MCP_SERVER,
					       KIND_IDENTITY };
	struct buf k = BUF_INIT;
	const json_t *o, *e;
	size_t i, j;

	c->block_index = json_object();
	c->key_index = json_object();
	c->inv_index = json_object();
	json_array_foreach(c->have->blocks, i, o)
	{
		struct own_marker m;

		if (own_is_inventory(o, c->project))
			continue;
		own_read(&m, KIND_BLOCK, o, c->project);
		if ((m.state != OWN_OURS && m.state != OWN_LEGACY) || !m.source)
			continue;
		if (!strncmp(m.source, "Block/", 6))
			index_add(c->block_index, m.source + 6, o);
		else if (m.state == OWN_LEGACY)
			index_add(c->block_index, m.source, o);
	}
	for (j = 0; j < sizeof(keyed) / sizeof(keyed[0]); j++) {
		json_array_foreach(remote_list(c, keyed[j]), i, o)
		{
			const char *key = remote_key(keyed[j], o);

			if (!key)
				continue;
			buf_reset(&k);
			buf_addf(&k, "%s/%s", own_kind_name(keyed[j]), key);
			index_add(c->key_index, k.buf, o);
		}
	}
	json_array_foreach(c->old_entries, i, e)
	{
		buf_reset(&k);
		buf_addf(&k, "%s/%s", jsonx_get_str(e, "kind"), jsonx_get_str(e, "name"));
		if (!json_object_get(c->inv_index, k.buf))
			json_object_set(c->inv_index, k.buf, (json_t *)e);
	}
	buf_release(&k);
}

static const json_t *inv_find(const struct pc *c, enum res_kind kind, const char *name)
{
	struct buf k = BUF_INIT;
	const json_t *e;

	buf_addf(&k, "%s/%s", own_kind_name(kind), name);
	e = json_object_get(c->inv_index, k.buf);
	buf_release(&k);
	return e;
}

static const json_t *find_keyed(const struct pc *c, enum res_kind kind, const json_t *view)
{
	const char *key = remote_key(kind, view);
	const json_t *o, *list;
	struct buf k = BUF_INIT;
	size_t i;

	buf_addf(&k, "%s/%s", own_kind_name(kind), key ? key : "");
	list = json_object_get(c->key_index, k.buf);
	buf_release(&k);
	json_array_foreach(list, i, o)
	{
		if (kind == KIND_IDENTITY && c->o->project_id && jsonx_get_str(o, "project_id") &&
		    strcmp(jsonx_get_str(o, "project_id"), c->o->project_id))
			continue;
		return o;
	}
	return NULL;
}

static int block_attached(const struct pc *c, const json_t *block)
{
	const char *id = jsonx_get_str(block, "id");
	const json_t *ag;
	size_t i;

	json_array_foreach(c->have->agents, i, ag)
		if (id && agent_has(ag, "blocks", id))
			return 1;
	return 0;
}

/*
 * --adopt: the unmarked blocks of the project with the label of want. Returns the only one;
 * NULL when there is none, or when there are several (their ids listed in ambiguous).
 */
static const json_t *adopt_block(const struct pc *c, const json_t *want, struct buf *ambiguous)
{
	const char *label = jsonx_get_str(want, "label");
	const json_t *o, *found = NULL;
	size_t i, n = 0;

	json_array_foreach(c->have->blocks, i, o)
	{
		struct own_marker m;

		if (!label || own_is_inventory(o, c->project) || !jsonx_get_str(o, "id") ||
		    !jsonx_get_str(o, "label") || strcmp(jsonx_get_str(o, "label"), label))
			continue;
		if (c->o->project_id && jsonx_get_str(o, "project_id") &&
		    strcmp(jsonx_get_str(o, "project_id"), c->o->project_id))
			continue;
		own_read(&m, KIND_BLOCK, o, c->project);
		if (m.state != OWN_NONE)
			continue;
		buf_addf(ambiguous, "%s%s", n ? ", " : "", jsonx_get_str(o, "id"));
		found = o;
		n++;
	}
	if (n == 1)
		buf_reset(ambiguous);
	return n == 1 ? found : NULL;
}

/*
 * Finds our block for Block/name: the inventory's id first, then letta-sync's markers, then
 * the original's. Other copies with the same source are duplicates, removed with prune.
 */
static const json_t *find_block(struct pc *c, const struct resource *r, const json_t *old)
{
	const json_t *o, *best = NULL, *cands = json_object_get(c->block_index, r->name);
	int best_rank = 0;
	size_t i;

	json_array_foreach(cands, i, o)
	{
		struct own_marker m;
		int rank = 0;

		own_read(&m, KIND_BLOCK, o, c->project);
		if ((m.state != OWN_OURS && m.state != OWN_LEGACY) ||
		    !own_source_matches(&m, KIND_BLOCK, r->name))
			continue;
		if (old && jsonx_get_str(old, "id") && jsonx_get_str(o, "id") &&
		    !strcmp(jsonx_get_str(old, "id"), jsonx_get_str(o, "id")))
			rank = 6;
		else
			rank = m.state == OWN_OURS ? 4 : 2;
		/* Among copies (the original made duplicates), keep one an agent uses. */
		if (json_array_size(cands) > 1 && rank < 6 && block_attached(c, o))
			rank++;
		if (rank > best_rank) {
			best = o;
			best_rank = rank;
		}
	}
	if (!best)
		return NULL;
	/* Duplicates. */
	json_array_foreach(cands, i, o)
	{
		struct own_marker m;

		if (o == best)
			continue;
		own_read(&m, KIND_BLOCK, o, c->project);
		if ((m.state == OWN_OURS || m.state == OWN_LEGACY) &&
		    own_source_matches(&m, KIND_BLOCK, r->name)) {
			json_object_set_new(c->used, jsonx_get_str(o, "id"), json_true());
			plan_removal(c, KIND_BLOCK, r->name, o, "a duplicate copy of a managed block");
		}
	}
	return best;
}

/* The fields of a marker change, for updates that only re-mark an object. */
static void marker_fields(json_t *fields, enum res_kind kind, const struct own_marker *m,
			  const json_t *want_marker)
{
	const char *where = kind == KIND_TOOL	      ? "metadata_"
			    : kind == KIND_IDENTITY ? "properties.letta_sync"
						    : "metadata";
	struct buf p = BUF_INIT;
	const char *keys[] = { "managed_by", "source", "project", "hash" };
	const char *have[4];
	size_t i;

	have[0] = m->state == OWN_LEGACY ? OWN_LEGACY_MANAGER
		  : m->state == OWN_NONE   ? NULL
					   : OWN_MANAGER;
	have[1] = m->source;
	have[2] = m->project;
	have[3] = m->hash;
	for (i = 0; i < 4; i++) {
		const char *w = jsonx_get_str(want_marker, keys[i]);

		if (have[i] && w && !strcmp(have[i], w))
			continue;
		buf_reset(&p);
		buf_addf(&p, "%s.%s", where, keys[i]);
		json_array_append_new(fields,
				      json_pack("{s:s, s:o, s:s}", "path", p.buf, "from",
						have[i] ? json_string(have[i]) : json_null(), "to",
						w ? w : ""));
	}
	if (kind == KIND_TOOL && !m->has_tag)
		json_array_append_new(fields, json_pack("{s:s, s:n, s:s}", "path", "tags[]",
							"from", "to", OWN_TAG));
	buf_release(&p);
}

/*
 * sync/diff --only: a shared object belongs to the agent section that uses it (Blocks to
 * memory_blocks, Tools to tools, MCP servers to mcp_servers, Folders to folders, Identities to
 * identities); outside the named sections it is neither created, updated nor deleted.
 */
int plan_kind_in_sections(enum res_kind k, unsigned sections)
{
	int s;

	switch (k) {
	case KIND_BLOCK: s = SECTION_MEMORY_BLOCKS; break;
	case KIND_TOOL: s = SECTION_TOOLS; break;
	case KIND_MCP_SERVER: s = SECTION_MCP_SERVERS; break;
	case KIND_FOLDER: s = SECTION_FOLDERS; break;
	case KIND_IDENTITY: s = SECTION_IDENTITIES; break;
	default: return 1;
	}
	return !sections || (sections & (1u << s));
}

/* Whether an earlier run meant to write Kind/name and did not finish (see ownership.h). */
static int intended(const struct pc *c, enum res_kind kind, const char *name)
{
	struct buf k = BUF_INIT;
	int yes;

	buf_addf(&k, "%s/%s", own_kind_name(kind), name);
	yes = json_object_get(c->intents, k.buf) != NULL;
	buf_release(&k);
	return yes;
}

static int plan_resource(struct pc *c, const struct resource *r)
{
	const json_t *old = inv_find(c, r->kind, r->name);
	const json_t *obj;
	json_t *want = pl_want_view(r), *have = NULL, *wm = NULL;
	char hw[OWN_HASH_LEN + 1], hh[OWN_HASH_LEN + 1];
	struct own_marker m;
	const char *recorded = NULL, *id;
	int rc = 0, remark = 0, force = (c->o->flags & PLAN_FORCE) != 0;
	int unfinished = intended(c, r->kind, r->name);
	size_t ai;

	if (!force && c->o->force_names) {
		struct buf k = BUF_INIT;

		buf_addf(&k, "%s/%s", own_kind_name(r->kind), r->name);
		force = json_is_true(json_object_get(c->o->force_names, k.buf));
		buf_release(&k);
	}

	if (r->kind == KIND_FOLDER && json_is_array(json_object_get(r->spec, "files"))) {
		const json_t *files = json_object_get(c->o->folder_files, r->name), *f;
		json_t *map = json_object();
		const char *fn;

		json_object_foreach((json_t *)files, fn, f)
			json_object_set(map, fn, json_object_get(f, "sha256"));
		json_object_set_new(want, "files", map);
	}
	own_hash(hw, want);
	if (r->kind == KIND_BLOCK)
		obj = find_block(c, r, old);
	else
		obj = find_keyed(c, r->kind, want);
	if (!plan_kind_in_sections(r->kind, c->o->sections)) {
		/* Outside --only: known (agents of other sections may name it), never written. */
		if (obj && jsonx_get_str(obj, "id")) {
			json_object_set_new(c->used, jsonx_get_str(obj, "id"), json_true());
			set_id(c, r, jsonx_get_str(obj, "id"));
		}
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	if (!obj && r->kind == KIND_BLOCK && (c->o->flags & PLAN_ADOPT)) {
		struct buf ids = BUF_INIT;

		obj = adopt_block(c, want, &ids);
		if (ids.len) {
			/* Labels are not unique: which one is ours is the user's call. */
			ai = pl_add(c->p, r->kind, r->name, CHANGE_CONFLICT);
			c->p->items[ai].skip = 1;
			pl_reason(c->p, ai,
				  "--adopt found several unmarked blocks with the label '%s' (%s); "
				  "nothing is adopted or created: delete or relabel all but one",
				  jsonx_get_str(want, "label"), ids.buf);
			buf_release(&ids);
			record(c, (size_t)-1, NULL, old);
			goto out;
		}
		buf_release(&ids);
	}

	if (!obj) {
		ai = pl_add(c->p, r->kind, r->name, CHANGE_CREATE);
		pl_diff(c->p->items[ai].fields, "", NULL, want);
		c->p->items[ai].view = json_incref(want);
		pl_reason(c->p, ai, "%s", r->managed == MANAGED_SEED ? "seed: created once" :
								       "not on the server");
		rc = create_reqs(c, ai, r, want, hw);
		if (rc == 0) {
			char *ref = pl_ref(ai);

			set_id(c, r, ref);
			record(c, ai, entry(r->kind, r->name, ref, hw, c->o->commit), NULL);
			free(ref);
		}
		goto out;
	}
	id = jsonx_get_str(obj, "id");
	json_object_set_new(c->used, id ? id : "", json_true());
	set_id(c, r, id);
	if (c->o->flags & PLAN_UPGRADE) {
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	own_read(&m, r->kind, obj, c->project);
	if (r->kind == KIND_MCP_SERVER) {
		/* No room for markers: the inventory is the record. */
		if (old && jsonx_get_str(old, "id") && id && !strcmp(jsonx_get_str(old, "id"), id)) {
			m.state = OWN_OURS;
			m.hash = jsonx_get_str(old, "hash");
		} else if (unfinished) {
			/* Created by a run that stopped before it could record it. */
			m.state = OWN_OURS;
			m.hash = NULL;
		}
	} else if ((r->kind == KIND_TOOL || r->kind == KIND_IDENTITY) &&
		   (m.state == OWN_NONE || (m.state == OWN_OURS && !m.hash)) && old &&
		   jsonx_get_str(old, "id") && id && !strcmp(jsonx_get_str(old, "id"), id)) {
		/*
		 * The server's POST and PUT /v1/tools/ reset metadata_ to {"tool_hash": ...}
		 * (docs/letta-sim.md "Tool writes reset metadata_"), and its identity upsert replaces
		 * the properties that hold our marker: an object another client re-wrote has lost our
		 * marker, and maybe our tag. The inventory still records it as ours, with the hash of
		 * what we wrote, so an outside edit is still seen as one.
		 */
		m.state = OWN_OURS;
		m.hash = jsonx_get_str(old, "hash");
	}
	if (m.state == OWN_OTHER_PROJECT && !force) {
		ai = pl_add(c->p, r->kind, r->name, CHANGE_CONFLICT);
		c->p->items[ai].skip = 1;
		c->p->items[ai].id = xstrdup(id);
		pl_reason(c->p, ai,
			  "'%s' is managed by letta-sync for project '%s'; names are unique per "
			  "organisation (--force takes it over)",
			  r->name, m.project);
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	if (m.state == OWN_NONE && !(c->o->flags & PLAN_ADOPT) && !force) {
		ai = pl_add(c->p, r->kind, r->name, CHANGE_CONFLICT);
		c->p->items[ai].skip = 1;
		c->p->items[ai].id = xstrdup(id);
		pl_reason(c->p, ai,
			  "a %s named '%s' exists and is not managed by letta-sync (--adopt takes "
			  "it over)",
			  own_kind_name(r->kind), r->name);
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	have = pl_have_view(r->kind, obj, want);
	/* The server copy's hash only matters when it differs or for a seed: hashed then only. */
	hh[0] = '\0';
	recorded = m.hash;
	if (!recorded && old && jsonx_get_str(old, "id") && id &&
	    !strcmp(jsonx_get_str(old, "id"), id))
		recorded = jsonx_get_str(old, "hash");
	/*
	 * A run that stopped half-way through writing it (a folder whose files are in and whose
	 * hash is not) left it in a state no hash describes: it is finished, not a conflict.
	 */
	if (unfinished && m.state == OWN_OURS)
		recorded = NULL;

	if (r->managed == MANAGED_SEED || !json_equal(want, have))
		own_hash(hh, have);
	if (r->managed == MANAGED_SEED) {
		if (!json_equal(want, have)) {
			ai = pl_add(c->p, r->kind, r->name, CHANGE_DRIFT);
			c->p->items[ai].skip = 1;
			c->p->items[ai].id = xstrdup(id);
			pl_diff(c->p->items[ai].fields, "", have, want);
			pl_reason(c->p, ai, "seed: the server's copy differs from the manifest "
					    "and is kept");
		} else {
			pl_same(c->p, r->kind, r->name, NULL, NULL, want);
		}
		record(c, (size_t)-1, old ? NULL : entry(r->kind, r->name, id, recorded ? recorded : hh,
						      c->o->commit), old);
		goto out;
	}

	wm = marker_for(c, r, hw);
	if (r->kind != KIND_MCP_SERVER)
		remark = m.state != OWN_OURS || !m.hash || strcmp(m.hash, hw) || !m.project ||
			 strcmp(m.project, c->project) || !m.source ||
			 !own_source_matches(&m, r->kind, r->name) ||
			 (r->kind == KIND_TOOL && !m.has_tag);

	if (json_equal(want, have) && !remark) {
		pl_same(c->p, r->kind, r->name, NULL, NULL, want);
		if (old && jsonx_get_str(old, "id") && id && !strcmp(jsonx_get_str(old, "id"), id) &&
		    jsonx_get_str(old, "hash") && !strcmp(jsonx_get_str(old, "hash"), hw))
			record(c, (size_t)-1, NULL, old);
		else
			record(c, (size_t)-1,
			       entry(r->kind, r->name, id, hw,
				     old && jsonx_get_str(old, "commit") ? jsonx_get_str(old, "commit")
									 : c->o->commit),
			       NULL);
		goto out;
	}
	if (!json_equal(want, have) && recorded && strcmp(recorded, hh) && !force) {
		ai = pl_add(c->p, r->kind, r->name, CHANGE_CONFLICT);
		c->p->items[ai].skip = 1;
		c->p->items[ai].id = xstrdup(id);
		pl_diff(c->p->items[ai].fields, "", have, want);
		pl_reason(c->p, ai, "edited outside git: its content no longer matches the hash "
				    "letta-sync recorded (--force overwrites it)");
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	ai = pl_add(c->p, r->kind, r->name, CHANGE_UPDATE);
	c->p->items[ai].id = xstrdup(id);
	/*
	 * Only the recorded hash is stale (the server's copy already is what git says, e.g.
	 * after `pull`): bookkeeping, applied but not shown as a change.
	 */
	if (json_equal(want, have) && m.state == OWN_OURS && m.hash && m.project &&
	    !strcmp(m.project, c->project) && m.source && own_source_matches(&m, r->kind, r->name) &&
	    !(r->kind == KIND_TOOL && !m.has_tag))
		c->p->items[ai].internal = 1;
	pl_diff(c->p->items[ai].fields, "", have, want);
	if (json_array_size(c->p->items[ai].fields) == 0 || m.state != OWN_OURS)
		marker_fields(c->p->items[ai].fields, r->kind, &m, wm);
	pl_reason(c->p, ai, "%s",
		  m.state == OWN_LEGACY	    ? "adopted from the original letta-sync (smarty-admin)"
		  : m.state == OWN_NONE	    ? "adopted: it had no letta-sync markers"
		  : m.state == OWN_OTHER_PROJECT ? "taken over from another project (--force)"
		  : json_equal(want, have) ? "markers refreshed"
		  : unfinished		   ? "finishing what an interrupted run started"
		  : recorded && strcmp(recorded, hh) ? "edited outside git; overwritten (--force)"
						   : "the manifest changed");
	if (r->kind == KIND_BLOCK) {
		json_int_t lim = json_integer_value(json_object_get(want, "limit"));

		if ((json_int_t)utf8_count(jsonx_get_str(obj, "value")) > lim &&
		    lim < json_integer_value(json_object_get(have, "limit")))
			c->p->items[ai].breaking = 1;
	}
	rc = update_reqs(c, ai, r, want, hw, id, obj);
	c->p->items[ai].view = json_incref(want);
	if (rc == 0) {
		json_t *keep = old ? json_incref((json_t *)old) : NULL;

		record(c, ai, entry(r->kind, r->name, id, hw, c->o->commit), keep);
		json_decref(keep);
	}
out:
	json_decref(want);
	json_decref(have);
	json_decref(wm);
	return rc;
}

/* Orders entries_key() strings: each is a size_t length, then that many bytes. */
static int cmp_key(const void *a, const void *b)
{
	const size_t *x = *(const size_t *const *)a, *y = *(const size_t *const *)b;
	size_t n = x[0] < y[0] ? x[0] : y[0];
	int c = memcmp(x + 1, y + 1, n);

	return c ? c : (x[0] > y[0]) - (x[0] < y[0]);
}

/* One field of an entry for entries_key(): a string as it is, anything else as JSON. */
static void key_field(struct buf *b, const json_t *x, const char *k)
{
	const json_t *v = json_object_get(x, k);

	if (json_is_string(v)) {
		buf_addch(b, 's');
		buf_add(b, json_string_value(v), json_string_length(v));
	} else if (v && !json_is_null(v)) {
		char *d = jsonx_canonical(v);

		buf_addch(b, 'j');
		buf_addstr(b, d);
		free(d);
	}
	buf_addch(b, '\0');
}

/*
 * Entries without their commit (kind, name, id and hash), sorted, to see whether the
 * inventory's content changes: one string per entry, fields NUL-separated (issue 26: no JSON
 * object and canonical dump per entry). *n gets the count; free with keys_free().
 */
static char **entries_key(const json_t *entries, int resolve, size_t *n)
{
	char **keys = xmalloc((json_array_size(entries) + 1) * sizeof(*keys));
	size_t *lens;
	json_t *e;
	size_t i;

	*n = 0;
	json_array_foreach(entries, i, e)
	{
		const json_t *x = e;
		struct buf b = BUF_INIT;

		if (json_object_get(e, "@if"))
			x = resolve ? json_object_get(e, "then") : json_object_get(e, "else");
		if (!json_is_object(x))
			continue;
		key_field(&b, x, "kind");
		key_field(&b, x, "name");
		key_field(&b, x, "id");
		key_field(&b, x, "hash");
		/* The length first, so that keys with NULs inside compare as byte strings. */
		lens = xmalloc(sizeof(*lens) + b.len);
		lens[0] = b.len;
		memcpy(lens + 1, b.buf, b.len);
		keys[(*n)++] = (char *)lens;
		buf_release(&b);
	}
	qsort(keys, *n, sizeof(*keys), cmp_key);
	return keys;
}

static void keys_free(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

static int keys_equal(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (cmp_key(&a[i], &b[i]))
			return 0;
	return 1;
}

/*
 * The inventory's body: the entries, the intents, the markers, and the rollout record an
 * upgrade --waves keeps there (cli/rollout.c), carried over so that no rewrite loses it.
 */
static json_t *inventory_body(struct pc *c, json_t *entries, json_t *intents)
{
	json_t *value = json_pack("{s:i, s:s, s:O, s:O}", "version", 1, "project", c->project,
				  "objects", entries, "intent", intents);
	json_t *md = own_inventory_metadata(c->project);
	const json_t *ro = json_object_get(json_object_get(c->inventory, "metadata"), "rollout");

	if (json_is_object(ro))
		json_object_set_new(md, "rollout", json_deep_copy(ro));
	return json_pack("{s:s, s:o, s:s, s:o, s:i}", "label", OWN_INVENTORY_LABEL, "value", value,
			 "description",
			 "letta-sync inventory: every object this config repository manages",
			 "metadata", md, "limit", INVENTORY_LIMIT);
}

/* Adds an internal action writing the inventory: PATCH path, or a create when path is NULL. */
static size_t inventory_action(struct pc *c, const char *path, json_t *body_take)
{
	size_t ai = pl_add(c->p, KIND_BLOCK, OWN_INVENTORY_LABEL,
			   c->inventory ? CHANGE_UPDATE : CHANGE_CREATE);

	c->p->items[ai].internal = 1;
	pl_reason(c->p, ai, "the inventory of project '%s'", c->project);
	if (c->inventory)
		c->p->items[ai].id = xstrdup(jsonx_get_str(c->inventory, "id"));
	if (path) {
		pl_req(c->p, ai, "PATCH", path, body_take, REQ_STRINGIFY_VALUE);
	} else {
		if (c->o->project_id)
			json_object_set_new(body_take, "project_id", json_string(c->o->project_id));
		pl_req(c->p, ai, "POST", "/v1/blocks/", body_take, REQ_STRINGIFY_VALUE);
	}
	return ai;
}

/*
 * The inventory's writes. Before the first write of a shared object, a write-ahead one lists
 * in "intent" every shared object this plan creates or changes (plus what earlier runs left
 * there); every such action waits for it. The last one records the entries and keeps in
 * "intent" only the objects whose action did not succeed, so that a run stopped at any point
 * leaves a record of what it may have half-done (ownership.h).
 */
static void plan_inventory(struct pc *c, size_t first_action)
{
	size_t i, ai, wa = (size_t)-1, writes = 0, end = c->p->n, nold, nnew;
	json_t *ahead = json_array(), *after = json_array();
	char **oldk, **newk;
	char *path = NULL;
	const char *k;
	json_t *v;
	int same;

	json_object_foreach(c->intents, k, v)
	{
		const char *slash = strchr(k, '/');

		if (slash)
			json_array_append_new(ahead, json_pack("{s:s%, s:s}", "kind", k,
							       (size_t)(slash - k), "name",
							       slash + 1));
	}
	for (i = first_action; i < end; i++) {
		const struct plan_action *a = &c->p->items[i];
		json_t *in;

		if (a->skip || !a->nreqs)
			continue;
		writes++;
		if (a->change != CHANGE_CREATE && a->change != CHANGE_UPDATE)
			continue;
		in = json_pack("{s:s, s:s}", "kind", own_kind_name(a->kind), "name", a->name);
		if (!intended(c, a->kind, a->name))
			json_array_append(ahead, in);
		json_array_append_new(after, json_pack("{s:I, s:n, s:o}", "@if", (json_int_t)i,
						       "then", "else", in));
	}
	oldk = entries_key(c->old_entries, 0, &nold);
	newk = entries_key(c->new_entries, 1, &nnew);
	same = keys_equal(oldk, nold, newk, nnew) || (!c->inventory && nnew == 0);
	keys_free(oldk, nold);
	keys_free(newk, nnew);
	if (!writes && !json_object_size(c->intents) && same) {
		json_decref(ahead);
		json_decref(after);
		return;
	}

	if (c->inventory)
		path = pl_path("/v1/blocks/", jsonx_get_str(c->inventory, "id"), NULL);
	if (json_array_size(after)) {
		wa = inventory_action(c, path, inventory_body(c, c->old_entries, ahead));
		for (i = first_action; i < end; i++)
			if (!c->p->items[i].skip && c->p->items[i].nreqs)
				pl_dep(c->p, i, wa);
		if (!path) {
			char *ref = pl_ref(wa);

			path = pl_path("/v1/blocks/", ref, NULL);
			free(ref);
		}
	}
	ai = inventory_action(c, path, inventory_body(c, c->new_entries, after));
	c->p->items[ai].soft = 1; /* {"@if"} keeps the old entries of failed actions */
	if (wa != (size_t)-1) {
		pl_dep(c->p, ai, wa);
		if (!c->inventory)
			c->p->items[ai].change = CHANGE_UPDATE;
	}
	for (i = first_action; i < end; i++)
		if (!c->p->items[i].skip && c->p->items[i].nreqs)
			pl_dep(c->p, ai, i);
	free(path);
	json_decref(ahead);
	json_decref(after);
}

static const enum res_kind shared_order[] = { KIND_BLOCK, KIND_TOOL, KIND_MCP_SERVER,
					      KIND_FOLDER, KIND_IDENTITY };

static int is_shared(enum res_kind k)
{
	size_t i;

	for (i = 0; i < sizeof(shared_order) / sizeof(shared_order[0]); i++)
		if (shared_order[i] == k)
			return 1;
	return 0;
}

int plan_compute(struct plan *out, const struct desired_state *want,
		 const struct remote_state *have, const struct plan_opts *opts,
		 struct ls_error *err)
{
	struct pc c;
	size_t i, k, first;
	int rc = 0;
	const json_t *e;
	json_t *desired = json_object();

	/* A malformed answer is an error, never a crash or a create of what may exist. */
	if ((rc = remote_state_check(have, err)) < 0) {
		json_decref(desired);
		return rc;
	}
	memset(&c, 0, sizeof(c));
	c.p = out;
	c.want = want;
	c.have = have;
	c.o = opts;
	c.err = err;
	c.project = opts->project ? opts->project : "";
	c.inventory = own_find_inventory(have->blocks, c.project);
	c.old_entries = own_inventory_entries(c.inventory);
	c.intents = own_inventory_intents(c.inventory);
	c.new_entries = json_array();
	c.used = json_object();
	c.ids = json_object();
	build_indexes(&c);
	if (!out->warnings)
		out->warnings = json_array();
	first = out->n;

	for (k = 0; k < sizeof(shared_order) / sizeof(shared_order[0]) && rc == 0; k++) {
		for (i = 0; i < want->n && rc == 0; i++) {
			const struct resource *r = &want->items[i];

			if (r->kind != shared_order[k] || r->managed == MANAGED_FALSE)
				continue;
			rc = plan_resource(&c, r);
		}
	}
	/* Orphans: inventory entries that no manifest describes (managed: false ones included). */
	for (i = 0; i < want->n; i++) {
		struct buf dk = BUF_INIT;

		buf_addf(&dk, "%s/%s", own_kind_name(want->items[i].kind), want->items[i].name);
		json_object_set_new(desired, dk.buf, json_true());
		buf_release(&dk);
	}
	json_array_foreach(c.old_entries, i, e)
	{
		int kind = own_kind_parse(jsonx_get_str(e, "kind"));
		const char *name = jsonx_get_str(e, "name"), *id = jsonx_get_str(e, "id");
		const json_t *obj;
		struct buf key = BUF_INIT;
		int described;
		size_t ai;

		if (rc < 0 || kind < 0 || !is_shared((enum res_kind)kind))
			continue;
		buf_addf(&key, "%s/%s", jsonx_get_str(e, "kind"), name);
		described = json_object_get(desired, key.buf) != NULL;
		buf_release(&key);
		if (described)
			continue; /* managed: false keeps an object but forgets it */
		if ((opts->flags & PLAN_UPGRADE) ||
		    !plan_kind_in_sections((enum res_kind)kind, opts->sections)) {
			record(&c, (size_t)-1, NULL, e);
			continue;
		}
		obj = remote_find_id(remote_list(&c, (enum res_kind)kind), id);
		if (!obj || json_object_get(c.used, id))
			continue; /* gone already: dropped from the inventory */
		ai = plan_removal(&c, (enum res_kind)kind, name, obj,
				  "no manifest describes it any more");
		if (out->items[ai].skip || out->items[ai].change != CHANGE_DELETE)
			record(&c, (size_t)-1, NULL, e);
		else
			record(&c, ai, NULL, e);
	}
	if (rc == 0)
		plan_inventory(&c, first);
	if (rc == 0 && want)
		rc = plan_agents(out, want, have, opts, c.ids, err);

	json_decref(c.old_entries);
	json_decref(c.intents);
	json_decref(c.new_entries);
	json_decref(c.used);
	json_decref(c.ids);
	json_decref(c.block_index);
	json_decref(c.key_index);
	json_decref(c.inv_index);
	json_decref(desired);
	return rc;
}
