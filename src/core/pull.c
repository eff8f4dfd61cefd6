/*
 * Reverse sync: remote state -> manifests (see pull.h). Every object is translated back from
 * the wire, then checked against the planner's own views, so that what pull writes is what
 * diff compares.
 */
#include "core/pull.h"
#include "core/kinds/impl_table.h"
#include "core/kinds/kinds.h"
#include "core/memfiles.h"
#include "core/ownership.h"
#include "core/plan_agents.h"
#include "core/kinds/view.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"
#include "util/yamlw.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Kinds in the order files are written (and objects reported). */
static const enum res_kind pull_kinds[] = { KIND_BLOCK,	   KIND_TOOL,	  KIND_MCP_SERVER,
					    KIND_FOLDER,   KIND_IDENTITY, KIND_TEMPLATE,
					    KIND_AGENT };
#define NKINDS (sizeof(pull_kinds) / sizeof(pull_kinds[0]))

const char *pull_file_name(enum res_kind kind)
{
	return (unsigned)kind < KIND__COUNT ? kind_ops(kind)->file : NULL;
}

struct pc {
	const struct remote_state *rs;
	const struct desired_state *local;
	const json_t *existing;
	const struct pull_opts *o;
	struct pull_result *out;
	const char *project;
	json_t *docs[KIND__COUNT];  /* documents per kind */
	char *paths[KIND__COUNT];   /* target file per kind */
	json_t *names[KIND__COUNT]; /* names written per kind: {name: true} */
	json_t *labels;             /* block labels written */
	json_t *mcp_names;          /* server_name -> true: MCP servers written */
	json_t *inv;                /* inventory entries */
	json_t *raw;                /* folder files to write: [{folder, path, content}] */
};

static void warn(struct pc *c, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
static void warn(struct pc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	view_vwarn(c->out->warnings, fmt, ap);
	va_end(ap);
}

/* o[key] as a string, or def. */
static const char *str_or(const json_t *o, const char *key, const char *def)
{
	const char *s = jsonx_get_str(o, key);

	return s ? s : def;
}

static int nonempty(const char *s)
{
	return s && *s;
}

/* ---- where objects go ---- */

static enum res_layer kind_layer(const struct pc *c, enum res_kind kind)
{
	if (kind == KIND_MCP_SERVER)
		return LAYER_ORG; /* "MCPServer must have layer: org" */
	if (kind == KIND_FOLDER && c->o->layer == LAYER_BASE)
		return LAYER_ORG; /* "Folder cannot have layer: base" */
	return c->o->layer;
}

/* The local resource of that kind and name, or NULL. */
static const struct resource *local_find(const struct pc *c, enum res_kind kind, const char *name)
{
	return c->local ? desired_find(c->local, kind, name) : NULL;
}

/* Whether f sits directly in the manifest directory (its documents name their layer). */
static int top_level(const struct pc *c, const char *f)
{
	const char *dir = c->o->dir ? c->o->dir : ".letta/manifests";
	size_t l = strlen(dir);

	return !strncmp(f, dir, l) && f[l] == '/' && !strchr(f + l + 1, '/');
}

/* Whether r is written (also) in a file other than path; *same_layer: in path's layer. */
static int defined_elsewhere(const struct pc *c, const struct resource *r, const char *path,
			     const char **where, int *same_layer)
{
	struct buf dir = BUF_INIT;
	const char *slash = strrchr(path, '/');
	int other = 0, i;

	*same_layer = 0;
	*where = NULL;
	buf_add(&dir, path, slash ? (size_t)(slash - path + 1) : 0);
	for (i = 0; i < r->nsrcs; i++) {
		const char *f = source_store_name(c->local->src, r->srcs[i].file);

		if (!f[0] || !strcmp(f, path))
			continue;
		other = 1;
		if (!*where)
			*where = f;
		if (!strncmp(f, dir.buf, dir.len) ||
		    (top_level(c, f) && r->layer == kind_layer(c, r->kind))) {
			*same_layer = 1;
			*where = f;
		}
	}
	buf_release(&dir);
	return other;
}

/*
 * A new document {apiVersion, kind, metadata: {name, description?}, spec: {layer, managed?}};
 * takes managed_take (may be NULL).
 */
static json_t *doc_new(const struct pc *c, enum res_kind kind, const char *name,
		       const char *description, json_t *managed_take)
{
	json_t *md = json_pack("{s:s}", "name", name);
	json_t *spec = json_pack("{s:s}", "layer", res_layer_name(kind_layer(c, kind)));

	if (nonempty(description))
		json_object_set_new(md, "description", json_string(description));
	if (managed_take)
		json_object_set_new(spec, "managed", managed_take);
	return json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "letta.ai/v1", "kind",
			 res_kind_name(kind), "metadata", md, "spec", spec);
}

/* spec.managed for a managed object: the local value when it is not the default (seed). */
static json_t *managed_value(const struct pc *c, enum res_kind kind, const char *name, int ours)
{
	const struct resource *r = local_find(c, kind, name);

	if (!ours)
		return json_false();
	if (r && r->managed == MANAGED_SEED)
		return json_string("seed");
	return NULL;
}

/* The planner's views of doc and of the wire object: equal when pull then diff is clean. */
static int views_equal(enum res_kind kind, const json_t *doc, const json_t *obj,
		       const char *source_code)
{
	struct resource r;
	json_t *w, *h;
	int eq;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.name = (char *)(uintptr_t)jsonx_get_str(json_object_get(doc, "metadata"), "name");
	r.doc = (json_t *)doc;
	r.spec = json_object_get(doc, "spec");
	r.source_code = (char *)(uintptr_t)source_code;
	w = kind_want_view(&r);
	h = kind_have_view(kind, obj, w);
	eq = json_equal(w, h);
	json_decref(w);
	json_decref(h);
	return eq;
}

