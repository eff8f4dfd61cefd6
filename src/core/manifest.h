#ifndef LS_CORE_MANIFEST_H
#define LS_CORE_MANIFEST_H

/*
 * Manifest files -> resource documents (bytes in, no I/O). The repo layer reads each file and
 * hands its text to manifest_parse() with the layer its directory names; the documents then go
 * through layers_merge() (core/layers.h) and validate_desired() (core/validate.h).
 *
 * Every problem becomes a diagnostic in set->diags with its path:line:col; a document with an
 * unusable envelope (no kind, no name, unknown kind, no layer) is reported and left out.
 */
#include "core/diag.h"
#include "core/model.h"
#include "core/source.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

#define MANIFEST_API_VERSION "letta.ai/v1"
/* metadata.name: 1-128 bytes, no '/' and no control characters. */
#define MANIFEST_NAME_MAX 128

/* The keys a document may have at its top, and the strategies of _merge (NULL-terminated). */
extern const char *const manifest_top_keys[];
extern const char *const manifest_merge_strategies[];
/* dir_layer for files directly under .letta/manifests/: the layer comes from spec.layer. */
#define MANIFEST_LAYER_FROM_SPEC (-1)

/* One resource document as written in one file. */
struct manifest_doc {
	json_t *doc;       /* owned: the document (apiVersion, kind, metadata, spec, ...) */
	size_t file;       /* index into set->src */
	size_t docidx;     /* which document of its file (0-based, empty ones counted) */
	int line, col;     /* where the document starts */
	enum res_kind kind;
	const char *name;  /* borrowed from doc: metadata.name */
	enum res_layer layer;
	size_t seq;        /* order of appearance over the whole set */
};

struct manifest_set {
	struct manifest_doc *docs;
	size_t n;
	size_t alloc;
	struct source_store *src; /* one reference: every file parsed, with its text */
	struct diag_list diags;   /* owned */
};

/* clang-format off */
#define MANIFEST_SET_INIT { NULL, 0, 0, NULL, DIAG_LIST_INIT }
/* clang-format on */

/*
 * Parses one manifest file: YAML (multi-document), or JSON when path ends in ".json". path is
 * repository-relative and used in messages; dir_layer is the enum res_layer of the directory
 * the file sits in, or MANIFEST_LAYER_FROM_SPEC. Problems go to set->diags; returns the number
 * of errors this file added (0 when clean).
 */
int manifest_parse(struct manifest_set *set, const char *path, int dir_layer, const char *text,
		   size_t len);
void manifest_set_release(struct manifest_set *set);
/* The file name of a document (borrowed). */
const char *manifest_doc_file(const struct manifest_set *set, const struct manifest_doc *d);
/* The position of pointer within document d (nearest ancestor, else the document's start). */
void manifest_doc_pos(const struct manifest_set *set, const struct manifest_doc *d,
		      const char *pointer, int *line, int *col);

/* "base" -> LAYER_BASE ...; -1 when unknown. */
int manifest_layer_parse(const char *name);

#endif
