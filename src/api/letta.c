/*
 * Letta endpoints on top of api/http.c. One table describes each kind of object (paths, natural
 * key, how creates may be repeated, how lists are scoped to the project), so the typed functions
 * are thin: build a struct http_req, run it, hand back the JSON.
 */
#include "api/letta.h"

#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct letta {
	struct http *http;
	long page_limit;
	char *project_id;
	int has_projects;
	json_t *guard_cache;      /* list path -> items, for one guard pass */
	unsigned long guard_pass; /* the pass guard_cache belongs to */
	letta_progress_fn progress;
	void *progress_ctx;
};

enum scope {
	SCOPE_NONE = 0,
	SCOPE_QUERY,     /* ?project_id=<id> on lists */
	SCOPE_HEADER_ID, /* X-Project-Id: <id> */
};

struct kind_info {
	const char *name;
	const char *coll;        /* collection path, with its trailing slash (lists, fetches) */
	const char *key;         /* natural key in the body and in list items */
	const char *key_query;   /* list filter on the key, NULL when there is none */
	int paged;
	enum scope scope;
	int stamp_project;       /* the create body takes project_id */
};

/* How each kind is read; how it is written is the route table's (below). */
static const struct kind_info kinds[LETTA_KIND_COUNT] = {
	[LETTA_BLOCK] = { "block", "/v1/blocks/", "label", "label", 1, SCOPE_QUERY, 1 },
	[LETTA_TOOL] = { "tool", "/v1/tools/", "name", "name", 1, SCOPE_HEADER_ID, 0 },
	[LETTA_FOLDER] = { "folder", "/v1/folders/", "name", "name", 1, SCOPE_NONE, 0 },
	[LETTA_MCP_SERVER] = { "MCP server", "/v1/mcp-servers/", "server_name", NULL, 0, SCOPE_NONE,
			       0 },
	[LETTA_IDENTITY] = { "identity", "/v1/identities/", "identifier_key", "identifier_key", 1,
			     SCOPE_HEADER_ID, 1 },
	[LETTA_AGENT] = { "agent", "/v1/agents/", "name", "name", 1, SCOPE_QUERY, 0 },
};

/*
 * Relationships are empty in agent answers unless asked for (docs/contract/letta-api.md 1.2).
 * agent.secrets tells which secrets are set (those set outside git are reported, not dropped
 * by a write that replaces the set); their values are scrubbed as each answer is parsed
 * (http.c), so no value outlives the parse.
 */
static const char *const agent_includes[] = {
	"agent.tags", "agent.blocks", "agent.tools", "agent.sources", "agent.identities",
	"agent.secrets", NULL,
};

static const struct kind_info *kind_info(enum letta_kind kind)
{
	if ((unsigned)kind >= LETTA_KIND_COUNT)
		BUG("unknown kind %d", (int)kind);
	return &kinds[kind];
}

const char *letta_kind_name(enum letta_kind kind)
{
	return kind_info(kind)->name;
}

int letta_opts_env(struct letta_opts *o, char *(*lookup)(const char *name), struct ls_error *err)
{
	const char *v;
	char *end;
	long n;
	int ret;

	if ((ret = http_opts_env(&o->http, lookup, err)) < 0)
		return ret;
	if (!lookup || !(v = lookup("LETTA_SYNC_PAGE_LIMIT")) || !*v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > 1000)
		return ls_error_set(err, LS_EUSAGE, "LETTA_SYNC_PAGE_LIMIT must be a whole number from 1 to 1000, not '%s'",
				    v);
	o->page_limit = n;
	return 0;
}

int letta_new(struct letta **out, const struct letta_opts *opts, struct ls_error *err)
{
	struct letta *api = xcalloc(1, sizeof(*api));
	int ret;

	if ((ret = http_new(&api->http, &opts->http, err)) < 0) {
		free(api);
		return ret;
	}
	api->page_limit = opts->page_limit > 0 ? opts->page_limit : 1000;
	api->project_id = opts->http.project_id && *opts->http.project_id
				  ? xstrdup(opts->http.project_id)
				  : NULL;
	api->has_projects = 1;
	*out = api;
	return 0;
}

static int check_project_id(struct letta *api, const char *slug, const char *id,
			    struct http_req *first, struct ls_error *err);
static void projects_page_req(struct http_req *req, struct letta *api, const char *name,
			      long offset);

int letta_open(struct letta **out, const struct target *t, const struct letta_opts *opts,
	       int resolve_project, struct ls_error *err)
{
	struct letta_opts o = *opts;
	struct letta *api = NULL;
	int ret;

	o.http.base_url = t->base_url ? t->base_url : TARGET_DEFAULT_BASE_URL;
	o.http.project_slug = t->project.slug;
	o.http.project_id = t->project.id;
	if ((ret = letta_new(&api, &o, err)) < 0)
		return ret;
	if (resolve_project && (ret = letta_resolve_target(api, t, err)) < 0) {
		letta_free(api);
		return ret;
	}
	*out = api;
	return 0;
}

int letta_resolve_target(struct letta *api, const struct target *t, struct ls_error *err)
{
	int ret;

	if ((t->project.slug || t->project.id) &&
	    (ret = letta_project_resolve(api, t->project.slug, t->project.id, err)) < 0)
		return ret;
	if (t->project.id &&
	    (ret = check_project_id(api, t->project.slug, t->project.id, NULL, err)) < 0)
		return ret;
	return 0;
}

int letta_resolve_target_begin(struct letta *api, const struct target *t, struct http_req *check,
			       struct ls_error *err)
{
	int ret;

	if (!t->project.id || !*t->project.id)
		return 0;
	/* An id is used as given (no request), as letta_project_resolve() does. */
	if ((ret = letta_project_resolve(api, t->project.slug, t->project.id, err)) < 0)
		return ret;
	projects_page_req(check, api, NULL, 0);
	return 1;
}

int letta_resolve_target_end(struct letta *api, const struct target *t, struct http_req *check,
			     int *rescoped, struct ls_error *err)
{
	int ret = check_project_id(api, t->project.slug, t->project.id, check, err);

	/* A 404 on the project list (self-hosted): nothing is scoped any more. */
	*rescoped = ret == 0 && !letta_project_id(api);
	return ret;
}

void letta_free(struct letta *api)
{
	if (!api)
		return;
	http_free(api->http);
	json_decref(api->guard_cache);
	free(api->project_id);
	free(api);
}

struct http *letta_http(struct letta *api)
{
	return api->http;
}

long letta_page_limit(const struct letta *api)
{
	return api->page_limit;
}

int letta_run(struct letta *api, struct http_req *reqs, size_t n, struct ls_error *err)
{
	return http_run(api->http, reqs, n, err);
}

void letta_set_progress(struct letta *api, letta_progress_fn fn, void *ctx)
{
	api->progress = fn;
	api->progress_ctx = ctx;
}

void letta_progress(struct letta *api, size_t done, size_t total, size_t failed)
{
	if (api->progress)
		api->progress(api->progress_ctx, done, total, failed);
}