/* Sets every key lower has and dst lacks to null: the higher layer removes it. */
static void null_missing(json_t *dst, const json_t *lower)
{
	const char *k;
	json_t *lv;

	if (!json_is_object(dst) || !json_is_object(lower))
		return;
	json_object_foreach((json_t *)lower, k, lv)
	{
		json_t *dv = json_object_get(dst, k);

		if (!dv)
			json_object_set_new(dst, k, json_null());
		else
			null_missing(dv, lv);
	}
}

/* Names every field holding an array (at any depth) in merge, as "replace". */
static void replace_arrays(json_t *merge, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
		{
			if (json_is_array(x))
				json_object_set_new(merge, k, json_string("replace"));
			replace_arrays(merge, x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			replace_arrays(merge, x);
	}
}

/*
 * doc overrides a definition in other files (a lower layer): lists replace theirs instead of
 * appending to them, and fields only they have are removed, so that the merged result is
 * what the server has.
 */
static void override_lower(json_t *doc, const json_t *lower)
{
	json_t *merge = json_object();

	null_missing(json_object_get(doc, "spec"), json_object_get(lower, "spec"));
	null_missing(json_object_get(doc, "metadata"), json_object_get(lower, "metadata"));
	replace_arrays(merge, json_object_get(doc, "spec"));
	if (json_object_size(merge))
		json_object_set(doc, "_merge", merge);
	json_decref(merge);
}

/*
 * Adds doc (taken) for the wire object obj, unless the repository already describes it: an
 * equal local resource defined outside pull's file is left alone, a different one in another
 * file of the target layer is left with a warning.
 */
static void add_doc(struct pc *c, enum res_kind kind, json_t *doc_take, const json_t *obj,
		    int ours)
{
	const char *name = jsonx_get_str(json_object_get(doc_take, "metadata"), "name");
	const struct resource *r = local_find(c, kind, name);
	const char *path = c->paths[kind], *where = NULL;
	int same_layer = 0;

	if (json_object_get(c->names[kind], name)) {
		warn(c, "%s '%s' appears twice on the server: the second copy is not written",
		     res_kind_name(kind), name);
		json_decref(doc_take);
		return;
	}
	if (r && obj && defined_elsewhere(c, r, path, &where, &same_layer)) {
		json_t *w = kind_want_view(r), *h = kind_have_view(kind, obj, w);
		int eq = json_equal(w, h);

		json_decref(w);
		json_decref(h);
		if (eq || same_layer) {
			if (!eq)
				warn(c,
				     "%s '%s' differs from the server but is defined in %s: not "
				     "written (edit it there)",
				     res_kind_name(kind), name, where);
			json_object_set_new(c->names[kind], name, json_true());
			json_decref(doc_take);
			return;
		}
		override_lower(doc_take, r->doc);
	}
	if (obj && !views_equal(kind, doc_take, obj, NULL))
		warn(c, "%s '%s' cannot be written exactly: diff will still show a change",
		     res_kind_name(kind), name);
	json_object_set_new(c->names[kind], name, json_true());
	json_array_append_new(c->docs[kind], doc_take);
	json_array_append_new(c->out->objects,
			      json_pack("{s:s, s:s, s:s, s:b}", "kind", res_kind_name(kind), "name",
					name, "file", path, "managed", ours));
}

/* ---- shared resources ---- */

/*
 * The kind file's writer (core/kinds/impl.h): what it writes into doc's spec from o, named
 * name, with the repository's resource of that name.
 */
static void write_spec(struct pc *c, enum res_kind kind, json_t *doc, const json_t *o,
		       const char *name)
{
	struct kind_pull x = { name, local_find(c, kind, name), c->out->warnings, c->raw };

	kind_impl(kind)->pull(json_object_get(doc, "spec"), o, &x);
}

/* The manifest name a marker's source gives ("Block/x" -> "x"; a legacy bare "x"). */
static const char *source_name(const struct own_marker *m, enum res_kind kind)
{
	const char *kn = own_kind_name(kind);
	size_t l = strlen(kn);

	if (!m->source)
		return NULL;
	if (!strncmp(m->source, kn, l) && m->source[l] == '/')
		return m->source + l + 1;
	/* The original's bare manifest names; not its managed_state:<id> or scope-sync blocks. */
	if (m->state == OWN_LEGACY && !strchr(m->source, '/') && !strchr(m->source, ':') &&
	    strcmp(m->source, "scope-sync"))
		return m->source;
	return NULL;
}

static int is_private_block(const struct own_marker *m)
{
	return m->source && !strncmp(m->source, "Agent/", 6);
}

static void pull_blocks(struct pc *c)
{
	json_t *attached = json_object();
	const json_t *b, *a;
	size_t i, j;

	/* Unmanaged blocks attached to an agent are its memory: they go with the agent. */
	json_array_foreach(c->rs->agents, i, a)
		json_array_foreach(json_object_get(a, "blocks"), j, b)
			if (jsonx_get_str(b, "id"))
				json_object_set_new(attached, jsonx_get_str(b, "id"), json_true());

	/* Managed first, so that their labels win over unmanaged ones. */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(c->rs->blocks, i, b)
		{
			struct own_marker m;
			const char *name, *label = jsonx_get_str(b, "label");
			json_t *doc;
			int ours;

			if (own_is_inventory(b, c->project) || !label ||
			    json_is_true(json_object_get(b, "is_template")))
				continue;
			own_read(&m, KIND_BLOCK, b, c->project);
			if (m.state == OWN_OTHER_PROJECT || is_private_block(&m))
				continue;
			ours = m.state == OWN_OURS || m.state == OWN_LEGACY;
			if (ours != (pass == 0))
				continue;
			name = ours ? source_name(&m, KIND_BLOCK) : label;
			if (!name || (!ours && (!c->o->all ||
						 json_object_get(attached, str_or(b, "id", "")))))
				continue;
			if (json_object_get(c->labels, label)) {
				if (ours)
					warn(c,
					     "Block '%s': another block already has label '%s' "
					     "(a duplicate copy; diff --prune shows it)",
					     name, label);
				continue;
			}
			if (!ours && local_find(c, KIND_BLOCK, name))
				continue;
			doc = doc_new(c, KIND_BLOCK, name, jsonx_get_str(b, "description"),
				      managed_value(c, KIND_BLOCK, name, ours));
			write_spec(c, KIND_BLOCK, doc, b, name);
			json_object_set_new(c->labels, label, json_true());
			add_doc(c, KIND_BLOCK, doc, b, ours);
		}
	}
	json_decref(attached);
}

