/*
 * sync --interactive for memory files (issue 25): before anything is pushed, each agent's
 * memory is merged without pushing, and each file the agent and git changed on the same lines
 * is asked about on the terminal, as sync --interactive asks about objects (cmd_sync.c
 * ask_conflicts): [g]it wins (its side of the overlapping hunks, the agent's other edits
 * kept, as --force), [k]eep the agent's file, [d]iff (the hunks, agent's -> git's), [s]kip
 * (the conflict stays: that agent's memory is not pushed). The answers go to memfs_apply as
 * m->resolve.
 */
#include "cli/memfs_interactive.h"

#include "util/jsonx.h"

#include <stdio.h>
#include <string.h>

int memfs_ask(struct memfs_run *m, struct reconcile *r, struct cli_ctx *ctx)
{
	json_t *changes = json_array(), *c, *f;
	struct buf human = BUF_INIT;
	size_t i, k, changed = m->changed, conflicts = m->conflicts, failed = m->failed;
	int ret;
	char line[64];

	ret = memfs_apply(m, r, 0, 0, changes, &human, &ctx->err);
	m->changed = changed;
	m->conflicts = conflicts;
	m->failed = failed;
	buf_release(&human);
	if (ret < 0)
		goto out;
	json_array_foreach(changes, i, c) {
		const char *name = jsonx_get_str(c, "name");
		const char *act = jsonx_get_str(c, "action");

		if (!name || !act || strcmp(act, "conflict"))
			continue;
		json_array_foreach(json_object_get(c, "files"), k, f) {
			const char *path = jsonx_get_str(f, "path");

			for (;;) {
				fprintf(stderr, "Agent %s: memory file %s: %s\n  [g]it wins, [k]eep the "
						"agent's, [d]iff, [s]kip? ",
					name, path, jsonx_get_str(c, "reason"));
				fflush(stderr);
				if (!fgets(line, sizeof(line), stdin)) {
					ret = ls_error_set(&ctx->err, LS_EINTERRUPTED,
							   "no answer for the memory file %s of agent %s",
							   path, name);
					goto out;
				}
				if (line[0] == 'd') {
					const char *d = jsonx_get_str(f, "diff");

					fprintf(stderr, "%s", d ? d : "");
					continue;
				}
				if (line[0] == 'g' || line[0] == 'k' || line[0] == 's')
					break;
			}
			if (line[0] == 's')
				continue;
			if (!m->resolve)
				m->resolve = json_object();
			if (!json_object_get(m->resolve, name))
				json_object_set_new(m->resolve, name, json_object());
			json_object_set_new(json_object_get(m->resolve, name), path,
					    json_string(line[0] == 'g' ? "git" : "agent"));
		}
	}
out:
	json_decref(changes);
	return ret;
}
