#ifndef LS_CORE_KINDS_IMPL_H
#define LS_CORE_KINDS_IMPL_H

/*
 * What a shared kind's file (src/core/kinds/<kind>.c) provides: the small interface each kind
 * file implements, put in the kind-implementation table by core/kinds/impl_table.c. A kind
 * file calls only the kind table (kinds.h), the helpers of core/kinds/ (view.h, write.h,
 * check.h), the markers (core/markers.h), the plan's builders (core/plan_build.h) and util/,
 * none of which reaches a kind file: no cycle (scripts/check-cycles.py).
 */
#include "core/diag.h"
#include "core/kinds/field.h"
#include "core/markers.h"
#include "core/model.h"
#include "core/plan_types.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

/* Letta's tool-name limit and the block label pattern [A-Za-z0-9_/-]{1,50}. */
#define VALIDATE_TOOL_NAME_MAX 48
#define VALIDATE_LABEL_MAX     50

/*
 * What a kind file's request builders get from the planner (core/plan.c), as values: the
 * action its operations go to (added with pl_op(), core/plan_build.h), the resource, its
 * desired view and content hash, and the plan's options.
 */
struct kind_write {
	struct plan *p;
	size_t ai;
	const struct resource *r;
	const json_t *view;        /* the desired view (a folder's with its files' hashes) */
	const char *hash;          /* own_hash() of view */
	unsigned hash_version;     /* the version of hash, what a marker records (OWN_HASH_VERSION) */
	const char *project;       /* the markers' project ("" when none) */
	const struct plan_opts *o; /* project_id, secrets, default_embedding, folder_files */
	struct ls_error *err;
};

/*
 * What a kind file's checks get from validate (core/validate.c): the desired state, the
 * resource checked, where diagnostics go (kind_err(), core/kinds/check.h) and a scratch object
 * of the kind's own that lives for the whole validation (Block: label -> Block name; Identity:
 * key -> Identity name), for rules across resources of the kind.
 */
struct kind_check {
	const struct desired_state *ds;
	const struct resource *r;
	struct diag_list *diags;
	json_t *seen;
};

/*
 * What a kind file's pull writer gets from pull (core/pull.c) beyond the remote object: the
 * manifest name, the repository's resource of that kind and name (its secret references and
 * file patterns are kept), and where it reports.
 */
struct kind_pull {
	const char *name;
	const struct resource *local; /* NULL when the repository has none */
	json_t *warnings;             /* pull's warnings: strings are appended */
	json_t *raw;                  /* files to write beside the manifests: [{folder, path, content}] */
};

struct kind_impl {
	/*
	 * The desired view of a resource / the remote view of an object: the fields letta-sync
	 * manages, wire names, the server's defaults filled in. Equal views mean no change; the
	 * content hash is the hash of the view. New references.
	 */
	json_t *(*want)(const struct resource *r);
	json_t *(*have)(const json_t *o);
	/*
	 * Optional: whether json_equal(want, have(o) limited to want's keys) holds, answered
	 * without building the remote view (a no-op compares every object: issue 26). Exactly
	 * that equality; NULL for a kind that builds the view.
	 */
	int (*have_equal)(const json_t *want, const json_t *o);
	/* Its spec fields (validate, `letta-sync schema`). */
	const struct field *fields;
	/*
	 * validate's rules for the kind beyond its fields' types (docs/manifests.md "Validation
	 * rules"): values the API refuses, rules across fields and across resources of the kind.
	 */
	void (*check)(struct kind_check *k);
	/*
	 * The typed operations that create the resource / bring the remote object id (obj) in
	 * line with the view, added to action w->ai; bodies carry the markers. 0, or an error
	 * (w->err) when one cannot be built (a secret that does not resolve, no embedding).
	 */
	int (*create)(const struct kind_write *w);
	int (*update)(const struct kind_write *w, const char *id, const json_t *obj);
	/*
	 * What pull writes into a manifest's spec from remote object o, beyond what pull.c
	 * writes for every kind (which objects, names, ownership, managed, layer).
	 */
	void (*pull)(json_t *spec, const json_t *o, const struct kind_pull *x);
	/*
	 * The fields its view gained after hash version 1, with the version that added each
	 * (core/ownership.h "Hash versions"): an object hashed by an older version is compared
	 * on the fields that version knew. Adding a field to the view adds its row here.
	 */
	const struct own_hash_field *hash_fields;
};

extern const struct kind_impl kind_block_impl;
extern const struct kind_impl kind_tool_impl;
extern const struct kind_impl kind_mcp_server_impl;
extern const struct kind_impl kind_folder_impl;
extern const struct kind_impl kind_identity_impl;

/*
 * The one builder of an agent's private block (a Template's or Agent's blocks[] entry with a
 * label and a value, manifest names: label, value, limit, description, readOnly): its wire
 * body {label, value, limit?, description?, read_only?}, without metadata (the caller adds
 * the marker). Used by sync's agent creates, the private blocks it adds to existing agents,
 * and bootstrap. New reference.
 */
json_t *block_private_body(const json_t *entry);

/*
 * Whether label matches [A-Za-z0-9_/-]{1,50} (VALIDATE_LABEL_MAX, core/validate.h): a Block's
 * label, and an agent's private block's (core/validate.c).
 */
int validate_block_label(const char *label);
/* An error at ptr of k->r when label (may be NULL) is not a valid block label. */
void block_check_label(const struct kind_check *k, const char *label, const char *ptr);

/* A folder's files as {file name: sha256} (recorded at upload; "?" when not ours). */
json_t *folder_files_have(const json_t *o);

#endif
