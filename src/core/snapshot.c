/* Snapshots: what a destructive run saves, and the plan that puts it back (snapshot.h). */
#include "core/snapshot.h"
#include "core/kinds/impl_table.h"
#include "core/kinds/kinds.h"

#include "core/ownership.h"
#include "core/plan_build.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The remote objects of a shared kind (the kind table's list), NULL for the others. */
static const json_t *kind_list(const struct remote_state *rs, enum res_kind kind)
{
	return kind_ops(kind)->shared ? kind_remote_list(rs, kind) : NULL;
}

static int destructive(const struct plan_action *a)
{
	if (a->skip)
		return 0;
	if (a->change == CHANGE_DELETE || a->change == CHANGE_ORPHAN || a->breaking)
		return 1;
	/* plan.c's reasons for overwriting what git did not write. */
	return a->change == CHANGE_UPDATE && a->reason &&
	       (strstr(a->reason, "(--force)") || strstr(a->reason, "taken over"));
}

int snapshot_needed(const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (destructive(&p->items[i]))
			return 1;
	return 0;
}

static const char *const secret_keys[] = {
	"secrets", "tool_exec_environment_variables", "auth_token", "auth_header", "token",
	"custom_headers", "env", "api_key", "password", "authorization", "env_vars_json", NULL,
};

void snapshot_scrub(json_t *v)
{
	const char *k;
	json_t *x;
	void *tmp;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, k, x) {
			int secret = 0;

			for (int j = 0; secret_keys[j]; j++)
				secret |= !strcmp(k, secret_keys[j]);
			if (secret)
				json_object_del(v, k);
			else
				snapshot_scrub(x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			snapshot_scrub(x);
	}
}

static int has_id(const json_t *list, const char *id)
{
	size_t i;
	json_t *x;

	json_array_foreach(list, i, x)
		if (json_is_object(x) ? !strcmp(jsonx_get_str(x, "id") ? jsonx_get_str(x, "id") : "", id)
				      : json_is_string(x) && !strcmp(json_string_value(x), id))
			return 1;
	return 0;
}

static void add_object(json_t *objects, enum res_kind kind, const char *name, const json_t *obj)
{
	const char *id = jsonx_get_str(obj, "id");
	json_t *copy;

	if (!id || has_id(objects, id))
		return;
	copy = json_deep_copy(obj);
	snapshot_scrub(copy);
	json_array_append_new(objects, json_pack("{s:s, s:s, s:s, s:o}", "kind",
						 own_kind_name(kind), "name", name, "id", id,
						 "object", copy));
}

static void add_agent(json_t *agents, const json_t *agent, int touched)
{
	const char *id = jsonx_get_str(agent, "id");
	size_t i;
	json_t *x, *copy;

	json_array_foreach(agents, i, x) {
		if (!strcmp(jsonx_get_str(x, "id"), id)) {
			if (touched)
				json_object_set_new(x, "touched", json_true());
			return;
		}
	}
	copy = json_deep_copy(agent);
	snapshot_scrub(copy);
	json_array_append_new(agents, json_pack("{s:s, s:s, s:b, s:o}", "id", id, "name",
						jsonx_get_str(agent, "name") ? jsonx_get_str(agent, "name")
									     : "",
						"touched", touched, "object", copy));
}

/* Whether agent uses the object id (a block, tool, folder or identity). */
static int agent_uses(const json_t *agent, const char *id)
{
	static const char *const rels[] = { "blocks", "tools", "sources", "identities", NULL };

	for (int i = 0; rels[i]; i++)
		if (has_id(json_object_get(agent, rels[i]), id))
			return 1;
	return 0;
}

