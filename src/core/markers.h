#ifndef LS_CORE_MARKERS_H
#define LS_CORE_MARKERS_H

/*
 * The names letta-sync marks the objects it manages with, and the writing of a marker
 * (core/ownership.h says where each kind keeps it and how it is read): what a kind file
 * (src/core/kinds/<kind>.c) needs to tell a marker from user data and to mark the objects its
 * request bodies write. Apart from ownership.c, which reads every kind file's hash-version
 * table (through core/kinds/impl_table.h): a kind file calling ownership.c would make a cycle.
 * The hash version of a marker is therefore given by the caller (ownership.c's
 * own_marker_json() gives this build's).
 */
#include "core/model.h"

#include <jansson.h>

#define OWN_MANAGER "letta-sync"
#define OWN_LEGACY_MANAGER "smarty-admin"
#define OWN_TAG "managed:letta-sync"
#define OWN_LEGACY_TAG "managed:smarty-admin"
#define OWN_LEGACY_TOOL_TAG "managed_by:smarty-admin"
#define OWN_IDENTITY_PROPERTY "letta_sync"
/*
 * A managed field that a hash version after 1 added to a kind's view (core/ownership.h "Hash
 * versions"). path is in the view: "key", "a.b" (a key of a nested object), "a[].b" (a key of
 * each element of the array a). A kind's table (its kind file's, core/kinds/<kind>.c) is a
 * plain array ended by {NULL, 0}.
 */
struct own_hash_field {
	const char *path;
	unsigned since; /* the first hash version whose view has it (2 or more) */
};

/* The key beside a marker's or an inventory entry's hash that records its version (core/ownership.h). */
#define OWN_HASH_VERSION_KEY "hash_version"

#define OWN_HASH_LEN 64

/* SHA-256 hex of the canonical JSON of view (the managed fields only). */
void own_hash(char out[OWN_HASH_LEN + 1], const json_t *view);

/* Records version in a marker object or inventory entry (version 1: removes the key). */
void own_hash_stamp(json_t *marker, unsigned version);

/*
 * The marker object {managed_by, source: "<Kind>/<name>", project, hash[, hash_version]};
 * hash may be NULL, else it is of hash version `version`. New reference.
 */
json_t *own_marker_at(enum res_kind kind, const char *name, const char *project,
		      const char *hash, unsigned version);
/* The identity property carrying that marker. New reference. */
json_t *own_identity_property(const char *name, const char *project, const char *hash,
			      unsigned version);

#endif