/* Runs one request and hands over its JSON (out may be NULL). */
static int run_one(json_t **out, struct letta *api, struct http_req *req, struct ls_error *err)
{
	int ret = http_run1(api->http, req, err);

	if (!ret && out)
		*out = http_req_take_json(req);
	http_req_release(req);
	return ret;
}

/* ---- Paths ---- */

static void add_id(struct buf *path, const char *id)
{
	http_escape(path, id ? id : "");
}

static void add_params(struct buf *path, letta_params params)
{
	if (!params)
		return;
	for (size_t i = 0; params[i]; i += 2) {
		if (!params[i + 1])
			BUG("query parameter '%s' without a value", params[i]);
		http_query_add(path, params[i], params[i + 1]);
	}
}

static int params_have(letta_params params, const char *key)
{
	if (!params)
		return 0;
	for (size_t i = 0; params[i]; i += 2)
		if (!strcmp(params[i], key))
			return 1;
	return 0;
}

static void add_includes(struct buf *path)
{
	for (size_t i = 0; agent_includes[i]; i++)
		http_query_add(path, "include", agent_includes[i]);
}

/* ---- Request builders ---- */

void letta_req_list(struct http_req *req, struct letta *api, enum letta_kind kind,
		    letta_params params)
{
	const struct kind_info *k = kind_info(kind);
	struct buf path = BUF_INIT;

	buf_addstr(&path, k->coll);
	add_params(&path, params);
	if (k->scope == SCOPE_QUERY && api->project_id && !params_have(params, "project_id"))
		http_query_add(&path, "project_id", api->project_id);
	if (kind == LETTA_AGENT && !params_have(params, "include"))
		add_includes(&path);
	http_req_init_take(req, "GET", buf_detach(&path), NULL);
	if (k->paged) {
		req->flags |= HTTP_F_PAGED;
		req->page_limit = api->page_limit;
		/* The tools list drops malformed rows after the limit: only its empty page ends it. */
		if (kind != LETTA_TOOL)
			req->flags |= HTTP_F_SHORT_ENDS;
	}
	if (k->scope == SCOPE_HEADER_ID)
		req->flags |= HTTP_F_PROJECT_ID;
	http_req_what(req, "the %s list", k->name);
}

void letta_req_fetch(struct http_req *req, struct letta *api, enum letta_kind kind,
		     const char *id)
{
	const struct kind_info *k = kind_info(kind);
	struct buf path = BUF_INIT;

	buf_addstr(&path, k->coll);
	add_id(&path, id);
	if (kind == LETTA_AGENT)
		add_includes(&path);
	http_req_init_take(req, "GET", buf_detach(&path), NULL);
	if (k->scope == SCOPE_HEADER_ID)
		req->flags |= HTTP_F_PROJECT_ID;
	http_req_what(req, "%s '%s'", k->name, id ? id : "");
	(void)api;
}

struct guard_ctx {
	struct letta *api;
	enum letta_kind kind;
	letta_match_fn match;
	void *match_ctx;
};

/* Block labels can only be filtered on when they fit ^[a-zA-Z0-9_/-]{1,50}$. */
static int filterable_label(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 50)
		return 0;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '/' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * A list for a guard, shared by every guard of the same pass: when many creates with one label
 * come back ambiguous, one listing serves them all.
 */
static int guard_list(json_t **out, struct letta *api, struct http *h, enum letta_kind kind,
		      letta_params params, struct ls_error *err)
{
	struct http_req req;
	json_t *hit;
	int ret;

	if (!api->guard_cache || api->guard_pass != http_guard_pass(h)) {
		json_decref(api->guard_cache);
		api->guard_cache = json_object();
		api->guard_pass = http_guard_pass(h);
	}
	letta_req_list(&req, api, kind, params);
	if ((hit = json_object_get(api->guard_cache, req.path))) {
		*out = json_incref(hit);
		http_req_release(&req);
		return 0;
	}
	if ((ret = http_run1(api->http, &req, err)) == 0) {
		json_object_set(api->guard_cache, req.path, req.json);
		*out = http_req_take_json(&req);
	}
	http_req_release(&req);
	return ret;
}

/* Lists the objects with the create body's natural key and returns one the matcher accepts. */
static int create_guard(json_t **found, struct http *h, struct http_req *req,
			struct ls_error *err)
{
	struct guard_ctx *g = req->guard_ctx;
	const struct kind_info *k = kind_info(g->kind);
	const char *key = jsonx_get_str(req->body, k->key);
	const char *params[3] = { NULL, NULL, NULL };
	letta_match_fn match = g->match ? g->match : letta_match_marker;
	json_t *items = NULL, *item;
	size_t i;
	int ret;

	*found = NULL;
	if (key && k->key_query && (g->kind != LETTA_BLOCK || filterable_label(key))) {
		params[0] = k->key_query;
		params[1] = key;
	}
	if ((ret = guard_list(&items, g->api, h, g->kind, params[0] ? params : NULL, err)) < 0)
		return ret;
	json_array_foreach(items, i, item) {
		const char *have = jsonx_get_str(item, k->key);

		if (key && (!have || strcmp(have, key)))
			continue;
		if (match(item, req->body, g->match_ctx)) {
			*found = json_incref(item);
			break;
		}
	}
	json_decref(items);
	return 0;
}

/*
 * ---- How every write is settled: the one place ----
 *
 * A write that fails without a clear answer (the connection dropped or was reset, a reused
 * connection turned out dead, a timeout, a 408 or 5xx) may or may not have been applied. What
 * happens next depends only on the route, and is decided here for every route the client
 * writes to, so that no caller picks a retry class of its own:
 *
 *   - idempotent writes (PATCH, attach, the tool and identity upserts, uploads that replace or
 *     skip): sent again (HTTP_RETRY_SAFE);
 *   - removals (DELETE, detach): sent again, and a 404 after a repeat means done
 *     (HTTP_RETRY_REMOVE);
 *   - creates (projects, blocks, agents: a new object on every call; folders, MCP servers,
 *     identities: unique names): settled by re-reading the object by its natural key (project
 *     name, label, name, server_name, identifier_key) and adopting the one that is ours; only
 *     when none exists is the create sent again (HTTP_RETRY_CREATE, HTTP_RETRY_CREATE_UNIQUE
 *     with a guard, see http_guard_fn);
 *   - anything else (an upload that adds a suffix): never repeated once sent.
 *
 * api/http.c applies the class (http_retry_decide()); nothing else repeats a write.
 */
/*
 * THE route table: every write the client sends, as a typed operation (core/plan.h: what the
 * planner emits) with its method, path and retry class. apply, the typed builders below and
 * the diff's request lines all read it; letta_write_class() reads it for a write given as a
 * method and path. In a path, {id}, {parent} and {name} stand for the operation's values.
 */
struct route {
	enum plan_op op;
	enum plan_target target;
	const char *method;
	const char *path;
	enum http_retry_class cls;
	int create;     /* a create settled by a natural-key guard: a letta_kind, ROUTE_PROJECT, or -1 */
	unsigned flags; /* HTTP_F_PROJECT, HTTP_F_PROJECT_ID: the scope headers it sends */
};