static void pull_tools(struct pc *c)
{
	const json_t *t;
	size_t i;

	json_array_foreach(c->rs->tools, i, t)
	{
		struct own_marker m;
		const char *name = jsonx_get_str(t, "name"), *type = jsonx_get_str(t, "tool_type");
		const json_t *schema = json_object_get(t, "json_schema");
		json_t *doc;
		int ours;

		if (!name || (type && strcmp(type, "custom")) || !json_is_object(schema) ||
		    !jsonx_get_str(t, "source_code"))
			continue;
		own_read(&m, KIND_TOOL, t, c->project);
		if (m.state == OWN_OTHER_PROJECT)
			continue;
		ours = m.state == OWN_OURS || m.state == OWN_LEGACY;
		if (!ours && !c->o->all)
			continue;
		doc = doc_new(c, KIND_TOOL, name, NULL, managed_value(c, KIND_TOOL, name, ours));
		write_spec(c, KIND_TOOL, doc, t, name);
		add_doc(c, KIND_TOOL, doc, t, ours);
	}
}

static int in_inventory(const struct pc *c, enum res_kind kind, const char *id)
{
	const json_t *e;
	size_t i;

	json_array_foreach(c->inv, i, e)
		if (!strcmp(str_or(e, "kind", ""), own_kind_name(kind)) &&
		    !strcmp(str_or(e, "id", ""), id ? id : "-"))
			return 1;
	return 0;
}

static void pull_mcp_servers(struct pc *c)
{
	const json_t *s;
	size_t i;

	json_array_foreach(c->rs->mcp_servers, i, s)
	{
		const char *name = jsonx_get_str(s, "server_name");
		json_t *doc;
		int ours;

		if (!name)
			continue;
		ours = in_inventory(c, KIND_MCP_SERVER, jsonx_get_str(s, "id"));
		if (!ours && !c->o->all)
			continue;
		doc = doc_new(c, KIND_MCP_SERVER, name, NULL,
			      managed_value(c, KIND_MCP_SERVER, name, ours));
		write_spec(c, KIND_MCP_SERVER, doc, s, name);
		json_object_set_new(c->mcp_names, name, json_true());
		add_doc(c, KIND_MCP_SERVER, doc, s, ours);
	}
}

static void pull_folders(struct pc *c)
{
	const json_t *f;
	size_t i;

	json_array_foreach(c->rs->folders, i, f)
	{
		struct own_marker m;
		const char *name = jsonx_get_str(f, "name");
		json_t *doc;
		int ours;

		if (!name)
			continue;
		own_read(&m, KIND_FOLDER, f, c->project);
		if (m.state == OWN_OTHER_PROJECT)
			continue;
		ours = m.state == OWN_OURS || m.state == OWN_LEGACY;
		if (!ours && !c->o->all)
			continue;
		doc = doc_new(c, KIND_FOLDER, name, jsonx_get_str(f, "description"),
			      managed_value(c, KIND_FOLDER, name, ours));
		write_spec(c, KIND_FOLDER, doc, f, name);
		add_doc(c, KIND_FOLDER, doc, f, ours);
	}
}

static void pull_identities(struct pc *c)
{
	const json_t *o;
	size_t i;

	json_array_foreach(c->rs->identities, i, o)
	{
		struct own_marker m;
		const char *key = jsonx_get_str(o, "identifier_key"), *name;
		json_t *doc;
		int ours;

		if (!key)
			continue;
		own_read(&m, KIND_IDENTITY, o, c->project);
		if (m.state == OWN_OTHER_PROJECT)
			continue;
		ours = m.state == OWN_OURS || m.state == OWN_LEGACY;
		if (!ours && !c->o->all)
			continue;
		name = ours && source_name(&m, KIND_IDENTITY) ? source_name(&m, KIND_IDENTITY) : key;
		doc = doc_new(c, KIND_IDENTITY, name, NULL,
			      managed_value(c, KIND_IDENTITY, name, ours));
		write_spec(c, KIND_IDENTITY, doc, o, name);
		add_doc(c, KIND_IDENTITY, doc, o, ours);
	}
}

/* ---- agents ---- */

/* What one agent has, in manifest terms (all arrays sorted where they are sets). */
struct agent_facts {
	const json_t *obj;
	const char *id, *name, *tmpl, *channel;
	const char *system, *description, *model, *embedding;
	json_t *blocks;      /* entries: {name} and {label, value, limit, description?} */
	json_t *shared;      /* shared block names */
	json_t *privates;    /* private block labels */
	json_t *labels;      /* every attached block's label */
	json_t *tools;       /* managed tool names (not MCP) */
	json_t *all_tools;   /* every attached tool name (not MCP) */
	json_t *mcp;         /* [{server, tools}] of servers written */
	json_t *mcp_pairs;   /* "server\ntool" of servers written */
	json_t *all_pairs;   /* "server\ntool" of every MCP tool attached */
	json_t *folders, *all_folders;
	json_t *identities, *all_identities;
	json_t *tags;        /* the agent's own tags (no markers) */
	int base_tools;
};

static void facts_release(struct agent_facts *f)
{
	json_decref(f->blocks);
	json_decref(f->shared);
	json_decref(f->privates);
	json_decref(f->labels);
	json_decref(f->tools);
	json_decref(f->all_tools);
	json_decref(f->mcp);
	json_decref(f->mcp_pairs);
	json_decref(f->all_pairs);
	json_decref(f->folders);
	json_decref(f->all_folders);
	json_decref(f->identities);
	json_decref(f->all_identities);
	json_decref(f->tags);
}

static int is_marker_tag(const char *t)
{
	return !strncmp(t, "managed:", 8) || !strncmp(t, "version:", 8) ||
	       !strncmp(t, "template:", 9) || !strncmp(t, "channel:", 8);
}

