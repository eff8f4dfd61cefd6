/*
 * The whole simulator state: the store's collections (store.c) and the MemFS repositories
 * (memfs.c), reset, dumped and loaded together for the admin API (/_sim/reset, /_sim/state,
 * /_sim/save) and the --state file (docs/letta-sim.md).
 */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void state_reset(void)
{
	store_reset();
	memfs_reset();
}

json_t *state_dump(void)
{
	json_t *st = store_dump();

	json_object_set_new(st, "memfs_repos", memfs_dump());
	return st;
}

int state_load_json(const json_t *st, struct buf *err)
{
	memfs_reset();
	if (store_load_json(st, err) < 0)
		return -1;
	if (memfs_load(json_object_get(st, "memfs_repos"), err) < 0) {
		state_reset();
		return -1;
	}
	return 0;
}

int state_save_file(const char *path, struct buf *err)
{
	struct buf tmp = BUF_INIT;
	json_t *st = state_dump();
	int ret = -1;

	buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (json_dump_file(st, tmp.buf, JSON_INDENT(1) | JSON_SORT_KEYS) < 0) {
		buf_addf(err, "cannot write '%s'", tmp.buf);
		goto out;
	}
	if (rename(tmp.buf, path) < 0) {
		buf_addf(err, "cannot rename '%s' to '%s': %s", tmp.buf, path, strerror(errno));
		unlink(tmp.buf);
		goto out;
	}
	ret = 0;
out:
	json_decref(st);
	buf_release(&tmp);
	return ret;
}

int state_load_file(const char *path, struct buf *err)
{
	json_error_t jerr;
	json_t *st = json_load_file(path, 0, &jerr);
	int ret;

	if (!st) {
		buf_addf(err, "cannot load '%s': %s (line %d)", path, jerr.text, jerr.line);
		return -1;
	}
	ret = state_load_json(st, err);
	json_decref(st);
	return ret;
}
