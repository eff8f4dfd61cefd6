/* The snapshot store under .letta/snapshots/ (see snapshot.h). */
#define _DEFAULT_SOURCE /* timegm */
#include "repo/snapshot.h"

#include "repo/files.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SNAP_DIR ".letta/snapshots"

static void dir_path(struct buf *b, const char *root, const char *name)
{
	buf_reset(b);
	buf_addf(b, "%s/%s", root, SNAP_DIR);
	if (name)
		buf_addf(b, "/%s", name);
}

/* Whether name is an id: 20261206T101500Z-a1b2c3. */
static int is_id(const char *name)
{
	size_t n = strlen(name);

	if (n != 23 || name[8] != 'T' || name[15] != 'Z' || name[16] != '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 8 || i == 15 || i == 16)
			continue;
		if (i < 16 ? !(name[i] >= '0' && name[i] <= '9')
			   : !((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	}
	return 1;
}

long long snapshot_id_time(const char *id)
{
	struct tm tm;

	if (!id || !is_id(id))
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(id, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* Writes data to path (a new file, mode 0600) and fsyncs it. */
static int write_file(const char *path, const char *data, size_t len, struct ls_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path,
					    strerror(errno));
		}
		data += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0)
		return ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

static int write_json(const char *dir, const char *name, const json_t *v, struct ls_error *err)
{
	struct buf path = BUF_INIT;
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
	int ret;

	buf_addf(&path, "%s/%s", dir, name);
	if (!text)
		ret = ls_error_set(err, LS_EFAIL, "cannot serialise '%s'", path.buf);
	else
		ret = write_file(path.buf, text, strlen(text), err);
	free(text);
	buf_release(&path);
	return ret;
}

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	fsync(fd);
	close(fd);
	return 0;
}

/* rm -r of a directory of plain files and subdirectories. */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	struct buf sub = BUF_INIT;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		buf_reset(&sub);
		buf_addf(&sub, "%s/%s", path, de->d_name);
		if (lstat(sub.buf, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(sub.buf);
		else
			unlink(sub.buf);
	}
	closedir(d);
	rmdir(path);
	buf_release(&sub);
}

/*
 * Removes temporary directories that a killed writer left: those older than an hour (a
 * snapshot another run is writing right now is younger).
 */
static void remove_leftovers(const char *root)
{
	struct buf dir = BUF_INIT, sub = BUF_INIT;
	DIR *d;
	struct dirent *de;

	dir_path(&dir, root, NULL);
	if ((d = opendir(dir.buf))) {
		while ((de = readdir(d))) {
			struct stat st;

			if (strncmp(de->d_name, ".tmp-", 5))
				continue;
			buf_reset(&sub);
			buf_addf(&sub, "%s/%s", dir.buf, de->d_name);
			if (lstat(sub.buf, &st) == 0 && st.st_mtime < time(NULL) - 3600)
				remove_tree(sub.buf);
		}
		closedir(d);
	}
	buf_release(&dir);
	buf_release(&sub);
}

static int ensure_dir(const char *root, struct ls_error *err)
{
	struct buf dir = BUF_INIT, ign = BUF_INIT;
	int ret = 0;

	dir_path(&dir, root, NULL);
	if (!files_is_dir(dir.buf)) {
		if ((ret = files_mkdirs(dir.buf, err)) < 0)
			goto out;
		chmod(dir.buf, 0700);
	}
	buf_addf(&ign, "%s/.gitignore", dir.buf);
	if (!files_exists(ign.buf)) {
		static const char text[] = "# letta-sync snapshots: local, never committed.\n*\n";

		ret = files_write_atomic(ign.buf, text, sizeof(text) - 1, err);
	}
out:
	buf_release(&dir);
	buf_release(&ign);
	return ret;
}

static void new_id(char out[24])
{
	time_t now = time(NULL);
	struct tm tm;
	unsigned r = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
			r = 0;
		close(fd);
	}
	if (!r)
		r = (unsigned)getpid() * 2654435761u ^ (unsigned)now;
	gmtime_r(&now, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(out + 16, 8, "-%06x", r & 0xffffff);
}

int snapshot_stage(char **dir_out, const char *root, struct ls_error *err)
{
	struct buf dir = BUF_INIT;
	char id[24];
	int ret;

	*dir_out = NULL;
	if ((ret = ensure_dir(root, err)) < 0)
		return ret;
	do {
		new_id(id);
		dir_path(&dir, root, NULL);
		buf_addf(&dir, "/.tmp-stage-%s", id);
	} while (files_exists(dir.buf));
	if (mkdir(dir.buf, 0700) < 0) {
		ret = ls_error_set(err, LS_EFAIL, "cannot create '%s': %s", dir.buf, strerror(errno));
		buf_release(&dir);
		return ret;
	}
	*dir_out = buf_detach(&dir);
	return 0;
}

void snapshot_stage_remove(const char *dir)
{
	if (dir)
		remove_tree(dir);
}

/* Moves each staged bundle ({agent id: path}) to dir/memory/<agent id>.bundle. */
static int move_bundles(const char *dir, const json_t *bundles, struct ls_error *err)
{
	struct buf mem = BUF_INIT, to = BUF_INIT;
	const char *agent_id;
	json_t *path;
	int ret = 0;

	if (!json_object_size(bundles))
		return 0;
	buf_addf(&mem, "%s/memory", dir);
	if (mkdir(mem.buf, 0700) < 0) {
		ret = ls_error_set(err, LS_EFAIL, "cannot create '%s': %s", mem.buf, strerror(errno));
		goto out;
	}
	json_object_foreach((json_t *)bundles, agent_id, path) {
		if (strchr(agent_id, '/') || agent_id[0] == '.') {
			ret = ls_error_set(err, LS_EFAIL, "agent id '%s' is not a file name", agent_id);
			goto out;
		}
		buf_reset(&to);
		buf_addf(&to, "%s/%s.bundle", mem.buf, agent_id);
		if (rename(json_string_value(path), to.buf) < 0) {
			ret = ls_error_set(err, LS_EFAIL, "cannot move '%s' to '%s': %s",
					   json_string_value(path), to.buf, strerror(errno));
			goto out;
		}
	}
	sync_dir(mem.buf);
out:
	buf_release(&mem);
	buf_release(&to);
	return ret;
}

int snapshot_write(char **id_out, const char *root, json_t *meta, const json_t *content,
		   const json_t *plan, const json_t *agent_files, const json_t *bundles,
		   struct ls_error *err)
{
	struct buf tmp = BUF_INIT, final = BUF_INIT, agents = BUF_INIT, af = BUF_INIT;
	char id[24], iso[32];
	const char *agent_id;
	json_t *doc;
	int ret;
	long long t;

	if ((ret = ensure_dir(root, err)) < 0)
		return ret;
	remove_leftovers(root);
	do {
		new_id(id);
		dir_path(&final, root, id);
	} while (files_exists(final.buf));
	t = snapshot_id_time(id);
	{
		time_t tt = (time_t)t;
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	json_object_set_new(meta, "version", json_integer(1));
	json_object_set_new(meta, "id", json_string(id));
	json_object_set_new(meta, "time", json_string(iso));
	buf_addf(&tmp, "%s/%s/.tmp-%s", root, SNAP_DIR, id);
	if (mkdir(tmp.buf, 0700) < 0) {
		ret = ls_error_set(err, LS_EFAIL, "cannot create '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	if ((ret = write_json(tmp.buf, "content.json", content, err)) < 0 ||
	    (ret = write_json(tmp.buf, "plan.json", plan ? plan : json_null(), err)) < 0)
		goto fail;
	if (json_object_size(agent_files)) {
		buf_addf(&agents, "%s/agents", tmp.buf);
		if (mkdir(agents.buf, 0700) < 0) {
			ret = ls_error_set(err, LS_EFAIL, "cannot create '%s': %s", agents.buf,
					   strerror(errno));
			goto fail;
		}
		json_object_foreach((json_t *)agent_files, agent_id, doc) {
			buf_reset(&af);
			buf_addf(&af, "%s.af", agent_id);
			if (strchr(agent_id, '/') || agent_id[0] == '.') {
				ret = ls_error_set(err, LS_EFAIL, "agent id '%s' is not a file name",
						   agent_id);
				goto fail;
			}
			if ((ret = write_json(agents.buf, af.buf, doc, err)) < 0)
				goto fail;
		}
		sync_dir(agents.buf);
	}
	if ((ret = move_bundles(tmp.buf, bundles, err)) < 0)
		goto fail;
	/* snapshot.json last: a directory without it is never read. */
	if ((ret = write_json(tmp.buf, "snapshot.json", meta, err)) < 0)
		goto fail;
	sync_dir(tmp.buf);
	if (rename(tmp.buf, final.buf) < 0) {
		ret = ls_error_set(err, LS_EFAIL, "cannot create '%s': %s", final.buf,
				   strerror(errno));
		goto fail;
	}
	dir_path(&final, root, NULL);
	sync_dir(final.buf);
	*id_out = xstrdup(id);
	goto out;
fail:
	remove_tree(tmp.buf);
out:
	buf_release(&tmp);
	buf_release(&final);
	buf_release(&agents);
	buf_release(&af);
	return ret;
}

static long long tree_size(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	struct buf sub = BUF_INIT;
	long long n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		buf_reset(&sub);
		buf_addf(&sub, "%s/%s", path, de->d_name);
		if (lstat(sub.buf, &st) < 0)
			continue;
		n += S_ISDIR(st.st_mode) ? tree_size(sub.buf) : (long long)st.st_size;
	}
	closedir(d);
	buf_release(&sub);
	return n;
}

static int cmp_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int snapshot_list(json_t **out, const char *root, struct ls_error *err)
{
	struct buf dir = BUF_INIT, p = BUF_INIT, text = BUF_INIT;
	DIR *d;
	struct dirent *de;
	char **ids = NULL;
	size_t n = 0, alloc = 0, i;
	json_t *list = json_array();

	(void)err;
	dir_path(&dir, root, NULL);
	if ((d = opendir(dir.buf))) {
		while ((de = readdir(d))) {
			if (!is_id(de->d_name))
				continue;
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				ids = xrealloc(ids, alloc * sizeof(*ids));
			}
			ids[n++] = xstrdup(de->d_name);
		}
		closedir(d);
	}
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_ids);
	for (i = 0; i < n; i++) {
		json_t *meta;
		struct ls_error e = LS_ERROR_INIT;

		buf_reset(&p);
		buf_reset(&text);
		buf_addf(&p, "%s/%s/snapshot.json", dir.buf, ids[i]);
		if (files_read(&text, p.buf, FILES_MAX_SIZE, &e) < 0 ||
		    !(meta = json_loadb(text.buf, text.len, 0, NULL)) || !json_is_object(meta)) {
			ls_error_clear(&e);
			free(ids[i]);
			continue;
		}
		buf_reset(&p);
		buf_addf(&p, "%s/%s", dir.buf, ids[i]);
		json_object_set_new(meta, "id", json_string(ids[i]));
		json_object_set_new(meta, "size", json_integer(tree_size(p.buf)));
		json_array_append_new(list, meta);
		free(ids[i]);
	}
	free(ids);
	buf_release(&dir);
	buf_release(&p);
	buf_release(&text);
	*out = list;
	return 0;
}

static int read_json(json_t **out, const char *path, struct ls_error *err)
{
	struct buf text = BUF_INIT;
	json_error_t je;
	int ret = files_read(&text, path, 1024u * 1024 * 1024, err);

	if (ret == 0 && !(*out = json_loadb(text.buf, text.len, JSON_DECODE_ANY, &je)))
		ret = ls_error_set(err, LS_EINVALID, "%s:%d:%d: %s", path, je.line, je.column,
				   je.text);
	buf_release(&text);
	return ret;
}

int snapshot_read(json_t **meta, json_t **content, const char *root, const char *id,
		  struct ls_error *err)
{
	struct buf p = BUF_INIT;
	int ret;

	*meta = *content = NULL;
	dir_path(&p, root, id);
	if (!is_id(id) || !files_is_dir(p.buf)) {
		ret = ls_error_set(err, LS_ENOTFOUND, "no snapshot '%s' under %s/", id, SNAP_DIR);
		ls_error_hint(err, "'letta-sync snapshots' lists them");
		goto out;
	}
	buf_addstr(&p, "/snapshot.json");
	if ((ret = read_json(meta, p.buf, err)) < 0)
		goto out;
	dir_path(&p, root, id);
	buf_addstr(&p, "/content.json");
	if ((ret = read_json(content, p.buf, err)) < 0) {
		json_decref(*meta);
		*meta = NULL;
	}
out:
	buf_release(&p);
	return ret;
}

/* <snapshot id>/<dir>/<agent_id><ext> when the snapshot holds it, else NULL; caller frees. */
static char *agent_entry(const char *root, const char *id, const char *dir, const char *agent_id,
			 const char *ext)
{
	struct buf p = BUF_INIT;

	dir_path(&p, root, id);
	buf_addf(&p, "/%s/%s%s", dir, agent_id, ext);
	if (strchr(agent_id, '/') || !files_exists(p.buf)) {
		buf_release(&p);
		return NULL;
	}
	return buf_detach(&p);
}

char *snapshot_agent_file(const char *root, const char *id, const char *agent_id)
{
	return agent_entry(root, id, "agents", agent_id, ".af");
}

char *snapshot_memory_bundle(const char *root, const char *id, const char *agent_id)
{
	return agent_entry(root, id, "memory", agent_id, ".bundle");
}

int snapshot_remove(const char *root, const char *id, struct ls_error *err)
{
	struct buf p = BUF_INIT, tmp = BUF_INIT;

	dir_path(&p, root, id);
	if (!is_id(id) || !files_is_dir(p.buf)) {
		buf_release(&p);
		return ls_error_set(err, LS_ENOTFOUND, "no snapshot '%s'", id);
	}
	/* Out of sight first (one rename), then removed: never half a snapshot in the list. */
	dir_path(&tmp, root, NULL);
	buf_addf(&tmp, "/.tmp-rm-%s", id);
	if (rename(p.buf, tmp.buf) < 0) {
		int ret = ls_error_set(err, LS_EFAIL, "cannot remove '%s': %s", p.buf,
				       strerror(errno));

		buf_release(&p);
		buf_release(&tmp);
		return ret;
	}
	remove_tree(tmp.buf);
	buf_release(&p);
	buf_release(&tmp);
	return 0;
}