static json_t *sorted_set(json_t *take)
{
	json_t *s = view_strset(take, NULL);

	json_decref(take);
	return s;
}

static int cmp_block_entry(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *kx = jsonx_get_str(x, "name") ? jsonx_get_str(x, "name") : jsonx_get_str(x, "label");
	const char *ky = jsonx_get_str(y, "name") ? jsonx_get_str(y, "name") : jsonx_get_str(y, "label");
	int px = jsonx_get_str(x, "name") == NULL, py = jsonx_get_str(y, "name") == NULL;

	if (px != py)
		return px - py; /* shared blocks first */
	return strcmp(kx ? kx : "", ky ? ky : "");
}

static void agent_facts(struct pc *c, struct agent_facts *f, const json_t *a)
{
	const json_t *x, *lc = json_object_get(a, "llm_config"), *ec = json_object_get(a, "embedding_config");
	json_t **entries, *mcp = json_object();
	size_t i, n = 0;
	const char *k;
	json_t *v;

	memset(f, 0, sizeof(*f));
	f->obj = a;
	f->id = jsonx_get_str(a, "id");
	f->name = jsonx_get_str(a, "name");
	f->tmpl = jsonx_array_prefixed(json_object_get(a, "tags"), "template:");
	f->channel = jsonx_array_prefixed(json_object_get(a, "tags"), "channel:");
	f->system = jsonx_get_str(a, "system");
	f->description = jsonx_get_str(a, "description");
	f->model = jsonx_get_str(a, "model");
	if (!f->model)
		f->model = jsonx_get_str(lc, "handle") ? jsonx_get_str(lc, "handle")
						       : jsonx_get_str(lc, "model");
	f->embedding = jsonx_get_str(a, "embedding");
	if (!f->embedding)
		f->embedding = jsonx_get_str(ec, "handle");

	f->shared = json_array();
	f->privates = json_array();
	f->labels = json_array();
	entries = xmalloc((json_array_size(json_object_get(a, "blocks")) + 1) * sizeof(*entries));
	json_array_foreach(json_object_get(a, "blocks"), i, x)
	{
		struct own_marker m;
		const char *label = jsonx_get_str(x, "label"), *sn;

		if (!label)
			continue;
		json_array_append_new(f->labels, json_string(label));
		own_read(&m, KIND_BLOCK, x, c->project);
		if (m.state == OWN_OTHER_PROJECT || own_is_inventory(x, c->project))
			continue;
		/*
		 * The agent's own memory: private blocks (letta-sync's Agent/ markers, or none:
		 * those created with the agent carry no marker). Written as {label, value} entries,
		 * which sync creates only for an agent that lacks the label.
		 */
		if (m.state == OWN_NONE || is_private_block(&m)) {
			json_t *e = json_pack("{s:s, s:s}", "label", label, "value",
					      str_or(x, "value", ""));

			if (json_is_integer(json_object_get(x, "limit")))
				json_object_set(e, "limit", json_object_get(x, "limit"));
			if (nonempty(jsonx_get_str(x, "description")))
				json_object_set(e, "description", json_object_get(x, "description"));
			json_array_append_new(f->privates, json_string(label));
			entries[n++] = e;
			continue;
		}
		sn = source_name(&m, KIND_BLOCK);
		if (!sn || !json_object_get(c->names[KIND_BLOCK], sn))
			continue; /* not a block this repository describes */
		json_array_append_new(f->shared, json_string(sn));
		entries[n++] = json_pack("{s:s}", "name", sn);
	}
	qsort(entries, n, sizeof(*entries), cmp_block_entry);
	f->blocks = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(f->blocks, entries[i]);
	free(entries);
	f->shared = sorted_set(f->shared);
	f->privates = sorted_set(f->privates);
	f->labels = sorted_set(f->labels);

	f->tools = json_array();
	f->all_tools = json_array();
	f->mcp_pairs = json_array();
	f->all_pairs = json_array();
	json_array_foreach(json_object_get(a, "tools"), i, x)
	{
		struct own_marker m;
		const char *tn = jsonx_get_str(x, "name");
		const char *srv = jsonx_array_prefixed(json_object_get(x, "tags"), "mcp:");
		const char *type = jsonx_get_str(x, "tool_type");

		if (!tn)
			continue;
		if (type && !strncmp(type, "letta_", 6))
			f->base_tools = 1;
		if (srv) {
			struct buf p = BUF_INIT;

			buf_addf(&p, "%s\n%s", srv, tn);
			json_array_append_new(f->all_pairs, json_string(p.buf));
			if (json_object_get(c->mcp_names, srv)) {
				json_t *list = json_object_get(mcp, srv);

				if (!list) {
					list = json_array();
					json_object_set_new(mcp, srv, list);
				}
				json_array_append_new(list, json_string(tn));
				json_array_append_new(f->mcp_pairs, json_string(p.buf));
			}
			buf_release(&p);
			continue;
		}
		json_array_append_new(f->all_tools, json_string(tn));
		own_read(&m, KIND_TOOL, x, c->project);
		if ((m.state == OWN_OURS || m.state == OWN_LEGACY) &&
		    json_object_get(c->names[KIND_TOOL], tn))
			json_array_append_new(f->tools, json_string(tn));
	}
	f->tools = sorted_set(f->tools);
	f->all_tools = sorted_set(f->all_tools);
	f->mcp_pairs = sorted_set(f->mcp_pairs);
	f->all_pairs = sorted_set(f->all_pairs);
	{
		json_t *sorted = view_sorted_copy(mcp); /* servers in name order */

		f->mcp = json_array();
		json_object_foreach(sorted, k, v)
			json_array_append_new(f->mcp, json_pack("{s:s, s:o}", "server", k, "tools",
								view_strset(v, NULL)));
		json_decref(sorted);
		json_decref(mcp);
	}

	f->folders = json_array();
	f->all_folders = json_array();
	json_array_foreach(json_object_get(a, "sources"), i, x)
	{
		struct own_marker m;
		const char *fn = jsonx_get_str(x, "name");

		if (!fn)
			continue;
		json_array_append_new(f->all_folders, json_string(fn));
		own_read(&m, KIND_FOLDER, x, c->project);
		if ((m.state == OWN_OURS || m.state == OWN_LEGACY) &&
		    json_object_get(c->names[KIND_FOLDER], fn))
			json_array_append_new(f->folders, json_string(fn));
	}
	f->folders = sorted_set(f->folders);
	f->all_folders = sorted_set(f->all_folders);

	f->identities = json_array();
	f->all_identities = json_array();
	json_array_foreach(json_object_get(a, "identities"), i, x)
	{
		struct own_marker m;
		const char *key = jsonx_get_str(x, "identifier_key");

		if (!key)
			continue;
		json_array_append_new(f->all_identities, json_string(key));
		own_read(&m, KIND_IDENTITY, x, c->project);
		if (m.state == OWN_OURS || m.state == OWN_LEGACY)
			json_array_append_new(f->identities, json_string(key));
	}
	f->identities = sorted_set(f->identities);
	f->all_identities = sorted_set(f->all_identities);

	f->tags = json_array();
	json_array_foreach(json_object_get(a, "tags"), i, x)
		if (json_is_string(x) && !is_marker_tag(json_string_value(x)))
			json_array_append(f->tags, (json_t *)x);
	f->tags = sorted_set(f->tags);
}

