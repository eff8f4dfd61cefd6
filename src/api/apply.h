#ifndef LS_API_APPLY_H
#define LS_API_APPLY_H

/*
 * Reading the remote state and running a plan (core/plan.h) against the Letta API. The only
 * place with concurrency: the lists are read in one batch, and the actions of a plan run in
 * waves of independent requests (at most the client's concurrency at a time), in dependency
 * order, with ids of objects created earlier in the run substituted into later requests.
 */
#include "api/letta.h"
#include "core/plan.h"
#include "core/remote.h"
#include "util/error.h"

/*
 * Reads every list the planner needs (blocks, tools, folders, MCP servers, identities, agents
 * with their relationships), all pages, all lists at once. *out is released and refilled on
 * success only.
 */
int apply_read_remote(struct remote_state *out, struct letta *api, struct ls_error *err);

/* Every kind's bit (1 << enum letta_kind). */
#define APPLY_READ_ALL ((1u << LETTA_KIND_COUNT) - 1)
/*
 * The same, reading only the lists of kinds (bits 1 << enum letta_kind), which the caller
 * derives from what the manifests declare; the other lists stay empty. Blocks and agents are
 * always read, and a kind the inventory holds, or every kind once a managed agent exists, is
 * read in a second round, so that nothing the plan would prune or resolve goes unseen.
 */
int apply_read_remote_kinds(struct remote_state *out, struct letta *api, unsigned kinds,
			    struct ls_error *err);
/*
 * Resolves t's project on api (letta_resolve_target()) and reads as apply_read_remote_kinds()
 * does. A project given by id is checked against the project list in the same round as the
 * first lists, which need only the id (issue 26): a failed check gives its own error, as
 * letta_resolve_target() would, and *out is left alone. Returns 0 when it resolved and read,
 * 1 when t has no project id: then it did nothing (letta_resolve_target(), then
 * apply_read_remote_kinds(), do the same in two rounds).
 */
int apply_resolve_read_remote(struct remote_state *out, struct letta *api,
			      const struct target *t, unsigned kinds, struct ls_error *err);

/* The outcome of one action. */
enum apply_status {
	APPLY_PENDING = 0,
	APPLY_DONE,
	APPLY_FAILED,
	APPLY_SKIPPED, /* not applied: a conflict, an orphan without prune, drift */
	APPLY_BLOCKED, /* an action it depends on failed */
};

struct apply_result {
	enum apply_status *status; /* [n] */
	struct ls_error *errs;     /* [n], for FAILED and BLOCKED */
	char **ids;                /* [n], the id of each action's object when known */
	size_t n;
	long requests;             /* write requests sent (retries and guards excluded) */
	int interrupted;
};

/* clang-format off */
#define APPLY_RESULT_INIT { NULL, NULL, NULL, 0, 0, 0 }
/* clang-format on */

void apply_result_release(struct apply_result *r);

/*
 * Runs every action of p that is not skipped. One failing action does not stop independent
 * ones: its dependants are BLOCKED. Returns 0 when every applied action succeeded, LS_EFAIL
 * (err: "N of M changes failed") when some failed, LS_EINTERRUPTED after Ctrl-C. *out is the
 * caller's (initialised with APPLY_RESULT_INIT) and always filled.
 */
int apply_plan(struct apply_result *out, struct letta *api, const struct plan *p,
	       struct ls_error *err);

#endif
