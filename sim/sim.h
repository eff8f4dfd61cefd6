#ifndef LS_SIM_SIM_H
#define LS_SIM_SIM_H

/*
 * letta-sim: an offline Letta API server written from the API contract (the digest,
 * docs/contract/letta-api.md, and tests/fixtures/letta-api/openapi.json). Everything the
 * resource files share lives here: the request and response a handler sees, the store (all
 * state, behind one mutex held by server.c while a handler runs), paging, validation and the
 * error shapes of digest section 2.1.
 */

#include <jansson.h>
#include <stddef.h>

#include "util/buf.h"

struct MHD_Connection;

/*
 * The self-hosted server's default organization and user (letta/constants.py DEFAULT_ORG_ID,
 * letta/services/user_manager.py DEFAULT_USER_ID): the ids its error texts and objects carry.
 */
#define SIM_ORG_ID "org-00000000-0000-4000-8000-000000000000"
#define SIM_USER_ID "user-00000000-0000-4000-8000-000000000000"

/* ---- options and fault knobs (server.c reads them under the store lock) ---- */

struct sim_faults {
	double error_rate;
	double throttle_rate;
	double drop_rate;
	double lost_reply_rate;
	double conflict_rate;
	long latency_ms;
	long jitter_ms;
	long retry_after_s;
	long max_page; /* 0 = no cap */
	long max_limit; /* 0 = none; a larger list limit is refused with a 422 */
	long connect_latency_ms; /* added once per new connection, on its first API request */
	unsigned long long seed;
	/*
	 * The routes the rates apply to, as "\nMETHOD /route/{template}\n..." ("" = every route);
	 * a fixed buffer so that a request's copy of the knobs owns it.
	 */
	char routes[2048];
};

struct sim_opts {
	int port;
	const char *api_key;    /* NULL = no auth */
	const char *state_path; /* NULL = memory only */
	const char *tls_cert;   /* PEM files: with both, the server speaks HTTPS only */
	const char *tls_key;
	const char *models_path; /* --models: replaces the built-in model lists */
	int mcp_allow_private;   /* --mcp-allow-private: connect to MCP servers on private addresses */
	struct sim_faults faults;
};

/* ---- request and response ---- */

struct qarg {
	char *key;
	char *val; /* "" when the argument had no '=' */
};

struct route;

struct sim_req {
	const char *method;
	const char *path; /* decoded path, no query */
	struct MHD_Connection *conn;
	const struct route *route;
	char *params[4]; /* captured path parameters, in template order */
	size_t nparams;
	struct qarg *args; /* query arguments in order, repeats kept */
	size_t nargs;
	struct buf body;
	json_t *json;      /* the parsed body; NULL when empty */
	int body_bad;      /* the body was present but not JSON */
	int v1_client;     /* digest 1.2: a "1.0 client" */
	const char *x_project;    /* X-Project header (a slug) or NULL */
	const char *x_project_id; /* X-Project-Id header or NULL */
	const char *content_type;
};

struct sim_resp {
	int status;
	char *body; /* malloc'd; NULL = empty body */
	const char *content_type;
	char location[1024];
	char retry_after[32];
	const char *upload_result; /* X-Upload-Result */
	size_t body_len;           /* bytes of body when binary; 0 = strlen(body) */
	char ctype[128];           /* a content type not known in advance (git's CGI) */
	int no_cache;              /* Cache-Control: no-cache (git's CGI asked for it) */
	int www_auth;              /* WWW-Authenticate: Basic (a 401 on a git route) */
};

typedef void (*sim_handler)(struct sim_req *rq, struct sim_resp *rs);

/* Path parameter i of the route (borrowed). */
const char *req_param(const struct sim_req *rq, size_t i);
/* First query value of key, or NULL. */
const char *req_arg(const struct sim_req *rq, const char *key);
/*
 * Every value of a repeated query key into a new JSON array of strings; with split_commas, a
 * value "a,b" counts as two (digest section 1 "Query arrays").
 */
json_t *req_args_all(const struct sim_req *rq, const char *key, int split_commas);
/* A request header (borrowed) or NULL. */
const char *req_header(const struct sim_req *rq, const char *name);

/* ---- responses: every helper sets status and body, replacing what was there ---- */

