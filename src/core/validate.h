#ifndef LS_CORE_VALIDATE_H
#define LS_CORE_VALIDATE_H

/*
 * Schema and semantic checks of the desired state after layering (docs/manifests.md,
 * "Validation rules"): each kind's fields (required, types, enums, unknown fields with a "did
 * you mean"), the original's per-kind rules and messages, cross-references between resources,
 * duplicate labels and keys, and what the Letta API would refuse. Pure; every problem is a
 * diagnostic at the path:line:col of the value.
 */
#include "core/diag.h"
#include "core/model.h"

#include <jansson.h>
#include <stddef.h>

/* Letta's tool-name limit and the block label pattern [A-Za-z0-9_/-]{1,50}. */
#define VALIDATE_TOOL_NAME_MAX 48
#define VALIDATE_LABEL_MAX     50

/*
 * The schema tables: for each kind, the fields of spec (and of metadata), with their accepted
 * JSON types, required flags, nested fields and allowed string values. validate_desired()
 * checks manifests against them; core/schema.c turns the same tables into a JSON Schema.
 */
/* Accepted JSON types of a field, as a bit set. */
enum ty {
	TY_STR = 1 << 0,
	TY_INT = 1 << 1,
	TY_BOOL = 1 << 2,
	TY_OBJ = 1 << 3,
	TY_ARR = 1 << 4,
	TY_NUM = 1 << 5,
	TY_MAP = 1 << 6, /* an object of strings (labels, headers, env) */
	TY_ANY = 0x7f,
};

enum field_flags { F_REQ = 1 << 0 };

struct field {
	const char *name;
	unsigned type;
	unsigned flags;
	const struct field *fields; /* members of an object, or of object items of an array */
	unsigned item;              /* item types of an array (0: any) */
	const char *const *enums;   /* allowed string values */
};

/* A table ends with a field whose name is NULL. */
extern const struct field validate_metadata_fields[];
const struct field *validate_kind_fields(enum res_kind kind);

void validate_desired(const struct desired_state *ds, struct diag_list *diags);

/* Whether label matches [A-Za-z0-9_/-]{1,50}. */
int validate_block_label(const char *label);

/*
 * The scope registry (.letta/scope_registry.yaml, already parsed): a top-level "scopes" list of
 * {scope, match.path_prefixes, attach.block_types, attach.folders, metadata}. positions is the
 * yamlx table of the document (may be NULL).
 */
void validate_scope_registry(const json_t *doc, const json_t *positions, const char *file,
			     struct diag_list *diags);

#endif