/* A create settled by its natural key but not one of enum letta_kind (no list of its own). */
#define ROUTE_PROJECT (-2)
/* The target of the project create, which no plan makes. */
#define TARGET_PROJECT TARGET__COUNT

#define PID HTTP_F_PROJECT_ID
static const struct route routes[] = {
	{ OP_CREATE, TARGET_PROJECT, "POST", "/v1/projects", HTTP_RETRY_CREATE, ROUTE_PROJECT, 0 },
	{ OP_CREATE, TARGET_BLOCK, "POST", "/v1/blocks/", HTTP_RETRY_CREATE, LETTA_BLOCK, 0 },
	{ OP_CREATE, TARGET_AGENT, "POST", "/v1/agents/", HTTP_RETRY_CREATE, LETTA_AGENT,
	  HTTP_F_PROJECT },
	{ OP_CREATE, TARGET_FOLDER, "POST", "/v1/folders/", HTTP_RETRY_CREATE_UNIQUE, LETTA_FOLDER,
	  0 },
	{ OP_CREATE, TARGET_MCP_SERVER, "POST", "/v1/mcp-servers/", HTTP_RETRY_CREATE_UNIQUE,
	  LETTA_MCP_SERVER, 0 },
	{ OP_CREATE, TARGET_IDENTITY, "POST", "/v1/identities/", HTTP_RETRY_CREATE_UNIQUE,
	  LETTA_IDENTITY, HTTP_F_PROJECT | PID },
	/*
	 * A tool is created by the upsert by name (the name comes from its json_schema): a repeat
	 * finds the tool the first one made.
	 */
	{ OP_CREATE, TARGET_TOOL, "PUT", "/v1/tools/", HTTP_RETRY_SAFE, -1, PID },
	/* Upserts by name and by identifier_key. */
	{ OP_UPSERT, TARGET_TOOL, "PUT", "/v1/tools/", HTTP_RETRY_SAFE, -1, PID },
	{ OP_UPSERT, TARGET_IDENTITY, "PUT", "/v1/identities/", HTTP_RETRY_SAFE, -1, PID },
	{ OP_UPDATE, TARGET_BLOCK, "PATCH", "/v1/blocks/{id}", HTTP_RETRY_SAFE, -1, 0 },
	{ OP_UPDATE, TARGET_TOOL, "PATCH", "/v1/tools/{id}", HTTP_RETRY_SAFE, -1, PID },
	{ OP_UPDATE, TARGET_FOLDER, "PATCH", "/v1/folders/{id}", HTTP_RETRY_SAFE, -1, 0 },
	{ OP_UPDATE, TARGET_MCP_SERVER, "PATCH", "/v1/mcp-servers/{id}", HTTP_RETRY_SAFE, -1, 0 },
	{ OP_UPDATE, TARGET_IDENTITY, "PATCH", "/v1/identities/{id}", HTTP_RETRY_SAFE, -1, PID },
	{ OP_UPDATE, TARGET_AGENT, "PATCH", "/v1/agents/{id}", HTTP_RETRY_SAFE, -1, 0 },
	/* Removals: a repeat's 404 means done. */
	{ OP_DELETE, TARGET_BLOCK, "DELETE", "/v1/blocks/{id}", HTTP_RETRY_REMOVE, -1, 0 },
	{ OP_DELETE, TARGET_TOOL, "DELETE", "/v1/tools/{id}", HTTP_RETRY_REMOVE, -1, PID },
	{ OP_DELETE, TARGET_FOLDER, "DELETE", "/v1/folders/{id}", HTTP_RETRY_REMOVE, -1, 0 },
	{ OP_DELETE, TARGET_MCP_SERVER, "DELETE", "/v1/mcp-servers/{id}", HTTP_RETRY_REMOVE, -1,
	  0 },
	{ OP_DELETE, TARGET_IDENTITY, "DELETE", "/v1/identities/{id}", HTTP_RETRY_REMOVE, -1, PID },
	{ OP_DELETE, TARGET_AGENT, "DELETE", "/v1/agents/{id}", HTTP_RETRY_REMOVE, -1, 0 },
	{ OP_DELETE, TARGET_FOLDER_FILE, "DELETE", "/v1/folders/{parent}/{id}", HTTP_RETRY_REMOVE,
	  -1, 0 },
	/* Replacing a file of the same name makes an upload idempotent. */
	{ OP_UPLOAD, TARGET_FOLDER_FILE, "POST",
	  "/v1/folders/{parent}/upload?duplicate_handling=replace&name={name}", HTTP_RETRY_SAFE, -1,
	  0 },
	{ OP_REFRESH, TARGET_MCP_SERVER, "PATCH", "/v1/mcp-servers/{id}/refresh", HTTP_RETRY_SAFE,
	  -1, 0 },
	/*
	 * Attaching is idempotent; detaching twice is a 404 (blocks) or a no-op (the rest): both
	 * mean done on a repeat.
	 */
	{ OP_ATTACH, TARGET_AGENT_BLOCK, "PATCH", "/v1/agents/{parent}/core-memory/blocks/attach/{id}",
	  HTTP_RETRY_SAFE, -1, 0 },
	{ OP_DETACH, TARGET_AGENT_BLOCK, "PATCH", "/v1/agents/{parent}/core-memory/blocks/detach/{id}",
	  HTTP_RETRY_REMOVE, -1, 0 },
	{ OP_ATTACH, TARGET_AGENT_TOOL, "PATCH", "/v1/agents/{parent}/tools/attach/{id}",
	  HTTP_RETRY_SAFE, -1, 0 },
	{ OP_DETACH, TARGET_AGENT_TOOL, "PATCH", "/v1/agents/{parent}/tools/detach/{id}",
	  HTTP_RETRY_REMOVE, -1, 0 },
	{ OP_ATTACH, TARGET_AGENT_FOLDER, "PATCH", "/v1/agents/{parent}/folders/attach/{id}",
	  HTTP_RETRY_SAFE, -1, 0 },
	{ OP_DETACH, TARGET_AGENT_FOLDER, "PATCH", "/v1/agents/{parent}/folders/detach/{id}",
	  HTTP_RETRY_REMOVE, -1, 0 },
	{ OP_ATTACH, TARGET_AGENT_IDENTITY, "PATCH", "/v1/agents/{parent}/identities/attach/{id}",
	  HTTP_RETRY_SAFE, -1, 0 },
	{ OP_DETACH, TARGET_AGENT_IDENTITY, "PATCH", "/v1/agents/{parent}/identities/detach/{id}",
	  HTTP_RETRY_REMOVE, -1, 0 },
};
#undef PID

_Static_assert((int)TARGET_BLOCK == (int)LETTA_BLOCK && (int)TARGET_TOOL == (int)LETTA_TOOL &&
		       (int)TARGET_FOLDER == (int)LETTA_FOLDER &&
		       (int)TARGET_MCP_SERVER == (int)LETTA_MCP_SERVER &&
		       (int)TARGET_IDENTITY == (int)LETTA_IDENTITY &&
		       (int)TARGET_AGENT == (int)LETTA_AGENT,
	       "a plan target of an API kind is that kind");