json_t *snapshot_collect(const struct plan *p, const struct remote_state *rs)
{
	json_t *objects = json_array(), *agents = json_array(), *ag;
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];
		const json_t *list = kind_list(rs, a->kind), *obj;

		if (a->skip || !a->id)
			continue;
		if (a->agent) {
			obj = remote_find_id(rs->agents, a->agent);
			if (obj)
				add_agent(agents, obj, 1);
		}
		if (a->kind == KIND_AGENT && !a->agent && (obj = remote_find_id(rs->agents, a->id)))
			add_agent(agents, obj, 1);
		if (!list || !(obj = remote_find_id(list, a->id)))
			continue;
		/* The inventory is rewritten by every run: restore keeps it, entry by entry. */
		if (a->internal && a->kind == KIND_BLOCK &&
		    !strcmp(jsonx_get_str(obj, "label") ? jsonx_get_str(obj, "label") : "",
			    OWN_INVENTORY_LABEL))
			continue;
		add_object(objects, a->kind, a->name, obj);
		if (a->change == CHANGE_DELETE || a->change == CHANGE_ORPHAN)
			json_array_foreach(rs->agents, j, ag)
				if (agent_uses(ag, a->id))
					add_agent(agents, ag, 0);
	}
	return json_pack("{s:o, s:o}", "objects", objects, "agents", agents);
}

json_t *snapshot_collect_all(const struct remote_state *rs, const char *project,
			     const char *agent)
{
	json_t *objects = json_array(), *agents = json_array(), *entries, *e, *ag;
	const json_t *inv = own_find_inventory(rs->blocks, project);
	size_t i;

	entries = inv ? own_inventory_entries(inv) : json_array();
	if (!agent) {
		json_array_foreach(entries, i, e) {
			int kind = own_kind_parse(jsonx_get_str(e, "kind"));
			const json_t *list, *obj;

			if (kind < 0 || !jsonx_get_str(e, "id") ||
			    !(list = kind_list(rs, (enum res_kind)kind)) ||
			    !(obj = remote_find_id(list, jsonx_get_str(e, "id"))))
				continue;
			add_object(objects, (enum res_kind)kind, jsonx_get_str(e, "name"), obj);
		}
	}
	json_array_foreach(rs->agents, i, ag) {
		const char *id = jsonx_get_str(ag, "id"), *name = jsonx_get_str(ag, "name");

		if (!own_agent_is_managed(ag))
			continue;
		if (agent && !(id && !strcmp(id, agent)) && !(name && !strcmp(name, agent)))
			continue;
		add_agent(agents, ag, 1);
	}
	json_decref(entries);
	return json_pack("{s:o, s:o}", "objects", objects, "agents", agents);
}

void snapshot_add_agent(json_t *content, const json_t *agent, int touched)
{
	if (jsonx_get_str(agent, "id"))
		add_agent(json_object_get(content, "agents"), agent, touched);
}

void snapshot_add_inventory(json_t *content, const struct remote_state *rs, const char *project)
{
	const json_t *inv = own_find_inventory(rs->blocks, project);

	json_object_set_new(content, "inventory", inv ? own_inventory_entries(inv) : json_array());
}

json_t *snapshot_contents(const json_t *content)
{
	static const char *const keys[] = { "blocks", "tools", "mcp_servers", "templates",
					    "folders", "identities" };
	json_t *out = json_object();
	size_t i;
	json_t *o;

	json_array_foreach(json_object_get(content, "objects"), i, o) {
		int k = own_kind_parse(jsonx_get_str(o, "kind"));

		if (k >= 0 && k <= KIND_IDENTITY) {
			json_int_t n = json_integer_value(json_object_get(out, keys[k]));

			json_object_set_new(out, keys[k], json_integer(n + 1));
		}
	}
	json_object_set_new(out, "agents",
			    json_integer((json_int_t)json_array_size(json_object_get(content,
										    "agents"))));
	return out;
}

int snapshot_only(const json_t *only, enum res_kind kind, const char *name)
{
	struct buf k = BUF_INIT;
	int ok;

	if (!only)
		return 1;
	buf_addf(&k, "%s/%s", own_kind_name(kind), name ? name : "");
	ok = json_object_get(only, k.buf) != NULL;
	buf_release(&k);
	return ok;
}

/* ---- restore ---- */

struct rc {
	struct plan *p;
	json_t *records;
	json_t *ids; /* old id -> current id or "@ref:N" */
	const struct remote_state *rs;
	const struct restore_opts *o;
	json_t *inv;  /* the current inventory entries */
};

