#ifndef LS_CORE_SNAPSHOT_H
#define LS_CORE_SNAPSHOT_H

/*
 * Snapshots (issue 27): what a destructive run saves before its first write, and the plan that
 * puts it back. Pure: the repo layer (repo/snapshot.c) writes and reads the files, the cli
 * fetches agent files and runs the plans.
 *
 * A snapshot's content is one JSON document:
 *   {"objects": [{kind, name, id, object}],     the full remote JSON of each shared object
 *                                                the run deletes, detaches or overwrites
 *    "agents":  [{id, name, touched, object}]}   agents the run changes (touched) or that use
 *                                                an object it deletes (re-attach only)
 * with every secret the server returned removed (snapshot_scrub()).
 */
#include "core/model.h"
#include "core/plan.h"
#include "core/remote.h"
#include "util/error.h"

#include <jansson.h>

/*
 * Whether running p deletes, detaches or overwrites remote content: a delete, a prune's
 * detach, a breaking change (an upgrade's detach or shrink), an overwrite of an object edited
 * outside git or taken over (--force). Additions and ordinary updates are not.
 */
int snapshot_needed(const struct plan *p);

/* What a snapshot of p keeps (see the top of this file). New reference. */
json_t *snapshot_collect(const struct plan *p, const struct remote_state *rs);

/*
 * backup: every object the inventory records and every managed agent of the project (only
 * agent, an id or name, when not NULL). New reference.
 */
json_t *snapshot_collect_all(const struct remote_state *rs, const char *project,
			     const char *agent);

/*
 * Adds agent (its remote JSON) to content's agents unless there: touched (restore gives it
 * its saved fields exactly) or not (only what it misses is re-attached). Memory files that a
 * sync --force overwrites add their agents so (not touched).
 */
void snapshot_add_agent(json_t *content, const json_t *agent, int touched);

/* Adds "inventory": the entries of project's inventory in rs (what restore records again). */
void snapshot_add_inventory(json_t *content, const struct remote_state *rs, const char *project);

/* Removes in place every value the server holds as a secret (tokens, headers, env, secrets). */
void snapshot_scrub(json_t *v);

/* {"blocks": n, "tools": n, ...}: what a snapshot's content holds, by kind. New reference. */
json_t *snapshot_contents(const json_t *content);

struct restore_opts {
	const char *project;    /* slug, "" when none */
	const char *project_id; /* for block bodies, NULL when unknown */
	/* {"Kind/name": true}: only these (restore --only); NULL: everything. */
	const json_t *only;
	/* {old agent id: new id} for agents re-created by import before planning; NULL: none. */
	const json_t *agent_ids;
	/* The manifests, to record the hash of restored content; NULL: keep the saved markers. */
	const struct desired_state *ds;
};

/*
 * The plan that puts a snapshot's content back over the current remote state: objects gone
 * are created again, objects that differ are overwritten with the saved fields, agents get
 * their saved fields and attachments back (touched agents exactly, the others by re-attaching
 * what is missing). Objects equal to the saved copy get no action, so a second restore plans
 * nothing. Never deletes. *records gets [{kind, name, old_id, id|null, action, hash,
 * hash_version?}]: the inventory entries to rewrite once the plan ran (action: the index whose
 * result id is the object's new id, -1 when id is known). MCP servers are reported in p->warnings (their
 * secrets are not in the snapshot). Returns 0 or a negative ls_code.
 */
int snapshot_restore_plan(struct plan *out, json_t **records, const json_t *content,
			  const struct remote_state *rs, const struct restore_opts *o,
			  struct ls_error *err);

/* Whether "Kind/name" passes --only (NULL: everything). */
int snapshot_only(const json_t *only, enum res_kind kind, const char *name);

#endif