static int contains(const json_t *arr, const json_t *v)
{
	const json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
		if (json_equal((json_t *)x, (json_t *)v))
			return 1;
	return 0;
}

static int subset(const json_t *a, const json_t *b)
{
	const json_t *x, *y;
	size_t i, j;

	json_array_foreach(a, i, x)
	{
		int found = 0;

		json_array_foreach(b, j, y)
			if (json_equal((json_t *)x, (json_t *)y))
				found = 1;
		if (!found)
			return 0;
	}
	return 1;
}

static const char *entry_name(const json_t *e)
{
	return json_is_string(e) ? json_string_value(e) : jsonx_get_str(e, "name");
}

static json_t *names_of(const json_t *list)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(list, i, e)
		if (entry_name(e))
			json_array_append_new(out, json_string(entry_name(e)));
	return sorted_set(out);
}

/* What the planner would want for an agent with only its template: the expected facts. */
struct expect {
	const char *system, *description, *model, *embedding;
	json_t *shared, *privates, *tools, *pairs, *folders, *identities, *tags;
};

static void expect_release(struct expect *e)
{
	json_decref(e->shared);
	json_decref(e->privates);
	json_decref(e->tools);
	json_decref(e->pairs);
	json_decref(e->folders);
	json_decref(e->identities);
	json_decref(e->tags);
}

static void expect_from(struct pc *c, struct expect *e, const json_t *spec)
{
	const json_t *x, *mc = json_object_get(spec, "modelConfig");
	size_t i, j;

	memset(e, 0, sizeof(*e));
	e->system = jsonx_get_str(spec, "system");
	if (!e->system)
		e->system = jsonx_get_str(spec, "instructions");
	e->description = jsonx_get_str(spec, "description");
	e->model = jsonx_get_str(mc, "model");
	e->embedding = jsonx_get_str(mc, "embedding");
	e->shared = json_array();
	e->privates = json_array();
	json_array_foreach(json_object_get(spec, "blocks"), i, x)
	{
		const char *n = jsonx_get_str(x, "name"), *label = jsonx_get_str(x, "label");

		if (label && json_object_get(x, "value") && !local_find(c, KIND_BLOCK, n))
			json_array_append_new(e->privates, json_string(label));
		else if (n || label)
			json_array_append_new(e->shared, json_string(n ? n : label));
	}
	e->shared = sorted_set(e->shared);
	e->privates = sorted_set(e->privates);
	e->tools = names_of(json_object_get(spec, "tools"));
	e->folders = names_of(json_object_get(spec, "folders"));
	e->identities = names_of(json_object_get(spec, "identities"));
	e->tags = view_strset(json_object_get(spec, "tags"), NULL);
	e->pairs = json_array();
	json_array_foreach(json_object_get(spec, "mcpTools"), i, x)
	{
		const char *srv = jsonx_get_str(x, "server");
		const json_t *names = json_object_get(x, "tools"), *t;

		json_array_foreach(c->rs->tools, j, t)
		{
			const char *ts = jsonx_array_prefixed(json_object_get(t, "tags"), "mcp:");
			const char *tn = jsonx_get_str(t, "name");
			struct buf p = BUF_INIT;
			json_t *nm;

			if (!ts || !srv || strcmp(ts, srv) || !tn)
				continue;
			nm = json_string(tn);
			if (!json_is_array(names) || contains(names, nm)) {
				buf_addf(&p, "%s\n%s", srv, tn);
				json_array_append_new(e->pairs, json_string(p.buf));
			}
			json_decref(nm);
			buf_release(&p);
		}
	}
	e->pairs = sorted_set(e->pairs);
}

static void set_list(json_t *spec, const char *key, const json_t *list)
{
	json_object_set_new(spec, key, json_deep_copy(list));
}

/* Relation check as the planner sees it: it adds what is wanted and removes only managed. */
static int relation_same(const json_t *want, const json_t *all, const json_t *managed)
{
	return subset(want, all) && subset(managed, want);
}

/*
 * Lists the repository's declaration already has with the same items keep its order (and
 * entry forms), so that a pull that changes nothing rewrites nothing.
 */