/* The fields restore puts back, per kind; the first are create-only when marked so. */
static const char *const block_fields[] = { "label", "value", "limit", "description",
					    "metadata", "read_only", "hidden", "tags",
					    "preserve_on_migration", NULL };
static const char *const tool_fields[] = { "description", "tags", "source_code",
					   "source_type", "json_schema", "args_json_schema",
					   "return_char_limit", "pip_requirements",
					   "npm_requirements", "default_requires_approval",
					   "enable_parallel_execution", NULL };
static const char *const folder_fields[] = { "name", "description", "instructions",
					     "metadata", NULL };
static const char *const identity_fields[] = { "identifier_key", "name", "identity_type",
					       "properties", NULL };

static json_t *pick(const json_t *o, const char *const *keys)
{
	json_t *out = json_object(), *v;

	for (int i = 0; keys[i]; i++)
		if ((v = json_object_get(o, keys[i])) && !json_is_null(v))
			json_object_set(out, keys[i], v);
	return out;
}

/* The fields of want that cur does not have as they are. New reference. */
static json_t *differing(const json_t *want, const json_t *cur)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)want, k, v)
		if (!json_equal(v, json_object_get(cur, k)))
			json_object_set(out, k, v);
	return out;
}

/* Where the object is now: by its id, by the inventory's id for it, or by its marker. */
static const json_t *locate(struct rc *c, enum res_kind kind, const char *name, const char *id)
{
	const json_t *list = kind_list(c->rs, kind), *e, *x;
	size_t i;

	if ((x = remote_find_id(list, id)))
		return x;
	e = own_inventory_find(c->inv, kind, name);
	if (e && jsonx_get_str(e, "id") && (x = remote_find_id(list, jsonx_get_str(e, "id"))))
		return x;
	json_array_foreach(list, i, x) {
		struct own_marker m;

		own_read(&m, kind, x, c->o->project);
		if (m.state == OWN_OURS && own_source_matches(&m, kind, name) &&
		    (kind != KIND_BLOCK || !strcmp(jsonx_get_str(x, "label") ? jsonx_get_str(x, "label") : "",
						  name)))
			return x;
	}
	return NULL;
}

/*
 * The hash restore records for obj: the hash of the restored content as the manifest of
 * kind/name sees it, so that the next diff shows the manifest's change instead of a conflict;
 * the saved marker's hash when no manifest describes it.
 */
static unsigned record_hash(struct rc *c, char out[OWN_HASH_LEN + 1], enum res_kind kind,
			    const char *name, const json_t *obj)
{
	const struct resource *r = c->o->ds ? desired_find(c->o->ds, kind, name) : NULL;
	struct own_marker m;

	out[0] = 0;
	if (r && kind != KIND_FOLDER) {
		json_t *want = kind_want_view(r), *have = kind_have_view(kind, obj, want);

		own_hash(out, have);
		json_decref(want);
		json_decref(have);
		return OWN_HASH_VERSION;
	}
	own_read(&m, kind, obj, c->o->project);
	if (m.hash)
		snprintf(out, OWN_HASH_LEN + 1, "%s", m.hash);
	return m.hash ? m.hash_version : OWN_HASH_VERSION;
}

/* Sets the marker hash inside a restore body (blocks, folders: metadata; tools: metadata_). */
static void set_marker_hash(json_t *body, enum res_kind kind, const char *hash,
			    unsigned version)
{
	const char *key = kind == KIND_TOOL ? "metadata_" : "metadata";
	json_t *md = json_object_get(body, key);

	if (!*hash || !json_is_object(md) || !jsonx_get_str(md, "managed_by"))
		return;
	json_object_set_new(md, "hash", json_string(hash));
	own_hash_stamp(md, version);
}

static void add_record(struct rc *c, enum res_kind kind, const char *name, const char *old_id,
		       const char *id, long action, const char *hash, unsigned version)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:o, s:I, s:s}", "kind", own_kind_name(kind), "name",
			      name, "old_id", old_id, "id", id ? json_string(id) : json_null(),
			      "action", (json_int_t)action, "hash", hash);

	own_hash_stamp(r, version);
	json_array_append_new(c->records, r);
}