static const struct route *route_of(enum plan_op op, enum plan_target target)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].op == op && routes[i].target == target)
			return &routes[i];
	BUG("no route for operation %d on target %d", (int)op, (int)target);
}

const char *letta_op_method(enum plan_op op, enum plan_target target)
{
	return route_of(op, target)->method;
}

enum http_retry_class letta_op_class(enum plan_op op, enum plan_target target)
{
	return route_of(op, target)->cls;
}

/* An id in a path: escaped, except a reference the plan resolves before sending ("@self"). */
static void add_op_id(struct buf *b, const char *id)
{
	if (id && id[0] == '@')
		buf_addstr(b, id);
	else
		add_id(b, id);
}

char *letta_op_path(enum plan_op op, enum plan_target target, const char *id,
		    const char *parent, const char *name)
{
	const char *t = route_of(op, target)->path;
	struct buf b = BUF_INIT;

	while (*t) {
		if (!strncmp(t, "{id}", 4)) {
			add_op_id(&b, id);
			t += 4;
		} else if (!strncmp(t, "{parent}", 8)) {
			add_op_id(&b, parent);
			t += 8;
		} else if (!strncmp(t, "{name}", 6)) {
			add_id(&b, name);
			t += 6;
		} else {
			buf_addch(&b, *t++);
		}
	}
	return buf_detach(&b);
}

/* Whether path (without its query, n bytes) fits a route's path ({...} is one segment). */
static int path_fits(const char *tmpl, const char *path, size_t n)
{
	const char *p = path, *end = path + n;

	while (*tmpl && *tmpl != '?') {
		if (*tmpl == '{') {
			const char *close = strchr(tmpl, '}');
			const char *seg = p;

			while (p < end && *p != '/')
				p++;
			if (p == seg || !close)
				return 0;
			tmpl = close + 1;
		} else {
			if (p >= end || *p != *tmpl)
				return 0;
			p++;
			tmpl++;
		}
	}
	return p == end;
}

/* The retry class of an upload: replace and skip make it idempotent, suffix and error not. */
static enum http_retry_class upload_class(const char *path)
{
	const char *q = strchr(path, '?');

	if (q && (strstr(q, "duplicate_handling=replace") || strstr(q, "duplicate_handling=skip")))
		return HTTP_RETRY_SAFE;
	if (q && strstr(q, "duplicate_handling="))
		return HTTP_RETRY_NEVER;
	return HTTP_RETRY_SAFE; /* the server's default is replace */
}

enum http_retry_class letta_write_class(const char *method, const char *path, int *create)
{
	size_t n = strcspn(path, "?");

	*create = -1;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];

		if (strcmp(method, r->method) || !path_fits(r->path, path, n))
			continue;
		*create = r->create;
		/* An upload's class is its duplicate_handling's. */
		return r->op == OP_UPLOAD ? upload_class(path) : r->cls;
	}
	/* Writes outside the table (identity properties, ...): by their method. */
	if (!strcmp(method, "DELETE") || strstr(path, "/detach/"))
		return HTTP_RETRY_REMOVE;
	if (!strcmp(method, "POST") && n > 7 && !strncmp(path + n - 7, "/upload", 7))
		return upload_class(path);
	/* A recompile rebuilds the prompt from the agent's state: the same result each time. */
	if (!strcmp(method, "POST") && n > 10 && !strncmp(path + n - 10, "/recompile", 10))
		return HTTP_RETRY_SAFE;
	if (!strcmp(method, "PATCH") || !strcmp(method, "PUT") || !strcmp(method, "GET"))
		return HTTP_RETRY_SAFE;
	/* A POST we do not know: it may make something each time, so never repeat it blindly. */
	return HTTP_RETRY_NEVER;
}

/* The project a create was meant to make: one with the body's name (as name or slug). */
static int project_guard(json_t **found, struct http *h, struct http_req *req,
			 struct ls_error *err)
{
	struct guard_ctx *g = req->guard_ctx;
	const char *name = jsonx_get_str(req->body, "name");
	json_t *list = NULL, *p;
	size_t i;
	int ret;

	(void)h;
	*found = NULL;
	if (!name)
		return 0;
	if ((ret = letta_projects_list(&list, g->api, NULL, err)) < 0)
		return ret;
	json_array_foreach(list, i, p) {
		const char *have = jsonx_get_str(p, "name");
		const char *slug = jsonx_get_str(p, "slug");

		if ((have && !strcmp(have, name)) || (slug && !strcmp(slug, name))) {
			*found = json_incref(p);
			break;
		}
	}
	json_decref(list);
	return 0;
}

void letta_req_write(struct http_req *req, struct letta *api, const char *method,
		     char *path_take, json_t *body_take, letta_match_fn match, void *match_ctx)
{
	int create;

	http_req_init_take(req, method, path_take, body_take);
	req->retry = letta_write_class(method, path_take, &create);
	if (req->retry == HTTP_RETRY_REMOVE || strstr(req->path, "/detach/") ||
	    strstr(req->path, "/attach/") || strstr(req->path, "/refresh") ||
	    strstr(req->path, "/recompile"))
		req->flags |= HTTP_F_NO_BODY;
	if (create != -1) {
		struct guard_ctx *g = xcalloc(1, sizeof(*g));

		g->api = api;
		/* project_guard() reads only api; kind is for create_guard(). */
		g->kind = create == ROUTE_PROJECT ? LETTA_BLOCK : (enum letta_kind)create;
		g->match = match;
		g->match_ctx = match_ctx;
		req->guard = create == ROUTE_PROJECT ? project_guard : create_guard;
		req->guard_ctx = g;
		req->guard_ctx_free = free;
	}
}

/* The route's request: path, method, retry class, guard and scope headers. */
static void req_route(struct http_req *req, struct letta *api, const struct route *r,
		      const char *id, const char *parent, const char *name, json_t *body_take,
		      letta_match_fn match, void *match_ctx)
{
	letta_req_write(req, api, r->method, letta_op_path(r->op, r->target, id, parent, name),
			body_take, match, match_ctx);
	req->flags |= r->flags;
}

void letta_req_create(struct http_req *req, struct letta *api, enum letta_kind kind,
		      json_t *body, letta_match_fn match, void *match_ctx)
{
	const struct kind_info *k = kind_info(kind);
	const char *key = jsonx_get_str(body, k->key);
	json_t *b;

	if (!json_is_object(body))
		BUG("create without an object body");
	b = json_copy(body);
	if (k->stamp_project && api->project_id && !jsonx_get_str(b, "project_id"))
		json_object_set_new(b, "project_id", json_string(api->project_id));
	req_route(req, api, route_of(OP_CREATE, (enum plan_target)kind), NULL, NULL, NULL, b,
		  match, match_ctx);
	if (key)
		http_req_what(req, "%s '%s'", k->name, key);
	else
		http_req_what(req, "new %s", k->name);
}

