#ifndef LS_CORE_MARKERS_H
#define LS_CORE_MARKERS_H

/*
 * The names letta-sync marks the objects it manages with (core/ownership.h says how they are
 * read and written). Constants only, so that a kind file can tell a marker from user data
 * without depending on ownership.c.
 */
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

#endif
