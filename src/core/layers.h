#ifndef LS_CORE_LAYERS_H
#define LS_CORE_LAYERS_H

/*
 * Layering: the documents of a manifest set, merged project > org > base into the desired
 * state, with the original's merge rules (docs/manifests.md, "Merge rules"):
 *
 *   - objects merge key by key, recursively; a scalar of the higher layer wins;
 *   - an explicit null in the higher layer removes the field;
 *   - values of different JSON types conflict (an error; the lower value is kept);
 *   - arrays follow a strategy: the document's top-level _merge: {field: strategy} (by field
 *     name, at any depth), else append for tags and *_ids / *Ids lists, else merge-by-key for
 *     blocks, tools, folders, identities and policies, else append;
 *   - append: lower items then higher items; a string "!x" in the higher layer removes "x";
 *     string lists are de-duplicated (first occurrence kept);
 *   - replace: the higher array wins;
 *   - merge-by-key: items are matched by id, else name, else label (a string item is its own
 *     key); matched items merge, "_delete: true" items and "!x" strings remove the match, other
 *     items are appended;
 *   - a document with top-level "_delete: true" deletes the resource (a warning when no lower
 *     layer defined it);
 *   - the same Tool with different spec.toolType values in two layers is a conflict.
 *
 * Unlike the original, no "_layer:" tags are injected. Pure functions, no I/O.
 */
#include "core/diag.h"
#include "core/manifest.h"
#include "core/model.h"

#include <jansson.h>

/* Where merge conflicts are reported: the higher document's file, positions and name. */
struct merge_report {
	struct diag_list *diags;  /* conflicts are added here (may be NULL: only counted) */
	const char *file;         /* of the higher document, for messages */
	struct source_store *src; /* where to look positions up (may be NULL: line 0) */
	size_t src_file, src_doc; /* the higher document in src */
	const char *what;         /* "Block.persona" */
	const json_t *strategies; /* the higher document's _merge, may be NULL */
	int conflicts;            /* incremented per conflict */
};

/* clang-format off */
#define MERGE_REPORT_INIT { NULL, "", NULL, 0, 0, "", NULL, 0 }
/* clang-format on */

/*
 * Merges upper over lower (either may be NULL) and returns a new value; the inputs are not
 * changed. Top-level "_merge" and "_delete" of upper are copied as they are.
 */
json_t *layers_merge_value(const json_t *lower, const json_t *upper, struct merge_report *rep);

/* The strategy for an array field: "append", "replace" or "merge-by-key". */
const char *layers_strategy(const char *field, const json_t *strategies);

/*
 * Builds the desired state from every document of set: duplicates within a layer, merge
 * conflicts and deletion markers are reported in set->diags. out is the caller's, written on
 * return (also when there were errors: callers check set->diags.nerrors).
 */
void layers_merge(struct desired_state *out, struct manifest_set *set);

#endif
