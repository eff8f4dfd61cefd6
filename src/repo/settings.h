#ifndef LS_REPO_SETTINGS_H
#define LS_REPO_SETTINGS_H

/*
 * .letta/settings.local.json: the per-worktree pin (lastAgent), shared with Letta Code. Read
 * and written whole; unknown fields are kept; writes are atomic (temp + rename). The file
 * belongs to the work tree's top directory (a linked worktree has its own), or to dir itself
 * outside git.
 */
#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>

/* The directory whose .letta/settings.local.json applies to dir (absolute). */
void settings_root(struct buf *out, const char *dir);

/*
 * Loads the settings object of root (an empty object when the file is missing). A malformed
 * file is an error with path:line:col, never silently overwritten.
 */
int settings_load(json_t **out, const char *root, struct ls_error *err);
/* The pinned agent id of root, or NULL (xmalloc'd). */
int settings_last_agent(char **out, const char *root, struct ls_error *err);
/*
 * Pins agent_id for Letta Code, keeping every other field; creates .letta/ when needed;
 * atomically. Sets lastAgent and, with base_url, what current Letta Code prefers over it
 * (docs/contract/memfs.md): sessionsByServer[<server key>] and lastSession become {agentId} (their other
 * fields kept, a stale conversationId dropped); other servers' entries are kept.
 */
int settings_pin_agent(const char *root, const char *agent_id, const char *base_url,
		       struct ls_error *err);
/* Letta Code's server key of a base URL: without scheme and trailing slashes. xmalloc'd. */
char *settings_server_key(const char *base_url);

/*
 * Makes sure root's .gitignore ignores .letta/settings.local.json (appending, atomically).
 * Returns 1 when it changed the file, 0 when it already did, <0 on error. Outside git: 0.
 */
int gitignore_ensure_settings(const char *root, struct ls_error *err);

#endif