static void restore_object(struct rc *c, enum res_kind kind, const char *name, const char *id,
			   const json_t *obj)
{
	const json_t *cur = locate(c, kind, name, id);
	const char *const *fields = kind == KIND_BLOCK	  ? block_fields
				    : kind == KIND_TOOL	  ? tool_fields
				    : kind == KIND_FOLDER ? folder_fields
							  : identity_fields;
	char hash[OWN_HASH_LEN + 1];
	unsigned hv;
	json_t *want, *body;
	size_t ai;

	if (kind == KIND_MCP_SERVER) {
		jsonx_array_addf(c->p->warnings,
				 "MCPServer/%s is not restored: its secrets are not in the snapshot; "
				 "'letta-sync sync' re-creates it from its manifest",
				 name);
		return;
	}
	if (kind == KIND_TOOL && !jsonx_get_str(obj, "source_code"))
		return; /* built-in and MCP tools: the server makes them */
	hv = record_hash(c, hash, kind, name, obj);
	want = pick(obj, fields);
	if (kind == KIND_TOOL && json_is_object(json_object_get(obj, "metadata_")))
		json_object_set(want, "metadata_", json_object_get(obj, "metadata_"));
	set_marker_hash(want, kind, hash, hv);
	if (cur) {
		const char *cid = jsonx_get_str(cur, "id");

		json_object_set_new(c->ids, id, json_string(cid));
		body = differing(want, cur);
		if (kind == KIND_FOLDER)
			json_object_del(body, "name");
		if (!json_object_size(body)) {
			json_decref(body);
			add_record(c, kind, name, id, cid, -1, hash, hv);
			goto out;
		}
		ai = pl_add(c->p, kind, name, CHANGE_UPDATE);
		c->p->items[ai].id = xstrdup(cid);
		pl_reason(c->p, ai, "restored from the snapshot");
		{
			json_t *was = pick(cur, fields);

			pl_diff(c->p->items[ai].fields, "", was, body);
			json_decref(was);
		}
		pl_op(c->p, ai, OP_UPDATE,
		      kind == KIND_BLOCK    ? TARGET_BLOCK
		      : kind == KIND_TOOL   ? TARGET_TOOL
		      : kind == KIND_FOLDER ? TARGET_FOLDER
					    : TARGET_IDENTITY,
		      cid, NULL, body, 0);
		add_record(c, kind, name, id, cid, -1, hash, hv);
		goto out;
	}
	ai = pl_add(c->p, kind, name, CHANGE_CREATE);
	pl_reason(c->p, ai, "re-created from the snapshot");
	pl_diff(c->p->items[ai].fields, "", NULL, want);
	{
		char *ref = pl_ref(ai);

		json_object_set_new(c->ids, id, json_string(ref));
		free(ref);
	}
	switch (kind) {
	case KIND_BLOCK:
		body = json_deep_copy(want);
		if (c->o->project_id)
			json_object_set_new(body, "project_id", json_string(c->o->project_id));
		pl_op(c->p, ai, OP_CREATE, TARGET_BLOCK, NULL, NULL, body, 0);
		break;
	case KIND_TOOL:
		body = json_deep_copy(want);
		json_object_del(body, "metadata_");
		pl_op(c->p, ai, OP_UPSERT, TARGET_TOOL, NULL, NULL, body, 0);
		if (json_object_get(want, "metadata_"))
			pl_op(c->p, ai, OP_UPDATE, TARGET_TOOL, "@self", NULL,
			      json_pack("{s:O}", "metadata_", json_object_get(want, "metadata_")),
			      0);
		break;
	case KIND_FOLDER:
		body = json_deep_copy(want);
		if (json_is_object(json_object_get(obj, "embedding_config")))
			json_object_set(body, "embedding_config",
					json_object_get(obj, "embedding_config"));
		pl_op(c->p, ai, OP_CREATE, TARGET_FOLDER, NULL, NULL, body, 0);
		break;
	default:
		pl_op(c->p, ai, OP_UPSERT, TARGET_IDENTITY, NULL, NULL, json_deep_copy(want),
		      REQ_PROJECT_HEADER);
		break;
	}
	add_record(c, kind, name, id, NULL, (long)ai, hash, hv);
out:
	json_decref(want);
}

