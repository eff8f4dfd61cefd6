/* bootstrap's create body, built from a Template and the remote lists (see bootstrap.h). */
#include "core/bootstrap.h"
#include "core/kinds/impl.h"
#include "core/memfiles.h"
#include "core/ownership.h"
#include "core/plan_agents.h"
#include "util/buf.h"
#include "util/jsonx.h"

#include <stdlib.h>
#include <string.h>

int bootstrap_template(const struct resource **out, const struct desired_state *ds,
		       const char *name, int minimal, struct ls_error *err)
{
	const struct resource *only = NULL;
	struct buf all = BUF_INIT;
	size_t i, n = 0;

	*out = NULL;
	if (minimal)
		return 0;
	for (i = 0; i < ds->n; i++) {
		const struct resource *r = &ds->items[i];

		if (r->kind != KIND_TEMPLATE)
			continue;
		if (name && !strcmp(r->name, name)) {
			*out = r;
			buf_release(&all);
			return 0;
		}
		buf_addf(&all, "%s'%s'", n ? ", " : "", r->name);
		if (!name && json_is_true(json_object_get(r->spec, "default"))) {
			*out = r;
			buf_release(&all);
			return 0;
		}
		only = r;
		n++;
	}
	if (name) {
		ls_error_set(err, LS_EINVALID, "template '%s' is not declared", name);
		if (n)
			ls_error_hint(err, "declared templates: %s", all.buf);
		else
			ls_error_hint(err, "no Template is declared under .letta/manifests; "
					   "--minimal creates an agent without one");
		buf_release(&all);
		return LS_EINVALID;
	}
	buf_release(&all);
	*out = n == 1 ? only : NULL;
	return 0;
}

static const json_t *tmpl_agent(const struct bootstrap_opts *o)
{
	return o->tmpl ? json_object_get(o->tmpl->spec, "agent") : NULL;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

const char *bootstrap_model(const struct bootstrap_opts *o)
{
	const char *m = nonempty(
		jsonx_get_str(json_object_get(tmpl_agent(o), "modelConfig"), "model"));

	return m ? m : nonempty(o->model);
}

const char *bootstrap_embedding(const struct bootstrap_opts *o)
{
	const char *m = nonempty(
		jsonx_get_str(json_object_get(tmpl_agent(o), "modelConfig"), "embedding"));

	return m ? m : nonempty(o->embedding);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted copy of a string array without duplicates. New reference. */
static json_t *strset(json_t *arr_take)
{
	size_t i, n = json_array_size(arr_take), k = 0;
	const char **v = calloc(n ? n : 1, sizeof(*v));
	json_t *out = json_array();

	for (i = 0; v && i < n; i++)
		if (json_is_string(json_array_get(arr_take, i)))
			v[k++] = json_string_value(json_array_get(arr_take, i));
	if (v)
		qsort(v, k, sizeof(*v), cmp_str);
	for (i = 0; v && i < k; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]))
			json_array_append_new(out, json_string(v[i]));
	free(v);
	json_decref(arr_take);
	return out;
}

json_t *bootstrap_tags(const struct bootstrap_opts *o)
{
	json_t *tags = json_array(), *t;
	struct buf b = BUF_INIT;
	size_t i;

	json_array_foreach(json_object_get(tmpl_agent(o), "tags"), i, t)
		if (json_is_string(t))
			json_array_append(tags, t);
	json_array_append_new(tags, json_string(OWN_TAG));
	/* Memory as files (issue 25): the tag gives the agent its memory repository. */
	if (memfiles_dir(tmpl_agent(o)))
		json_array_append_new(tags, json_string(MEMFILES_TAG));
	if (o->tmpl) {
		buf_addf(&b, "template:%s", o->tmpl->name);
		json_array_append_new(tags, json_string(b.buf));
	}
	buf_reset(&b);
	buf_addf(&b, "channel:%s", o->channel ? o->channel : "stable");
	json_array_append_new(tags, json_string(b.buf));
	buf_reset(&b);
	buf_addf(&b, "version:%s", o->version ? o->version : "0.0.0");
	json_array_append_new(tags, json_string(b.buf));
	buf_release(&b);
	for (i = 0; i < o->ntags; i++)
		if (o->tags[i] && *o->tags[i])
			json_array_append_new(tags, json_string(o->tags[i]));
	return strset(tags);
}

/* The name of a list entry: a string, or an object's "name". */
static const char *entry_name(const json_t *e)
{
	return json_is_string(e) ? json_string_value(e) : jsonx_get_str(e, "name");
}

struct lookup {
	const struct desired_state *ds;
	const struct remote_state *have;
	const char *project;
	json_t *inventory; /* entries */
};