static void keep_local_order(struct pc *c, json_t *spec, const char *name)
{
	static const char *const lists[] = { "blocks",	   "tools", "mcpTools",
					     "folders",	   "identities", "tags" };
	const struct resource *d = local_find(c, KIND_AGENT, name);
	size_t i;

	for (i = 0; d && i < sizeof(lists) / sizeof(lists[0]); i++) {
		const json_t *mine = json_object_get(spec, lists[i]);
		const json_t *theirs = json_object_get(d->spec, lists[i]);
		json_t *norm = json_array(), *x;
		size_t j;

		if (!json_is_array(mine) || !json_is_array(theirs) ||
		    json_array_size(mine) != json_array_size(theirs)) {
			json_decref(norm);
			continue;
		}
		/* "lookup" and {name: lookup} are the same entry. */
		json_array_foreach(theirs, j, x)
		{
			int named = (!strcmp(lists[i], "tools") || !strcmp(lists[i], "folders")) &&
				    json_is_object(x) && json_object_size(x) == 1 &&
				    jsonx_get_str(x, "name");

			json_array_append_new(norm, named ? json_string(jsonx_get_str(x, "name"))
							  : json_deep_copy(x));
		}
		if (subset(mine, norm) && subset(norm, mine))
			json_object_set(spec, lists[i], (json_t *)theirs);
		json_decref(norm);
	}
}

/* The Agent declaration: the template's name and what differs from it (e). Takes nothing. */
static json_t *agent_decl(struct pc *c, const struct agent_facts *f, const char *tmpl,
			  const struct expect *e)
{
	json_t *doc = doc_new(c, KIND_AGENT, f->name, NULL, NULL);
	json_t *spec = json_object_get(doc, "spec"), *extra;
	const json_t *t;
	size_t i;

	json_object_set_new(spec, "template", json_string(tmpl));
	if (f->channel)
		json_object_set_new(spec, "channel", json_string(f->channel));
	if (nonempty(f->description) && (!e->description || strcmp(f->description, e->description)))
		json_object_set_new(spec, "description", json_string(f->description));
	if (f->system && (!e->system || strcmp(f->system, e->system)))
		json_object_set_new(spec, "system", json_string(f->system));
	if (f->model && (!e->model || strcmp(f->model, e->model))) {
		json_t *mc = json_pack("{s:s}", "model", f->model);
		const char *emb = f->embedding ? f->embedding : e->embedding;

		if (emb)
			json_object_set_new(mc, "embedding", json_string(emb));
		json_object_set_new(spec, "modelConfig", mc);
	}
	if (!json_equal(e->shared, f->shared) || !json_equal(e->privates, f->privates))
		set_list(spec, "blocks", f->blocks);
	if (!relation_same(e->tools, f->all_tools, f->tools))
		set_list(spec, "tools", f->tools);
	if (!relation_same(e->pairs, f->all_pairs, f->mcp_pairs))
		set_list(spec, "mcpTools", f->mcp);
	if (!relation_same(e->folders, f->all_folders, f->folders))
		set_list(spec, "folders", f->folders);
	if (!relation_same(e->identities, f->all_identities, f->identities))
		set_list(spec, "identities", f->identities);
	extra = json_array();
	json_array_foreach(f->tags, i, t)
		if (!contains(e->tags, t))
			json_array_append(extra, (json_t *)t);
	if (json_array_size(extra))
		json_object_set(spec, "tags", extra);
	json_decref(extra);
	keep_local_order(c, spec, f->name);
	json_array_foreach(e->tags, i, t)
		if (!contains(f->tags, t))
			warn(c,
			     "agent '%s' lacks its template's tag '%s': the next sync adds it (a "
			     "declaration cannot remove a template's tags)",
			     f->name, json_string_value(t));
	return doc;
}

/* The most frequent value (json_equal) among vals[0..n), first on ties; NULL when none. */
static size_t mode_index(json_t *const *vals, size_t n)
{
	size_t best = (size_t)-1, best_count = 0, i, j;

	for (i = 0; i < n; i++) {
		size_t count = 0;

		if (!vals[i])
			continue;
		for (j = 0; j < n; j++)
			if (vals[j] && json_equal(vals[i], vals[j]))
				count++;
		if (count > best_count) {
			best = i;
			best_count = count;
		}
	}
	return best;
}

static json_t *str_or_null(const char *s)
{
	return nonempty(s) ? json_string(s) : NULL;
}

/* A Template rebuilt from its agents: each field as most of them have it. New document. */
static json_t *synth_template(struct pc *c, const char *name, struct agent_facts **fs, size_t n)
{
	json_t *doc = doc_new(c, KIND_TEMPLATE, name, NULL, NULL);
	json_t *agent = json_pack("{s:s}", "name", name), *tags = NULL;
	json_t **vals = xmalloc((n + 1) * sizeof(*vals));
	size_t i, m;
	int base = 0;

#define MODE_FIELD(key, expr, cond)                                               \
	do {                                                                      \
		for (i = 0; i < n; i++)                                           \
			vals[i] = (expr);                                         \
		m = mode_index(vals, n);                                          \
		if (m != (size_t)-1 && (cond))                                    \
			json_object_set(agent, key, vals[m]);                     \
		for (i = 0; i < n; i++)                                           \
			json_decref(vals[i]);                                     \
	} while (0)

	MODE_FIELD("description", str_or_null(fs[i]->description), 1);
	MODE_FIELD("system", str_or_null(fs[i]->system), 1);
	MODE_FIELD("modelConfig",
		   fs[i]->model ? json_pack("{s:s, s:s*}", "model", fs[i]->model, "embedding",
					    fs[i]->embedding)
				: NULL,
		   1);
	/* Blocks: the most common set (by names and private labels), as that agent lists it. */
	for (i = 0; i < n; i++)
		vals[i] = json_pack("[O, O]", fs[i]->shared, fs[i]->privates);
	m = mode_index(vals, n);
	if (m != (size_t)-1 && json_array_size(fs[m]->blocks))
		json_object_set(agent, "blocks", fs[m]->blocks);
	for (i = 0; i < n; i++)
		json_decref(vals[i]);
	MODE_FIELD("tools", json_incref(fs[i]->tools), json_array_size(vals[m]));
	MODE_FIELD("mcpTools", json_incref(fs[i]->mcp), json_array_size(vals[m]));
	MODE_FIELD("folders", json_incref(fs[i]->folders), json_array_size(vals[m]));
	MODE_FIELD("identities", json_incref(fs[i]->identities), json_array_size(vals[m]));
#undef MODE_FIELD
	/* Tags: those every agent has (declarations can add tags, never remove them). */
	for (i = 0; i < n; i++) {
		json_t *next = json_array(), *t;
		size_t j;

		json_array_foreach(fs[i]->tags, j, t)
			if (!tags || contains(tags, t))
				json_array_append(next, t);
		json_decref(tags);
		tags = next;
		base |= fs[i]->base_tools;
	}
	if (json_array_size(tags))
		json_object_set(agent, "tags", tags);
	json_decref(tags);
	if (base)
		json_object_set_new(agent, "includeBaseTools", json_true());
	json_object_set_new(json_object_get(doc, "spec"), "agent", agent);
	free(vals);
	return doc;
}

