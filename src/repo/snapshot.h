#ifndef LS_REPO_SNAPSHOT_H
#define LS_REPO_SNAPSHOT_H

/*
 * The snapshot store: .letta/snapshots/<id>/ under the config root, <id> being
 * "<UTC yyyymmddThhmmssZ>-<6 hex>". A snapshot is written into a hidden temporary directory
 * (.letta/snapshots/.tmp-<id>/), every file fsync'd (mode 0600, directories 0700), and then
 * renamed into place, so a crash or kill -9 leaves either no snapshot or a complete one (a
 * left-over .tmp- directory is never listed and is removed by the next write). The directory
 * holds a .gitignore of "*" so that git never takes snapshots in.
 *
 * Files of a snapshot:
 *   snapshot.json   {version, id, time, command, commit, project, contents, no_memfs}
 *   content.json    the saved objects and agents (core/snapshot.h)
 *   plan.json       the plan of the run that took it (render_diff_data), or null
 *   agents/<agent id>.af   the agent file (.af export) of each agent, secrets removed
 *   memory/<agent id>.bundle   each agent's memory repository (MemFS) as a git bundle of its
 *                  main (repo/memfs_snapshot.h), staged first (snapshot_stage) and moved in
 */
#include "util/error.h"

#include <jansson.h>

/*
 * Writes a snapshot under root (the config root): meta (id and time are filled in), content,
 * plan (may be NULL), agent_files ({agent id: agent file}, may be NULL) and bundles ({agent id:
 * path of a finished bundle in a stage directory}, may be NULL: moved in). *id_out gets the
 * new id (caller frees). Returns 0 or a negative ls_code naming the file.
 */
int snapshot_write(char **id_out, const char *root, json_t *meta, const json_t *content,
		   const json_t *plan, const json_t *agent_files, const json_t *bundles,
		   struct ls_error *err);

/*
 * A new stage directory for files written before the snapshot itself (memory bundles), under
 * .letta/snapshots/ and named .tmp-stage-*, so that a killed run's is never listed and is
 * removed like any left-over (*dir_out: caller frees, then snapshot_stage_remove()).
 */
int snapshot_stage(char **dir_out, const char *root, struct ls_error *err);
void snapshot_stage_remove(const char *dir);

/* The path of the memory bundle of agent_id in snapshot id (caller frees), or NULL. */
char *snapshot_memory_bundle(const char *root, const char *id, const char *agent_id);

/*
 * Every complete snapshot under root, oldest first: an array of their snapshot.json objects
 * with "size" (bytes, every file) added. An absent directory is an empty list.
 */
int snapshot_list(json_t **out, const char *root, struct ls_error *err);

/* Reads snapshot id: its snapshot.json and content.json. LS_ENOTFOUND when there is none. */
int snapshot_read(json_t **meta, json_t **content, const char *root, const char *id,
		  struct ls_error *err);

/* The path of the agent file of agent_id in snapshot id (caller frees), or NULL when absent. */
char *snapshot_agent_file(const char *root, const char *id, const char *agent_id);

/* Removes snapshot id (its directory and everything in it). */
int snapshot_remove(const char *root, const char *id, struct ls_error *err);

/* Seconds since the epoch of a snapshot id's time, or -1 when it is not one. */
long long snapshot_id_time(const char *id);

#endif
