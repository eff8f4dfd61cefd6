#ifndef LS_UTIL_YAMLX_H
#define LS_UTIL_YAMLX_H

/*
 * YAML (and JSON) text -> jansson values, keeping the line and column of every node.
 *
 * A file holds one or more documents (YAML "---"). Each document is a jansson value plus a
 * position table: a JSON object mapping a JSON pointer ("/spec/blocks/0/label", RFC 6901
 * escaping) to a packed position (see yamlx_pos_pack). For a mapping member the position is that
 * of its key, so "unknown field" messages point at the key; for a sequence item, the item's
 * start; "" is the document's root node.
 *
 * Scalars are resolved as in YAML 1.2's core schema (null, true/false, integers, floats; quoted
 * scalars and !!str are strings). Anchors and aliases are expanded (deep copies), "<<" merge keys
 * are honoured (explicit keys win). Hostile input is refused with an error rather than a crash or
 * a hang: the limits below cap input size, nesting depth, scalar size, and the number of nodes
 * and scalar bytes after alias expansion (the "billion laughs"); NUL bytes and invalid UTF-8
 * are refused.
 */
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

#define YAMLX_MAX_INPUT  (8u * 1024 * 1024) /* bytes of one file */
#define YAMLX_MAX_DEPTH  64                 /* nested collections */
#define YAMLX_MAX_SCALAR (1u * 1024 * 1024) /* bytes of one scalar */
#define YAMLX_MAX_NODES  200000             /* nodes of one file, aliases expanded */
#define YAMLX_MAX_DOCS   10000              /* documents of one file */
#define YAMLX_MAX_BYTES  (32u * 1024 * 1024) /* scalar bytes of one file, aliases expanded */

struct yamlx_doc {
	json_t *value;     /* owned; never NULL (an empty document is json null) */
	json_t *positions; /* owned: JSON pointer -> packed position; NULL with YAMLX_NO_POSITIONS */
	int line, col;     /* where the document's root node starts, 1-based */
};

struct yamlx_docs {
	struct yamlx_doc *items;
	size_t n;
	size_t alloc;
	int err_line, err_col; /* where parsing failed, 1-based; 0 when unknown */
};

/* clang-format off */
#define YAMLX_DOCS_INIT { NULL, 0, 0, 0, 0 }
/* clang-format on */

/*
 * Parses every document of a YAML text into out (appending). On failure returns LS_EINVALID
 * with err->msg describing the problem (no file name: the caller knows it) and out->err_line,
 * err_col set; documents parsed so far stay in out for the caller to release.
 */
int yamlx_parse(struct yamlx_docs *out, const char *text, size_t len, struct ls_error *err);
/* The same for a JSON text: exactly one document, strict JSON, duplicate keys refused. */
int yamlx_parse_json(struct yamlx_docs *out, const char *text, size_t len, struct ls_error *err);

/*
 * Flags of the _flags variants. YAMLX_NO_POSITIONS: no position table (positions is NULL; the
 * documents' line and col are still set). For the callers that look positions up only to
 * report a problem: they parse the text again with positions then (core/source.c), instead
 * of building a table per document that is thrown away (issue 26).
 */
#define YAMLX_NO_POSITIONS 1u
int yamlx_parse_flags(struct yamlx_docs *out, const char *text, size_t len, unsigned flags,
		      struct ls_error *err);
int yamlx_parse_json_flags(struct yamlx_docs *out, const char *text, size_t len, unsigned flags,
			   struct ls_error *err);
void yamlx_docs_release(struct yamlx_docs *docs);

/*
 * Whether s is not empty and every character of it is in set. The reader's scalar typing
 * (yamlx.c) and the writer's quoting (yamlw.c) share it, so that they agree on what is a number.
 */
int yamlx_only_chars(const char *s, const char *set);

/*
 * Checks that text is UTF-8 without NUL bytes. Returns 0, or LS_EINVALID with err->msg set
 * ("binary file (NUL byte)", "invalid UTF-8") and *line, *col pointing at the bad byte.
 */
int yamlx_check_text(const char *text, size_t len, int *line, int *col, struct ls_error *err);

/*
 * Packed positions: column (capped) in bits 0-19, line in bits 20-43; bits 44 and up are left
 * to the caller (core/manifest.c keeps a file index there).
 */
static inline long long yamlx_pos_pack(int line, int col)
{
	if (col > 0xFFFFF)
		col = 0xFFFFF;
	if (line > 0xFFFFFF)
		line = 0xFFFFFF;
	return ((long long)line << 20) | (long long)col;
}
static inline int yamlx_pos_line(long long p)
{
	return (int)((p >> 20) & 0xFFFFFF);
}
static inline int yamlx_pos_col(long long p)
{
	return (int)(p & 0xFFFFF);
}

/*
 * The position of pointer in a position table, or of its nearest ancestor that has one.
 * Returns 1 when pointer itself was found, 0 when an ancestor (or nothing: line 0) was used.
 */
int yamlx_lookup(const json_t *positions, const char *pointer, int *line, int *col);

/* Appends "/" + key escaped as RFC 6901 says (~ -> ~0, / -> ~1) to a JSON pointer. */
struct buf;
void yamlx_pointer_add(struct buf *ptr, const char *key);

#endif
