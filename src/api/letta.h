#ifndef LS_API_LETTA_H
#define LS_API_LETTA_H

/*
 * The Letta REST API (docs/contract/letta-api.md) on top of api/http.h: endpoints, paging, project
 * scoping and create guards. Objects are the server's wire JSON (snake_case jansson values);
 * the planner works on those directly.
 *
 * Ownership: every `json_t **out` receives a NEW reference the caller must json_decref(), and
 * is written only on success. A `json_t *body` argument is borrowed (the function takes its own
 * reference). Every function that can fail returns 0 or a negative ls_code and fills err:
 * LS_EAUTH (401/403), LS_ENOTFOUND (404), LS_ECONFLICT (409), LS_ENETWORK (no answer), LS_EAPI
 * (any other HTTP error or a malformed answer), LS_EINTERRUPTED (Ctrl-C). err->where is
 * "METHOD /path"; err->msg names the object ("block 'block-1' not found").
 *
 * Lists always return EVERY item: pages are followed with "after" until an empty page.
 * Lists of blocks and agents are scoped with project_id, tools and identities with
 * X-Project-Id, agent creates with X-Project, once letta_project_resolve() found a project.
 */

#include "api/http.h"
#include "core/plan.h"
#include "core/target.h"
#include "util/error.h"

#include <jansson.h>

/* The kinds of object the typed functions know (enum plan_target's first six, in its order). */
enum letta_kind {
	LETTA_BLOCK = 0,
	LETTA_TOOL,
	LETTA_FOLDER,
	LETTA_MCP_SERVER,
	LETTA_IDENTITY,
	LETTA_AGENT,
	LETTA_KIND_COUNT,
};

/* "block", "tool", "folder", "MCP server", "identity", "agent". */
const char *letta_kind_name(enum letta_kind kind);

struct letta_opts {
	struct http_opts http;
	long page_limit; /* limit= for each page of a list (default 1000; 100 if refused) */
};

/* clang-format off */
#define LETTA_OPTS_INIT { HTTP_OPTS_INIT, 1000 }
/* clang-format on */

/* http_opts_env() plus LETTA_SYNC_PAGE_LIMIT (1..1000). */
int letta_opts_env(struct letta_opts *o, char *(*lookup)(const char *name), struct ls_error *err);

struct letta;

/* Opens a client; opts is copied. The API key, if any, is registered with redact_secret(). */
int letta_new(struct letta **out, const struct letta_opts *opts, struct ls_error *err);
void letta_free(struct letta *api);
/*
 * The CLI's way in: a client for a resolved target (its base URL and project) with the
 * settings in opts, as values: opts->http.api_key is sent as "Authorization: Bearer" (NULL:
 * none), the rest as letta_opts_env() and the command's options made them; opts's base URL
 * and project are replaced by t's. Sends no request unless resolve_project: then a project
 * known only by slug gets its id from GET /v1/projects (see letta_project_resolve()).
 */
int letta_open(struct letta **out, const struct target *t, const struct letta_opts *opts,
	       int resolve_project, struct ls_error *err);
/*
 * The project part of letta_open(..., resolve_project): resolves t's project on an open
 * client (the id of a slug, the slug of an id), keeping its connections. On failure (a
 * project that does not exist: LS_ENOTFOUND) the client stays usable, scoped as t says.
 */
int letta_resolve_target(struct letta *api, const struct target *t, struct ls_error *err);
/*
 * letta_resolve_target() in two halves, so that the check of a project given by id (t's id
 * against GET /v1/projects) can go out together with reads that need only the id (issue 26).
 * begin: with no id in t, nothing (0: use letta_resolve_target()). With an id, scopes api
 * to it (no request), fills *check with the project list's first page and returns 1: the caller runs *check (letta_run(), with other reads) and hands it to end, which takes
 * the answer (or the error) and finishes the check exactly as letta_resolve_target() would:
 * the same errors, and the slug of an id given alone. No write may go out before end
 * returned 0. *rescoped is 1 when the answer unscoped api (a 404 on /v1/projects: a
 * self-hosted server has no projects): reads sent with *check were scoped by the id and must
 * be made again. end releases *check.
 */
int letta_resolve_target_begin(struct letta *api, const struct target *t, struct http_req *check,
			       struct ls_error *err);
int letta_resolve_target_end(struct letta *api, const struct target *t, struct http_req *check,
			     int *rescoped, struct ls_error *err);

