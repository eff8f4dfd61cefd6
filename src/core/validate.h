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
#include "core/kinds/field.h"
#include "core/kinds/impl.h" /* VALIDATE_LABEL_MAX, validate_block_label(): Block's rules */
#include "core/model.h"

#include <jansson.h>
#include <stddef.h>

/*
 * The schema tables (core/kinds/field.h): a shared kind's in its kind file, the others' in
 * validate.c. validate_desired() checks manifests against them; core/schema.c turns the
 * same tables into a JSON Schema.
 */
/* A table ends with a field whose name is NULL. */
extern const struct field validate_metadata_fields[];
const struct field *validate_kind_fields(enum res_kind kind);

void validate_desired(const struct desired_state *ds, struct diag_list *diags);

/*
 * The scope registry (.letta/scope_registry.yaml, already parsed): a top-level "scopes" list of
 * {scope, match.path_prefixes, attach.block_types, attach.folders, metadata}. positions is the
 * yamlx table of the document (may be NULL).
 */
void validate_scope_registry(const json_t *doc, const json_t *positions, const char *file,
			     struct diag_list *diags);

#endif
