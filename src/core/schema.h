#ifndef LS_CORE_SCHEMA_H
#define LS_CORE_SCHEMA_H

/*
 * The JSON Schema (draft 2020-12) of a manifest document, generated from the tables validate
 * uses (validate_kind_fields(), validate_metadata_fields, manifest_top_keys) and from the
 * per-kind rules of validate.c that a schema can express within one document. Editors use it
 * through `# yaml-language-server: $schema=...`; docs/commands/schema.md says what it cannot
 * check (cross-references, layering, uniqueness). Pure.
 */
#include "core/model.h"

#include <jansson.h>

/* The schema URI of draft 2020-12, the dialect of every schema built here. */
#define SCHEMA_DIALECT "https://json-schema.org/draft/2020-12/schema"

/*
 * A new reference to the schema of a document of kind (an enum res_kind), or of a document of
 * any kind when kind is -1 (dispatching on "kind").
 */
json_t *schema_manifest(int kind);

#endif