static int cmp_facts(const void *a, const void *b)
{
	const struct agent_facts *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void pull_agents(struct pc *c)
{
	struct agent_facts *fs;
	json_t *groups = json_object(), *seen = json_object(), *synth = json_object();
	size_t i, n = 0;
	const json_t *a;

	fs = xmalloc((json_array_size(c->rs->agents) + 1) * sizeof(*fs));
	json_array_foreach(c->rs->agents, i, a)
	{
		const json_t *tags = json_object_get(a, "tags");
		const char *name = jsonx_get_str(a, "name"), *id = jsonx_get_str(a, "id");
		const struct resource *decl;
		const char *where = NULL;
		int same_layer;

		if (!name || !id || !(jsonx_array_prefixed(tags, OWN_TAG) || jsonx_array_prefixed(tags, OWN_LEGACY_TAG)))
			continue;
		if (c->o->agent && strcmp(c->o->agent, id) && strcmp(c->o->agent, name))
			continue;
		if (json_object_get(seen, name)) {
			warn(c, "two managed agents are named '%s': only the first is written", name);
			continue;
		}
		json_object_set_new(seen, name, json_true());
		decl = local_find(c, KIND_AGENT, name);
		if (decl && defined_elsewhere(c, decl, c->paths[KIND_AGENT], &where, &same_layer)) {
			warn(c, "Agent '%s' is declared in %s: not written", name, where);
			continue;
		}
		agent_facts(c, &fs[n], a);
		if (!fs[n].tmpl)
			warn(c,
			     "agent '%s' has no template: tag; declared with template 'default' (the "
			     "next sync tags it)",
			     name);
		n++;
	}
	qsort(fs, n, sizeof(*fs), cmp_facts);

	/* Templates the repository lacks, rebuilt from their agents. */
	for (i = 0; i < n; i++) {
		const char *t = fs[i].tmpl ? fs[i].tmpl : "default";
		json_t *list = json_object_get(groups, t);

		if (local_find(c, KIND_TEMPLATE, t))
			continue;
		if (!list) {
			list = json_array();
			json_object_set_new(groups, t, list);
		}
		json_array_append_new(list, json_integer((json_int_t)i));
	}
	{
		const char *t;
		json_t *list;

		json_object_foreach(groups, t, list)
		{
			struct agent_facts **g = xmalloc((json_array_size(list) + 1) * sizeof(*g));
			json_t *x, *doc;
			size_t j;

			json_array_foreach(list, j, x)
				g[j] = &fs[json_integer_value(x)];
			doc = synth_template(c, t, g, json_array_size(list));
			json_object_set(synth, t, doc);
			json_array_append_new(c->docs[KIND_TEMPLATE], doc);
			json_array_append_new(c->out->objects,
					      json_pack("{s:s, s:s, s:s, s:b}", "kind", "Template",
							"name", t, "file", c->paths[KIND_TEMPLATE],
							"managed", 1));
			free(g);
		}
	}

	for (i = 0; i < n; i++) {
		const char *t = fs[i].tmpl ? fs[i].tmpl : "default";
		const struct resource *tr = local_find(c, KIND_TEMPLATE, t);
		struct resource synth_r;
		struct desired_state none = DESIRED_STATE_INIT;
		struct expect e;
		json_t *spec, *doc;

		if (!tr) {
			memset(&synth_r, 0, sizeof(synth_r));
			synth_r.kind = KIND_TEMPLATE;
			synth_r.name = (char *)(uintptr_t)t;
			synth_r.doc = json_object_get(synth, t);
			synth_r.spec = json_object_get(synth_r.doc, "spec");
			tr = &synth_r;
		}
		spec = plan_agent_spec(c->local ? c->local : &none, tr, NULL,
				       json_object_get(fs[i].obj, "tags"));
		expect_from(c, &e, spec);
		doc = agent_decl(c, &fs[i], t, &e);
		{
			/* Memory as files (issue 25): where pull wrote them, unless the Template says. */
			const char *dir = json_string_value(json_object_get(c->o->memory_dirs,
									    fs[i].name));
			const char *tdir = memfiles_dir(spec);

			if (dir && (!tdir || strcmp(tdir, dir)))
				json_object_set_new(json_object_get(doc, "spec"), "memory",
						    json_pack("{s:s}", "dir", dir));
		}
		json_object_set_new(c->names[KIND_AGENT], fs[i].name, json_true());
		json_array_append_new(c->docs[KIND_AGENT], doc);
		json_array_append_new(c->out->objects,
				      json_pack("{s:s, s:s, s:s, s:b}", "kind", "Agent", "name",
						fs[i].name, "file", c->paths[KIND_AGENT], "managed", 1));
		expect_release(&e);
		json_decref(spec);
	}
	for (i = 0; i < n; i++)
		facts_release(&fs[i]);
	free(fs);
	json_decref(groups);
	json_decref(seen);
	json_decref(synth);
}

/* ---- files ---- */

static const char *doc_name(const json_t *doc)
{
	return jsonx_get_str(json_object_get(doc, "metadata"), "name");
}

static int same_doc(const json_t *a, const json_t *b)
{
	const char *ka = jsonx_get_str(a, "kind"), *kb = jsonx_get_str(b, "kind");
	const char *na = doc_name(a), *nb = doc_name(b);

	return ka && kb && na && nb && !strcmp(ka, kb) && !strcmp(na, nb);
}

static int add_file(struct pc *c, enum res_kind kind, struct ls_error *err)
{
	const char *path = c->paths[kind];
	const json_t *old = c->existing ? json_object_get(c->existing, path) : NULL, *d;
	json_t *final = json_array(), *used = json_object();
	struct buf text = BUF_INIT;
	struct pull_file *f;
	size_t i;
	int rc;

	/* The file's order is kept: a document pull rewrites stays where it was. */
	json_array_foreach(old, i, d)
	{
		const json_t *x;
		size_t j;
		int found = 0;

		json_array_foreach(c->docs[kind], j, x)
			if (same_doc(x, d)) {
				json_array_append(final, (json_t *)x);
				json_object_set_new(used, doc_name(x), json_true());
				found = 1;
			}
		if (found)
			continue;
		if (kind == KIND_TEMPLATE || (c->o->agent && kind == KIND_AGENT) ||
		    json_is_true(json_object_get(d, "_delete"))) {
			/* Templates pull did not rebuild, other agents, deletion markers: kept. */
			json_array_append(final, (json_t *)d);
			continue;
		}
		if (json_is_object(d) && doc_name(d) && !json_object_get(c->names[kind], doc_name(d)))
			warn(c, "%s '%s' was in %s and is not on the server: removed",
			     str_or(d, "kind", "?"), doc_name(d), path);
	}
	json_array_foreach(c->docs[kind], i, d)
		if (!json_object_get(used, doc_name(d)))
			json_array_append(final, (json_t *)d);
	json_decref(used);
	if (old ? json_equal(final, (json_t *)old) : json_array_size(final) == 0) {
		json_decref(final);
		return 0; /* nothing changes in this file: it is left as it is */
	}
	buf_addf(&text,
		 "# Written by letta-sync pull from project '%s'. A later pull rewrites this "
		 "file.\n",
		 c->project[0] ? c->project : "(none)");
	{
		json_t **docs = xmalloc((json_array_size(final) + 1) * sizeof(*docs));

		json_array_foreach(final, i, d)
			docs[i] = (json_t *)d;
		rc = yamlw_docs(&text, docs, json_array_size(final), err);
		free(docs);
	}
	if (rc < 0) {
		buf_release(&text);
		json_decref(final);
		return rc;
	}
	c->out->files = xgrow(c->out->files, sizeof(*c->out->files), c->out->n + 1,
			      &c->out->alloc);
	f = &c->out->files[c->out->n++];
	f->path = xstrdup(path);
	f->text = buf_detach(&text);
	f->ndocs = json_array_size(final);
	json_decref(final);
	return 0;
}

/* The folder files of folders whose documents are written. */
static void add_raw_files(struct pc *c)
{
	const json_t *x, *d;
	size_t i, j;

	json_array_foreach(c->raw, i, x)
	{
		struct pull_file *f;
		int written = 0;

		json_array_foreach(c->docs[KIND_FOLDER], j, d)
			if (!strcmp(doc_name(d), jsonx_get_str(x, "folder")))
				written = 1;
		if (!written)
			continue;
		c->out->files = xgrow(c->out->files, sizeof(*c->out->files), c->out->n + 1,
				      &c->out->alloc);
		f = &c->out->files[c->out->n++];
		f->path = xstrdup(jsonx_get_str(x, "path"));
		f->text = xstrdup(jsonx_get_str(x, "content"));
		f->ndocs = 0;
	}
}

void pull_result_release(struct pull_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->files[i].path);
		free(r->files[i].text);
	}
	free(r->files);
	json_decref(r->objects);
	json_decref(r->warnings);
	memset(r, 0, sizeof(*r));
}