/* The transport underneath (borrowed), for batches of requests built with letta_req_*(). */
struct http *letta_http(struct letta *api);
long letta_page_limit(const struct letta *api);

/* ---- Projects (cloud only) ---- */

/*
 * Decides the project scoping of every later request. With an id, that id is used (and slug,
 * if given, for X-Project). With only a slug, GET /v1/projects?name=<slug> finds its id (offset
 * paging); LS_ENOTFOUND when no project has that slug. A 404 on /v1/projects means a
 * self-hosted server: projects are absent and nothing is scoped (letta_has_projects() is 0).
 * With neither, nothing is scoped.
 */
int letta_project_resolve(struct letta *api, const char *slug, const char *id,
			  struct ls_error *err);
/* The resolved project id (borrowed) or NULL. */
const char *letta_project_id(const struct letta *api);
/*
 * The project's slug (borrowed) or NULL: the one given, or, for a project given by id alone,
 * the server's (letta_open() checks that the id exists and that slug:id agree).
 */
const char *letta_project_slug(const struct letta *api);
/* 0 after a 404 on /v1/projects (self-hosted). */
int letta_has_projects(const struct letta *api);
/* Every project (name filter optional): an array of {id, name, slug}. */
int letta_projects_list(json_t **out, struct letta *api, const char *name, struct ls_error *err);
/*
 * POST /v1/projects {name}. After an ambiguous failure the project list is re-read and a project
 * with that name (or slug) is adopted; only when there is none is the create sent again.
 */
int letta_project_create(json_t **out, struct letta *api, const char *name, struct ls_error *err);

/* ---- Generic ---- */

/* GET path (escaped, may have a query); what names the object in errors ("block 'b-1'"). */
int letta_get(json_t **out, struct letta *api, const char *path, const char *what,
	      struct ls_error *err);
/* Every item of a cursor-paged list at path (may have a query; limit/after are managed). */
int letta_list_all(json_t **out, struct letta *api, const char *path, struct ls_error *err);

/*
 * params are NULL-terminated key/value pairs appended as a query, values escaped:
 * (const char *[]){ "label", "persona", "tags", "a", "tags", "b", NULL }. NULL params: none.
 */
typedef const char *const *letta_params;

/* Lists every object of a kind (blocks: non-template ones unless params say otherwise). */
int letta_list(json_t **out, struct letta *api, enum letta_kind kind, letta_params params,
	       struct ls_error *err);
/*
 * The handles the server serves: GET /v1/models/ (Model objects) into *llm and
 * GET /v1/models/embedding (EmbeddingModel objects) into *emb; each has "handle".
 */
int letta_models(json_t **llm, json_t **emb, struct letta *api, struct ls_error *err);
int letta_fetch(json_t **out, struct letta *api, enum letta_kind kind, const char *id,
		struct ls_error *err);

/*
 * Decides whether an existing object is the one a create was meant to make: nonzero when
 * `existing` carries the ownership marker of `wanted` (the create body). Used after an ambiguous
 * create failure and after a 409 on a unique name, among the objects with the same natural key.
 */
typedef int (*letta_match_fn)(const json_t *existing, const json_t *wanted, void *ctx);

/*
 * The default matcher: every key of wanted's marker container is present with the same value
 * in existing's: "metadata" (blocks, folders, agents, plus agent "tags" as a subset),
 * "properties" by key and value (identities); for MCP servers, which have no marker, the same
 * type and URL or command. A body without any marker never matches (nothing proves the object
 * is ours), so an unmarked create can be repeated after an ambiguous failure.
 */
int letta_match_marker(const json_t *existing, const json_t *wanted, void *ctx);

/*
 * Creates an object. Blocks and agents (POST always makes a new one) and folders, MCP servers
 * and identities (POST clashes on a unique name) are never repeated blindly: after an
 * ambiguous failure the client lists the objects with the same natural key (label, name,
 * server_name, identifier_key) and adopts one that `match` accepts (NULL: letta_match_marker),
 * creating only when none exists; a 409 on a unique name adopts the same way or is reported as
 * LS_ECONFLICT. Tools are upserted by name (PUT /v1/tools/), so repeating is safe. Blocks and
 * identities get the resolved project_id in the body when they have none; agents get X-Project.
 */
int letta_create(json_t **out, struct letta *api, enum letta_kind kind, json_t *body,
		 letta_match_fn match, void *match_ctx, struct ls_error *err);
/* PATCH the object; null fields mean "unchanged" on the server. */
int letta_update(json_t **out, struct letta *api, enum letta_kind kind, const char *id,
		 json_t *body, struct ls_error *err);