/* The id of our object of kind/name in list: the inventory's, then markers, then by name. */
static const char *find_shared(struct lookup *l, enum res_kind kind, const json_t *list,
			       const char *name, const char *name_key)
{
	const json_t *e = own_inventory_find(l->inventory, kind, name), *o;
	const char *id = jsonx_get_str(e, "id");
	size_t i;

	if (id && remote_find_id(list, id))
		return id;
	json_array_foreach(list, i, o)
	{
		struct own_marker m;

		own_read(&m, kind, o, l->project);
		if ((m.state == OWN_OURS || m.state == OWN_LEGACY) &&
		    own_source_matches(&m, kind, name))
			return jsonx_get_str(o, "id");
	}
	if (!name_key)
		return NULL;
	json_array_foreach(list, i, o)
		if (jsonx_get_str(o, name_key) && !strcmp(jsonx_get_str(o, name_key), name))
			return jsonx_get_str(o, "id");
	return NULL;
}

static void add_unique(json_t *arr, const char *id)
{
	const json_t *v;
	size_t i;

	if (!id)
		return;
	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), id))
			return;
	json_array_append_new(arr, json_string(id));
}

static void resolve(struct lookup *l, enum res_kind kind, const json_t *list, const json_t *names,
		    const char *name_key, json_t *out, json_t *warnings, const char *agent)
{
	const json_t *e;
	size_t i;

	json_array_foreach(names, i, e)
	{
		const char *n = entry_name(e), *id;

		if (!n)
			continue;
		id = find_shared(l, kind, list, n, name_key);
		if (!id)
			jsonx_array_addf(warnings,
					 "agent '%s': %s '%s' is not on the server yet; 'letta-sync sync' "
					 "creates and attaches it",
					 agent, own_kind_name(kind), n);
		add_unique(out, id);
	}
}

/* The string spec.<key> of the manifest of kind named name, or def when it has none. */
static const char *manifest_str(const struct lookup *l, enum res_kind kind, const char *name,
				const char *key, const char *def)
{
	const struct resource *r = desired_find(l->ds, kind, name);

	return r && jsonx_get_str(r->spec, key) ? jsonx_get_str(r->spec, key) : def;
}

/* Identities are named by identifier key (or by an Identity manifest's name). */
static void resolve_identities(struct lookup *l, const json_t *names, json_t *out,
			       json_t *warnings, const char *agent)
{
	const json_t *e;
	size_t i;

	json_array_foreach(names, i, e)
	{
		const char *n = entry_name(e), *key, *id;

		if (!n)
			continue;
		key = manifest_str(l, KIND_IDENTITY, n, "identifierKey", n);
		id = find_shared(l, KIND_IDENTITY, l->have->identities, key, "identifier_key");
		if (!id)
			jsonx_array_addf(warnings,
					 "agent '%s': identity '%s' is not on the server yet; 'letta-sync sync' "
					 "creates and attaches it",
					 agent, n);
		add_unique(out, id);
	}
}

static void resolve_mcp_tools(struct lookup *l, const json_t *mcp, json_t *out, json_t *warnings,
			      const char *agent)
{
	const json_t *e, *t;
	size_t i, j, k;

	json_array_foreach(mcp, i, e)
	{
		const char *srv = jsonx_get_str(e, "server"), *sn;
		const json_t *names = json_object_get(e, "tools");
		int found = 0;

		if (!srv)
			continue;
		sn = manifest_str(l, KIND_MCP_SERVER, srv, "serverName", srv);
		json_array_foreach(l->have->tools, j, t)
		{
			const json_t *tag;
			const char *tn = jsonx_get_str(t, "name");
			int of_server = 0;

			json_array_foreach(json_object_get(t, "tags"), k, tag)
				if (json_is_string(tag) && !strncmp(json_string_value(tag), "mcp:", 4) &&
				    !strcmp(json_string_value(tag) + 4, sn))
					of_server = 1;
			if (!of_server || !tn)
				continue;
			if (json_is_array(names)) {
				const json_t *n;
				int wanted = 0;

				json_array_foreach(names, k, n)
					if (json_is_string(n) && !strcmp(json_string_value(n), tn))
						wanted = 1;
				if (!wanted)
					continue;
			}
			add_unique(out, jsonx_get_str(t, "id"));
			found = 1;
		}
		if (!found)
			jsonx_array_addf(warnings,
					 "agent '%s': no tools of MCP server '%s' on the server yet; "
					 "'letta-sync sync' attaches them",
					 agent, srv);
	}
}

/* A private block: the one builder's body (kinds/impl.h) with the marker "Agent/<agent>/<label>". */
static json_t *private_block(const char *agent, const char *project, const json_t *entry)
{
	struct buf src = BUF_INIT;
	json_t *b = block_private_body(entry);

	buf_addf(&src, "%s/%s", agent, jsonx_get_str(entry, "label"));
	json_object_set_new(b, "metadata", own_marker_json(KIND_AGENT, src.buf, project, NULL));
	buf_release(&src);
	return b;
}

