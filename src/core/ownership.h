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
 * {"version":1,"project":"...","objects":[{kind, name, id, hash, commit}, ...],
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
 */
#include "core/markers.h"
#include "core/model.h"

#include <jansson.h>

#define OWN_INVENTORY_LABEL "letta_sync_inventory"
/* The source marker of the blocks scope sync makes (docs/specs/scope-registry.md). */
#define OWN_SCOPE_SYNC_SOURCE "scope-sync"
/* The source marker of identities bootstrap creates for --identity (attached by hand, kept). */
#define OWN_BOOTSTRAP_SOURCE "bootstrap"
#define OWN_HASH_LEN 64

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

/* The marker object {managed_by, source, project, hash}; hash may be NULL. New reference. */
json_t *own_marker_json(enum res_kind kind, const char *name, const char *project,
			const char *hash);
/* The identity property carrying the marker. New reference. */
json_t *own_identity_property(const char *name, const char *project, const char *hash);

/* SHA-256 hex of the canonical JSON of view (the managed fields only). */
void own_hash(char out[OWN_HASH_LEN + 1], const json_t *view);

/* Whether a block is the inventory of project. */
int own_is_inventory(const json_t *block, const char *project);
/* The inventory block of project among blocks, or NULL (borrowed). */
const json_t *own_find_inventory(const json_t *blocks, const char *project);
/*
 * The entries of an inventory block: a new array of {kind, name, id, hash, commit}. An
 * unreadable value gives an empty array (and the inventory is rewritten on the next change).
 */
json_t *own_inventory_entries(const json_t *block);
/* The inventory's write-ahead intents as {"Kind/name": true}; new reference, {} when none. */
json_t *own_inventory_intents(const json_t *block);
/* The entry for kind/name in entries, or NULL (borrowed). */
const json_t *own_inventory_find(const json_t *entries, enum res_kind kind, const char *name);
/* The inventory block's metadata. New reference. */
json_t *own_inventory_metadata(const char *project);

#endif
