#ifndef LS_CLI_SNAPSHOT_SAVE_H
#define LS_CLI_SNAPSHOT_SAVE_H

/*
 * Taking a snapshot (issue 27), shared by sync, upgrade and backup: the saved objects
 * (core/snapshot.h), an agent file (.af export, secrets removed) of every agent in it, and the
 * plan, written by repo/snapshot.c under .letta/snapshots/. Every step completes before the
 * caller's first write; a failure stops the run (--no-snapshot skips it).
 */
#include "api/letta.h"
#include "cli/cli.h"
#include "core/plan.h"
#include "core/remote.h"

/*
 * Saves content (taken) with an agent file for each of its agents. plan may be NULL (backup).
 * *id_out gets the snapshot's id (caller frees). Returns 0 or a negative ls_code (err names
 * the agent or file and says how to go on).
 */
int cli_snapshot_save(struct cli_ctx *ctx, struct letta *api, json_t *content,
		      const struct plan *plan, const char *command, const char *commit,
		      char **id_out, struct ls_error *err);

/*
 * Before a run's first write: when plan deletes, detaches or overwrites remote content, saves
 * what it changes and says so on stderr ("snapshot <id> saved ..."); with no_snapshot, says
 * that none was taken. *id_out (may be NULL) gets the id or NULL. Returns 0 or a negative
 * ls_code: the run must not write then.
 */
int cli_snapshot_before(struct cli_ctx *ctx, struct letta *api, const struct remote_state *rs,
			const struct plan *plan, const char *command, const char *commit,
			int no_snapshot, char **id_out, struct ls_error *err);

/*
 * cli_snapshot_before, and also when memory_agents (remote agent JSON objects, may be NULL)
 * is not empty: agents whose memory files this run overwrites (sync --force over overlapping
 * edits), saved with their memory repositories even when the plan itself destroys nothing.
 */
int cli_snapshot_before_memory(struct cli_ctx *ctx, struct letta *api,
			       const struct remote_state *rs, const struct plan *plan,
			       const json_t *memory_agents, const char *command, const char *commit,
			       int no_snapshot, char **id_out, struct ls_error *err);

/* The project as the planner names it in markers: slug, else id, else "". */
const char *cli_project_slug(const struct cli_ctx *ctx);

/* The config root (for .letta/snapshots/), xmalloc'd; "." when none is found. */
char *cli_snapshot_root(void);

#endif
