#ifndef LS_CORE_MODEL_H
#define LS_CORE_MODEL_H

/*
 * The desired state: every resource of the config repository after layering, as the manifests
 * say it (camelCase spec fields, as in the original's format). Produced by core/manifest.c and
 * core/layers.c from bytes; read by core/validate.c and core/plan.c. Pure data, no I/O.
 *
 * A resource's spec is kept as a jansson object so that merge rules and schema checks work on
 * one representation; typed accessors live with the code that needs them.
 */
#include "core/source.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

enum res_kind {
	KIND_BLOCK = 0,
	KIND_TOOL,
	KIND_MCP_SERVER,
	KIND_TEMPLATE,
	KIND_FOLDER,
	KIND_IDENTITY,
	KIND_AGENT_POLICY,
	KIND_AGENT,
	KIND__COUNT
};

enum res_layer { LAYER_BASE = 0, LAYER_ORG, LAYER_PROJECT, LAYER__COUNT };

/* spec.managed: true (git is the truth), seed (created once, then the agent owns it), false. */
enum res_managed { MANAGED_TRUE = 0, MANAGED_SEED, MANAGED_FALSE };

/* Where a value came from, for path:line:col messages. Strings are owned by the set. */
struct src_pos {
	const char *file; /* repository-relative path, "" when synthetic */
	int line;         /* 1-based; 0 when unknown */
	int col;
};

struct resource {
	enum res_kind kind;
	char *name;            /* metadata.name, the identity within its kind */
	enum res_layer layer;  /* the highest layer that defined it */
	enum res_managed managed;
	json_t *doc;           /* the whole merged document (apiVersion, kind, metadata, spec) */
	json_t *spec;          /* borrowed from doc: doc.spec (an object, never NULL) */
	struct src_pos pos;    /* the document's start in its highest layer */
	/*
	 * For Tool resources whose code comes from spec.sourceFile: the file's contents, read by
	 * the caller (repo layer) and attached before validation. NULL otherwise.
	 */
	char *source_code;
	/*
	 * The documents this resource was merged from, highest layer first (file index into the
	 * desired_state's sources, document index within the file); desired_pos() looks values up.
	 */
	struct res_src {
		size_t file;
		size_t doc;
	} srcs[LAYER__COUNT];
	int nsrcs;
	/* The layers that defined this resource, as a bit set of (1 << enum res_layer). */
	unsigned layers;
};

/* Every resource of the repository after layering, in a stable order (kind, then first-seen). */
struct desired_state {
	struct resource *items;
	size_t n;
	size_t alloc;
	json_t *positions; /* unused, kept for the header's first users; always NULL */
	struct source_store *src; /* one reference: the files read (names, texts), may be NULL */
	json_t *index; /* internal: "kind/name" -> index into items, for desired_find; may be NULL */
};

/* clang-format off */
#define DESIRED_STATE_INIT { NULL, 0, 0, NULL, NULL, NULL }
/* clang-format on */

void desired_state_release(struct desired_state *ds);
/*
 * (Re)builds the name index desired_find uses; layers_merge calls it. Call it again after adding
 * items by hand (without it, or when stale, desired_find falls back to a linear search).
 */
void desired_index(struct desired_state *ds);
/* The resource of kind with that name, or NULL (borrowed); NULL for a NULL name. */
const struct resource *desired_find(const struct desired_state *ds, enum res_kind kind,
				    const char *name);

/*
 * Where the value at pointer (a JSON pointer into r->doc, "" for the document) was written, in
 * the highest layer that wrote it: returns 1 when the pointer itself was found; otherwise
 * out is its nearest ancestor's position in the highest layer, else r->pos. out->file is
 * borrowed from ds. The first lookup in a file re-reads its text (cached after that).
 */
int desired_pos(struct src_pos *out, const struct desired_state *ds, const struct resource *r,
		const char *pointer);

/* "Block", "Tool", "MCPServer", "Template", "Folder", "Identity", "AgentPolicy", "Agent". */
const char *res_kind_name(enum res_kind kind);
/* -1 when unknown. */
int res_kind_parse(const char *name);
/* "base", "org", "project". */
const char *res_layer_name(enum res_layer layer);

#endif
