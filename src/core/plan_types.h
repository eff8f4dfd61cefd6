#ifndef LS_CORE_PLAN_TYPES_H
#define LS_CORE_PLAN_TYPES_H

/*
 * What a plan is: its actions, their typed operations, the options it is computed with, and
 * its lifetime (core/plan_build.c). The planner (core/plan.h) computes one; api/apply.c runs
 * it; cli/render_diff.c prints it. Pure data, no I/O.
 *
 * Requests may refer to ids that exist only once earlier actions have run:
 *   - a string "@ref:N" anywhere in a request's ids or body is replaced by the id of action
 *     N's result (the "id" of its first request's response, or the id it already had);
 *   - "@self" is the same for the action the request belongs to (a second request after a
 *     create);
 *   - an object {"@if": N, "then": X, "else": Y} inside a body is replaced by X when action N
 *     succeeded and by Y otherwise; a null replacement inside an array drops the element.
 * Every dependency named that way is also listed in the action's deps.
 */
#include "core/model.h"
#include "core/remote.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

enum plan_change {
	CHANGE_CREATE = 0,
	CHANGE_UPDATE,
	CHANGE_DELETE,
	CHANGE_ORPHAN,    /* in the inventory, described by no manifest; deleted only with prune */
	CHANGE_CONFLICT,  /* edited outside git, or owned by someone else: left alone */
	CHANGE_DOWNGRADE, /* an agent whose applied version is newer: left alone */
	CHANGE_DRIFT,     /* info only: a seed object differs from its manifest */
};

/* "create", "update", "delete", "orphan", "conflict", "downgrade", "drift". */
const char *plan_change_name(enum plan_change c);

enum plan_flags {
	PLAN_FORCE = 1 << 0,        /* git wins over conflicts, pinned and downgrades */
	PLAN_PRUNE = 1 << 1,        /* delete orphans */
	PLAN_ADOPT = 1 << 2,        /* take over unmarked objects that have our names */
	PLAN_NEED_SECRETS = 1 << 3, /* an unresolved secret reference is an error (sync) */
	/*
	 * upgrade: shared resources are created when missing, and nothing else is planned for
	 * them (existing ones change only through sync: no update, conflict or orphan); the
	 * inventory only gains what is created; declared agents that do not exist are not
	 * created.
	 */
	PLAN_UPGRADE = 1 << 4,
	/*
	 * Keep every unchanged object's view in plan.same, for diff --full; without it only
	 * plan.unchanged counts them (issue 26: a no-op sync of 5,000 objects builds no list).
	 */
	PLAN_KEEP_SAME = 1 << 5,
};

enum req_flags {
	REQ_PROJECT_HEADER = 1 << 0, /* send X-Project: <slug> */
	REQ_404_OK = 1 << 1,         /* a 404 counts as done (repeated delete or detach) */
	REQ_STRINGIFY_VALUE = 1 << 2, /* after substitution, body.value becomes its JSON text */
};

/*
 * What a request does, typed: the planner says what it wants done to which object, never how
 * it travels. api/letta.c holds the one route table that maps (op, target) to a method, a path
 * and a retry class (letta_route()); api/apply.c sends it, and what a diff shows comes from the
 * same table.
 */
enum plan_op {
	OP_CREATE = 0, /* a new object in its collection */
	OP_UPSERT,     /* a write by natural key that creates or replaces (identities, tools) */
	OP_UPDATE,     /* changes to the object id */
	OP_DELETE,     /* the object id (a folder file: of folder parent) */
	OP_ATTACH,     /* the object id to agent parent */
	OP_DETACH,     /* the object id from agent parent */
	OP_UPLOAD,     /* the local file `upload`, named name, into folder parent (replacing) */
	OP_REFRESH,    /* MCP server id re-lists its tools */
	OP__COUNT
};

/* What an operation acts on. The first six are the API's kinds (enum letta_kind's order). */
enum plan_target {
	TARGET_BLOCK = 0,
	TARGET_TOOL,
	TARGET_FOLDER,
	TARGET_MCP_SERVER,
	TARGET_IDENTITY,
	TARGET_AGENT,
	TARGET_FOLDER_FILE, /* a file of a folder (parent) */
	TARGET_AGENT_BLOCK, /* a block on an agent (parent): attach, detach */
	TARGET_AGENT_TOOL,
	TARGET_AGENT_FOLDER,
	TARGET_AGENT_IDENTITY,
	TARGET__COUNT
};

struct plan_request {
	enum plan_op op;
	enum plan_target target;
	char *id;      /* the object: an id, "@ref:N" or "@self"; NULL for creates and upserts */
	char *parent;  /* the agent or folder the object belongs to (same forms), or NULL */
	char *name;    /* the file name of an upload, or NULL */
	json_t *body;  /* NULL for none */
	unsigned flags;
	char *upload;  /* a local file sent as multipart "file" (folder uploads), or NULL */
};

