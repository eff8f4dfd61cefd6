#ifndef LS_CORE_OWNERSHIP_H
#define LS_CORE_OWNERSHIP_H

/*
 * Ownership markers, content hashes and the inventory (docs/contract/PRODUCT.md section 3).
 *
 * Every object letta-sync writes carries four markers: managed_by ("letta-sync"), source
 * ("<Kind>/<name>"), project (the owning project's slug, "" when none) and hash (the SHA-256 of
 * the canonical JSON of the fields letta-sync manages). Where they live depends on the kind:
 *
 *   Block, Folder  metadata.{managed_by, source, project, hash}
 *   Tool           metadata_.{...} plus the tag "managed:letta-sync"
 *   Identity       the property {key: "letta_sync", type: "json", value: {...}}
 *   MCPServer      nowhere on the object: the inventory is the only record
 *
 * The inventory is one block per project, label "letta_sync_inventory", metadata
 * {managed_by, source: "Inventory/<project>", project}, attached to no agent, whose value is
 * {"version":1,"project":"...","objects":[{kind, name, id, hash[, hash_version], commit}, ...],
 *  "intent":[{kind, name}, ...]}.
 *
 * "intent" is the write-ahead record: before a run writes a shared object it lists it there,
 * and the run's last inventory write drops the entries of what it finished. An entry left over
 * is an object an interrupted run (SIGKILL, Ctrl-C, a crash) may have created or half-written:
 * the next run takes it as its own (an MCP server, which has no markers, included) and finishes
 * it, rather than report a false conflict or leave an unmanaged look-alike.
 *
 * Objects marked by the original tool (managed_by "smarty-admin" with a source) are "legacy":
 * they are adopted, i.e. re-marked on the next sync.
 *
 * Hash versions (docs/reconcile.md "Hash versions"). The hash covers a kind's view, so a managed
 * field added to a view would change the hash of every object synced by the previous version
 * and make it look edited outside git. A marker and an inventory entry therefore record, next
 * to "hash", the version of the hash: "hash_version": N; one without it is version 1 (every
 * marker written before hashes had versions, and every marker of version 1 today: version 1 is
 * written as no key at all, so such markers are byte for byte what older letta-syncs wrote).
 * OWN_HASH_VERSION is the version this build writes. The release that adds a managed field to a
 * kind's view adds a row {path in the view, since = the new version} to that kind's table in
 * its kind file (src/core/kinds/<kind>.c; own_hash_fields()), which is the bump: the version
 * is the highest since of any table. An object hashed by version k is compared on its view
 * without the rows whose since is above k, i.e. on the fields version k knew. A match is not a
 * conflict; the next write of the object records the current version (a sync that has nothing
 * to write does not rewrite markers to upgrade them). A version above this build's (a newer
 * letta-sync wrote it) is compared as this build's: it matches when the newer view held no
 * field this build lacks, and is a conflict otherwise (letta-sync does not support downgrades).
 */
#include "core/markers.h"
#include "core/model.h"

#include <jansson.h>

#define OWN_INVENTORY_LABEL "letta_sync_inventory"
/* The source marker of the blocks scope sync makes (docs/specs/scope-registry.md). */
#define OWN_SCOPE_SYNC_SOURCE "scope-sync"
/* The source marker of identities bootstrap creates for --identity (attached by hand, kept). */
#define OWN_BOOTSTRAP_SOURCE "bootstrap"
/*
 * The hash version this build writes (see above): the highest since in any kind's table, 1
 * while no table has a row.
 */
#define OWN_HASH_VERSION own_hash_version()
unsigned own_hash_version(void);
/* OWN_HASH_VERSION_KEY (core/markers.h) holds it in a marker and an inventory entry (absent: 1). */

enum own_state {
	OWN_NONE = 0,      /* no marker: not ours */
	OWN_OURS,          /* marked by letta-sync for this project (or for no project) */
	OWN_LEGACY,        /* marked by the original tool: adopt */
	OWN_OTHER_PROJECT, /* marked by letta-sync for another project */
};

/* What an object's markers say. Strings are borrowed from the object; NULL when absent. */
struct own_marker {
	enum own_state state;
	const char *source;
	const char *project;
	const char *hash;
	unsigned hash_version; /* of hash: 1 when the marker names none, 0 when unreadable */
	int has_tag; /* tools: the "managed:letta-sync" tag is present */
};

/* "Block", "Tool", ... (the manifest kind names). */
const char *own_kind_name(enum res_kind kind);
/* -1 when unknown. */
int own_kind_parse(const char *name);

/*
 * Whether an agent (wire JSON) carries the tag "managed:letta-sync" or the original's
 * "managed:smarty-admin". The one test of agent ownership, shared by the planner and the cli.
 */
int own_agent_is_managed(const json_t *agent);

/* Reads the markers of a wire object of that kind; project is ours ("" when none). */
void own_read(struct own_marker *out, enum res_kind kind, const json_t *obj,
	      const char *project);
/* Whether a marker's source names Kind/name (a legacy source may be the bare name). */
int own_source_matches(const struct own_marker *m, enum res_kind kind, const char *name);

/*
 * The marker object {managed_by, source, project, hash[, hash_version]}; hash may be NULL (a
 * hash is of OWN_HASH_VERSION). New reference. (A kind file writes its markers with
 * own_marker_at() and own_identity_property() of core/markers.h, own_hash() is there too.)
 */
json_t *own_marker_json(enum res_kind kind, const char *name, const char *project,
			const char *hash);

/* The table of kind: its kind file's (never NULL; empty for kinds without a hash). */
const struct own_hash_field *own_hash_fields(enum res_kind kind);

/* The hash version a marker or inventory entry records: 1 when absent, 0 when unreadable. */
unsigned own_hash_version_of(const json_t *marker);

/*
 * The hash that version `version` computed for view (a view of this build): without the fields
 * that version did not know.
 */
void own_hash_as(char out[OWN_HASH_LEN + 1], const json_t *view, unsigned version,
		 const struct own_hash_field *fields);
/*
 * Whether recorded, a hash of version `version`, describes view (a view of this build). current
 * is own_hash(view) when the caller has it (else NULL): a hash of the current version, or of an
 * older one whose fields are all in view's version, is compared with it without hashing again.
 */
int own_hash_matches(const char *recorded, unsigned version, const json_t *view,
		     const char *current, const struct own_hash_field *fields);

/* Whether a block is the inventory of project. */
int own_is_inventory(const json_t *block, const char *project);
/* The inventory block of project among blocks, or NULL (borrowed). */
const json_t *own_find_inventory(const json_t *blocks, const char *project);
/*
 * The entries of an inventory block: a new array of {kind, name, id, hash[, hash_version],
 * commit}. An
 * unreadable value gives an empty array (and the inventory is rewritten on the next change).
 */
json_t *own_inventory_entries(const json_t *block);
/* The inventory's write-ahead intents as {"Kind/name": true}; new reference, {} when none. */
json_t *own_inventory_intents(const json_t *block);
/*
 * Both of the above from one parse of the value (the planner's: a 5,000-entry inventory is
 * parsed once, not twice; issue 26).
 */
void own_inventory_read(const json_t *block, json_t **entries, json_t **intents);
/* The entry for kind/name in entries, or NULL (borrowed). */
const json_t *own_inventory_find(const json_t *entries, enum res_kind kind, const char *name);
/* The inventory block's metadata. New reference. */
json_t *own_inventory_metadata(const char *project);

#endif
