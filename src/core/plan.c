/*
 * The reconcile planner for shared resources (blocks, tools, MCP servers, folders,
 * identities) and the inventory; agents are planned in plan_agents.c. See plan.h. What is
 * particular to a kind (its views, its request bodies) is its kind file's
 * (src/core/kinds/<kind>.c), reached through the kind-implementation table.
 *
 * For each kind the desired resource and the remote object are both reduced to a "view": a
 * JSON object of the fields letta-sync manages, with wire names and the server's defaults
 * filled in (null, absent and empty mean the same; tags are sorted sets; credentials become
 * "is one configured"). Equal views mean no change, whatever else the server stores, and the
 * content hash is the hash of the view.
 */
#include "core/plan.h"
#include "core/plan_agents.h"
#include "core/plan_build.h"
#include "core/kinds/impl_table.h"
#include "core/kinds/kinds.h"
#include "core/ownership.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/strmap.h"
#include "util/xalloc.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INVENTORY_LIMIT 5000000

/* ---- the planner ---- */

struct pc {
	struct plan *p;
	const struct desired_state *want;
	const struct remote_state *have;
	const struct plan_opts *o;
	const char *project;
	const json_t *inventory; /* the inventory block, or NULL */
	json_t *old_entries;     /* its entries */
	json_t *new_entries;     /* what it will hold: entries and {"@if"} objects */
	struct strmap used;      /* ids matched to a manifest (keys borrowed from the objects) */
	/*
	 * The id of want->items[i] (borrowed from its object), "@ref:N" when created in this run
	 * (owned, in refs[i]), "" when it has none, NULL when unknown: plan_agents' look-up.
	 */
	const char **ids;
	char **refs;
	/*
	 * Look-ups built once (plans of thousands of objects stay linear; issue 26: C maps with
	 * borrowed keys, no jansson object per entry):
	 */
	struct strmap block_index; /* manifest name -> first of the blocks marked for it */
	size_t *block_next;        /* per block of have->blocks: the next one of the same name */
	size_t *block_last;        /* per first block: the last one of its name */
	struct own_marker *block_marks; /* per block: its markers, read once (not the inventory's) */
	json_t *key_index;       /* "Kind/key" -> [objects with that natural key] */
	struct strmap inv_index; /* (kind, name) -> index of the entry in old_entries */
	json_t *intents;         /* the inventory's write-ahead intents, {"Kind/name": true} */
	struct ls_error *err;
};

/* What pl_same() keeps of an unchanged object: its view with PLAN_KEEP_SAME, else nothing. */
static const json_t *same_view(const struct pc *c, const json_t *view)
{
	return (c->o->flags & PLAN_KEEP_SAME) ? view : NULL;
}

/* The end of a chain of blocks (struct pc's block_next). */
#define NO_BLOCK ((size_t)-1)

/* Records id as matched to a manifest (a NULL id is not recorded). */
static void use_id(struct pc *c, const char *id)
{
	if (id)
		strmap_put(&c->used, 0, id, 1, NULL);
}

/*
 * "Kind/name", the key of the planner's indexes: buf_addf(b, "%s/%s", ...) without the cost of
 * formatting a string per object (issue 26). Both strings are never NULL.
 */
static void kind_key(struct buf *b, const char *kind, const char *name)
{
	buf_addstr(b, kind);
	buf_addch(b, '/');
	buf_addstr(b, name);
}

static void set_id(struct pc *c, const struct resource *r, const char *id)
{
	c->ids[r - c->want->items] = id ? id : "";
}

static json_t *marker_for(const struct pc *c, const struct resource *r, const char *hash)
{
	return own_marker_json(r->kind, r->name, c->project, hash);
}

/* What the kind file's request builders get (core/kinds/impl.h): action ai, r, its view and hash. */
static struct kind_write write_of(struct pc *c, size_t ai, const struct resource *r,
				  const json_t *view, const char *hash)
{
	struct kind_write w = { c->p, ai, r, view, hash, OWN_HASH_VERSION, c->project, c->o, c->err };

	return w;
}

/* Requests that create r (action ai): its kind file's. */
static int create_reqs(struct pc *c, size_t ai, const struct resource *r, const json_t *view,
		       const char *hash)
{
	struct kind_write w = write_of(c, ai, r, view, hash);

	return kind_impl(r->kind)->create(&w);
}

/* Requests that bring the remote object id (obj) in line with view (action ai): its kind file's. */
static int update_reqs(struct pc *c, size_t ai, const struct resource *r, const json_t *view,
		       const char *hash, const char *id, const json_t *obj)
{
	struct kind_write w = write_of(c, ai, r, view, hash);

	return kind_impl(r->kind)->update(&w, id, obj);
}

/* The remote objects of a shared kind (the kind table's list), NULL for the others. */
static const json_t *remote_list(const struct pc *c, enum res_kind kind)
{
	return kind_ops(kind)->shared ? kind_remote_list(c->have, kind) : NULL;
}

/*
 * The key an object of that kind is found by (the kind table's: tool, folder and MCP names,
 * identity keys; blocks are found by their marker). The desired view uses the wire field
 * names, so the same function reads both sides.
 */
static const char *remote_key(enum res_kind kind, const json_t *o)
{
	const char *key = kind_ops(kind)->key;

	return kind == KIND_BLOCK || !key ? NULL : jsonx_get_str(o, key);
}

