#ifndef LS_CORE_PULL_H
#define LS_CORE_PULL_H

/*
 * Reverse sync (docs/contract/PRODUCT.md section 4, "pull"): the remote state of a project -> manifests, the
 * inverse of the planner's spec -> wire translation. Pure: takes the remote state (core/remote.h)
 * and the repository's current desired state, returns the files to write (paths relative to the
 * config root, YAML text); src/repo writes them, cli/cmd_pull.c prints what happened.
 *
 * What is written, one file per kind under <manifests>/<layer>/ (blocks.yaml, tools.yaml,
 * mcp-servers.yaml, folders.yaml, identities.yaml, templates.yaml, agents.yaml):
 *   - every object letta-sync manages for the project (markers, or the inventory for MCP
 *     servers); with `all`, unmanaged ones too, with spec.managed: false;
 *   - secrets (MCP tokens, custom header and env values) as ${ENV_VAR} references, never values;
 *   - managed agents as Agent declarations naming their template and holding only the fields
 *     that differ from it (a Template the repository lacks is rebuilt from its agents);
 *   - MCP servers always in the org layer and folders never in the base layer (validation's
 *     rules).
 * An object the repository already describes exactly, in a file pull does not own, is not
 * written again; one that differs but is defined in another file of the target layer is left
 * there with a warning. The views the planner compares (kind_want_view/kind_have_view) check
 * every written object: pull, then diff, shows no change.
 */
#include "core/model.h"
#include "core/remote.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

struct pull_opts {
	const char *project;   /* slug the markers name ("" when none) */
	enum res_layer layer;  /* where manifests go */
	int all;               /* unmanaged objects too (spec.managed: false) */
	const char *agent;     /* only this agent (id or name): its declaration, nothing shared */
	const char *dir;       /* the manifest directory relative to the root: ".letta/manifests" */
	/*
	 * {agent name: memory folder} of the memory-managed agents whose files the caller writes
	 * (issue 25): each Agent declares memory: {dir} unless its Template already names that
	 * folder. NULL: none.
	 */
	const json_t *memory_dirs;
};

struct pull_file {
	char *path;   /* relative to the config root */
	char *text;   /* the YAML text to write */
	size_t ndocs; /* documents in it */
};

struct pull_result {
	struct pull_file *files;
	size_t n;
	size_t alloc;
	json_t *objects;  /* [{kind, name, file, managed}]: every object written */
	json_t *warnings; /* strings */
};

/* clang-format off */
#define PULL_RESULT_INIT { NULL, 0, 0, NULL, NULL }
/* clang-format on */

void pull_result_release(struct pull_result *r);

/*
 * Computes the files. local is the repository's desired state (empty when it has none);
 * existing maps a path (as in pull_file.path) to the array of documents that file holds now,
 * for the files pull would write that exist (NULL: none). Returns 0 or a negative ls_code.
 */
int pull_compute(struct pull_result *out, const struct remote_state *rs,
		 const struct desired_state *local, const json_t *existing,
		 const struct pull_opts *o, struct ls_error *err);

/* "blocks.yaml", "tools.yaml", ... for a kind; NULL for kinds pull never writes. */
const char *pull_file_name(enum res_kind kind);

#endif