/* The saved relation's ids mapped to where those objects are now. */
static json_t *mapped_ids(struct rc *c, const json_t *saved, size_t ai)
{
	json_t *out = json_array(), *x;
	size_t i;

	json_array_foreach(saved, i, x) {
		const char *id = jsonx_get_str(x, "id"), *now;

		if (!id)
			continue;
		now = jsonx_get_str(c->ids, id);
		if (!now) {
			/* Not restored (filtered out or never ours): kept only when it exists. */
			const json_t *lists[] = { c->rs->blocks, c->rs->tools, c->rs->folders,
						  c->rs->identities };
			int found = 0;

			for (int k = 0; k < 4; k++)
				found |= remote_find_id(lists[k], id) != NULL;
			if (!found)
				continue;
			now = id;
		}
		if (!strncmp(now, "@ref:", 5))
			pl_dep(c->p, ai, (size_t)strtoul(now + 5, NULL, 10));
		json_array_append_new(out, json_string(now));
	}
	return out;
}

static int same_set(const json_t *a, const json_t *b)
{
	size_t i;
	json_t *x;

	if (json_array_size(a) != json_array_size(b))
		return 0;
	json_array_foreach(a, i, x)
		if (!has_id(b, json_string_value(x)))
			return 0;
	return 1;
}

/* Whether a block is attached to some agent other than agent_id. */
static int used_elsewhere(const struct rc *c, const char *block_id, const char *agent_id)
{
	size_t i;
	json_t *ag;

	json_array_foreach(c->rs->agents, i, ag)
		if (strcmp(jsonx_get_str(ag, "id") ? jsonx_get_str(ag, "id") : "", agent_id) &&
		    has_id(json_object_get(ag, "blocks"), block_id))
			return 1;
	return 0;
}

/*
 * An agent re-created by import (now_id) has copies of every block it had: the import makes
 * new ones. The blocks that still exist (shared ones, or put back by this restore) are
 * attached again in place of their copies, which are deleted after that; the copies of blocks
 * that are gone (its private blocks) stay, they are its memory now.
 */