int pull_compute(struct pull_result *out, const struct remote_state *rs,
		 const struct desired_state *local, const json_t *existing,
		 const struct pull_opts *o, struct ls_error *err)
{
	struct pc c;
	size_t k;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.rs = rs;
	c.local = local;
	c.existing = existing;
	c.o = o;
	c.out = out;
	c.project = o->project ? o->project : "";
	if (!out->objects)
		out->objects = json_array();
	if (!out->warnings)
		out->warnings = json_array();
	for (k = 0; k < KIND__COUNT; k++) {
		struct buf p = BUF_INIT;
		const char *fn = pull_file_name((enum res_kind)k);

		c.docs[k] = json_array();
		c.names[k] = json_object();
		buf_addf(&p, "%s/%s/%s", o->dir ? o->dir : ".letta/manifests",
			 res_layer_name(kind_layer(&c, (enum res_kind)k)), fn ? fn : "other.yaml");
		c.paths[k] = buf_detach(&p);
	}
	c.labels = json_object();
	c.mcp_names = json_object();
	c.inv = own_inventory_entries(own_find_inventory(rs->blocks, c.project));
	c.raw = json_array();

	/* Shared resources are always read: agents refer to them. */
	pull_blocks(&c);
	pull_tools(&c);
	pull_mcp_servers(&c);
	pull_folders(&c);
	pull_identities(&c);
	pull_agents(&c);

	for (k = 0; k < NKINDS && rc == 0; k++) {
		if (o->agent && pull_kinds[k] != KIND_AGENT && pull_kinds[k] != KIND_TEMPLATE)
			continue;
		rc = add_file(&c, pull_kinds[k], err);
	}
	if (!o->agent && rc == 0)
		add_raw_files(&c);
	if (o->agent && !json_array_size(c.docs[KIND_AGENT]) && rc == 0)
		rc = ls_error_set(err, LS_ENOTFOUND, "no managed agent '%s' in the project",
				  o->agent);

	for (k = 0; k < KIND__COUNT; k++) {
		json_decref(c.docs[k]);
		json_decref(c.names[k]);
		free(c.paths[k]);
	}
	json_decref(c.labels);
	json_decref(c.mcp_names);
	json_decref(c.inv);
	json_decref(c.raw);
	return rc;
}