static int agent_has(const json_t *agent, const char *rel, const char *id)
{
	return remote_find_id(json_object_get(agent, rel), id) != NULL;
}

/*
 * An object to remove: an orphan (in the inventory, no manifest) or a duplicate copy. With
 * prune it is deleted, except a block still attached to an unmanaged agent, which is only
 * detached from managed agents. Returns the action's index, or (size_t)-1 when nothing to say.
 */
static size_t plan_removal(struct pc *c, enum res_kind kind, const char *name, const json_t *obj,
			   const char *why)
{
	const char *id = jsonx_get_str(obj, "id");
	int prune = (c->o->flags & PLAN_PRUNE) != 0;
	struct buf unmanaged = BUF_INIT;
	size_t ai, i;
	const json_t *ag;
	json_t *view;

	ai = pl_add(c->p, kind, name, prune ? CHANGE_DELETE : CHANGE_ORPHAN);
	c->p->items[ai].id = xstrdup(id);
	c->p->items[ai].breaking = 1;
	view = kind_have_view(kind, obj, NULL);
	pl_diff(c->p->items[ai].fields, "", view, NULL);
	json_decref(view);
	if (kind == KIND_BLOCK) {
		json_array_foreach(c->have->agents, i, ag)
		{
			if (agent_has(ag, "blocks", id) && !own_agent_is_managed(ag))
				buf_addf(&unmanaged, "%s%s", unmanaged.len ? ", " : "",
					 jsonx_get_str(ag, "name") ? jsonx_get_str(ag, "name")
								   : jsonx_get_str(ag, "id"));
		}
	}
	if (!prune) {
		c->p->items[ai].skip = 1;
		pl_reason(c->p, ai, "%s; sync --prune deletes it", why);
	} else if (unmanaged.len) {
		c->p->items[ai].change = CHANGE_ORPHAN;
		pl_reason(c->p, ai,
			  "%s, but still attached to unmanaged agent(s) %s: detached from "
			  "managed agents only",
			  why, unmanaged.buf);
		json_array_foreach(c->have->agents, i, ag)
		{
			if (!agent_has(ag, "blocks", id) || !own_agent_is_managed(ag))
				continue;
			pl_op(c->p, ai, OP_DETACH, TARGET_AGENT_BLOCK, id, jsonx_get_str(ag, "id"),
			      NULL, REQ_404_OK);
		}
		if (c->p->items[ai].nreqs == 0)
			c->p->items[ai].skip = 1;
	} else {
		pl_reason(c->p, ai, "%s", why);
		pl_op(c->p, ai, OP_DELETE, kind_ops(kind)->target, id, NULL, NULL, REQ_404_OK);
	}
	buf_release(&unmanaged);
	return ai;
}

/* An inventory entry; hash is of OWN_HASH_VERSION. */
static json_t *entry(enum res_kind kind, const char *name, const char *id, const char *hash,
		     const char *commit)
{
	json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", own_kind_name(kind), "name",
			      name, "id", id, "hash", hash ? hash : "", "commit",
			      commit ? commit : "");

	if (hash)
		own_hash_stamp(e, OWN_HASH_VERSION);
	return e;
}

/* Records what the inventory holds for r after action ai (or no action: ai == -1). */
static void record(struct pc *c, size_t ai, json_t *then_take, const json_t *old)
{
	if (ai == (size_t)-1) {
		if (then_take)
			json_array_append_new(c->new_entries, then_take);
		else if (old)
			json_array_append(c->new_entries, (json_t *)old);
		return;
	}
	json_array_append_new(c->new_entries,
			      json_pack("{s:I, s:o, s:O}", "@if", (json_int_t)ai, "then",
					then_take ? then_take : json_null(), "else",
					old ? old : json_null()));
}

/* Finds the remote object for a desired resource of a keyed kind (not blocks). */
static void index_add(json_t *index, const char *key, const json_t *o)
{
	json_t *arr = json_object_get(index, key);

	if (!arr) {
		arr = json_array();
		json_object_set_new(index, key, arr);
	}
	json_array_append(arr, (json_t *)o);
}

static void build_indexes(struct pc *c)
{
	static const enum res_kind keyed[] = { KIND_TOOL, KIND_FOLDER, KIND_MCP_SERVER,
					       KIND_IDENTITY };
	struct buf k = BUF_INIT;
	const json_t *o, *e;
	size_t i, j;

	size_t nb = json_array_size(c->have->blocks);

	c->key_index = json_object();
	c->block_next = xmalloc((nb + 1) * sizeof(*c->block_next));
	c->block_last = xmalloc((nb + 1) * sizeof(*c->block_last));
	c->block_marks = xcalloc(nb + 1, sizeof(*c->block_marks));
	strmap_reserve(&c->block_index, nb);
	strmap_reserve(&c->inv_index, json_array_size(c->old_entries));
	strmap_reserve(&c->used, c->want->n);
	json_array_foreach(c->have->blocks, i, o)
	{
		struct own_marker *m = &c->block_marks[i];
		const char *name = NULL;
		size_t *first;
		int added;

		c->block_next[i] = NO_BLOCK;
		if (own_is_inventory(o, c->project))
			continue;
		own_read(m, KIND_BLOCK, o, c->project);
		if ((m->state != OWN_OURS && m->state != OWN_LEGACY) || !m->source)
			continue;
		if (!strncmp(m->source, "Block/", 6))
			name = m->source + 6;
		else if (m->state == OWN_LEGACY)
			name = m->source;
		if (!name)
			continue;
		/* Appended in the list's order, as the candidates are ranked in it. */
		first = strmap_put(&c->block_index, 0, name, i, &added);
		if (added)
			c->block_last[i] = i;
		else
			c->block_next[c->block_last[*first]] = i, c->block_last[*first] = i;
	}
	for (j = 0; j < sizeof(keyed) / sizeof(keyed[0]); j++) {
		json_array_foreach(remote_list(c, keyed[j]), i, o)
		{
			const char *key = remote_key(keyed[j], o);

			if (!key)
				continue;
			buf_reset(&k);
			kind_key(&k, own_kind_name(keyed[j]), key);
			index_add(c->key_index, k.buf, o);
		}
	}
	/* The first entry of each kind and name (own_inventory_entries keeps known kinds only). */
	json_array_foreach(c->old_entries, i, e)
		strmap_put(&c->inv_index, (unsigned)own_kind_parse(jsonx_get_str(e, "kind")),
			   jsonx_get_str(e, "name"), i, NULL);
	buf_release(&k);
}