static void restore_imported(struct rc *c, const json_t *saved, const char *name,
			     const char *now_id)
{
	const json_t *cur = remote_find_id(c->rs->agents, now_id), *x;
	json_t *want = json_array(), *have, *copies = json_array(), *y;
	size_t i, j, ai;

	if (!cur) {
		json_decref(want);
		json_decref(copies);
		return;
	}
	ai = pl_add(c->p, KIND_AGENT, name, CHANGE_UPDATE);
	c->p->items[ai].id = xstrdup(now_id);
	c->p->items[ai].agent = xstrdup(now_id);
	json_array_foreach(json_object_get(saved, "blocks"), i, x) {
		const char *id = jsonx_get_str(x, "id"), *label = jsonx_get_str(x, "label");
		const char *now = id ? jsonx_get_str(c->ids, id) : NULL;
		const json_t *copy = NULL;

		if (!id || !label)
			continue;
		json_array_foreach(json_object_get(cur, "blocks"), j, y)
			if (jsonx_get_str(y, "label") && !strcmp(jsonx_get_str(y, "label"), label) &&
			    jsonx_get_str(y, "id") && strcmp(jsonx_get_str(y, "id"), id))
				copy = y;
		if (!now && remote_find_id(c->rs->blocks, id))
			now = id;
		if (!now) {
			/* Gone (a private block): the import's copy is the agent's block now. */
			json_array_foreach(json_object_get(cur, "blocks"), j, y)
				if (jsonx_get_str(y, "label") && !strcmp(jsonx_get_str(y, "label"), label) &&
				    jsonx_get_str(y, "id") && !has_id(want, jsonx_get_str(y, "id")))
					json_array_append_new(want, json_string(jsonx_get_str(y, "id")));
			continue;
		}
		if (!copy) {
			/* Attached as it is (a restore ran before), or missing: attach it. */
			if (!has_id(want, now))
				json_array_append_new(want, json_string(now));
			if (!strncmp(now, "@ref:", 5))
				pl_dep(c->p, ai, (size_t)strtoul(now + 5, NULL, 10));
			continue;
		}
		if (!strncmp(now, "@ref:", 5))
			pl_dep(c->p, ai, (size_t)strtoul(now + 5, NULL, 10));
		json_array_append_new(want, json_string(now));
		if (!used_elsewhere(c, jsonx_get_str(copy, "id"), now_id))
			json_array_append_new(copies, json_string(jsonx_get_str(copy, "id")));
	}
	/* Blocks the agent has that the snapshot did not know stay attached. */
	json_array_foreach(json_object_get(cur, "blocks"), j, y) {
		const char *id = jsonx_get_str(y, "id");

		if (id && !has_id(want, id) && !has_id(copies, id))
			json_array_append_new(want, json_string(id));
	}
	have = jsonx_array_pluck_str(json_object_get(cur, "blocks"), "id");
	if (same_set(want, have)) {
		plan_truncate(c->p, ai);
		goto out;
	}
	pl_reason(c->p, ai, "re-created by import: its shared blocks attached again");
	{
		json_t *from = json_pack("{s:O}", "block_ids", have);
		json_t *to = json_pack("{s:O}", "block_ids", want);

		pl_diff(c->p->items[ai].fields, "", from, to);
		json_decref(from);
		json_decref(to);
	}
	pl_op(c->p, ai, OP_UPDATE, TARGET_AGENT, now_id, NULL, json_pack("{s:O}", "block_ids", want),
	      0);
	/* The copies go last, once the agent no longer uses them. */
	json_array_foreach(copies, i, y) {
		const json_t *b = remote_find_id(json_object_get(cur, "blocks"), json_string_value(y));
		size_t di = pl_add(c->p, KIND_BLOCK,
				   jsonx_get_str(b, "label") ? jsonx_get_str(b, "label") : "",
				   CHANGE_DELETE);

		c->p->items[di].id = xstrdup(json_string_value(y));
		pl_reason(c->p, di, "a copy the import made of a block that still exists, replaced by it");
		pl_op(c->p, di, OP_DELETE, TARGET_BLOCK, json_string_value(y), NULL, NULL,
		      REQ_404_OK);
		pl_dep(c->p, di, ai);
	}
out:
	json_decref(have);
	json_decref(want);
	json_decref(copies);
}

static void restore_agent(struct rc *c, const json_t *saved_entry)
{
	static const char *const rels[][2] = { { "blocks", "block_ids" },
					       { "tools", "tool_ids" },
					       { "sources", "source_ids" },
					       { "identities", "identity_ids" } };
	const json_t *saved = json_object_get(saved_entry, "object"), *cur;
	const char *old_id = jsonx_get_str(saved_entry, "id");
	const char *name = jsonx_get_str(saved_entry, "name");
	const char *now_id = jsonx_get_str(c->o->agent_ids, old_id);
	int touched = json_is_true(json_object_get(saved_entry, "touched"));
	json_t *body = json_object(), *tmp;
	size_t ai, k;

	if (now_id) {
		restore_imported(c, saved, name, now_id);
		json_decref(body);
		return;
	}
	cur = remote_find_id(c->rs->agents, old_id);
	if (!cur) {
		jsonx_array_addf(c->p->warnings, "Agent/%s (%s) is gone and has no agent file in "
						 "the snapshot; it is not restored",
				 name, old_id);
		json_decref(body);
		return;
	}
	ai = pl_add(c->p, KIND_AGENT, name, CHANGE_UPDATE);
	c->p->items[ai].id = xstrdup(old_id);
	c->p->items[ai].agent = xstrdup(old_id);
	if (touched) {
		static const char *const scalars[] = { "system", "description", "metadata", NULL };

		for (k = 0; scalars[k]; k++) {
			const json_t *v = json_object_get(saved, scalars[k]);

			if (v && !json_equal(v, json_object_get(cur, scalars[k])))
				json_object_set(body, scalars[k], (json_t *)v);
		}
		if (json_is_array(json_object_get(saved, "tags")) &&
		    !same_set(json_object_get(saved, "tags"), json_object_get(cur, "tags")))
			json_object_set(body, "tags", json_object_get(saved, "tags"));
		if (remote_agent_model(saved) && remote_agent_model(cur) &&
		    strcmp(remote_agent_model(saved), remote_agent_model(cur)))
			json_object_set_new(body, "model", json_string(remote_agent_model(saved)));
	}
	for (k = 0; k < 4; k++) {
		json_t *want = mapped_ids(c, json_object_get(saved, rels[k][0]), ai);
		json_t *have = jsonx_array_pluck_str(json_object_get(cur, rels[k][0]), "id");
		size_t i;
		json_t *x;

		if (!touched) /* re-attach only: what it has now stays */
			json_array_foreach(have, i, x)
				if (!has_id(want, json_string_value(x)))
					json_array_append(want, x);
		if (!same_set(want, have))
			json_object_set(body, rels[k][1], want);
		json_decref(want);
		json_decref(have);
	}
	if (!json_object_size(body)) {
		/* Nothing to do: drop the action again (it is the last one). */
		plan_truncate(c->p, ai);
		json_decref(body);
		return;
	}
	tmp = json_object();
	pl_diff(c->p->items[ai].fields, "", tmp, body);
	json_decref(tmp);
	pl_reason(c->p, ai, "%s", touched ? "restored from the snapshot"
					  : "re-attached what the snapshot's run detached");
	pl_op(c->p, ai, OP_UPDATE, TARGET_AGENT, old_id, NULL, body, 0);
}