struct plan_action {
	enum res_kind kind;
	char *name;     /* the manifest name (or the remote name of an orphan) */
	char *agent;    /* agent id, NULL for shared resources */
	char *section;  /* agent section, NULL for shared resources */
	enum plan_change change;
	int breaking;
	int internal;   /* bookkeeping (the inventory): applied, never shown or counted */
	int skip;       /* reported but not applied (conflicts, orphans without prune, drift) */
	int soft;       /* runs once its deps are settled, whether they succeeded or not */
	/*
	 * Needs ids that this plan's run makes but cannot name (the tools of an MCP server
	 * created or refreshed in it; see replan): sync holds it back in its first pass and
	 * applies it, planned again and complete, in the second. Shown like any action.
	 */
	int deferred;
	char *reason;
	char *id;       /* the remote id it acts on; NULL for a create */
	json_t *fields; /* [{path, from, to}] */
	json_t *view;   /* the desired managed fields (for diff --full), or NULL */
	struct plan_request *reqs;
	size_t nreqs;
	size_t *deps;   /* indexes of earlier actions whose results this one needs */
	size_t ndeps;
};

/* An ordered plan: shared resources, the inventory, then agents. */
struct plan {
	struct plan_action *items;
	size_t n;
	size_t alloc;
	size_t unchanged;  /* objects compared and found equal */
	json_t *same;      /* those objects: [{kind, name, agent, section, view}] (diff --full) */
	json_t *warnings;  /* array of strings */
	/*
	 * Set when a part of the plan can only be computed after it ran: an agent uses tools of
	 * an MCP server created in this run (their ids exist once the server registered them).
	 * sync re-reads the server and plans again once; the actions that wait for it are
	 * marked deferred.
	 */
	int replan;
};

/* clang-format off */
#define PLAN_INIT { NULL, 0, 0, 0, NULL, NULL, 0 }
/* clang-format on */

struct plan_opts {
	const char *project;    /* slug: recorded in markers and sent as X-Project; "" if none */
	const char *project_id; /* id for bodies (project_id), NULL when unknown */
	const char *commit;     /* HEAD commit recorded in the inventory, "" when none */
	const char *version;    /* the work tree's version ("1.2.0", "0.0.0") */
	unsigned flags;         /* enum plan_flags */
	/*
	 * Resolves ${NAME} references in secrets (MCP tokens, headers, env): returns the value
	 * or NULL. NULL callback: nothing resolves.
	 */
	const char *(*secret)(void *ctx, const char *name);
	void *secret_ctx;
	const char *agent;      /* only this agent (id or name), NULL for all */
	unsigned sections;      /* agent sections to plan (bit per plan_section), 0 = all */
	const char *default_model;     /* for created agents without modelConfig */
	const char *default_embedding; /* for agents and folders without one */
	/*
	 * The files of each Folder's spec.files, read by the caller:
	 * {folder name: {file name: {"path": local path, "sha256": hex}}}. NULL: none.
	 */
	const json_t *folder_files;
	/*
	 * Objects git wins for even without PLAN_FORCE (sync --interactive's answers):
	 * {"Kind/name": true}. NULL: none.
	 */
	const json_t *force_names;
	/*
	 * Recorded in the metadata of every agent the plan writes, as
	 * "letta_sync": {"commit", "version", "at", "by"} (status's "Last sync"): now is the
	 * time of the run (ISO 8601, UTC), by the command ("sync", "upgrade"). NULL: not recorded.
	 */
	const char *now;
	const char *by;
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);
/* Drops the actions from index n on (planning an agent that turns out to be held back). */
void plan_truncate(struct plan *p, size_t n);

/* Changes that count (not internal, not drift). */
size_t plan_count_changes(const struct plan *p);
/* Actions that would send requests (not skipped). */
size_t plan_count_writes(const struct plan *p);

/* Agent sections, the names sync --only accepts. */
enum plan_section {
	SECTION_SYSTEM_PROMPT = 0,
	SECTION_MEMORY_BLOCKS,
	SECTION_TOOLS,
	SECTION_FOLDERS,
	SECTION_TAGS,
	SECTION_MODEL,
	SECTION_IDENTITIES,
	SECTION_MCP_SERVERS,
	SECTION_SETTINGS, /* the agent's other settings: description, timezone, tool rules, ... */
	SECTION_MEMORY_FILES, /* memory as files (cli/memfs_sync.c; not in the agent's PATCH) */
	SECTION__COUNT
};
extern const char *const plan_section_names[SECTION__COUNT + 1]; /* NULL-terminated */
/* -1 when unknown. */
int plan_section_parse(const char *name);

#endif