static const json_t *inv_find(const struct pc *c, enum res_kind kind, const char *name)
{
	const size_t *i = strmap_get(&c->inv_index, (unsigned)kind, name);

	return i ? json_array_get(c->old_entries, *i) : NULL;
}

static const json_t *find_keyed(const struct pc *c, enum res_kind kind, const json_t *view)
{
	const char *key = remote_key(kind, view);
	const json_t *o, *list;
	struct buf k = BUF_INIT;
	size_t i;

	kind_key(&k, own_kind_name(kind), key ? key : "");
	list = json_object_get(c->key_index, k.buf);
	buf_release(&k);
	json_array_foreach(list, i, o)
	{
		if (kind == KIND_IDENTITY && c->o->project_id && jsonx_get_str(o, "project_id") &&
		    strcmp(jsonx_get_str(o, "project_id"), c->o->project_id))
			continue;
		return o;
	}
	return NULL;
}

static int block_attached(const struct pc *c, const json_t *block)
{
	const char *id = jsonx_get_str(block, "id");
	const json_t *ag;
	size_t i;

	json_array_foreach(c->have->agents, i, ag)
		if (id && agent_has(ag, "blocks", id))
			return 1;
	return 0;
}

/*
 * --adopt: the unmarked blocks of the project with the label of want. Returns the only one;
 * NULL when there is none, or when there are several (their ids listed in ambiguous).
 */
static const json_t *adopt_block(const struct pc *c, const json_t *want, struct buf *ambiguous)
{
	const char *label = jsonx_get_str(want, "label");
	const json_t *o, *found = NULL;
	size_t i, n = 0;

	json_array_foreach(c->have->blocks, i, o)
	{
		struct own_marker m;

		if (!label || own_is_inventory(o, c->project) || !jsonx_get_str(o, "id") ||
		    !jsonx_get_str(o, "label") || strcmp(jsonx_get_str(o, "label"), label))
			continue;
		if (c->o->project_id && jsonx_get_str(o, "project_id") &&
		    strcmp(jsonx_get_str(o, "project_id"), c->o->project_id))
			continue;
		own_read(&m, KIND_BLOCK, o, c->project);
		if (m.state != OWN_NONE)
			continue;
		buf_addf(ambiguous, "%s%s", n ? ", " : "", jsonx_get_str(o, "id"));
		found = o;
		n++;
	}
	if (n == 1)
		buf_reset(ambiguous);
	return n == 1 ? found : NULL;
}

/*
 * Finds our block for Block/name: the inventory's id first, then letta-sync's markers, then
 * the original's. Other copies with the same source are duplicates, removed with prune.
 */
static const json_t *find_block(struct pc *c, const struct resource *r, const json_t *old,
				size_t *found)
{
	const size_t *first = strmap_get(&c->block_index, 0, r->name);
	const json_t *o, *best = NULL;
	int best_rank = 0, several = first && c->block_next[*first] != NO_BLOCK;
	size_t i, best_i = NO_BLOCK;

	*found = NO_BLOCK;
	for (i = first ? *first : NO_BLOCK; i != NO_BLOCK; i = c->block_next[i]) {
		const struct own_marker *m = &c->block_marks[i];
		int rank = 0;

		o = json_array_get(c->have->blocks, i);
		if ((m->state != OWN_OURS && m->state != OWN_LEGACY) ||
		    !own_source_matches(m, KIND_BLOCK, r->name))
			continue;
		if (old && jsonx_get_str(old, "id") && jsonx_get_str(o, "id") &&
		    !strcmp(jsonx_get_str(old, "id"), jsonx_get_str(o, "id")))
			rank = 6;
		else
			rank = m->state == OWN_OURS ? 4 : 2;
		/* Among copies (the original made duplicates), keep one an agent uses. */
		if (several && rank < 6 && block_attached(c, o))
			rank++;
		if (rank > best_rank) {
			best = o;
			best_i = i;
			best_rank = rank;
		}
	}
	if (!best)
		return NULL;
	/* Duplicates. */
	for (i = *first; i != NO_BLOCK; i = c->block_next[i]) {
		const struct own_marker *m = &c->block_marks[i];

		if (i == best_i)
			continue;
		o = json_array_get(c->have->blocks, i);
		if ((m->state == OWN_OURS || m->state == OWN_LEGACY) &&
		    own_source_matches(m, KIND_BLOCK, r->name)) {
			use_id(c, jsonx_get_str(o, "id"));
			plan_removal(c, KIND_BLOCK, r->name, o, "a duplicate copy of a managed block");
		}
	}
	*found = best_i;
	return best;
}

