/*
 * Where an agent's memory files stand (issue 25), for status: in step, ahead (the agent edited
 * its memory since letta-sync last pushed), behind (git has changes sync would push),
 * conflicting (both changed the same lines), new (the agent gets its repository from the next
 * sync), the states themselves being cli/memfs_report.c's. status reads each memory-managed
 * agent's repository once (one ref advertisement; a fetch only when main moved) and merges
 * without pushing (cli/memfs_sync.c memfs_apply, push 0).
 */
#include "cli/memfs_status.h"

#include "cli/memfs_sync.h"
#include "util/jsonx.h"

#include <string.h>

int memfs_status(struct reconcile *r, json_t *agents, struct ls_error *err)
{
	struct memfs_run m;
	json_t *changes = json_array(), *st, *a;
	struct buf human = BUF_INIT;
	size_t i, j;
	int ret;

	if ((ret = memfs_load(&m, r, err)) < 0)
		goto out;
	m.states = json_array();
	if ((ret = memfs_apply(&m, r, 0, 0, changes, &human, err)) < 0)
		goto out;
	json_array_foreach(agents, i, a) {
		json_array_foreach(m.states, j, st)
			if (jsonx_get_str(a, "id") && jsonx_get_str(st, "agent") &&
			    !strcmp(jsonx_get_str(a, "id"), jsonx_get_str(st, "agent"))) {
				json_t *copy = json_deep_copy(st);

				json_object_del(copy, "agent");
				json_object_set_new(a, "memory", copy);
			}
	}
out:
	json_decref(m.states);
	m.states = NULL;
	memfs_run_release(&m);
	json_decref(changes);
	buf_release(&human);
	return ret;
}