void resp_json_take(struct sim_resp *rs, int status, json_t *body);
void resp_null(struct sim_resp *rs);
void resp_empty(struct sim_resp *rs, int status);
__attribute__((format(printf, 3, 4))) void resp_detail(struct sim_resp *rs, int status,
						       const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void resp_message(struct sim_resp *rs, int status,
							const char *fmt, ...);
/*
 * A pydantic 422 (digest 2.1): {"trace_id":"","detail":"[{'type': ..., 'loc': (...), ...}]"}
 * with detail the Python repr of the error list. loc is "body", "query" or "path"; name may
 * be NULL (the whole body); input may be NULL (repr'd as {}). examples (taken) may be NULL.
 */
void resp_422(struct sim_resp *rs, const char *type, const char *loc, const char *name,
	      const char *msg, const json_t *input, json_t *examples_take);
/* 404 {"detail": "<What> with id '<id>' not found"} as the server's NoResultFound does. */
void resp_not_found(struct sim_resp *rs, const char *what, const char *id);
/* 404 with the ORM's "<Model> not found with id='['<id>']', ..." (routes without their own text). */
void resp_orm_not_found(struct sim_resp *rs, const char *model, const char *id);
struct coll;
/* The stored object with this id in c, or NULL after resp_orm_not_found(rs, model, id). */
json_t *coll_find_or_404(struct sim_resp *rs, const struct coll *c, const char *model,
			 const char *id);
/* 409 with the ORM's unique-constraint text: cols "a, b", vals "x, y". */
void resp_unique(struct sim_resp *rs, const char *model, const char *constraint,
		 const char *cols, const char *vals);
/* 409 with the ORM's foreign-key text. */
void resp_foreign_key(struct sim_resp *rs, const char *model, const char *table,
		      const char *col, const char *val, const char *ref_table);

/* Python repr of a JSON value, as pydantic prints "input". */
void py_repr(struct buf *out, const json_t *v);

/* ---- body and query validation; each returns 0 or -1 after writing a 422 ---- */

enum fld_type {
	F_STR = 1,
	F_INT,
	F_NUM,
	F_BOOL,
	F_OBJ,
	F_ARR,     /* any array */
	F_ARR_STR, /* array of strings */
	F_ANY,
};

enum fld_flags {
	F_REQUIRED = 1 << 0,
	F_NULLABLE = 1 << 1,
};

struct fld {
	const char *key;
	enum fld_type type;
	unsigned flags;
};

/*
 * Checks rq->json against a NULL-terminated field table. A missing or non-object body is a
 * 422; with strict, unknown keys are 422 extra_forbidden (additionalProperties:false).
 * Absent body with no required fields is accepted as {}.
 */
int body_check(struct sim_req *rq, struct sim_resp *rs, const struct fld *fields, int strict);
/* The same checks on any object (nested bodies such as memory_blocks[i]). */
int json_check(struct sim_resp *rs, const json_t *obj, const struct fld *fields, int strict);
/* Checks one JSON value against a field description. */
int value_check(struct sim_resp *rs, const json_t *v, const struct fld *f);
/* Query helpers: parse or write a 422 and return -1. */
int query_int(struct sim_req *rq, struct sim_resp *rs, const char *key, long def, long *out);
int query_bool(struct sim_req *rq, struct sim_resp *rs, const char *key, int def, int *out);
/* A query string matching a pattern class and length; NULL out when absent. */
int query_str(struct sim_req *rq, struct sim_resp *rs, const char *key, const char *charset,
	      size_t minlen, size_t maxlen, const char **out);

/* ---- paging (digest section 3) ---- */

struct page {
	const char *after;
	const char *before;
	long limit;
	int desc;
	const char *order_by; /* "created_at" unless said otherwise */
};

/*
 * Reads limit, after, before, order and order_by from the query, with the endpoint's defaults.
 * order_by_allowed is a NULL-terminated list (first = default). Writes a 422 on bad values.
 */
int page_parse(struct page *out, struct sim_req *rq, struct sim_resp *rs, long def_limit,
	       int def_desc, const char *const *order_by_allowed);
/*
 * Sorts items (objects with "id" and "_seq") in the page's order and keeps the window:
 * exclusive cursors by id (an unknown cursor is ignored, digest section 3), then limit.
 * Returns a new array of borrowed-then-increfed items.
 */
json_t *page_apply(json_t *items_take, const struct page *pg);

/* ---- the store ---- */

struct coll {
	json_t **v; /* owned references, in creation order (ascending _seq) */
	size_t n;
	size_t alloc;
	json_t *index; /* id -> the same objects, for coll_find(); NULL until the first add */
};

struct store {
	struct coll projects;
	struct coll agents;
	struct coll blocks;
	struct coll tools;
	struct coll folders;
	struct coll files;
	struct coll identities;
	struct coll mcp_servers;
	unsigned long long next_seq;
	long long last_us; /* last timestamp handed out, so that created_at is strictly increasing */
	struct sim_faults faults;
};

extern struct store g_store;
extern struct sim_opts g_opts;

void store_init(void);
void store_release(void);
/* Empties every collection; keeps the fault knobs. */
void store_reset(void);
/* Takes obj, stamps "_seq", appends; returns obj (borrowed). */
json_t *coll_add_take(struct coll *c, json_t *obj);
json_t *coll_find(const struct coll *c, const char *id);
json_t *coll_find_by(const struct coll *c, const char *key, const char *val);
/* Removes and drops the item with this id; returns 1 when found. */
int coll_remove(struct coll *c, const char *id);
/* New array of every item (increfed), for filtering. */
json_t *coll_all(const struct coll *c);
/* New array of the items (increfed) whose string array rel holds id ("_blocks", "agent_ids"). */
json_t *coll_having(const struct coll *c, const char *rel, const char *id);
/* New array of the items (increfed) with these ids, in their order; unknown ids are skipped. */
json_t *coll_pick(const struct coll *c, const json_t *ids);
/* SplitMix64's finalizer: ids and fault draws derive from (seed, counter) through it. */
unsigned long long splitmix64(unsigned long long x);

/* "<prefix>-<uuid4>", deterministic from (seed, sequence); caller frees. */
char *store_new_id(const char *prefix);
/* A bare uuid4 (project ids). */
char *store_new_uuid(void);
/* Now as an ISO-8601 UTC string, strictly increasing; caller frees. */
char *store_now_iso(void);
/* "^<prefix>-<uuid4>$" with the exact length (digest section 1 "IDs"). */
int id_valid(const char *prefix, const char *id);

/* The collections as JSON (state.c adds the MemFS repositories), and back. */
json_t *store_dump(void);
int store_load_json(const json_t *st, struct buf *err);

/* A member, or JSON null when absent (borrowed). */
json_t *obj_or_null(const json_t *obj, const char *key);
/* A copy of obj without the internal "_..." keys. */
json_t *obj_public(const json_t *obj);
/* Helpers on JSON string arrays used as sets. */
int strarr_has(const json_t *arr, const char *s);
void strarr_add(json_t *arr, const char *s);
int strarr_remove(json_t *arr, const char *s);
int ci_contains(const char *hay, const char *needle);

/* ---- state.c: the store and the MemFS repositories together ---- */

/* Empties every collection and repository (admin reset); keeps the fault knobs. */
void state_reset(void);
/* The whole state as JSON (the --state file shape), and back. */
json_t *state_dump(void);
int state_load_json(const json_t *st, struct buf *err);
int state_save_file(const char *path, struct buf *err);
int state_load_file(const char *path, struct buf *err);

/* ---- render.c: the JSON an object is served as (resources render each other) ---- */

json_t *block_render(const json_t *b);
json_t *tool_render(const json_t *t);
/* Folder (the /v1/folders routes) and Source (AgentState.sources: Folder + vector_db_provider). */
json_t *folder_render(const json_t *f);
json_t *source_render(const json_t *f);
json_t *identity_render(const json_t *i);
enum agent_incl {
	INC_TAGS = 1 << 0,
	INC_BLOCKS = 1 << 1,
	INC_TOOLS = 1 << 2,
	INC_SOURCES = 1 << 3,
	INC_IDENTITIES = 1 << 4,
	INC_SECRETS = 1 << 5,
	INC_ALL = 0xff,
};
json_t *agent_render(const json_t *a, unsigned incl);
/* The include set for a read: digest 1.2; -1 after a 422 on a bad include value. */
int agent_includes(struct sim_req *rq, struct sim_resp *rs, unsigned *out);
/* Pages items (taken; stored objects) and answers 200 with the page, each one rendered. */
void resp_page(struct sim_resp *rs, json_t *items_take, const struct page *pg,
	       json_t *(*render)(const json_t *));
/* The same for agents, rendered with an include set. */
void resp_page_agents(struct sim_resp *rs, json_t *items_take, const struct page *pg,
		      unsigned incl);
/* ---- links.c: what more than one resource file does to the store ---- */

/* Removes an id from one relation list of every agent (cascade on delete). */
void agents_unlink(const char *rel, const char *id);
/*
 * PATCH /v1/{agents|blocks}/{id}/identities/{attach|detach}/{identity_id}: adds (attach) or
 * removes the route's first parameter in the id list KEY ("agent_ids", "block_ids") of the
 * identity its second names. Returns the identity, or NULL after a 404 naming it.
 */
json_t *identity_link(struct sim_req *rq, struct sim_resp *rs, const char *key, int attach);
/* Validates the request's CreateBlock body; -1 after an error reply. */
int block_body_check(struct sim_req *rq, struct sim_resp *rs);
/* Validates a CreateBlock body (memory_blocks[i]); -1 after a 422. */
int block_create_check(struct sim_req *rq, struct sim_resp *rs, const json_t *body);
/* Creates a block from a validated CreateBlock body; returns it (borrowed). */
json_t *block_create_from(const json_t *body, const char *project_id);
/* Validates a BlockUpdate body and applies it (null = unchanged); -1 after an error reply. */
int block_update(json_t *b, struct sim_req *rq, struct sim_resp *rs);
/* A new tool object of this name and type with the server's defaults (not stored). */
json_t *tool_new(const char *name, const char *type);
/* Creates the built-in tools that are missing. */
void tools_ensure_builtins(void);
/* Appends the ids of the tools include_base_tools attaches, creating them when missing. */
void tools_base_ids(json_t *out_ids);
/* A new project (stored; borrowed). */
json_t *project_new(const char *name, const char *slug);
/* The slug's project, created on first use; returns its id (borrowed). */
const char *project_resolve_slug(const char *slug);

/* ---- request.c: multipart bodies ---- */

/*
 * The multipart/form-data part named field: data and len point into the body; returns its
 * filename ("upload" when none; caller frees) or NULL when the part is absent.
 */
char *sim_multipart(const struct sim_req *rq, const char *field, const char **data, size_t *len);

/* ---- catalog.c: the model lists (built-in, or --models FILE) and the handle checks ---- */

void models_init(void);
void models_release(void);
int models_load_file(const char *path, struct buf *err);
/* The lists themselves ([Model], [EmbeddingModel]; borrowed). */
json_t *models_llm_list(void);
json_t *models_embedding_list(void);
/*
 * The llm_config / embedding_config for a handle, or NULL after the real server's answer to
 * an unknown one (404 "Handle X not found"; 400 "Embedding model X not found").
 */
json_t *models_llm_config(struct sim_resp *rs, const char *handle);
json_t *models_embedding_config(struct sim_resp *rs, const char *handle, long chunk);

/* ---- pyschema.c: a Python tool's JSON schema, as the server derives it ---- */

int tool_derive_schema(json_t **out, const char *source, struct buf *err);

/*
 * ---- mcp_client.c: the tools ([{name, description, inputSchema}]) of the MCP server at url,
 * by type "streamable_http" or "sse", sending headers ({name: value}); NULL with err set ----
 */
json_t *mcp_client_tools(const char *type, const char *url, const json_t *headers,
			 struct buf *err);
/* libcurl's global set-up and clean-up (main, outside any thread). */
void mcp_client_init(void);
void mcp_client_cleanup(void);

/* ---- memfs.c: git-backed agent memory (docs/contract/memfs.md) ---- */

int memfs_init(void);
void memfs_release(void);
void memfs_reset(void);
/* The pre-receive hook mode: `letta-sim --memfs-pre-receive`; returns the exit code. */
int memfs_hook_main(void);
/* API -> git: commits every tagged agent's block changes to its main (after an API write). */
void memfs_after_write(void);
json_t *memfs_dump(void);
int memfs_load(const json_t *repos, struct buf *err);
int memfs_agent_enabled(const json_t *a);
int memfs_auth_ok(const char *authz, const char *key);
void memfs_admin_rewrite(const char *agent_id, struct sim_resp *rs);

/*
 * ---- the routes: one array per resource file, NULL-terminated; server.c walks them ----
 *
 * A resource file (agents.c, blocks.c, ...) holds its handlers and its array and calls only the
 * shared files above (request.c, reply.c, store.c, state.c, render.c, links.c, catalog.c,
 * pyschema.c, mcp_client.c), never another resource file: scripts/check-cycles.py keeps it so.
 */
enum route_flags {
	R_NOAUTH = 1 << 0,  /* /v1/health/ answers without a key */
	R_NOFAULT = 1 << 1, /* the handshake is never faulted */
	R_GIT = 1 << 2,     /* git smart HTTP: Basic or Bearer auth, binary bodies, 404s */
};

struct route {
	const char *method;
	const char *tmpl;
	sim_handler fn;
	unsigned flags;
};

extern const struct route projects_routes[]; /* health and the cloud's projects */
extern const struct route agents_routes[];   /* agents, attachments, tags */
extern const struct route agentfile_routes[]; /* export and import */
extern const struct route blocks_routes[];
extern const struct route tools_routes[];
extern const struct route models_routes[];
extern const struct route folders_routes[];
extern const struct route identities_routes[];
extern const struct route mcp_routes[];
extern const struct route memfs_routes[]; /* git smart HTTP and recompile */

#endif