/* DELETE the object; a 404 after a repeat counts as done. */
int letta_delete(struct letta *api, enum letta_kind kind, const char *id, struct ls_error *err);

/*
 * Attaches (attach != 0) or detaches a block, tool, folder or identity to or from an agent.
 * Never relies on the answer's body. A 404 on a repeated detach counts as done; a block attach
 * can fail with LS_ECONFLICT when the agent has another block with that label.
 */
int letta_agent_attach(struct letta *api, const char *agent_id, enum letta_kind kind,
		       const char *id, int attach, struct ls_error *err);

/* ---- Request builders: the same operations as batchable struct http_req ---- */

/*
 * Each fills req (which must be released with http_req_release()) for one operation; run many
 * at once with letta_run() and read each one's ret/err/json. The single-call functions above
 * are these plus http_run1().
 */
void letta_req_list(struct http_req *req, struct letta *api, enum letta_kind kind,
		    letta_params params);
void letta_req_fetch(struct http_req *req, struct letta *api, enum letta_kind kind,
		     const char *id);
void letta_req_create(struct http_req *req, struct letta *api, enum letta_kind kind,
		      json_t *body, letta_match_fn match, void *match_ctx);
void letta_req_update(struct http_req *req, struct letta *api, enum letta_kind kind,
		      const char *id, json_t *body);
void letta_req_delete(struct http_req *req, struct letta *api, enum letta_kind kind,
		      const char *id);
void letta_req_attach(struct http_req *req, struct letta *api, const char *agent_id,
		      enum letta_kind kind, const char *id, int attach);
/*
 * THE place that decides how a write is settled after a failure, for every route the client
 * writes to (see the table in api/letta.c): the retry class http_retry_decide() applies, and
 * for creates (*create set to the letta_kind, or -2 for a project; -1 otherwise) a guard that
 * re-reads the object by its natural key after an ambiguous failure (the request was sent and
 * no clear answer came back: dropped or reset connection, a reused connection found dead,
 * timeout, 408, 5xx) and adopts it, so that the create is sent again only when it did not
 * happen. path may carry a query.
 */
enum http_retry_class letta_write_class(const char *method, const char *path, int *create);

/*
 * A plan's typed operation (core/plan.h) as the request it is: the route table's method, path
 * ({id}, {parent}, {name} filled in, ids escaped, "@self"/"@ref:N" kept for display) and retry
 * class. What a diff shows and what apply sends come from here. The path is new memory.
 */
const char *letta_op_method(enum plan_op op, enum plan_target target);
char *letta_op_path(enum plan_op op, enum plan_target target, const char *id,
		    const char *parent, const char *name);
enum http_retry_class letta_op_class(enum plan_op op, enum plan_target target);
/*
 * Builds the request of a plan operation whose references are resolved (id, parent: the
 * operation's, resolved; body_take: its body, resolved, taken): creates as letta_req_create(),
 * REQ_PROJECT_HEADER as both scope headers, uploads with their file.
 */
void letta_req_op(struct http_req *req, struct letta *api, const struct plan_request *op,
		  const char *id, const char *parent, json_t *body_take);

/*
 * Builds any write (POST, PUT, PATCH, DELETE) with its retry class, guard (match and match_ctx
 * as for letta_create(); NULL: letta_match_marker) and body flags from letta_write_class().
 * Every write of api/ goes through it; the typed builders above add what and scope headers.
 */
void letta_req_write(struct http_req *req, struct letta *api, const char *method,
		     char *path_take, json_t *body_take, letta_match_fn match, void *match_ctx);
/* http_run() on the client's transport. */
int letta_run(struct letta *api, struct http_req *reqs, size_t n, struct ls_error *err);

/* ---- Agent files (.af) ---- */

/*
 * GET /v1/agents/{id}/export: the AgentFileSchema document (a JSON object). openapi.json types
 * the answer as a string; a string answer holding the document's JSON is parsed too.
 */
int letta_agent_export(json_t **out, struct letta *api, const char *agent_id,
		       struct ls_error *err);
/* The same as a batchable request (letta_run()), and its answer checked and handed over. */
void letta_req_export(struct http_req *req, struct letta *api, const char *agent_id);
int letta_export_doc(json_t **out, struct http_req *req, const char *agent_id,
		     struct ls_error *err);
