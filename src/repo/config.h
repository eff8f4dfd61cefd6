#ifndef LS_REPO_CONFIG_H
#define LS_REPO_CONFIG_H

/*
 * Loading the configuration repository: finding the config root and the manifest files
 * (docs/manifests.md, "Discovery"), reading them and every Tool's sourceFile, layering and
 * validating. The only code that reads manifest files from disk; the rest is core's.
 */
#include "core/diag.h"
#include "core/model.h"
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

#endif
