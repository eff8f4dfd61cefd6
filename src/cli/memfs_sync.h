#ifndef LS_CLI_MEMFS_SYNC_H
#define LS_CLI_MEMFS_SYNC_H

/*
 * Agent memory as files in diff and sync (issue 25): the agents whose Agent or Template
 * declares memory: {dir: ...}, their files read and checked before anything is sent, and the
 * per-agent fetch, three-way merge, commit and push (repo/memfs_git.c).
 */
#include "cli/reconcile.h"
#include "core/diag.h"
#include "util/buf.h"

struct memfs_agent;

struct memfs_run {
	struct memfs_agent *a;
	size_t n;
	size_t changed;   /* agents whose memory changes (diff) or changed (sync) */
	size_t conflicts; /* agents with overlapping edits, nothing pushed */
	size_t failed;
	/*
	 * When not NULL (status), memfs_apply appends each agent's memory state to it:
	 * {agent, name, state, ...} (cli/memfs_status.c).
	 */
	json_t *states;
	int concurrency; /* agents handled at once (sync --concurrency); 0: 8 */
	/* sync --interactive's answers: {Agent name: {path: "git"|"agent"}}, or NULL */
	json_t *resolve;
};

/*
 * Reads and checks the memory folders of the agents r's plan covers (none when --only leaves
 * out memory_files). A broken file is LS_EINVALID, each problem logged as path:line:col.
 */
int memfs_load(struct memfs_run *m, struct reconcile *r, struct ls_error *err);
/*
 * Fetches and merges each agent's memory; with push, commits and pushes what changed. The
 * changes go to changes (JSON, section memory_files) and, when human is not NULL, as unified
 * diffs. Returns 0, or LS_EINTERRUPTED.
 */
int memfs_apply(struct memfs_run *m, struct reconcile *r, int push, int force, json_t *changes,
		struct buf *human, struct ls_error *err);
void memfs_run_release(struct memfs_run *m);

/*
 * Appends the file-level changes [{path, change, diff}] as diff prints memory files: a line
 * per file, then its unified diff indented (sync, diff, restore).
 */
void memfs_files_human(struct buf *h, const json_t *files);

/*
 * validate: checks the memory folder of every Agent that declares one (its own or its
 * Template's), adding each problem to diags (a missing folder at the Agent's position).
 * root is the config repository's root.
 */
void memfs_check_desired(const struct desired_state *ds, const char *root,
			 struct diag_list *diags);

#endif