void letta_req_update(struct http_req *req, struct letta *api, enum letta_kind kind,
		      const char *id, json_t *body)
{
	const struct kind_info *k = kind_info(kind);

	req_route(req, api, route_of(OP_UPDATE, (enum plan_target)kind), id ? id : "", NULL,
		  NULL, json_incref(body), NULL, NULL);
	http_req_what(req, "%s '%s'", k->name, id ? id : "");
}

void letta_req_delete(struct http_req *req, struct letta *api, enum letta_kind kind,
		      const char *id)
{
	const struct kind_info *k = kind_info(kind);

	req_route(req, api, route_of(OP_DELETE, (enum plan_target)kind), id ? id : "", NULL,
		  NULL, NULL, NULL, NULL);
	http_req_what(req, "%s '%s'", k->name, id ? id : "");
}

/* The target "a <kind> on an agent" (attach, detach), or -1. */
static int agent_target(enum letta_kind kind)
{
	switch (kind) {
	case LETTA_BLOCK:
		return TARGET_AGENT_BLOCK;
	case LETTA_TOOL:
		return TARGET_AGENT_TOOL;
	case LETTA_FOLDER:
		return TARGET_AGENT_FOLDER;
	case LETTA_IDENTITY:
		return TARGET_AGENT_IDENTITY;
	default:
		return -1;
	}
}

void letta_req_attach(struct http_req *req, struct letta *api, const char *agent_id,
		      enum letta_kind kind, const char *id, int attach)
{
	const struct kind_info *k = kind_info(kind);
	int t = agent_target(kind);

	if (t < 0)
		BUG("a %s cannot be attached to an agent", k->name);
	/* The answer is AgentState or null depending on the client kind: never rely on it. */
	req_route(req, api, route_of(attach ? OP_ATTACH : OP_DETACH, (enum plan_target)t),
		  id ? id : "", agent_id ? agent_id : "", NULL, NULL, NULL, NULL);
	http_req_what(req, "%s '%s' on agent '%s'", k->name, id ? id : "",
		      agent_id ? agent_id : "");
}

void letta_req_op(struct http_req *req, struct letta *api, const struct plan_request *op,
		  const char *id, const char *parent, json_t *body_take)
{
	const struct route *r = route_of(op->op, op->target);

	if (op->op == OP_CREATE && op->target <= TARGET_AGENT) {
		/* The typed create: the project stamped, its natural key named in errors. */
		letta_req_create(req, api, (enum letta_kind)op->target,
				 body_take ? body_take : json_object(), NULL, NULL);
		json_decref(body_take);
		return;
	}
	req_route(req, api, r, id, parent, op->name, body_take, NULL, NULL);
	if (op->flags & REQ_PROJECT_HEADER)
		req->flags |= HTTP_F_PROJECT | HTTP_F_PROJECT_ID;
	if (op->upload) {
		const char *name = strstr(req->path, "name=");

		req->upload_file = xstrdup(op->upload);
		req->upload_name = xstrdup(strrchr(op->upload, '/') ? strrchr(op->upload, '/') + 1
								    : op->upload);
		http_req_what(req, "the upload of '%s'", name ? name + 5 : op->upload);
	}
}

/* ---- Generic calls ---- */

int letta_get(json_t **out, struct letta *api, const char *path, const char *what,
	      struct ls_error *err)
{
	struct http_req req;

	http_req_init(&req, "GET", path, NULL);
	if (what)
		http_req_what(&req, "%s", what);
	return run_one(out, api, &req, err);
}

int letta_list_all(json_t **out, struct letta *api, const char *path, struct ls_error *err)
{
	struct http_req req;

	http_req_init(&req, "GET", path, NULL);
	req.flags |= HTTP_F_PAGED;
	req.page_limit = api->page_limit;
	return run_one(out, api, &req, err);
}

int letta_list(json_t **out, struct letta *api, enum letta_kind kind, letta_params params,
	       struct ls_error *err)
{
	struct http_req req;

	letta_req_list(&req, api, kind, params);
	return run_one(out, api, &req, err);
}

int letta_models(json_t **llm, json_t **emb, struct letta *api, struct ls_error *err)
{
	json_t *l = NULL, *e = NULL;
	int ret;

	if ((ret = letta_get(&l, api, "/v1/models/", "the model list", err)) < 0)
		return ret;
	if ((ret = letta_get(&e, api, "/v1/models/embedding", "the embedding model list", err)) <
	    0) {
		json_decref(l);
		return ret;
	}
	if (!json_is_array(l) || !json_is_array(e)) {
		json_decref(l);
		json_decref(e);
		ls_error_where(err, "GET /v1/models/");
		return ls_error_set(err, LS_EAPI, "the server's model lists are not arrays");
	}
	*llm = l;
	*emb = e;
	return 0;
}

int letta_fetch(json_t **out, struct letta *api, enum letta_kind kind, const char *id,
		struct ls_error *err)
{
	struct http_req req;

	letta_req_fetch(&req, api, kind, id);
	return run_one(out, api, &req, err);
}

int letta_create(json_t **out, struct letta *api, enum letta_kind kind, json_t *body,
		 letta_match_fn match, void *match_ctx, struct ls_error *err)
{
	struct http_req req;

	letta_req_create(&req, api, kind, body, match, match_ctx);
	return run_one(out, api, &req, err);
}

int letta_update(json_t **out, struct letta *api, enum letta_kind kind, const char *id,
		 json_t *body, struct ls_error *err)
{
	struct http_req req;

	letta_req_update(&req, api, kind, id, body);
	return run_one(out, api, &req, err);
}

int letta_delete(struct letta *api, enum letta_kind kind, const char *id, struct ls_error *err)
{
	struct http_req req;

	letta_req_delete(&req, api, kind, id);
	return run_one(NULL, api, &req, err);
}

int letta_agent_attach(struct letta *api, const char *agent_id, enum letta_kind kind,
		       const char *id, int attach, struct ls_error *err)
{
	struct http_req req;

	letta_req_attach(&req, api, agent_id, kind, id, attach);
	return run_one(NULL, api, &req, err);
}

/* ---- Ownership markers ---- */

static int subset_object(const json_t *want, const json_t *have)
{
	const char *k;
	json_t *v;

	if (!json_is_object(have))
		return 0;
	json_object_foreach((json_t *)want, k, v) {
		if (!json_equal(v, json_object_get(have, k)))
			return 0;
	}
	return 1;
}

static int array_has(const json_t *arr, const json_t *v)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		if (json_equal(e, v))
			return 1;
	}
	return 0;
}

static int subset_properties(const json_t *want, const json_t *have)
{
	size_t i, j;
	json_t *w, *h;

	if (!json_is_array(have))
		return 0;
	json_array_foreach(want, i, w) {
		int hit = 0;

		json_array_foreach(have, j, h) {
			if (json_equal(json_object_get(w, "key"), json_object_get(h, "key")) &&
			    json_equal(json_object_get(w, "value"), json_object_get(h, "value"))) {
				hit = 1;
				break;
			}
		}
		if (!hit)
			return 0;
	}
	return 1;
}

