#ifndef LS_CLI_INIT_FILES_H
#define LS_CLI_INIT_FILES_H

/*
 * The skeleton `letta-sync init` writes, embedded from templates/ by cmake/Embed.cmake: paths
 * relative to the new config root, contents as they are written.
 */
#include <stddef.h>

enum init_file_flags {
	INIT_FILE_CI_GITHUB = 1 << 0, /* a GitHub workflow, written with --ci github */
};

struct init_file {
	const char *path;
	const char *data;
	size_t len;
	unsigned flags;
};

extern const struct init_file init_files[];
extern const size_t init_nfiles;

#endif