int snapshot_restore_plan(struct plan *out, json_t **records, const json_t *content,
			  const struct remote_state *rs, const struct restore_opts *o,
			  struct ls_error *err)
{
	struct rc c;
	const json_t *inv = own_find_inventory(rs->blocks, o->project), *x, *ag;
	json_t *objs;
	size_t i, j;

	(void)err;
	memset(&c, 0, sizeof(c));
	c.p = out;
	c.rs = rs;
	c.o = o;
	c.records = json_array();
	c.ids = json_object();
	c.inv = inv ? own_inventory_entries(inv) : json_array();
	if (!out->warnings)
		out->warnings = json_array();
	/* Shared objects first, then the private blocks of touched agents, then agents. */
	objs = json_deep_copy(json_object_get(content, "objects"));
	json_array_foreach(json_object_get(content, "agents"), i, ag) {
		if (!json_is_true(json_object_get(ag, "touched")) ||
		    jsonx_get_str(o->agent_ids, jsonx_get_str(ag, "id")))
			continue;
		json_array_foreach(json_object_get(json_object_get(ag, "object"), "blocks"), j, x) {
			const char *id = jsonx_get_str(x, "id");

			if (id && !has_id(objs, id))
				json_array_append_new(objs, json_pack("{s:s, s:s, s:s, s:O}", "kind",
								      "Block", "name",
								      jsonx_get_str(x, "label")
									      ? jsonx_get_str(x, "label")
									      : "",
								      "id", id, "object", x));
		}
	}
	json_array_foreach(objs, i, x) {
		int kind = own_kind_parse(jsonx_get_str(x, "kind"));
		const char *name = jsonx_get_str(x, "name"), *id = jsonx_get_str(x, "id");

		if (kind < 0 || !name || !id || !json_is_object(json_object_get(x, "object")))
			continue;
		if (!snapshot_only(o->only, (enum res_kind)kind, name))
			continue;
		restore_object(&c, (enum res_kind)kind, name, id, json_object_get(x, "object"));
	}
	json_array_foreach(json_object_get(content, "agents"), i, ag) {
		if (!jsonx_get_str(ag, "id") || !jsonx_get_str(ag, "name") ||
		    !snapshot_only(o->only, KIND_AGENT, jsonx_get_str(ag, "name")))
			continue;
		restore_agent(&c, ag);
	}
	json_decref(objs);
	json_decref(c.ids);
	json_decref(c.inv);
	*records = c.records;
	return 0;
}