int letta_match_marker(const json_t *existing, const json_t *wanted, void *ctx)
{
	const json_t *m, *cfg;
	int markers = 0;
	size_t i;
	json_t *e;

	(void)ctx;
	cfg = json_object_get(wanted, "config");
	if (json_is_object(cfg) && jsonx_get_str(wanted, "server_name")) {
		/* MCP servers carry no marker: the same name, type and endpoint is ours. */
		const char *type = jsonx_get_str(cfg, "mcp_server_type");
		const char *url = jsonx_get_str(cfg, "server_url");
		const char *cmd = jsonx_get_str(cfg, "command");
		const char *have_type = jsonx_get_str(existing, "mcp_server_type");

		if (!type || !have_type || strcmp(type, have_type))
			return 0;
		if (url)
			return jsonx_get_str(existing, "server_url") &&
			       !strcmp(url, jsonx_get_str(existing, "server_url"));
		if (cmd)
			return jsonx_get_str(existing, "command") &&
			       !strcmp(cmd, jsonx_get_str(existing, "command"));
		return 0;
	}
	m = json_object_get(wanted, "metadata");
	if (json_is_object(m) && json_object_size(m)) {
		markers++;
		if (!subset_object(m, json_object_get(existing, "metadata")))
			return 0;
	}
	m = json_object_get(wanted, "metadata_");
	if (json_is_object(m) && json_object_size(m)) {
		markers++;
		if (!subset_object(m, json_object_get(existing, "metadata_")))
			return 0;
	}
	m = json_object_get(wanted, "tags");
	if (json_is_array(m) && json_array_size(m)) {
		markers++;
		json_array_foreach(m, i, e) {
			if (!array_has(json_object_get(existing, "tags"), e))
				return 0;
		}
	}
	m = json_object_get(wanted, "properties");
	if (json_is_array(m) && json_array_size(m)) {
		markers++;
		if (!subset_properties(m, json_object_get(existing, "properties")))
			return 0;
	}
	return markers > 0;
}

/* ---- Projects ---- */

/* The request for the project list's page at offset (a name filter optional). */
static void projects_page_req(struct http_req *req, struct letta *api, const char *name,
			      long offset)
{
	struct buf path = BUF_INIT;

	buf_addstr(&path, "/v1/projects");
	http_query_add(&path, "name", name);
	/*
	 * offset is oneOf [string, number] in the spec: any number matches both branches, so a
	 * validating proxy refuses it (issue 20). The first page (offset 0, the default) goes
	 * without it; later pages cannot, and only a project list longer than one page needs them.
	 */
	if (offset > 0)
		http_query_addl(&path, "offset", offset);
	/* Offset paging with hasNextPage; the cloud route types limit as a string. */
	http_query_addl(&path, "limit",
			api->page_limit > HTTP_PAGE_FALLBACK ? HTTP_PAGE_FALLBACK : api->page_limit);
	http_req_init_take(req, "GET", buf_detach(&path), NULL);
	http_req_what(req, "the project list");
}

/*
 * letta_projects_list(); first, when not NULL, is the first page's request (projects_page_req()
 * at offset 0), already run by the caller: its answer or error is taken as run_one() would
 * have given it, and it is released.
 */
static int projects_list(json_t **out, struct letta *api, const char *name,
			 struct http_req *first, struct ls_error *err)
{
	json_t *all = json_array();
	struct http_pager pg = HTTP_PAGER_INIT;
	long offset = 0;
	int ret = 0;

	pg.max_pages = http_get_opts(api->http)->max_pages;
	for (;;) {
		struct http_req req;
		json_t *page = NULL, *items;
		int more;

		if (first) {
			if ((ret = first->ret) < 0) {
				if (err)
					*err = first->err;
			} else {
				page = http_req_take_json(first);
			}
			http_req_release(first);
			first = NULL;
		} else {
			projects_page_req(&req, api, name, offset);
			ret = run_one(&page, api, &req, err);
		}
		if (ret < 0)
			break;
		items = json_object_get(page, "projects");
		if (!json_is_array(items)) {
			json_decref(page);
			ret = ls_error_set(err, LS_EAPI, "the project list has no 'projects' array");
			ls_error_where(err, "GET /v1/projects");
			break;
		}
		/* A server that repeats a page or never ends is an error, not a loop (issue 20). */
		if ((ret = http_pager_step(&pg, items, "the project list", err)) < 0) {
			json_decref(page);
			ls_error_where(err, "GET /v1/projects");
			break;
		}
		json_array_extend(all, items);
		more = jsonx_get_bool(page, "hasNextPage", 0) && json_array_size(items) > 0;
		offset += (long)json_array_size(items);
		json_decref(page);
		if (!more)
			break;
	}
	http_pager_release(&pg);
	if (ret < 0) {
		json_decref(all);
		return ret;
	}
	*out = all;
	return 0;
}

int letta_projects_list(json_t **out, struct letta *api, const char *name, struct ls_error *err)
{
	return projects_list(out, api, name, NULL, err);
}

int letta_project_create(json_t **out, struct letta *api, const char *name, struct ls_error *err)
{
	struct http_req req;

	letta_req_write(&req, api, "POST", xstrdup("/v1/projects"), json_pack("{ss}", "name", name),
			NULL, NULL);
	http_req_what(&req, "project '%s'", name);
	return run_one(out, api, &req, err);
}

/* The id of the project with this slug (or, without slugs, this name); borrowed from list. */
static const char *find_project(const json_t *list, const char *slug)
{
	size_t i;
	json_t *p;

	json_array_foreach(list, i, p) {
		const char *s = jsonx_get_str(p, "slug");
		const char *name = jsonx_get_str(p, "name");

		if ((s && !strcmp(s, slug)) || (!s && name && !strcmp(name, slug)))
			return jsonx_get_str(p, "id");
	}
	return NULL;
}

/* Scopes api to project id (slug may be NULL), or to none when id is NULL. */
static void set_project(struct letta *api, const char *slug, const char *id)
{
	char *copy = id ? xstrdup(id) : NULL;

	free(api->project_id);
	api->project_id = copy;
	http_set_project(api->http, id ? slug : NULL, id);
}

/*
 * A 404 from the project list: a self-hosted server, which has no projects, so nothing is
 * scoped. Clears err.
 */
static void set_no_projects(struct letta *api, struct ls_error *err)
{
	ls_error_clear(err);
	api->has_projects = 0;
	set_project(api, NULL, NULL);
}

int letta_project_resolve(struct letta *api, const char *slug, const char *id,
			  struct ls_error *err)
{
	json_t *list = NULL;
	const char *found = NULL;
	int ret;

