#ifndef LS_CORE_KINDS_IMPL_H
#define LS_CORE_KINDS_IMPL_H

/*
 * What a shared kind's file (src/core/kinds/<kind>.c) provides: the small interface each kind
 * file implements and core/kinds/kinds.c puts in the kind table. A kind file calls only
 * core/kinds/view.c and util/, so that no kind file, the table and its users make a cycle.
 */
#include "core/kinds/field.h"
#include "core/markers.h"
#include "core/model.h"

#include <jansson.h>

struct kind_impl {
	/*
	 * The desired view of a resource / the remote view of an object: the fields letta-sync
	 * manages, wire names, the server's defaults filled in. Equal views mean no change; the
	 * content hash is the hash of the view. New references.
	 */
	json_t *(*want)(const struct resource *r);
	json_t *(*have)(const json_t *o);
	/* Its spec fields (validate, `letta-sync schema`). */
	const struct field *fields;
	/*
	 * What pull writes into a manifest's spec from remote object o, named name, beyond what
	 * pull.c writes for every kind (which objects, names, ownership, managed); NULL: pull.c
	 * writes the kind itself (MCP servers: secrets as references; folders: their files).
	 */
	void (*pull)(json_t *spec, const json_t *o, const char *name);
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

/* A folder's files as {file name: sha256} (recorded at upload; "?" when not ours). */
json_t *folder_files_have(const json_t *o);

#endif