/*
 * POST /v1/agents/import: uploads the agent file at path (multipart "file", the agent named
 * name unless NULL) into the project (X-Project). *out gets the new agents' ids (a string
 * array). Never retried once sent: a repeat would make a second agent.
 */
int letta_agent_import(json_t **out, struct letta *api, const char *path, const char *name,
		       struct ls_error *err);
/*
 * Progress of long work: apply_plan() calls fn after each wave of requests with the actions
 * finished (done, failed or blocked), the actions it applies in all, and the failures so far.
 * fn NULL (the default): no calls.
 */
typedef void (*letta_progress_fn)(void *ctx, size_t done, size_t total, size_t failed);
void letta_set_progress(struct letta *api, letta_progress_fn fn, void *ctx);
void letta_progress(struct letta *api, size_t done, size_t total, size_t failed);

/* ---- Kind-specific calls ---- */

/* Blocks: every block template (templates_only=true), optionally of one template_name. */
int letta_block_templates(json_t **out, struct letta *api, const char *template_name,
			  struct ls_error *err);
/* Agents that have the block attached (AgentState[], relationships included). */
int letta_block_agents(json_t **out, struct letta *api, const char *block_id,
		       struct ls_error *err);

/* Tools: PUT /v1/tools/ (upsert by the name in json_schema or source). */
int letta_tool_upsert(json_t **out, struct letta *api, json_t *body, struct ls_error *err);

/* PUT /v1/identities/{id}/properties with an array of {key, value, type}. */
int letta_identity_set_properties(json_t **out, struct letta *api, const char *id,
				  json_t *properties, struct ls_error *err);

/* Agents: core-memory blocks, tools and folders of one agent (every page). */
int letta_agent_blocks(json_t **out, struct letta *api, const char *agent_id,
		       struct ls_error *err);
int letta_agent_tools(json_t **out, struct letta *api, const char *agent_id,
		      struct ls_error *err);
int letta_agent_folders(json_t **out, struct letta *api, const char *agent_id,
			struct ls_error *err);

/* MCP servers: the server's tools, and a refresh of them. */
int letta_mcp_server_tools(json_t **out, struct letta *api, const char *id,
			   struct ls_error *err);
int letta_mcp_server_refresh(struct letta *api, const char *id, struct ls_error *err);

/*
 * POST /v1/agents/{id}/recompile (tests/fixtures/letta-api/openapi.json "recompile_agent"):
 * the server rebuilds the agent's system prompt from its memory, so that a running agent sees
 * memory or system changes (docs/contract/memfs.md "Behaviour"). Idempotent (sent again after
 * an ambiguous failure). Run with letta_run() to recompile many agents at once.
 */
void letta_req_recompile(struct http_req *req, struct letta *api, const char *agent_id);

/* Folders: files (every page), upload, delete. */
int letta_folder_files(json_t **out, struct letta *api, const char *folder_id,
		       struct ls_error *err);
/* IDs of the agents the folder is attached to (a string array). */
int letta_folder_agents(json_t **out, struct letta *api, const char *folder_id,
			struct ls_error *err);
/*
 * Uploads a file (multipart "file") from local path `file`, named `name` (NULL: its base
 * name). duplicate_handling is "skip", "replace", "error" or "suffix" (NULL: "replace"); only
 * skip and replace are retried, the others could make copies.
 */
int letta_folder_upload(json_t **out, struct letta *api, const char *folder_id, const char *file,
			const char *name, const char *duplicate_handling, struct ls_error *err);
int letta_folder_file_delete(struct letta *api, const char *folder_id, const char *file_id,
			     struct ls_error *err);

/* Tags: every tag (strings), optionally filtered by name. */
int letta_tags_list(json_t **out, struct letta *api, const char *name, struct ls_error *err);

/* ---- The whole remote state at once ---- */

/*
 * What the planner reads: every list, fetched concurrently (one batch). Each member is an
 * owned array (NULL only before a successful fetch).
 */
struct letta_remote {
	json_t *blocks;          /* non-template blocks of the project */
	json_t *block_templates; /* blocks with is_template */
	json_t *tools;
	json_t *folders;
	json_t *mcp_servers;
	json_t *identities;
	json_t *agents;          /* with tags, blocks, tools, sources and identities */
};

/* clang-format off */
#define LETTA_REMOTE_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL }
/* clang-format on */

/* Fills out with every list; on failure out is untouched and err names the first failed list. */
int letta_remote_fetch(struct letta_remote *out, struct letta *api, struct ls_error *err);
void letta_remote_release(struct letta_remote *r);

#endif
