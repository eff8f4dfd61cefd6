#ifndef LS_CORE_BOOTSTRAP_H
#define LS_CORE_BOOTSTRAP_H

/*
 * bootstrap's pure half: choosing the template, the model, and building the agent create body
 * (an agent create) from a Template's spec.agent and what the server already has. The cli
 * gathers the inputs (manifests, remote lists, flags, environment); the api layer sends it.
 */
#include "core/model.h"
#include "core/remote.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

/*
 * The template bootstrap uses: name (--template) when given, which must exist (LS_EINVALID
 * naming the ones that do); else the Template with default: true, else the only one; else
 * NULL (a minimal agent). minimal forces NULL. *out is borrowed from ds.
 */
int bootstrap_template(const struct resource **out, const struct desired_state *ds,
		       const char *name, int minimal, struct ls_error *err);

struct bootstrap_opts {
	const char *name;              /* the agent's name */
	const struct resource *tmpl;   /* NULL: minimal (core memory only) */
	const char *channel;           /* "stable", "beta", "pinned" */
	const char *version;           /* recorded as version:<v> */
	const char *project;           /* slug for the markers, "" when none */
	const char *model;             /* --model, else LETTA_DEFAULT_MODEL / LETTA_MODEL; may be NULL */
	const char *embedding;         /* --embedding, else LETTA_DEFAULT_EMBEDDING; may be NULL */
	const char *const *tags;       /* --tag values */
	size_t ntags;
	const json_t *identity_ids;    /* ids of the identities to attach (array), may be NULL */
};

/*
 * The model handle: the template's modelConfig.model, else o->model; NULL when none (the
 * caller reports the error naming every source).
 */
const char *bootstrap_model(const struct bootstrap_opts *o);
const char *bootstrap_embedding(const struct bootstrap_opts *o);

/* The agent's tags, sorted and unique: markers, template, channel, version and --tag. New. */
json_t *bootstrap_tags(const struct bootstrap_opts *o);

/*
 * The create body: name, description, system, model, embedding, tags, metadata (the
 * ownership marker, source Agent/<name>), memory_blocks (the template's private blocks, or
 * persona and human for a minimal agent), block_ids, tool_ids (MCP tools included),
 * folder_ids, identity_ids and include_base_tools (always explicit). Shared objects the
 * template names are looked up in have by their markers (blocks, folders, tools), else by
 * name; one that is not on the server yet is left out with a warning appended to warnings
 * (sync attaches it once it exists). Fails with LS_EINVALID when there is no model.
 */
int bootstrap_body(json_t **out, const struct desired_state *ds, const struct remote_state *have,
		   const struct bootstrap_opts *o, json_t *warnings, struct ls_error *err);

/* The managed agent named name in agents (any tag), or NULL (borrowed). */
const json_t *bootstrap_find_agent(const json_t *agents, const char *name);

/*
 * The model bootstrap takes when nothing names one (no template modelConfig.model, --model,
 * LETTA_DEFAULT_MODEL or LETTA_MODEL), from the server's model list (Model
 * objects with "handle"): letta/letta-free (Letta Cloud's default) when the server serves it,
 * else the first model the server lists, in its order. NULL when it lists none. Borrowed.
 */
const char *bootstrap_default_model(const json_t *llm_models);

#endif