	if (slug && !*slug)
		slug = NULL;
	if (id && *id) {
		set_project(api, slug, id);
		return 0;
	}
	if (!slug) {
		set_project(api, NULL, NULL);
		return 0;
	}
	ret = letta_projects_list(&list, api, slug, err);
	if (ret == LS_ENOTFOUND && err && err->http_status == 404) {
		set_no_projects(api, err);
		return 0;
	}
	if (ret < 0)
		return ret;
	found = find_project(list, slug);
	if (!found) {
		/* The name filter matches names; a slug can differ ("Demo Project", "demo-project"). */
		json_decref(list);
		list = NULL;
		if ((ret = letta_projects_list(&list, api, NULL, err)) < 0)
			return ret;
		found = find_project(list, slug);
	}
	if (!found) {
		json_decref(list);
		ls_error_clear(err);
		ret = ls_error_set(err, LS_ENOTFOUND, "project '%s' not found", slug);
		ls_error_where(err, "GET /v1/projects");
		ls_error_hint(err, "create it with 'letta-sync projects create %s', or check --project", slug);
		return ret;
	}
	set_project(api, slug, found);
	json_decref(list);
	return 0;
}

/*
 * A project named by id (alone or as slug:id) must be one the server knows, and its slug is what
 * every later step names the project by (markers, the inventory, X-Project), so that slug, id
 * and slug:id reach the same objects. Refused before any write: an id the server does not know
 * (LS_ENOTFOUND, naming it), and a slug:id whose parts name different projects (LS_EUSAGE). A
 * self-hosted server (404) has no projects at all.
 */
static int check_project_id(struct letta *api, const char *slug, const char *id,
			    struct http_req *first, struct ls_error *err)
{
	json_t *list = NULL, *p, *hit = NULL;
	size_t i;
	int ret = projects_list(&list, api, NULL, first, err);

	if (ret == LS_ENOTFOUND && err && err->http_status == 404) {
		set_no_projects(api, err);
		return 0;
	}
	if (ret < 0)
		return ret;
	json_array_foreach(list, i, p) {
		const char *pid = jsonx_get_str(p, "id");

		if (pid && !strcmp(pid, id)) {
			hit = p;
			break;
		}
	}
	if (!hit) {
		json_decref(list);
		ret = ls_error_set(err, LS_ENOTFOUND, "project id '%s' not found on the server", id);
		ls_error_where(err, "GET /v1/projects");
		ls_error_hint(err, "'letta-sync projects list' shows the projects and their ids; check --project");
		return ret;
	}
	if (slug && *slug) {
		const char *have = jsonx_get_str(hit, "slug");

		if (!have || strcmp(have, slug)) {
			ret = ls_error_set(err, LS_EUSAGE, "project '%s:%s': id '%s' is the project '%s', not '%s'",
					   slug, id, id, have ? have : "(no slug)", slug);
			ls_error_hint(err, "give the slug or the id alone, or the pair that 'letta-sync projects list' shows");
			json_decref(list);
			return ret;
		}
	} else if (jsonx_get_str(hit, "slug")) {
		http_set_project(api->http, jsonx_get_str(hit, "slug"), id);
	}
	json_decref(list);
	return 0;
}

const char *letta_project_slug(const struct letta *api)
{
	return http_get_opts(api->http)->project_slug;
}

const char *letta_project_id(const struct letta *api)
{
	return api->project_id;
}

int letta_has_projects(const struct letta *api)
{
	return api->has_projects;
}

/* ---- Kind-specific ---- */

int letta_block_templates(json_t **out, struct letta *api, const char *template_name,
			  struct ls_error *err)
{
	const char *params[] = { "templates_only", "true", template_name ? "name" : NULL,
				 template_name, NULL };

	return letta_list(out, api, LETTA_BLOCK, params, err);
}

/* A paged sub-list such as /v1/agents/{id}/tools. */
static int sub_list(json_t **out, struct letta *api, const char *prefix, const char *id,
		    const char *suffix, int includes, const char *what, struct ls_error *err)
{
	struct buf path = BUF_INIT;
	struct http_req req;

	buf_addstr(&path, prefix);
	add_id(&path, id);
	buf_addstr(&path, suffix);
	if (includes)
		add_includes(&path);
	http_req_init_take(&req, "GET", buf_detach(&path), NULL);
	req.flags |= HTTP_F_PAGED;
	req.page_limit = api->page_limit;
	http_req_what(&req, what, id);
	return run_one(out, api, &req, err);
}

int letta_block_agents(json_t **out, struct letta *api, const char *block_id,
		       struct ls_error *err)
{
	return sub_list(out, api, "/v1/blocks/", block_id, "/agents", 1, "block '%s'", err);
}

int letta_agent_blocks(json_t **out, struct letta *api, const char *agent_id,
		       struct ls_error *err)
{
	return sub_list(out, api, "/v1/agents/", agent_id, "/core-memory/blocks", 0, "agent '%s'",
			err);
}

int letta_agent_tools(json_t **out, struct letta *api, const char *agent_id,
		      struct ls_error *err)
{
	return sub_list(out, api, "/v1/agents/", agent_id, "/tools", 0, "agent '%s'", err);
}

int letta_agent_folders(json_t **out, struct letta *api, const char *agent_id,
			struct ls_error *err)
{
	return sub_list(out, api, "/v1/agents/", agent_id, "/folders", 0, "agent '%s'", err);
}

int letta_folder_files(json_t **out, struct letta *api, const char *folder_id,
		       struct ls_error *err)
{
	return sub_list(out, api, "/v1/folders/", folder_id, "/files", 0, "folder '%s'", err);
}

int letta_folder_agents(json_t **out, struct letta *api, const char *folder_id,
			struct ls_error *err)
{
	return sub_list(out, api, "/v1/folders/", folder_id, "/agents", 0, "folder '%s'", err);
}

int letta_tags_list(json_t **out, struct letta *api, const char *name, struct ls_error *err)
{
	struct buf path = BUF_INIT;
	struct http_req req;

	buf_addstr(&path, "/v1/tags/");
	http_query_add(&path, "name", name);
	http_req_init_take(&req, "GET", buf_detach(&path), NULL);
	req.flags |= HTTP_F_PAGED;
	req.page_limit = api->page_limit;
	http_req_what(&req, "the tag list");
	return run_one(out, api, &req, err);
}

int letta_tool_upsert(json_t **out, struct letta *api, json_t *body, struct ls_error *err)
{
	return letta_create(out, api, LETTA_TOOL, body, NULL, NULL, err);
}

int letta_identity_set_properties(json_t **out, struct letta *api, const char *id,
				  json_t *properties, struct ls_error *err)
{
	struct buf path = BUF_INIT;
	struct http_req req;

	buf_addstr(&path, "/v1/identities/");
	add_id(&path, id);
	buf_addstr(&path, "/properties");
	letta_req_write(&req, api, "PUT", buf_detach(&path), json_incref(properties), NULL, NULL);
	req.flags |= HTTP_F_PROJECT_ID;
	http_req_what(&req, "identity '%s'", id);
	return run_one(out, api, &req, err);
}

int letta_mcp_server_tools(json_t **out, struct letta *api, const char *id,
			   struct ls_error *err)
{
	struct buf path = BUF_INIT;
	struct http_req req;

	buf_addstr(&path, "/v1/mcp-servers/");
	add_id(&path, id);
	buf_addstr(&path, "/tools");
	http_req_init_take(&req, "GET", buf_detach(&path), NULL);
	http_req_what(&req, "MCP server '%s'", id);
	return run_one(out, api, &req, err);
}

