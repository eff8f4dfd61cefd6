#ifndef LS_REPO_CONFIG_H
#define LS_REPO_CONFIG_H

/*
 * Loading the configuration repository: finding the config root and the manifest files
 * (docs/manifests.md, "Discovery"), reading them and every Tool's sourceFile, layering and
 * validating. The only code that reads manifest files from disk; the rest is core's.
 */
#include "core/diag.h"
#include "core/model.h"
#include "repo/git.h"
#include "util/buf.h"
#include "util/error.h"

#include <stddef.h>

/* What discovery found, for -v and the validate summary. */
struct config_info {
	char *root;          /* the config root, absolute */
	char *manifests;     /* the manifest directory relative to root, or NULL when none */
	int legacy;          /* packages/examples was used */
	size_t nfiles;       /* files read: manifests, sourceFiles and .letta/ config files */
	size_t nresources;   /* resources after layering */
};

/* clang-format off */
#define CONFIG_INFO_INIT { NULL, NULL, 0, 0, 0 }
/* clang-format on */

void config_info_release(struct config_info *info);

/*
 * Finds the config root from start (the first directory walking up that holds .letta, else
 * .git), reads every manifest, sourceFile, .letta/scope_registry.yaml, .letta/project.json and
 * .letta/registry.json, and validates everything.
 *
 * Every problem is added to diags (sorted; paths relative to the root). Returns 0 with *out
 * filled when there is no error (warnings allowed). Otherwise returns LS_EINVALID with err set
 * ("N errors in the configuration"), *out untouched: callers never see a partial state. A
 * missing root or manifest directory is an error too (in err, and in diags). info may be NULL.
 *
 * Every command that needs the desired state calls this; `validate` prints diags.
 */
int config_load(struct desired_state *out, const char *start, struct diag_list *diags,
		struct config_info *info, struct ls_error *err);

/* Options of config_load_flags(). */
enum config_flags {
	/* .letta/scope_registry.yaml's problems are warnings (bootstrap: scope sync is
	 * best-effort and skips on its own); everything else is unchanged. */
	CONFIG_SCOPE_SOFT = 1u << 0,
};

/* config_load() with flags (enum config_flags). */
int config_load_flags(struct desired_state *out, const char *start, unsigned flags,
		      struct diag_list *diags, struct config_info *info, struct ls_error *err);

/*
 * A configuration held in memory, such as a version's tree read from git (git_tree_files()):
 * items are the files under the config root, paths relative to it (".letta/manifests/base/
 * blocks.yaml"), sorted by strcmp. read (may be NULL) is asked for a Tool's sourceFile that is
 * not among items; it returns LS_ENOTFOUND when there is no such file.
 */
struct config_files {
	const char *root; /* a label for messages: "v1.2.0" */
	const struct git_blob_file *items;
	size_t n;
	int (*read)(void *ctx, const char *rel, struct buf *out, size_t max, struct ls_error *err);
	void *ctx;
};

/*
 * config_load() over an in-memory configuration: the same discovery rules (.letta/manifests
 * with its layer directories, else packages/examples), the same .letta/ config files,
 * sourceFiles, layering and validation, and the same contract for out, diags and err.
 */
int config_load_files(struct desired_state *out, const struct config_files *files,
		      struct diag_list *diags, struct config_info *info, struct ls_error *err);

/*
 * The configuration as it was at rev (a tag such as "v1.2.0"), read from git's object
 * database without touching the work tree: the config root config_load() finds from start is
 * mapped to its path inside the repository (a monorepo's partners/x), and its .letta/ (or
 * packages/examples/) tree and Tool sourceFiles are read at rev. label names the version in
 * messages. Same contract as config_load() otherwise.
 */
int config_load_version(struct desired_state *out, const char *start, const char *rev,
			const char *label, struct diag_list *diags, struct ls_error *err);

/* The config root config_load() would use for start (absolute, xmalloc'd). */
int config_find_root(char **out, const char *start, struct ls_error *err);

#endif
