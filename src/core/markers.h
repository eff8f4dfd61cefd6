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
/* The key beside a marker's or an inventory entry's hash that records its version (core/ownership.h). */
#define OWN_HASH_VERSION_KEY "hash_version"

#endif