/* The fields of a marker change, for updates that only re-mark an object. */
static void marker_fields(json_t *fields, enum res_kind kind, const struct own_marker *m,
			  const json_t *want_marker)
{
	const char *where = kind == KIND_TOOL	      ? "metadata_"
			    : kind == KIND_IDENTITY ? "properties.letta_sync"
						    : "metadata";
	struct buf p = BUF_INIT;
	const char *keys[] = { "managed_by", "source", "project", "hash" };
	const char *have[4];
	size_t i;

	have[0] = m->state == OWN_LEGACY ? OWN_LEGACY_MANAGER
		  : m->state == OWN_NONE   ? NULL
					   : OWN_MANAGER;
	have[1] = m->source;
	have[2] = m->project;
	have[3] = m->hash;
	for (i = 0; i < 4; i++) {
		const char *w = jsonx_get_str(want_marker, keys[i]);

		if (have[i] && w && !strcmp(have[i], w))
			continue;
		buf_reset(&p);
		buf_addf(&p, "%s.%s", where, keys[i]);
		json_array_append_new(fields,
				      json_pack("{s:s, s:o, s:s}", "path", p.buf, "from",
						have[i] ? json_string(have[i]) : json_null(), "to",
						w ? w : ""));
	}
	if (kind == KIND_TOOL && !m->has_tag)
		json_array_append_new(fields, json_pack("{s:s, s:n, s:s}", "path", "tags[]",
							"from", "to", OWN_TAG));
	buf_release(&p);
}

/*
 * sync/diff --only: a shared object belongs to the agent section that uses it (Blocks to
 * memory_blocks, Tools to tools, MCP servers to mcp_servers, Folders to folders, Identities to
 * identities); outside the named sections it is neither created, updated nor deleted.
 */
int plan_kind_in_sections(enum res_kind k, unsigned sections)
{
	int s = kind_ops(k)->shared ? kind_ops(k)->section : -1;

	return s < 0 || !sections || (sections & (1u << s));
}

/* Whether an earlier run meant to write Kind/name and did not finish (see ownership.h). */
static int intended(const struct pc *c, enum res_kind kind, const char *name)
{
	struct buf k = BUF_INIT;
	int yes;

	if (!json_object_size(c->intents))
		return 0; /* the usual case: no run was interrupted */
	kind_key(&k, own_kind_name(kind), name);
	yes = json_object_get(c->intents, k.buf) != NULL;
	buf_release(&k);
	return yes;
}

