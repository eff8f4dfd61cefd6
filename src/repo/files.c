/* Reading and atomically writing the user's files. */
#include "repo/files.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int files_read(struct buf *out, const char *path, size_t max, struct ls_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char chunk[65536];
	ssize_t n;
	size_t start = out->len;

	if (fd < 0)
		return ls_error_set(err, LS_EINVALID, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return ls_error_set(err, LS_EINVALID, "cannot read '%s': is a directory", path);
	}
	if (fstat(fd, &st) == 0 && (size_t)st.st_size > max) {
		close(fd);
		ls_error_set(err, LS_EINVALID, "'%s' is too large (%lld bytes; the limit is %zu)",
			     path, (long long)st.st_size, max);
		return LS_EINVALID;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return ls_error_set(err, LS_EINVALID, "cannot read '%s': %s", path,
					    strerror(errno));
		}
		buf_add(out, chunk, (size_t)n);
		if (out->len - start > max) {
			close(fd);
			return ls_error_set(err, LS_EINVALID, "'%s' is too large (the limit is %zu bytes)",
					    path, max);
		}
	}
	close(fd);
	return 0;
}

/* Writes data to a new temporary file next to path (its name in tmp), fsync'd and closed. */
static int write_temp(struct buf *tmp, const char *path, const void *data, size_t len,
		      mode_t mode, struct ls_error *err)
{
	const char *p = data;
	int fd;

	buf_addf(tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp->buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
			close(fd);
			unlink(tmp->buf);
			return LS_EFAIL;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		ls_error_set(err, LS_EFAIL, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp->buf);
		return LS_EFAIL;
	}
	return 0;
}

int files_write_atomic(const char *path, const void *data, size_t len, struct ls_error *err)
{
	struct buf tmp = BUF_INIT;
	struct stat st;
	mode_t mode = 0644;
	int ret;

	if (stat(path, &st) == 0)
		mode = st.st_mode & 0777;
	ret = write_temp(&tmp, path, data, len, mode, err);
	if (ret == 0 && rename(tmp.buf, path) < 0) {
		ret = ls_error_set(err, LS_EFAIL, "cannot replace '%s': %s", path, strerror(errno));
		unlink(tmp.buf);
	}
	buf_release(&tmp);
	return ret;
}

int files_write_new(const char *path, const void *data, size_t len, struct ls_error *err)
{
	struct buf tmp = BUF_INIT;
	int ret = write_temp(&tmp, path, data, len, 0644, err);

	/* link() never replaces: the file appears whole, or not at all when path exists. */
	if (ret == 0) {
		if (link(tmp.buf, path) < 0)
			ret = ls_error_set(err, errno == EEXIST ? LS_EINVALID : LS_EFAIL,
					   "cannot create '%s': %s", path, strerror(errno));
		unlink(tmp.buf);
	}
	buf_release(&tmp);
	return ret;
}

int files_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int files_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void files_abspath(struct buf *out, const char *path)
{
	char *real = realpath(path, NULL);

	buf_addstr(out, real ? real : path);
	free(real);
}

int files_find_up(struct buf *out, const char *dir, const char *rel)
{
	struct buf cur = BUF_INIT;

	files_abspath(&cur, dir);
	for (;;) {
		struct buf cand = BUF_INIT;
		char *slash;

		buf_addf(&cand, "%s%s%s", cur.buf, strcmp(cur.buf, "/") ? "/" : "", rel);
		if (files_exists(cand.buf)) {
			buf_add(out, cand.buf, cand.len);
			buf_release(&cand);
			buf_release(&cur);
			return 1;
		}
		buf_release(&cand);
		if (!strcmp(cur.buf, "/") || !cur.len)
			break;
		slash = strrchr(cur.buf, '/');
		if (!slash)
			break;
		buf_setlen(&cur, slash == cur.buf ? 1 : (size_t)(slash - cur.buf));
	}
	buf_release(&cur);
	return 0;
}

int files_mkdirs(const char *path, struct ls_error *err)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			ls_error_set(err, LS_EFAIL, "cannot create '%s': %s", p, strerror(errno));
			free(p);
			return LS_EFAIL;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		ls_error_set(err, LS_EFAIL, "cannot create '%s': %s", p, strerror(errno));
		free(p);
		return LS_EFAIL;
	}
	free(p);
	return 0;
}