int letta_mcp_server_refresh(struct letta *api, const char *id, struct ls_error *err)
{
	struct buf path = BUF_INIT;
	struct http_req req;

	buf_addstr(&path, "/v1/mcp-servers/");
	add_id(&path, id);
	buf_addstr(&path, "/refresh");
	letta_req_write(&req, api, "PATCH", buf_detach(&path), NULL, NULL, NULL);
	http_req_what(&req, "MCP server '%s'", id);
	return run_one(NULL, api, &req, err);
}

void letta_req_recompile(struct http_req *req, struct letta *api, const char *agent_id)
{
	struct buf path = BUF_INIT;

	buf_addstr(&path, "/v1/agents/");
	add_id(&path, agent_id);
	buf_addstr(&path, "/recompile");
	letta_req_write(req, api, "POST", buf_detach(&path), NULL, NULL, NULL);
	http_req_what(req, "agent '%s'", agent_id);
}

int letta_folder_upload(json_t **out, struct letta *api, const char *folder_id, const char *file,
			const char *name, const char *duplicate_handling, struct ls_error *err)
{
	struct buf path = BUF_INIT;
	struct http_req req;
	const char *base = strrchr(file, '/');

	if (!name)
		name = base ? base + 1 : file;
	if (!duplicate_handling)
		duplicate_handling = "replace";
	buf_addstr(&path, "/v1/folders/");
	add_id(&path, folder_id);
	buf_addstr(&path, "/upload");
	http_query_add(&path, "duplicate_handling", duplicate_handling);
	http_query_add(&path, "name", name);
	letta_req_write(&req, api, "POST", buf_detach(&path), NULL, NULL, NULL);
	req.upload_file = xstrdup(file);
	req.upload_name = xstrdup(name);
	http_req_what(&req, "file '%s' in folder '%s'", name, folder_id);
	return run_one(out, api, &req, err);
}

int letta_folder_file_delete(struct letta *api, const char *folder_id, const char *file_id,
			     struct ls_error *err)
{
	struct buf path = BUF_INIT;
	struct http_req req;

	/* There is no "files/" segment in this path. */
	buf_addstr(&path, "/v1/folders/");
	add_id(&path, folder_id);
	buf_addch(&path, '/');
	add_id(&path, file_id);
	letta_req_write(&req, api, "DELETE", buf_detach(&path), NULL, NULL, NULL);
	http_req_what(&req, "file '%s' in folder '%s'", file_id, folder_id);
	return run_one(NULL, api, &req, err);
}

/* ---- Agent files ---- */

void letta_req_export(struct http_req *req, struct letta *api, const char *agent_id)
{
	struct buf path = BUF_INIT;

	(void)api;
	buf_addstr(&path, "/v1/agents/");
	add_id(&path, agent_id);
	buf_addstr(&path, "/export");
	http_req_init_take(req, "GET", buf_detach(&path), NULL);
	http_req_what(req, "the agent file of agent '%s'", agent_id);
}

int letta_export_doc(json_t **out, struct http_req *req, const char *agent_id,
		     struct ls_error *err)
{
	json_t *doc = http_req_take_json(req);

	if (json_is_string(doc)) {
		json_t *parsed = json_loads(json_string_value(doc), 0, NULL);

		json_decref(doc);
		doc = parsed;
	}
	if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "agents"))) {
		json_decref(doc);
		return ls_error_set(err, LS_EAPI,
				    "the export of agent '%s' is not an agent file (no \"agents\")",
				    agent_id);
	}
	*out = doc;
	return 0;
}

int letta_agent_export(json_t **out, struct letta *api, const char *agent_id,
		       struct ls_error *err)
{
	struct http_req req;
	int ret;

	letta_req_export(&req, api, agent_id);
	if ((ret = http_run1(api->http, &req, err)) == 0)
		ret = letta_export_doc(out, &req, agent_id, err);
	http_req_release(&req);
	return ret;
}

int letta_agent_import(json_t **out, struct letta *api, const char *path, const char *name,
		       struct ls_error *err)
{
	struct http_req req;
	json_t *ans = NULL, *ids;
	int ret;

	http_req_init_take(&req, "POST", xstrdup("/v1/agents/import"), NULL);
	req.upload_file = xstrdup(path);
	req.upload_name = xstrdup("agent.af");
	req.upload_fields = json_object();
	if (name)
		json_object_set_new(req.upload_fields, "name", json_string(name));
	json_object_set_new(req.upload_fields, "override_existing_tools", json_string("false"));
	req.flags |= HTTP_F_PROJECT;
	req.retry = HTTP_RETRY_NEVER;
	http_req_what(&req, "the import of agent '%s'", name ? name : path);
	if ((ret = run_one(&ans, api, &req, err)) < 0)
		return ret;
	ids = json_object_get(ans, "agent_ids");
	if (!json_is_array(ids) || !json_array_size(ids) ||
	    !json_is_string(json_array_get(ids, 0))) {
		json_decref(ans);
		return ls_error_set(err, LS_EAPI, "the import answered no agent_ids");
	}
	*out = json_incref(ids);
	json_decref(ans);
	return 0;
}

/* ---- Remote state ---- */

int letta_remote_fetch(struct letta_remote *out, struct letta *api, struct ls_error *err)
{
	static const char *const templates[] = { "templates_only", "true", NULL };
	struct http_req reqs[7];
	int ret;

	letta_req_list(&reqs[0], api, LETTA_BLOCK, NULL);
	letta_req_list(&reqs[1], api, LETTA_BLOCK, templates);
	http_req_what(&reqs[1], "the block template list");
	letta_req_list(&reqs[2], api, LETTA_TOOL, NULL);
	letta_req_list(&reqs[3], api, LETTA_FOLDER, NULL);
	letta_req_list(&reqs[4], api, LETTA_MCP_SERVER, NULL);
	letta_req_list(&reqs[5], api, LETTA_IDENTITY, NULL);
	letta_req_list(&reqs[6], api, LETTA_AGENT, NULL);
	ret = http_run(api->http, reqs, 7, err);
	if (!ret) {
		letta_remote_release(out);
		out->blocks = http_req_take_json(&reqs[0]);
		out->block_templates = http_req_take_json(&reqs[1]);
		out->tools = http_req_take_json(&reqs[2]);
		out->folders = http_req_take_json(&reqs[3]);
		out->mcp_servers = http_req_take_json(&reqs[4]);
		out->identities = http_req_take_json(&reqs[5]);
		out->agents = http_req_take_json(&reqs[6]);
	}
	for (size_t i = 0; i < 7; i++)
		http_req_release(&reqs[i]);
	return ret;
}

void letta_remote_release(struct letta_remote *r)
{
	if (!r)
		return;
	json_decref(r->blocks);
	json_decref(r->block_templates);
	json_decref(r->tools);
	json_decref(r->folders);
	json_decref(r->mcp_servers);
	json_decref(r->identities);
	json_decref(r->agents);
	memset(r, 0, sizeof(*r));
}