int bootstrap_body(json_t **out, const struct desired_state *ds, const struct remote_state *have,
		   const struct bootstrap_opts *o, json_t *warnings, struct ls_error *err)
{
	const json_t *spec = tmpl_agent(o), *e;
	const char *model = bootstrap_model(o), *embedding = bootstrap_embedding(o), *s;
	const char *project = o->project ? o->project : "";
	struct lookup l;
	json_t *body, *mem, *blocks, *tools, *folders, *ids;
	size_t i;

	if (!model) {
		ls_error_set(err, LS_EINVALID,
			     "no model for agent '%s': set modelConfig.model in its template, "
			     "--model, LETTA_DEFAULT_MODEL or LETTA_MODEL",
			     o->name);
		ls_error_hint(err, "e.g. --model openai/gpt-4o-mini (and --embedding, or "
				   "LETTA_DEFAULT_EMBEDDING, for the embedding)");
		return LS_EINVALID;
	}
	l.ds = ds;
	l.have = have;
	l.project = project;
	l.inventory = own_inventory_entries(own_find_inventory(have->blocks, project));

	mem = json_array();
	blocks = json_array();
	tools = json_array();
	folders = json_array();
	ids = json_array();
	if (!o->tmpl) {
		struct buf p = BUF_INIT;
		json_t *persona, *human;

		buf_addf(&p, "I am %s, a helpful assistant.", o->name);
		persona = json_pack("{s:s, s:s}", "label", "persona", "value", p.buf);
		human = json_pack("{s:s, s:s}", "label", "human", "value", "");
		json_array_append_new(mem, private_block(o->name, project, persona));
		json_array_append_new(mem, private_block(o->name, project, human));
		json_decref(persona);
		json_decref(human);
		buf_release(&p);
	}
	json_array_foreach(json_object_get(spec, "blocks"), i, e)
	{
		const char *n = jsonx_get_str(e, "name"), *label = jsonx_get_str(e, "label");
		const char *id;

		if (label && json_object_get(e, "value") && (!n || !desired_find(ds, KIND_BLOCK, n))) {
			json_array_append_new(mem, private_block(o->name, project, e));
			continue;
		}
		if (!n)
			n = label;
		if (!n)
			continue;
		id = find_shared(&l, KIND_BLOCK, have->blocks, n, NULL);
		if (!id)
			jsonx_array_addf(warnings,
					 "agent '%s': Block '%s' is not on the server yet; 'letta-sync sync' "
					 "creates and attaches it",
					 o->name, n);
		add_unique(blocks, id);
	}
	resolve(&l, KIND_TOOL, have->tools, json_object_get(spec, "tools"), "name", tools,
		warnings, o->name);
	resolve_mcp_tools(&l, json_object_get(spec, "mcpTools"), tools, warnings, o->name);
	resolve(&l, KIND_FOLDER, have->folders, json_object_get(spec, "folders"), "name", folders,
		warnings, o->name);
	resolve_identities(&l, json_object_get(spec, "identities"), ids, warnings, o->name);
	json_array_foreach(o->identity_ids, i, e)
		add_unique(ids, json_string_value(e));

	body = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "name", o->name,
			 "model", model, "tags", bootstrap_tags(o), "metadata",
			 own_marker_json(KIND_AGENT, o->name, project, NULL), "memory_blocks", mem,
			 "block_ids", blocks, "tool_ids", tools, "folder_ids", folders,
			 "identity_ids", ids, "include_base_tools",
			 json_is_true(json_object_get(spec, "includeBaseTools")));
	if (embedding)
		json_object_set_new(body, "embedding", json_string(embedding));
	s = jsonx_get_str(spec, "system");
	if (!s)
		s = jsonx_get_str(spec, "instructions");
	if (s)
		json_object_set_new(body, "system", json_string(s));
	if ((s = jsonx_get_str(spec, "description")))
		json_object_set_new(body, "description", json_string(s));
	plan_agent_settings_body(body, spec);
	if (embedding) /* the template's modelConfig.embedding, else --embedding or the environment */
		json_object_set_new(body, "embedding", json_string(embedding));
	json_decref(l.inventory);
	*out = body;
	return 0;
}

const char *bootstrap_default_model(const json_t *llm_models)
{
	const json_t *m;
	const char *first = NULL;
	size_t i;

	json_array_foreach(llm_models, i, m)
	{
		const char *h = jsonx_get_str(m, "handle");

		if (!h || !*h)
			continue;
		if (!strcmp(h, "letta/letta-free"))
			return h;
		if (!first)
			first = h;
	}
	return first;
}

const json_t *bootstrap_find_agent(const json_t *agents, const char *name)
{
	return jsonx_array_find(agents, "name", name);
}
