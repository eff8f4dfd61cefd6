#ifndef LS_REPO_FILES_H
#define LS_REPO_FILES_H

#include "util/buf.h"
#include "util/error.h"

#include <stddef.h>

/* Files larger than this are refused: manifests and config files are small. */
#define FILES_MAX_SIZE (16u * 1024 * 1024)

/* Reads a whole file into out (appending). Fails with LS_EINVALID naming the path. */
int files_read(struct buf *out, const char *path, size_t max, struct ls_error *err);
/*
 * Writes data to path atomically: a temporary file in the same directory, fsync, rename.
 * A crash leaves either the old or the new content, never a mix.
 */
int files_write_atomic(const char *path, const void *data, size_t len, struct ls_error *err);
/*
 * Creates path with data, whole or not at all (a temporary file, fsync, link), and never
 * replaces an existing file: fails with LS_EINVALID when path exists.
 */
int files_write_new(const char *path, const void *data, size_t len, struct ls_error *err);
/*
 * Walks up from dir (inclusive) to / looking for rel ("./.letta/project.json"); fills out with
 * the first path that exists. Returns 1 when found, 0 when not.
 */
int files_find_up(struct buf *out, const char *dir, const char *rel);
int files_exists(const char *path);
int files_is_dir(const char *path);
/* Absolute, normalised form of path (realpath); falls back to path itself. */
void files_abspath(struct buf *out, const char *path);
/* mkdir -p */
int files_mkdirs(const char *path, struct ls_error *err);

#endif