static int plan_resource(struct pc *c, const struct resource *r)
{
	const json_t *old = inv_find(c, r->kind, r->name);
	const json_t *obj;
	json_t *want = kind_want_view(r), *have = NULL, *wm = NULL;
	char hw[OWN_HASH_LEN + 1], hh[OWN_HASH_LEN + 1];
	struct own_marker m;
	const char *recorded = NULL, *id;
	int rc = 0, remark = 0, force = (c->o->flags & PLAN_FORCE) != 0;
	int unfinished = intended(c, r->kind, r->name), edited = 0, equal;
	const struct own_hash_field *hf = own_hash_fields(r->kind);
	unsigned rv = 0;
	size_t ai, bi = NO_BLOCK;

	if (!force && c->o->force_names) {
		struct buf k = BUF_INIT;

		kind_key(&k, own_kind_name(r->kind), r->name);
		force = json_is_true(json_object_get(c->o->force_names, k.buf));
		buf_release(&k);
	}

	if (r->kind == KIND_FOLDER && json_is_array(json_object_get(r->spec, "files"))) {
		const json_t *files = json_object_get(c->o->folder_files, r->name), *f;
		json_t *map = json_object();
		const char *fn;

		json_object_foreach((json_t *)files, fn, f)
			json_object_set(map, fn, json_object_get(f, "sha256"));
		json_object_set_new(want, "files", map);
	}
	own_hash(hw, want);
	if (r->kind == KIND_BLOCK)
		obj = find_block(c, r, old, &bi);
	else
		obj = find_keyed(c, r->kind, want);
	if (!plan_kind_in_sections(r->kind, c->o->sections)) {
		/* Outside --only: known (agents of other sections may name it), never written. */
		if (obj && jsonx_get_str(obj, "id")) {
			use_id(c, jsonx_get_str(obj, "id"));
			set_id(c, r, jsonx_get_str(obj, "id"));
		}
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	if (!obj && r->kind == KIND_BLOCK && (c->o->flags & PLAN_ADOPT)) {
		struct buf ids = BUF_INIT;

		obj = adopt_block(c, want, &ids);
		if (ids.len) {
			/* Labels are not unique: which one is ours is the user's call. */
			ai = pl_add(c->p, r->kind, r->name, CHANGE_CONFLICT);
			c->p->items[ai].skip = 1;
			pl_reason(c->p, ai,
				  "--adopt found several unmarked blocks with the label '%s' (%s); "
				  "nothing is adopted or created: delete or relabel all but one",
				  jsonx_get_str(want, "label"), ids.buf);
			buf_release(&ids);
			record(c, (size_t)-1, NULL, old);
			goto out;
		}
		buf_release(&ids);
	}

	if (!obj) {
		ai = pl_add(c->p, r->kind, r->name, CHANGE_CREATE);
		pl_diff(c->p->items[ai].fields, "", NULL, want);
		c->p->items[ai].view = json_incref(want);
		pl_reason(c->p, ai, "%s", r->managed == MANAGED_SEED ? "seed: created once" :
								       "not on the server");
		rc = create_reqs(c, ai, r, want, hw);
		if (rc == 0) {
			char *ref = pl_ref(ai);

			set_id(c, r, ref);
			record(c, ai, entry(r->kind, r->name, ref, hw, c->o->commit), NULL);
			free(c->refs[r - c->want->items]);
			c->refs[r - c->want->items] = ref; /* set_id borrowed it */
		}
		goto out;
	}
	id = jsonx_get_str(obj, "id");
	use_id(c, id ? id : "");
	set_id(c, r, id);
	if (c->o->flags & PLAN_UPGRADE) {
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	if (bi != NO_BLOCK)
		m = c->block_marks[bi]; /* read once, in build_indexes */
	else
		own_read(&m, r->kind, obj, c->project);
	if (r->kind == KIND_MCP_SERVER) {
		/* No room for markers: the inventory is the record. */
		if (old && jsonx_get_str(old, "id") && id && !strcmp(jsonx_get_str(old, "id"), id)) {
			m.state = OWN_OURS;
			m.hash = jsonx_get_str(old, "hash");
			m.hash_version = own_hash_version_of(old);
		} else if (unfinished) {
			/* Created by a run that stopped before it could record it. */
			m.state = OWN_OURS;
			m.hash = NULL;
		}
	} else if ((r->kind == KIND_TOOL || r->kind == KIND_IDENTITY) &&
		   (m.state == OWN_NONE || (m.state == OWN_OURS && !m.hash)) && old &&
		   jsonx_get_str(old, "id") && id && !strcmp(jsonx_get_str(old, "id"), id)) {
		/*
		 * The server's tool create and upsert reset metadata_ to {"tool_hash": ...}
		 * (docs/letta-sim.md "Tool writes reset metadata_"), and its identity upsert replaces
		 * the properties that hold our marker: an object another client re-wrote has lost our
		 * marker, and maybe our tag. The inventory still records it as ours, with the hash of
		 * what we wrote, so an outside edit is still seen as one.
		 */
		m.state = OWN_OURS;
		m.hash = jsonx_get_str(old, "hash");
		m.hash_version = own_hash_version_of(old);
	}
	if (m.state == OWN_OTHER_PROJECT && !force) {
		ai = pl_add(c->p, r->kind, r->name, CHANGE_CONFLICT);
		c->p->items[ai].skip = 1;
		c->p->items[ai].id = xstrdup(id);
		pl_reason(c->p, ai,
			  "'%s' is managed by letta-sync for project '%s'; names are unique per "
			  "organisation (--force takes it over)",
			  r->name, m.project);
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	if (m.state == OWN_NONE && !(c->o->flags & PLAN_ADOPT) && !force) {
		ai = pl_add(c->p, r->kind, r->name, CHANGE_CONFLICT);
		c->p->items[ai].skip = 1;
		c->p->items[ai].id = xstrdup(id);
		pl_reason(c->p, ai,
			  "a %s named '%s' exists and is not managed by letta-sync (--adopt takes "
			  "it over)",
			  own_kind_name(r->kind), r->name);
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	/* The remote view is built only when something reads it (not for an unchanged object). */
	equal = kind_have_equals(r->kind, obj, want, &have); /* neither changes from here on */
	if (!have && (!equal || r->managed == MANAGED_SEED))
		have = kind_have_view(r->kind, obj, want);
	/* The server copy's hash only matters when it differs or for a seed: hashed then only. */
	hh[0] = '\0';
	recorded = m.hash;
	rv = m.hash_version;
	if (!recorded && old && jsonx_get_str(old, "id") && id &&
	    !strcmp(jsonx_get_str(old, "id"), id)) {
		recorded = jsonx_get_str(old, "hash");
		rv = own_hash_version_of(old);
	}
	/*
	 * A run that stopped half-way through writing it (a folder whose files are in and whose
	 * hash is not) left it in a state no hash describes: it is finished, not a conflict.
	 */
	if (unfinished && m.state == OWN_OURS)
		recorded = NULL;

	if (r->managed == MANAGED_SEED || !equal) {
		own_hash(hh, have);
		/* Whether the server's copy is not what was recorded, as its hash version saw it. */
		edited = recorded && !own_hash_matches(recorded, rv, have, hh, hf);
	}
	if (r->managed == MANAGED_SEED) {
		if (!equal) {
			ai = pl_add(c->p, r->kind, r->name, CHANGE_DRIFT);
			c->p->items[ai].skip = 1;
			c->p->items[ai].id = xstrdup(id);
			pl_diff(c->p->items[ai].fields, "", have, want);
			pl_reason(c->p, ai, "seed: the server's copy differs from the manifest "
					    "and is kept");
		} else {
			pl_same(c->p, r->kind, r->name, NULL, NULL, same_view(c, want));
		}
		if (!old && recorded) {
			json_t *e = entry(r->kind, r->name, id, recorded, c->o->commit);

			own_hash_stamp(e, rv);
			record(c, (size_t)-1, e, NULL);
		} else {
			record(c, (size_t)-1, old ? NULL : entry(r->kind, r->name, id, hh, c->o->commit),
			       old);
		}
		goto out;
	}

	if (r->kind != KIND_MCP_SERVER)
		remark = m.state != OWN_OURS ||
			 !own_hash_matches(m.hash, m.hash_version, want, hw, hf) || !m.project ||
			 strcmp(m.project, c->project) || !m.source ||
			 !own_source_matches(&m, r->kind, r->name) ||
			 (r->kind == KIND_TOOL && !m.has_tag);

	if (equal && !remark) {
		pl_same(c->p, r->kind, r->name, NULL, NULL, same_view(c, want));
		if (old && jsonx_get_str(old, "id") && id && !strcmp(jsonx_get_str(old, "id"), id) &&
		    own_hash_matches(jsonx_get_str(old, "hash"), own_hash_version_of(old), want, hw,
				     hf))
			record(c, (size_t)-1, NULL, old);
		else
			record(c, (size_t)-1,
			       entry(r->kind, r->name, id, hw,
				     old && jsonx_get_str(old, "commit") ? jsonx_get_str(old, "commit")
									 : c->o->commit),
			       NULL);
		goto out;
	}
	if (!equal && edited && !force) {
		ai = pl_add(c->p, r->kind, r->name, CHANGE_CONFLICT);
		c->p->items[ai].skip = 1;
		c->p->items[ai].id = xstrdup(id);
		pl_diff(c->p->items[ai].fields, "", have, want);
		pl_reason(c->p, ai, "edited outside git: its content no longer matches the hash "
				    "letta-sync recorded (--force overwrites it)");
		record(c, (size_t)-1, NULL, old);
		goto out;
	}
	if (!have)
		have = kind_have_view(r->kind, obj, want);
	ai = pl_add(c->p, r->kind, r->name, CHANGE_UPDATE);
	c->p->items[ai].id = xstrdup(id);
	/*
	 * Only the recorded hash is stale (the server's copy already is what git says, e.g.
	 * after `pull`): bookkeeping, applied but not shown as a change.
	 */
	if (equal && m.state == OWN_OURS && m.hash && m.project &&
	    !strcmp(m.project, c->project) && m.source && own_source_matches(&m, r->kind, r->name) &&
	    !(r->kind == KIND_TOOL && !m.has_tag))
		c->p->items[ai].internal = 1;
	pl_diff(c->p->items[ai].fields, "", have, want);
	if (json_array_size(c->p->items[ai].fields) == 0 || m.state != OWN_OURS) {
		wm = marker_for(c, r, hw); /* only here: an unchanged object needs none */
		marker_fields(c->p->items[ai].fields, r->kind, &m, wm);
	}
	pl_reason(c->p, ai, "%s",
		  m.state == OWN_LEGACY	    ? "adopted from the original letta-sync (smarty-admin)"
		  : m.state == OWN_NONE	    ? "adopted: it had no letta-sync markers"
		  : m.state == OWN_OTHER_PROJECT ? "taken over from another project (--force)"
		  : equal ? "markers refreshed"
		  : unfinished		   ? "finishing what an interrupted run started"
		  : edited			   ? "edited outside git; overwritten (--force)"
						   : "the manifest changed");
	if (r->kind == KIND_BLOCK) {
		json_int_t lim = json_integer_value(json_object_get(want, "limit"));

		if ((json_int_t)utf8_count(jsonx_get_str(obj, "value")) > lim &&
		    lim < json_integer_value(json_object_get(have, "limit")))
			c->p->items[ai].breaking = 1;
	}
	rc = update_reqs(c, ai, r, want, hw, id, obj);
	c->p->items[ai].view = json_incref(want);
	if (rc == 0) {
		json_t *keep = old ? json_incref((json_t *)old) : NULL;

		record(c, ai, entry(r->kind, r->name, id, hw, c->o->commit), keep);
		json_decref(keep);
	}
out:
	json_decref(want);
	json_decref(have);
	json_decref(wm);
	return rc;
}

/* Orders entries_key() strings: each is a size_t length, then that many bytes. */
static int cmp_key(const void *a, const void *b)
{
	const size_t *x = *(const size_t *const *)a, *y = *(const size_t *const *)b;
	size_t n = x[0] < y[0] ? x[0] : y[0];
	int c = memcmp(x + 1, y + 1, n);

	return c ? c : (x[0] > y[0]) - (x[0] < y[0]);
}

/* One field of an entry for entries_key(): a string as it is, anything else as JSON. */
static void key_field(struct buf *b, const json_t *x, const char *k)
{
	const json_t *v = json_object_get(x, k);

	if (json_is_string(v)) {
		buf_addch(b, 's');
		buf_add(b, json_string_value(v), json_string_length(v));
	} else if (v && !json_is_null(v)) {
		char *d = jsonx_canonical(v);

		buf_addch(b, 'j');
		buf_addstr(b, d);
		free(d);
	}
	buf_addch(b, '\0');
}

/*
 * Entries without their commit (kind, name, id and hash), sorted, to see whether the
 * inventory's content changes: one string per entry, fields NUL-separated (issue 26: no JSON
 * object and canonical dump per entry). *n gets the count; free with keys_free().
 */
static char **entries_key(const json_t *entries, int resolve, size_t *n)
{
	char **keys = xmalloc((json_array_size(entries) + 1) * sizeof(*keys));
	size_t *lens;
	json_t *e;
	size_t i;

	*n = 0;
	json_array_foreach(entries, i, e)
	{
		const json_t *x = e;
		struct buf b = BUF_INIT;

		if (json_object_get(e, "@if"))
			x = resolve ? json_object_get(e, "then") : json_object_get(e, "else");
		if (!json_is_object(x))
			continue;
		key_field(&b, x, "kind");
		key_field(&b, x, "name");
		key_field(&b, x, "id");
		key_field(&b, x, "hash");
		/* The length first, so that keys with NULs inside compare as byte strings. */
		lens = xmalloc(sizeof(*lens) + b.len);
		lens[0] = b.len;
		memcpy(lens + 1, b.buf, b.len);
		keys[(*n)++] = (char *)lens;
		buf_release(&b);
	}
	qsort(keys, *n, sizeof(*keys), cmp_key);
	return keys;
}

static void keys_free(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

static int keys_equal(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (cmp_key(&a[i], &b[i]))
			return 0;
	return 1;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;

	return (x > y) - (x < y);
}

/*
 * Whether the new entries are the old entry objects themselves, in any order and without
 * {"@if"} (every object unchanged): then their keys are equal without building them.
 */
static int same_entry_objects(const json_t *old, const json_t *now)
{
	size_t n = json_array_size(old), i;
	const json_t **a, **b;
	int same = 1;

	if (n != json_array_size(now))
		return 0;
	a = xmalloc((n + 1) * sizeof(*a));
	b = xmalloc((n + 1) * sizeof(*b));
	for (i = 0; i < n; i++) {
		a[i] = json_array_get(old, i);
		b[i] = json_array_get(now, i);
		if (json_object_get(a[i], "@if"))
			same = 0;
	}
	if (same) {
		qsort(a, n, sizeof(*a), cmp_ptr);
		qsort(b, n, sizeof(*b), cmp_ptr);
		same = !memcmp(a, b, n * sizeof(*a));
	}
	free(a);
	free(b);
	return same;
}

/*
 * The inventory's body: the entries, the intents, the markers, and the rollout record an
 * upgrade --waves keeps there (cli/rollout.c), carried over so that no rewrite loses it.
 */
static json_t *inventory_body(struct pc *c, json_t *entries, json_t *intents)
{
	json_t *value = json_pack("{s:i, s:s, s:O, s:O}", "version", 1, "project", c->project,
				  "objects", entries, "intent", intents);
	json_t *md = own_inventory_metadata(c->project);
	const json_t *ro = json_object_get(json_object_get(c->inventory, "metadata"), "rollout");

	if (json_is_object(ro))
		json_object_set_new(md, "rollout", json_deep_copy(ro));
	return json_pack("{s:s, s:o, s:s, s:o, s:i}", "label", OWN_INVENTORY_LABEL, "value", value,
			 "description",
			 "letta-sync inventory: every object this config repository manages",
			 "metadata", md, "limit", INVENTORY_LIMIT);
}

/* Adds an internal action writing the inventory: an update of block id, or a create when id is NULL. */
static size_t inventory_action(struct pc *c, const char *id, json_t *body_take)
{
	size_t ai = pl_add(c->p, KIND_BLOCK, OWN_INVENTORY_LABEL,
			   c->inventory ? CHANGE_UPDATE : CHANGE_CREATE);

	c->p->items[ai].internal = 1;
	pl_reason(c->p, ai, "the inventory of project '%s'", c->project);
	if (c->inventory)
		c->p->items[ai].id = xstrdup(jsonx_get_str(c->inventory, "id"));
	if (id) {
		pl_op(c->p, ai, OP_UPDATE, TARGET_BLOCK, id, NULL, body_take, REQ_STRINGIFY_VALUE);
	} else {
		if (c->o->project_id)
			json_object_set_new(body_take, "project_id", json_string(c->o->project_id));
		pl_op(c->p, ai, OP_CREATE, TARGET_BLOCK, NULL, NULL, body_take, REQ_STRINGIFY_VALUE);
	}
	return ai;
}

/*
 * The inventory's writes. Before the first write of a shared object, a write-ahead one lists
 * in "intent" every shared object this plan creates or changes (plus what earlier runs left
 * there); every such action waits for it. The last one records the entries and keeps in
 * "intent" only the objects whose action did not succeed, so that a run stopped at any point
 * leaves a record of what it may have half-done (ownership.h).
 */
static void plan_inventory(struct pc *c, size_t first_action)
{
	size_t i, ai, wa = (size_t)-1, writes = 0, end = c->p->n, nold, nnew;
	json_t *ahead = json_array(), *after = json_array();
	char **oldk, **newk;
	char *inv_id = NULL;
	const char *k;
	json_t *v;
	int same;

	json_object_foreach(c->intents, k, v)
	{
		const char *slash = strchr(k, '/');

		if (slash)
			json_array_append_new(ahead, json_pack("{s:s%, s:s}", "kind", k,
							       (size_t)(slash - k), "name",
							       slash + 1));
	}
	for (i = first_action; i < end; i++) {
		const struct plan_action *a = &c->p->items[i];
		json_t *in;

		if (a->skip || !a->nreqs)
			continue;
		writes++;
		if (a->change != CHANGE_CREATE && a->change != CHANGE_UPDATE)
			continue;
		in = json_pack("{s:s, s:s}", "kind", own_kind_name(a->kind), "name", a->name);
		if (!intended(c, a->kind, a->name))
			json_array_append(ahead, in);
		json_array_append_new(after, json_pack("{s:I, s:n, s:o}", "@if", (json_int_t)i,
						       "then", "else", in));
	}
	if (same_entry_objects(c->old_entries, c->new_entries)) {
		same = 1;
	} else {
		oldk = entries_key(c->old_entries, 0, &nold);
		newk = entries_key(c->new_entries, 1, &nnew);
		same = keys_equal(oldk, nold, newk, nnew) || (!c->inventory && nnew == 0);
		keys_free(oldk, nold);
		keys_free(newk, nnew);
	}
	if (!writes && !json_object_size(c->intents) && same) {
		json_decref(ahead);
		json_decref(after);
		return;
	}

	if (c->inventory)
		inv_id = xstrdup(jsonx_get_str(c->inventory, "id"));
	if (json_array_size(after)) {
		wa = inventory_action(c, inv_id, inventory_body(c, c->old_entries, ahead));
		for (i = first_action; i < end; i++)
			if (!c->p->items[i].skip && c->p->items[i].nreqs)
				pl_dep(c->p, i, wa);
		if (!inv_id)
			inv_id = pl_ref(wa);
	}
	ai = inventory_action(c, inv_id, inventory_body(c, c->new_entries, after));
	c->p->items[ai].soft = 1; /* {"@if"} keeps the old entries of failed actions */
	if (wa != (size_t)-1) {
		pl_dep(c->p, ai, wa);
		if (!c->inventory)
			c->p->items[ai].change = CHANGE_UPDATE;
	}
	for (i = first_action; i < end; i++)
		if (!c->p->items[i].skip && c->p->items[i].nreqs)
			pl_dep(c->p, ai, i);
	free(inv_id);
	json_decref(ahead);
	json_decref(after);
}

static int is_shared(enum res_kind k)
{
	return kind_ops(k)->shared;
}

int plan_compute(struct plan *out, const struct desired_state *want,
		 const struct remote_state *have, const struct plan_opts *opts,
		 struct ls_error *err)
{
	struct pc c;
	size_t i, k, first;
	int rc = 0;
	const json_t *e;
	struct strmap desired = STRMAP_INIT; /* (kind, name) of every manifest */

	/* A malformed answer is an error, never a crash or a create of what may exist. */
	if ((rc = remote_state_check(have, err)) < 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.p = out;
	c.want = want;
	c.have = have;
	c.o = opts;
	c.err = err;
	c.project = opts->project ? opts->project : "";
	c.inventory = own_find_inventory(have->blocks, c.project);
	own_inventory_read(c.inventory, &c.old_entries, &c.intents);
	c.new_entries = json_array();
	c.ids = xcalloc(want->n + 1, sizeof(*c.ids));
	c.refs = xcalloc(want->n + 1, sizeof(*c.refs));
	build_indexes(&c);
	if (!out->warnings)
		out->warnings = json_array();
	first = out->n;

	/* The shared kinds in the kind table's order: Block, Tool, MCPServer, Folder, Identity. */
	for (k = 0; k < KIND__COUNT && rc == 0; k++) {
		for (i = 0; i < want->n && rc == 0; i++) {
			const struct resource *r = &want->items[i];

			if (!kind_table[k].shared || r->kind != kind_table[k].kind ||
			    r->managed == MANAGED_FALSE)
				continue;
			rc = plan_resource(&c, r);
		}
	}
	/* Orphans: inventory entries that no manifest describes (managed: false ones included). */
	strmap_reserve(&desired, want->n);
	for (i = 0; i < want->n; i++)
		strmap_put(&desired, (unsigned)want->items[i].kind, want->items[i].name, 1, NULL);
	json_array_foreach(c.old_entries, i, e)
	{
		int kind = own_kind_parse(jsonx_get_str(e, "kind"));
		const char *name = jsonx_get_str(e, "name"), *id = jsonx_get_str(e, "id");
		const json_t *obj;
		size_t ai;

		if (rc < 0 || kind < 0 || !is_shared((enum res_kind)kind))
			continue;
		if (strmap_get(&desired, (unsigned)kind, name))
			continue; /* managed: false keeps an object but forgets it */
		if ((opts->flags & PLAN_UPGRADE) ||
		    !plan_kind_in_sections((enum res_kind)kind, opts->sections)) {
			record(&c, (size_t)-1, NULL, e);
			continue;
		}
		obj = remote_find_id(remote_list(&c, (enum res_kind)kind), id);
		if (!obj || (id && strmap_get(&c.used, 0, id)))
			continue; /* gone already: dropped from the inventory */
		ai = plan_removal(&c, (enum res_kind)kind, name, obj,
				  "no manifest describes it any more");
		if (out->items[ai].skip || out->items[ai].change != CHANGE_DELETE)
			record(&c, (size_t)-1, NULL, e);
		else
			record(&c, ai, NULL, e);
	}
	if (rc == 0)
		plan_inventory(&c, first);
	if (rc == 0 && want)
		rc = plan_agents(out, want, have, opts, c.ids, err);

	json_decref(c.old_entries);
	json_decref(c.intents);
	json_decref(c.new_entries);
	strmap_release(&c.used);
	for (i = 0; i < want->n; i++)
		free(c.refs[i]);
	free(c.refs);
	free(c.ids);
	strmap_release(&c.block_index);
	free(c.block_next);
	free(c.block_last);
	free(c.block_marks);
	json_decref(c.key_index);
	strmap_release(&c.inv_index);
	strmap_release(&desired);
	return rc;
}
