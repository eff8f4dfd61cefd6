/*
 * The reconcile planner for agents (issue 9). For every managed agent (tag managed:letta-sync,
 * or the original's managed:smarty-admin) and every declared Agent, the desired configuration
 * is its Template's spec.agent, then its Agent declaration's fields (tags are added, every
 * other field replaces), then every matching AgentPolicy's blocks, tools and folders.
 *
 * An agent's relation lists are whole sets on the wire (PATCH replaces them), so the planner
 * computes each final set itself: what the agent has, minus the managed objects it should no
 * longer have, plus what it should have. Objects letta-sync does not manage (base tools, the
 * agent's own memory blocks, hand-attached tools) are never removed. All changed sections of
 * one agent go into one PATCH (an internal action); each section is reported as its own change
 * that succeeds when that PATCH does.
 */
#include "core/memfiles.h"
#include "core/ownership.h"
#include "core/plan_agents.h"
#include "core/plan_build.h"
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "core/semver.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct ac {
	struct plan *p;
	const struct desired_state *want;
	const struct remote_state *have;
	const struct plan_opts *o;
	const char *const *ids; /* want->items[i]'s id or "@ref:N", NULL when unknown (plan.c) */
	json_t *names;      /* id or ref -> display name */
	json_t *warned;     /* warnings already given */
	int selected;       /* some agent matched opts->agent */
	int waits;          /* the agent being planned needs tools this plan's run makes */
	struct ls_error *err;
	/*
	 * The agent being planned, and whether its private blocks that its template no longer
	 * lists are detached (the template's blockReconciliationStrategy: reconcile-all, the
	 * default) or kept (preserve-deleted).
	 */
	const char *cur_agent;
	int reconcile_private;
	const json_t *cur_ignore_tools; /* the agent's ignore list of tool names, while planned */
};

static void warn(struct ac *c, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
static void warn(struct ac *c, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (!json_object_get(c->warned, b.buf)) {
		json_object_set_new(c->warned, b.buf, json_true());
		json_array_append_new(c->p->warnings, json_string(b.buf));
	}
	buf_release(&b);
}

static const struct resource *res_find(const struct desired_state *ds, enum res_kind kind,
				       const char *name)
{
	/* The desired state's index (issue 26: one look-up per agent's block, not a scan). */
	return name ? desired_find(ds, kind, name) : NULL;
}

static const struct resource *default_template(const struct desired_state *ds)
{
	const struct resource *only = NULL;
	size_t i, n = 0;

	for (i = 0; i < ds->n; i++) {
		if (ds->items[i].kind != KIND_TEMPLATE)
			continue;
		if (json_is_true(json_object_get(ds->items[i].spec, "default")))
			return &ds->items[i];
		only = &ds->items[i];
		n++;
	}
	return n == 1 ? only : NULL;
}

static const char *const agent_fields[] = { "description", "system", "instructions",
					    "modelConfig", "blocks", "tools", "mcpTools",
					    "folders", "identities", "includeBaseTools",
					    "enableSleeptime", "modelSettings", "compactionSettings",
					    "reasoning", "maxTokens", "parallelToolCalls",
					    "toolRules", "timezone", "messageBufferAutoclear",
					    "maxFilesOpen", "perFileViewWindowCharLimit",
					    "responseFormat", "secrets", "memory", NULL };

/*
 * The agent settings besides the prompt, model and relations (issue 23): where a manifest
 * sets them (spec.agent, camelCase; "modelConfig.x" inside modelConfig), the field of
 * CreateAgentRequest / UpdateAgent that sets them, and where AgentState shows them ("a.b"
 * inside an object). A setting is managed only when the manifest sets it: one it does not
 * set is never compared, so agents written before a setting was managed show no change.
 * Objects are compared whole (model_settings is provider-specific and replaced as a whole).
 */
static const struct agent_setting {
	const char *spec, *wire, *read;
	enum plan_section section;
} agent_settings[] = {
	{ "description", "description", "description", SECTION_SETTINGS },
	{ "modelConfig.embedding", "embedding", "embedding", SECTION_MODEL },
	{ "modelConfig.contextWindow", "context_window_limit", "llm_config.context_window",
	  SECTION_MODEL },
	{ "modelSettings", "model_settings", "model_settings", SECTION_MODEL },
	{ "reasoning", "reasoning", "llm_config.enable_reasoner", SECTION_MODEL },
	{ "maxTokens", "max_tokens", "llm_config.max_tokens", SECTION_MODEL },
	{ "parallelToolCalls", "parallel_tool_calls", "llm_config.parallel_tool_calls",
	  SECTION_MODEL },
	{ "compactionSettings", "compaction_settings", "compaction_settings", SECTION_SETTINGS },
	{ "toolRules", "tool_rules", "tool_rules", SECTION_SETTINGS },
	{ "timezone", "timezone", "timezone", SECTION_SETTINGS },
	{ "messageBufferAutoclear", "message_buffer_autoclear", "message_buffer_autoclear",
	  SECTION_SETTINGS },
	{ "maxFilesOpen", "max_files_open", "max_files_open", SECTION_SETTINGS },
	{ "perFileViewWindowCharLimit", "per_file_view_window_char_limit",
	  "per_file_view_window_char_limit", SECTION_SETTINGS },
	{ "responseFormat", "response_format", "response_format", SECTION_SETTINGS },
	{ "enableSleeptime", "enable_sleeptime", "enable_sleeptime", SECTION_SETTINGS },
};

/* The value at a dotted path ("a.b") of o, or NULL. */
static const json_t *dotted(const json_t *o, const char *path)
{
	const char *dot = strchr(path, '.');
	char head[64];

	if (!dot)
		return json_object_get(o, path);
	if ((size_t)(dot - path) >= sizeof(head))
		return NULL;
	memcpy(head, path, (size_t)(dot - path));
	head[dot - path] = '\0';
	return dotted(json_object_get(o, head), dot + 1);
}

/* The setting's wanted value in a merged spec, NULL when the manifest does not set it. */
static const json_t *setting_want(const json_t *spec, const struct agent_setting *s)
{
	const json_t *v = dotted(spec, s->spec);

	return v && !json_is_null(v) ? v : NULL;
}

/* The setting as the server shows it; the embedding handle falls back to embedding_config. */
static const json_t *setting_have(const json_t *agent, const struct agent_setting *s)
{
	const json_t *v = dotted(agent, s->read);

	if ((!v || json_is_null(v)) && !strcmp(s->wire, "embedding"))
		v = dotted(agent, "embedding_config.handle");
	return v;
}

void plan_agent_settings_body(json_t *body, const json_t *spec)
{
	for (size_t i = 0; i < sizeof(agent_settings) / sizeof(agent_settings[0]); i++) {
		const json_t *v = setting_want(spec, &agent_settings[i]);

		if (v)
			json_object_set(body, agent_settings[i].wire, (json_t *)v);
	}
}

/* Equal as the server keeps them: integers and reals alike, rules by the keys we set. */
static int setting_equal(const json_t *want, const json_t *have)
{
	size_t i;
	const char *k;
	const json_t *v;

	if (json_is_number(want) && json_is_number(have))
		return json_number_value(want) == json_number_value(have);
	if (json_is_array(want) && json_is_array(have)) {
		if (json_array_size(want) != json_array_size(have))
			return 0;
		for (i = 0; i < json_array_size(want); i++) {
			const json_t *w = json_array_get(want, i), *h = json_array_get(have, i);

			if (!json_is_object(w)) {
				if (!json_equal(w, h))
					return 0;
				continue;
			}
			/* A tool rule: the server adds its defaults (prompt_template: null). */
			json_object_foreach((json_t *)w, k, v)
				if (!setting_equal(v, json_object_get(h, k)))
					return 0;
		}
		return 1;
	}
	return have && json_equal(want, have);
}

/* Template agent spec, then the declaration's fields over it. New reference. */
static json_t *merged_spec(const struct resource *tmpl, const struct resource *decl)
{
	json_t *s = tmpl ? json_deep_copy(json_object_get(tmpl->spec, "agent")) : NULL;
	size_t i;

	if (!json_is_object(s)) {
		json_decref(s);
		s = json_object();
	}
	if (!decl)
		return s;
	for (i = 0; agent_fields[i]; i++) {
		const json_t *v = json_object_get(decl->spec, agent_fields[i]);

		/* A copy: policies append to these lists, which belong to the declaration. */
		if (v)
			json_object_set_new(s, agent_fields[i], json_deep_copy(v));
	}
	if (json_object_get(decl->spec, "tags")) {
		json_t *tags = json_object_get(s, "tags");

		if (!json_is_array(tags)) {
			tags = json_array();
			json_object_set_new(s, "tags", tags);
		}
		json_array_extend(tags, json_object_get(decl->spec, "tags"));
	}
	return s;
}

/* The name of a list entry: a string, or an object's "name". */
static const char *entry_name(const json_t *e)
{
	return json_is_string(e) ? json_string_value(e) : jsonx_get_str(e, "name");
}

static int policy_matches(const struct resource *pol, const json_t *tags, const char *tmpl)
{
	const json_t *sel = json_object_get(pol->spec, "selector"), *t, *labels;
	const char *mt = jsonx_get_str(sel, "matchTemplate");
	const char *k;
	json_t *v;
	size_t i;

	if (mt && (!tmpl || strcmp(mt, tmpl)))
		return 0;
	json_array_foreach(json_object_get(sel, "matchTags"), i, t)
		if (json_is_string(t) && !jsonx_array_has_str(tags, json_string_value(t)))
			return 0;
	labels = json_object_get(sel, "matchLabels");
	json_object_foreach((json_t *)labels, k, v)
	{
		struct buf tag = BUF_INIT;
		int ok;

		buf_addf(&tag, "%s:%s", k, json_is_string(v) ? json_string_value(v) : "");
		ok = jsonx_array_has_str(tags, tag.buf);
		buf_release(&tag);
		if (!ok)
			return 0;
	}
	return 1;
}

/* Adds every matching policy's blocks, tools and folders to spec. */
/*
 * What other tools own and letta-sync leaves alone (docs/manifests.md, "Living beside Letta
 * Code"): Letta Code tags the agents it opens (git-memory-enabled, origin:letta-code, and
 * role:subagent on its subagents) and detaches the server memory tools (docs/contract/memfs.md). A config
 * repository adds to these lists with ignore: {tags, tools, system: preset} on a Template or
 * an AgentPolicy.
 */
static const char *const builtin_ignore_tags[] = { "git-memory-enabled", "origin:letta-code",
						   "role:subagent", NULL };
static const char *const builtin_ignore_tools[] = { "memory", "memory_apply_patch",
						    "memory_insert", "memory_replace",
						    "memory_rethink", NULL };

static int in_set(const json_t *arr, const char *s);

/* Adds the ignore object src ({tags, tools, system}) to dst's. */
static void ignore_merge(json_t *dst, const json_t *src)
{
	static const char *const lists[] = { "tags", "tools" };
	const json_t *e;
	size_t i, j;

	for (j = 0; j < 2; j++)
		json_array_foreach(json_object_get(src, lists[j]), i, e)
			if (json_is_string(e) && !in_set(json_object_get(dst, lists[j]),
							 json_string_value(e)))
				json_array_append(json_object_get(dst, lists[j]), (json_t *)e);
	if (jsonx_get_str(src, "system"))
		json_object_set(dst, "system", json_object_get(src, "system"));
}

static void apply_policies(struct ac *c, json_t *spec, const json_t *tags, const char *tmpl)
{
	static const char *const lists[] = { "blocks", "tools", "folders" };
	size_t i, j, k;

	for (i = 0; i < c->want->n; i++) {
		const struct resource *pol = &c->want->items[i];

		if (pol->kind != KIND_AGENT_POLICY || pol->managed == MANAGED_FALSE ||
		    !policy_matches(pol, tags, tmpl))
			continue;
		if (json_is_object(json_object_get(pol->spec, "ignore"))) {
			json_t *ig = json_object_get(spec, "_ignore");

			if (!ig) {
				ig = json_pack("{s:[], s:[]}", "tags", "tools");
				json_object_set_new(spec, "_ignore", ig);
			}
			ignore_merge(ig, json_object_get(pol->spec, "ignore"));
		}
		for (j = 0; j < 3; j++) {
			json_t *dst = json_object_get(spec, lists[j]), *e;

			if (!json_is_array(dst)) {
				dst = json_array();
				json_object_set_new(spec, lists[j], dst);
			}
			json_array_foreach(json_object_get(pol->spec, lists[j]), k, e)
			{
				const char *n = entry_name(e);

				if (!n || json_is_false(json_object_get(e, "required")))
					continue;
				json_array_append_new(dst, json_pack("{s:s}", "name", n));
			}
		}
	}
}

/* The id (or "@ref:N") of a shared resource for an agent's list, or NULL. */
static const char *shared_id(struct ac *c, enum res_kind kind, const char *name)
{
	const struct resource *d = desired_find(c->want, kind, name);
	const char *id = d ? c->ids[d - c->want->items] : NULL;
	const json_t *list = NULL, *o;
	size_t i;

	if (kind == KIND_IDENTITY && !id) {
		/* Templates name identities by identifier key. */
		for (i = 0; i < c->want->n; i++) {
			const struct resource *r = &c->want->items[i];
			const char *key = view_spec_str(r, "identifierKey");

			if (r->kind == KIND_IDENTITY && key && !strcmp(key, name)) {
				d = desired_find(c->want, KIND_IDENTITY, r->name);
				id = d ? c->ids[d - c->want->items] : NULL;
				break;
			}
		}
	}
	if (id && id[0]) {
		json_object_set_new(c->names, id, json_string(name));
		return id;
	}
	/* Not managed here: an existing object of that name may still be attached. */
	if (kind == KIND_BLOCK) {
		/* A Block with managed: false: the project's one block with its label. */
		const struct resource *r = res_find(c->want, KIND_BLOCK, name);
		const char *label = r ? view_spec_str(r, "label") : NULL;
		const json_t *only = NULL;
		size_t n = 0;

		json_array_foreach(c->have->blocks, i, o)
			if (label && jsonx_get_str(o, "label") && !strcmp(jsonx_get_str(o, "label"), label)) {
				only = o;
				n++;
			}
		if (n == 1 && jsonx_get_str(only, "id")) {
			json_object_set_new(c->names, jsonx_get_str(only, "id"), json_string(name));
			return jsonx_get_str(only, "id");
		}
		return NULL;
	}
	if (kind == KIND_TOOL)
		list = c->have->tools;
	else if (kind == KIND_FOLDER)
		list = c->have->folders;
	else if (kind == KIND_IDENTITY)
		list = c->have->identities;
	json_array_foreach(list, i, o)
	{
		const char *n = jsonx_get_str(o, kind == KIND_IDENTITY ? "identifier_key" : "name");

		if (n && !strcmp(n, name) && jsonx_get_str(o, "id")) {
			json_object_set_new(c->names, jsonx_get_str(o, "id"), json_string(name));
			return jsonx_get_str(o, "id");
		}
	}
	return NULL;
}

/* Whether an object attached to an agent is one letta-sync manages (may be removed). */
static int managed_attachment(struct ac *c, enum res_kind kind, const json_t *o)
{
	struct own_marker m;

	own_read(&m, kind, o, c->o->project ? c->o->project : "");
	if (m.state != OWN_OURS && m.state != OWN_LEGACY)
		return 0;
	if (kind == KIND_BLOCK && m.source && !strncmp(m.source, "Agent/", 6)) {
		/*
		 * A private block letta-sync created for this agent ("Agent/<agent>/<label>"):
		 * git is the truth (reconcile-all), so one its template dropped is detached;
		 * with preserve-deleted, and for any other agent's, it is the agent's memory.
		 */
		size_t n = c->cur_agent ? strlen(c->cur_agent) : 0;

		return c->reconcile_private && n && !strncmp(m.source + 6, c->cur_agent, n) &&
		       m.source[6 + n] == '/';
	}
	if (kind == KIND_BLOCK && m.source && !strcmp(m.source, OWN_SCOPE_SYNC_SOURCE))
		return 0; /* scope sync's blocks: attached and detached by scope sync only */
	if (kind == KIND_IDENTITY && m.source && !strcmp(m.source, OWN_BOOTSTRAP_SOURCE))
		return 0; /* bootstrap --identity: the agent keeps it */
	return 1;
}

/* MCP tools of a server this repository declares: "mcp:<server_name>" tags. */
static const char *mcp_server_of(const json_t *tool)
{
	return jsonx_array_prefixed(json_object_get(tool, "tags"), "mcp:");
}

static json_t *sorted(json_t *arr_take)
{
	json_t *out = view_strset(arr_take, NULL);

	json_decref(arr_take);
	return out;
}

static const char *name_of(struct ac *c, const char *id)
{
	const char *n = jsonx_get_str(c->names, id);

	return n ? n : id;
}

/* Display names of a set of ids, sorted. */
static json_t *names_of(struct ac *c, const json_t *ids)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(ids, i, v)
		json_array_append_new(out, json_string(name_of(c, json_string_value(v))));
	return sorted(out);
}

static int in_set(const json_t *arr, const char *s)
{
	return jsonx_array_has_str(arr, s);
}

/*
 * A relation section: cur are the agent's objects (wire), want the desired ids. The final set
 * keeps every current object except managed ones not wanted (filter decides which current
 * objects this section may remove), then adds the wanted. Returns 1 when it changes, with
 * *final the whole id set and fields describing it.
 */
static int relation(struct ac *c, enum res_kind kind, const json_t *cur, const json_t *want,
		    int (*filter)(struct ac *, const json_t *), json_t **final, json_t *fields,
		    const char *path, int *breaking)
{
	json_t *out = json_array(), *from = json_array(), *to = json_array(), *o;
	const json_t *w;
	size_t i;
	int changed = 0;

	json_array_foreach(cur, i, o)
	{
		const char *id = jsonx_get_str(o, "id");
		int ours = filter(c, o);

		if (!id)
			continue;
		json_object_set_new(c->names, id,
				    json_string(jsonx_get_str(o, kind == KIND_BLOCK ? "label"
								   : kind == KIND_IDENTITY
									   ? "identifier_key"
									   : "name")
							? jsonx_get_str(o, kind == KIND_BLOCK ? "label"
								       : kind == KIND_IDENTITY
									       ? "identifier_key"
									       : "name")
							: id));
		if (ours || in_set(want, id))
			json_array_append_new(from, json_string(id));
		if (ours && !in_set(want, id)) {
			changed = 1;
			*breaking = 1; /* a detach */
			continue;
		}
		json_array_append_new(out, json_string(id));
	}
	json_array_foreach(want, i, w)
	{
		if (!in_set(out, json_string_value(w))) {
			json_array_append(out, (json_t *)w);
			changed = 1;
		}
		json_array_append(to, (json_t *)w);
	}
	if (changed) {
		json_t *fn = names_of(c, from), *tn = names_of(c, to);

		pl_field(fields, path, fn, tn);
		json_decref(fn);
		json_decref(tn);
		*final = out;
	} else {
		json_decref(out);
	}
	json_decref(from);
	json_decref(to);
	return changed;
}

static int filter_block(struct ac *c, const json_t *o)
{
	return managed_attachment(c, KIND_BLOCK, o);
}

static int filter_tool(struct ac *c, const json_t *o)
{
	const char *n = jsonx_get_str(o, "name");

	if (n && c->cur_ignore_tools && in_set(c->cur_ignore_tools, n))
		return 0; /* another tool's (Letta Code's): never detached */
	return !mcp_server_of(o) && managed_attachment(c, KIND_TOOL, o);
}

static int filter_mcp_tool(struct ac *c, const json_t *o)
{
	const char *srv = mcp_server_of(o);
	size_t i;

	for (i = 0; srv && i < c->want->n; i++) {
		const struct resource *r = &c->want->items[i];
		const char *sn = view_spec_str(r, "serverName");

		if (r->kind == KIND_MCP_SERVER && !strcmp(sn ? sn : r->name, srv))
			return 1;
	}
	return 0;
}

static int filter_folder(struct ac *c, const json_t *o)
{
	return managed_attachment(c, KIND_FOLDER, o);
}

static int filter_identity(struct ac *c, const json_t *o)
{
	return managed_attachment(c, KIND_IDENTITY, o);
}

/* Everything one agent should have, in wire terms. */
struct agent_want {
	const char *name;
	const char *tmpl;       /* template name, NULL when none */
	const char *system;     /* NULL: not managed */
	const char *description;
	const char *model, *embedding;
	int include_base_tools;
	json_t *spec;           /* the merged spec (owned) */
	json_t *blocks;         /* shared block ids */
	json_t *private_blocks; /* [{label, value, limit?, description?}] */
	json_t *tools, *mcp_tools, *folders, *identities; /* ids */
	json_t *tags;           /* the agent's own tags (template + declaration) */
	json_t *ignore;         /* {tags, tools, system}: left to other tools (Letta Code) */
	json_t *ignored_tools;  /* tools the manifests name that the ignore list holds back */
	json_t *file_labels;    /* labels whose blocks are memory files now: {label: private?} */
	json_t *shared_ids;     /* ids of the shared Blocks the manifests give the agent */
};

static void agent_want_release(struct agent_want *w)
{
	json_decref(w->spec);
	json_decref(w->blocks);
	json_decref(w->private_blocks);
	json_decref(w->tools);
	json_decref(w->mcp_tools);
	json_decref(w->folders);
	json_decref(w->identities);
	json_decref(w->tags);
	json_decref(w->ignore);
	json_decref(w->ignored_tools);
	json_decref(w->file_labels);
	json_decref(w->shared_ids);
}

static void add_id(json_t *set, const char *id)
{
	if (id && !in_set(set, id))
		json_array_append_new(set, json_string(id));
}

static void resolve_list(struct ac *c, const char *agent, enum res_kind kind, const json_t *list,
			 json_t *out)
{
	const json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
	{
		const char *n = entry_name(e);
		const char *id;

		if (!n)
			continue;
		id = shared_id(c, kind, n);
		if (!id)
			warn(c, "agent '%s': %s '%s' does not exist; not attached", agent,
			     own_kind_name(kind), n);
		add_id(out, id);
	}
}

static void build_want(struct ac *c, struct agent_want *w, const char *agent_name,
		       const struct resource *tmpl, const struct resource *decl,
		       const json_t *cur_tags)
{
	const json_t *e, *mc;
	json_t *all_tags;
	size_t i;

	memset(w, 0, sizeof(*w));
	w->name = agent_name;
	w->tmpl = tmpl ? tmpl->name : NULL;
	w->spec = merged_spec(tmpl, decl);
	w->tags = view_strset(json_object_get(w->spec, "tags"), NULL);
	/* Memory as files (issue 25): the server gives a tagged agent its git repository. */
	if (memfiles_managed(w->spec) && !jsonx_array_has_str(w->tags, MEMFILES_TAG))
		json_array_append_new(w->tags, json_string(MEMFILES_TAG));
	all_tags = json_deep_copy(w->tags);
	if (cur_tags)
		json_array_extend(all_tags, (json_t *)cur_tags);
	if (w->tmpl) {
		struct buf t = BUF_INIT;

		buf_addf(&t, "template:%s", w->tmpl);
		json_array_append_new(all_tags, json_string(t.buf));
		buf_release(&t);
	}
	apply_policies(c, w->spec, all_tags, w->tmpl);
	json_decref(all_tags);
	w->ignore = json_pack("{s:[], s:[]}", "tags", "tools");
	for (i = 0; builtin_ignore_tags[i]; i++)
		json_array_append_new(json_object_get(w->ignore, "tags"),
				      json_string(builtin_ignore_tags[i]));
	for (i = 0; builtin_ignore_tools[i]; i++)
		json_array_append_new(json_object_get(w->ignore, "tools"),
				      json_string(builtin_ignore_tools[i]));
	if (tmpl)
		ignore_merge(w->ignore, json_object_get(tmpl->spec, "ignore"));
	ignore_merge(w->ignore, json_object_get(w->spec, "_ignore"));
	/* Tools the ignore list holds are neither attached nor detached by letta-sync. */
	w->ignored_tools = json_array();
	{
		json_t *tl = json_object_get(w->spec, "tools");

		for (i = 0; json_is_array(tl) && i < json_array_size(tl);) {
			const char *n = entry_name(json_array_get(tl, i));

			if (n && in_set(json_object_get(w->ignore, "tools"), n)) {
				json_array_append_new(w->ignored_tools, json_string(n));
				json_array_remove(tl, i);
				continue;
			}
			i++;
		}
	}

	w->system = jsonx_get_str(w->spec, "system");
	if (!w->system)
		w->system = jsonx_get_str(w->spec, "instructions");
	w->description = jsonx_get_str(w->spec, "description");
	mc = json_object_get(w->spec, "modelConfig");
	w->model = jsonx_get_str(mc, "model");
	w->embedding = jsonx_get_str(mc, "embedding");
	w->include_base_tools = json_is_true(json_object_get(w->spec, "includeBaseTools"));

	w->blocks = json_array();
	w->private_blocks = json_array();
	/*
	 * Memory as files (issue 25): the blocks memfiles_from_blocks() moves into files are the
	 * files' (the server makes each file the agent's block of its label); the planner neither
	 * creates, attaches nor detaches them.
	 */
	w->file_labels = json_object();
	w->shared_ids = json_array();
	{
		json_t *moved = decl ? memfiles_from_blocks(c->want, decl->name) : NULL;

		json_array_foreach(moved, i, e)
			json_object_set_new(w->file_labels, jsonx_get_str(e, "label"),
					    json_boolean(!json_is_true(json_object_get(e, "shared"))));
		json_decref(moved);
	}
	json_array_foreach(json_object_get(w->spec, "blocks"), i, e)
	{
		const char *n = jsonx_get_str(e, "name");
		const char *label = jsonx_get_str(e, "label");
		const struct resource *sb = res_find(c->want, KIND_BLOCK, n ? n : json_string_value(e));

		if (sb && shared_id(c, KIND_BLOCK, sb->name))
			add_id(w->shared_ids, shared_id(c, KIND_BLOCK, sb->name));
		if (json_object_get(w->file_labels,
				    sb ? (view_spec_str(sb, "label") ? view_spec_str(sb, "label") : sb->name)
				       : label ? label : ""))
			continue;

		if (label && json_object_get(e, "value") && !res_find(c->want, KIND_BLOCK, n)) {
			json_array_append_new(w->private_blocks, block_private_body(e));
			continue;
		}
		if (!n && label)
			n = label;
		if (!n)
			continue;
		if (!shared_id(c, KIND_BLOCK, n))
			warn(c, "agent '%s': Block '%s' is not declared; not attached", agent_name, n);
		add_id(w->blocks, shared_id(c, KIND_BLOCK, n));
	}
	w->tools = json_array();
	resolve_list(c, agent_name, KIND_TOOL, json_object_get(w->spec, "tools"), w->tools);
	w->folders = json_array();
	resolve_list(c, agent_name, KIND_FOLDER, json_object_get(w->spec, "folders"), w->folders);
	w->identities = json_array();
	resolve_list(c, agent_name, KIND_IDENTITY, json_object_get(w->spec, "identities"),
		     w->identities);
	w->mcp_tools = json_array();
	json_array_foreach(json_object_get(w->spec, "mcpTools"), i, e)
	{
		const char *srv = jsonx_get_str(e, "server");
		const json_t *names = json_object_get(e, "tools"), *t, *n;
		const struct resource *r = res_find(c->want, KIND_MCP_SERVER, srv);
		const char *sn = r && view_spec_str(r, "serverName") ? view_spec_str(r, "serverName")
								   : srv;
		const char *sid = r ? shared_id(c, KIND_MCP_SERVER, srv) : NULL;
		size_t j, k, offered;

		if (sid && !strncmp(sid, "@ref:", 5)) {
			/* Created in this run: its tools exist once it ran. */
			c->p->replan = 1;
			c->waits = 1;
			continue;
		}
		for (j = 0; r && j < c->p->n; j++)
			if (c->p->items[j].kind == KIND_MCP_SERVER &&
			    c->p->items[j].change == CHANGE_UPDATE && !c->p->items[j].skip &&
			    !strcmp(c->p->items[j].name, r->name))
				c->p->replan = c->waits = 1; /* its refresh may change the tools */
		offered = 0;
		json_array_foreach(c->have->tools, j, t)
		{
			const char *ts = mcp_server_of(t), *tn = jsonx_get_str(t, "name");

			if (!ts || !sn || strcmp(ts, sn) || !tn)
				continue;
			offered++;
			if (json_is_array(names) && !in_set(names, tn))
				continue;
			json_object_set_new(c->names, jsonx_get_str(t, "id"), json_string(tn));
			add_id(w->mcp_tools, jsonx_get_str(t, "id"));
		}
		if (sid && !offered) {
			/*
			 * The real server lists an MCP server's tools when it creates or refreshes
			 * it, best-effort: one it could not reach (a host name that resolves to a
			 * private address, a server that is down) exists with no tools at all.
			 */
			warn(c, "MCP server '%s' has no tools: the Letta server could not list them "
				"(can it reach %s?); none of its tools is attached",
			     srv, view_spec_str(r, "serverUrl") ? view_spec_str(r, "serverUrl")
							      : "the server");
			continue;
		}
		json_array_foreach(names, k, n)
		{
			int found = 0;

			json_array_foreach(c->have->tools, j, t)
				if (mcp_server_of(t) && sn && !strcmp(mcp_server_of(t), sn) &&
				    jsonx_get_str(t, "name") && json_is_string(n) &&
				    !strcmp(jsonx_get_str(t, "name"), json_string_value(n)))
					found = 1;
			if (!found)
				warn(c, "agent '%s': MCP server '%s' offers no tool '%s'; not attached",
				     agent_name, srv ? srv : "?",
				     json_is_string(n) ? json_string_value(n) : "?");
		}
	}
}

static void deps_of(struct ac *c, size_t ai, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_string(v) && !strncmp(json_string_value(v), "@ref:", 5)) {
		pl_dep(c->p, ai, (size_t)strtoul(json_string_value(v) + 5, NULL, 10));
		return;
	}
	if (json_is_array(v))
		json_array_foreach(v, i, x)
			deps_of(c, ai, x);
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x)
			deps_of(c, ai, x);
}

static int section_on(const struct ac *c, enum plan_section s)
{
	return !c->o->sections || (c->o->sections & (1u << s));
}

/* The tags an agent should carry: its own, the markers, minus old markers. */
static json_t *final_tags(struct ac *c, const json_t *cur, const struct agent_want *w,
			  const char *channel)
{
	json_t *out = json_array(), *t;
	struct buf b = BUF_INIT;
	int legacy = jsonx_array_has_str(cur, OWN_LEGACY_TAG);
	size_t i;

	json_array_foreach(cur, i, t)
	{
		const char *s = json_string_value(t);

		/* The original's applied:<layer>@<sha> version tags give way to version:. */
		if (s && legacy && !strncmp(s, "applied:", 8))
			continue;
		if (!s || !strcmp(s, OWN_LEGACY_TAG) || !strncmp(s, "managed:", 8) ||
		    !strncmp(s, "version:", 8) || (w->tmpl && !strncmp(s, "template:", 9)) ||
		    (channel && !strncmp(s, "channel:", 8)))
			continue;
		json_array_append(out, t);
	}
	json_array_extend(out, w->tags);
	json_array_append_new(out, json_string(OWN_TAG));
	if (w->tmpl) {
		buf_addf(&b, "template:%s", w->tmpl);
		json_array_append_new(out, json_string(b.buf));
	}
	if (channel) {
		buf_reset(&b);
		buf_addf(&b, "channel:%s", channel);
		json_array_append_new(out, json_string(b.buf));
	}
	buf_reset(&b);
	buf_addf(&b, "version:%s", c->o->version ? c->o->version : "0.0.0");
	json_array_append_new(out, json_string(b.buf));
	buf_release(&b);
	return sorted(out);
}

static size_t add_section(struct ac *c, const json_t *agent, const char *agent_name,
			  enum plan_section s)
{
	size_t ai = pl_add(c->p, KIND_AGENT, agent_name, CHANGE_UPDATE);

	c->p->items[ai].agent = xstrdup(jsonx_get_str(agent, "id"));
	c->p->items[ai].section = xstrdup(plan_section_names[s]);
	c->p->items[ai].id = xstrdup(jsonx_get_str(agent, "id"));
	return ai;
}

/*
 * The agent's metadata with this run recorded in it (see plan_opts.now): the keys other
 * clients set are kept, since a PATCH replaces the whole object. New reference, or NULL when
 * nothing is recorded.
 */
static json_t *last_sync_metadata(const struct ac *c, const json_t *cur, const json_t *secrets)
{
	json_t *m, *rec;
	const json_t *prev;

	if (!c->o->now)
		return NULL;
	m = json_is_object(cur) ? json_deep_copy(cur) : json_object();
	prev = dotted(cur, "letta_sync.secrets");
	rec = json_pack("{s:s, s:s, s:s, s:s}", "commit", c->o->commit ? c->o->commit : "",
			"version", c->o->version ? c->o->version : "0.0.0", "at", c->o->now, "by",
			c->o->by ? c->o->by : "sync");
	/* Where each secret's value came from ("${ENV}"), never the value. */
	if (secrets || json_is_object(prev))
		json_object_set(rec, "secrets", secrets ? (json_t *)secrets : (json_t *)prev);
	json_object_set_new(m, "letta_sync", rec);
	return m;
}

/*
 * The values of an agent's secrets ({NAME: "${ENV}"}) from the environment, into *out. A
 * reference that does not resolve: an error with PLAN_NEED_SECRETS, else "" (a plan only
 * shown carries no secret).
 */
static int secret_values(json_t **out, struct ac *c, const char *agent, const json_t *secrets)
{
	const char *k;
	json_t *v;

	*out = json_object();
	json_object_foreach((json_t *)secrets, k, v) {
		const char *ref = json_string_value(v), *val = NULL;
		size_t n = ref ? strlen(ref) : 0;

		if (n > 3 && !strncmp(ref, "${", 2) && ref[n - 1] == '}') {
			char *name = xstrndup(ref + 2, n - 3);

			val = c->o->secret ? c->o->secret(c->o->secret_ctx, name) : NULL;
			free(name);
		}
		if (!val && (c->o->flags & PLAN_NEED_SECRETS)) {
			json_decref(*out);
			*out = NULL;
			return ls_error_set(c->err, LS_EINVALID,
					    "agent '%s': secret '%s' refers to %s, which is not set",
					    agent, k, ref ? ref : "nothing");
		}
		json_object_set_new(*out, k, json_string(val ? val : ""));
	}
	return 0;
}

/*
 * The names of the secrets set on the agent (agent.secrets: [{key}], values scrubbed by the
 * API client) that neither the manifest declares nor letta-sync wrote last
 * (metadata.letta_sync.secrets): set outside git. A new array, in the server's order.
 */
static json_t *outside_secrets(const json_t *agent, const json_t *declared)
{
	const json_t *prev = dotted(agent, "metadata.letta_sync.secrets");
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(json_object_get(agent, "secrets"), i, v) {
		const char *k = json_is_string(v) ? json_string_value(v) : jsonx_get_str(v, "key");

		if (k && !json_object_get(declared, k) && !json_object_get(prev, k))
			json_array_append_new(out, json_string(k));
	}
	return out;
}

/* "'A', 'B'": the names of an array of strings, for a message. The caller frees it. */
static char *names_list(const json_t *names)
{
	struct buf b = BUF_INIT;
	json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
		buf_addf(&b, "%s'%s'", i ? ", " : "", json_string_value(v));
	return buf_detach(&b);
}

/* Plans one existing managed agent. */
static int plan_existing(struct ac *c, const json_t *agent, const struct resource *tmpl,
			 const struct resource *decl)
{
	const char *name = jsonx_get_str(agent, "name");
	const char *id = jsonx_get_str(agent, "id");
	const json_t *cur_tags = json_object_get(agent, "tags");
	const char *applied = jsonx_array_prefixed(cur_tags, "version:");
	const char *channel = decl ? view_spec_str(decl, "channel") : NULL;
	const char *cur_channel = jsonx_array_prefixed(cur_tags, "channel:");
	int force = (c->o->flags & PLAN_FORCE) != 0;
	struct agent_want w;
	json_t *patch = json_object(), *sec_fields[SECTION__COUNT] = { 0 };
	int sec_breaking[SECTION__COUNT] = { 0 };
	size_t i, patch_ai, first_private = c->p->n;
	const json_t *pb;
	json_t *cur_blocks = json_object_get((json_t *)agent, "blocks");
	json_t *ignored = NULL; /* what was left to other tools, for diff's info */
	json_t *secrets, *secrets_written = NULL, *outside = NULL;
	int pinned, rc = 0;

	if (!name)
		name = id;
	/*
	 * A pinned agent is planned like any other, then its changes are dropped: it is only
	 * mentioned when something is actually held back.
	 */
	pinned = ((cur_channel && !strcmp(cur_channel, "pinned")) ||
		  (channel && !strcmp(channel, "pinned"))) && !force;
	if (applied && c->o->version && !pinned) {
		struct semver a, v;

		if (semver_parse(&a, applied) == 0 && semver_parse(&v, c->o->version) == 0 &&
		    semver_cmp(&a, &v) > 0 && !force) {
			size_t ai = pl_add(c->p, KIND_AGENT, name, CHANGE_DOWNGRADE);
			json_t *from = json_string(applied), *to = json_string(c->o->version);

			c->p->items[ai].agent = xstrdup(id);
			c->p->items[ai].id = xstrdup(id);
			c->p->items[ai].skip = 1;
			c->p->items[ai].breaking = 1;
			pl_field(c->p->items[ai].fields, "version", from, to);
			json_decref(from);
			json_decref(to);
			pl_reason(c->p, ai,
				  "applied version %s is newer than the work tree's %s: left alone "
				  "(--force downgrades it)",
				  applied, c->o->version);
			json_decref(patch);
			return 0;
		}
	}
	build_want(c, &w, name, tmpl, decl, cur_tags);
	ignored = json_array();
	for (i = 0; i < SECTION__COUNT; i++)
		sec_fields[i] = json_array();

	/* system_prompt (with ignore.system: preset, Letta Code's rewrite of it is left alone) */
	if (section_on(c, SECTION_SYSTEM_PROMPT) && w.system) {
		const char *cur = jsonx_get_str(agent, "system");

		if (cur && strcmp(cur, w.system) && jsonx_get_str(w.ignore, "system") &&
		    jsonx_array_has_str(cur_tags, "git-memory-enabled")) {
			json_array_append_new(ignored, json_string("system prompt (ignore.system: preset)"));
		} else if (!cur || strcmp(cur, w.system)) {
			json_t *f = json_string(cur ? cur : ""), *t = json_string(w.system);

			pl_field(sec_fields[SECTION_SYSTEM_PROMPT], "system", f, t);
			json_decref(f);
			json_decref(t);
			json_object_set_new(patch, "system", json_string(w.system));
		}
	}
	/* memory_blocks: shared attachments, then private blocks created when missing. */
	if (section_on(c, SECTION_MEMORY_BLOCKS)) {
		json_t *want_ids = json_deep_copy(w.blocks), *final = NULL;
		const char *strategy = tmpl ? view_spec_str(tmpl, "blockReconciliationStrategy") : NULL;
		const json_t *cb;

		/*
		 * Private blocks that are memory files now stay (each is its file's block); a
		 * shared Block whose label is a file now is detached (memfiles_from_blocks).
		 */
		json_array_foreach(cur_blocks, i, cb)
			if (jsonx_get_str(cb, "label") &&
			    json_is_true(json_object_get(w.file_labels, jsonx_get_str(cb, "label"))) &&
			    !in_set(w.shared_ids, jsonx_get_str(cb, "id")))
				add_id(want_ids, jsonx_get_str(cb, "id"));

		json_array_foreach(w.private_blocks, i, pb)
		{
			const char *label = jsonx_get_str(pb, "label");
			const json_t *have = NULL, *b;
			size_t j;

			json_array_foreach(cur_blocks, j, b)
				if (jsonx_get_str(b, "label") &&
				    !strcmp(jsonx_get_str(b, "label"), label))
					have = b;
			if (have) {
				/* The agent's memory: created once, then the agent's. */
				add_id(want_ids, jsonx_get_str(have, "id"));
				continue;
			}
			{
				size_t bi = pl_add(c->p, KIND_BLOCK, label, CHANGE_CREATE);
				json_t *body = json_deep_copy(pb);
				struct buf src = BUF_INIT;
				char *ref;

				c->p->items[bi].internal = 1;
				c->p->items[bi].agent = xstrdup(id);
				c->p->items[bi].section = xstrdup("memory_blocks");
				buf_addf(&src, "%s/%s", name, label);
				json_object_set_new(body, "metadata",
						    own_marker_json(KIND_AGENT, src.buf,
								    c->o->project, NULL));
				if (c->o->project_id)
					json_object_set_new(body, "project_id",
							    json_string(c->o->project_id));
				pl_op(c->p, bi, OP_CREATE, TARGET_BLOCK, NULL, NULL, body, 0);
				ref = pl_ref(bi);
				json_object_set_new(c->names, ref, json_string(label));
				add_id(want_ids, ref);
				free(ref);
				buf_release(&src);
			}
		}
		c->cur_agent = name;
		c->reconcile_private = !strategy || strcmp(strategy, "preserve-deleted") != 0;
		if (relation(c, KIND_BLOCK, cur_blocks, want_ids, filter_block, &final,
			     sec_fields[SECTION_MEMORY_BLOCKS], "memory_blocks",
			     &sec_breaking[SECTION_MEMORY_BLOCKS]))
			json_object_set_new(patch, "block_ids", final);
		c->cur_agent = NULL;
		c->reconcile_private = 0;
		json_decref(want_ids);
	}
	/* tools and mcp_servers share tool_ids: the second starts from the first's result. */
	{
		json_t *tool_cur = json_deep_copy(json_object_get(agent, "tools")), *final = NULL;

		if (!tool_cur)
			tool_cur = json_array();
		c->cur_ignore_tools = json_object_get(w.ignore, "tools");
		if (section_on(c, SECTION_TOOLS) &&
		    relation(c, KIND_TOOL, tool_cur, w.tools, filter_tool, &final,
			     sec_fields[SECTION_TOOLS], "tools", &sec_breaking[SECTION_TOOLS])) {
			json_t *objs = json_array(), *v;

			json_array_foreach(final, i, v)
				json_array_append_new(objs, json_pack("{s:O}", "id", v));
			json_decref(tool_cur);
			tool_cur = objs;
			json_object_set_new(patch, "tool_ids", final);
			final = NULL;
		}
		if (section_on(c, SECTION_MCP_SERVERS)) {
			/* Keep the names and tags of current tools for the MCP filter. */
			json_t *rich = json_array(), *v;

			json_array_foreach(tool_cur, i, v)
			{
				const json_t *full =
					remote_find_id(json_object_get(agent, "tools"),
						       jsonx_get_str(v, "id"));

				if (!full)
					full = remote_find_id(c->have->tools, jsonx_get_str(v, "id"));
				json_array_append(rich, full ? (json_t *)full : v);
			}
			if (relation(c, KIND_TOOL, rich, w.mcp_tools, filter_mcp_tool, &final,
				     sec_fields[SECTION_MCP_SERVERS], "mcp_tools",
				     &sec_breaking[SECTION_MCP_SERVERS]))
				json_object_set_new(patch, "tool_ids", final);
			json_decref(rich);
		}
		json_decref(tool_cur);
		c->cur_ignore_tools = NULL;
	}
	if (section_on(c, SECTION_FOLDERS)) {
		json_t *final = NULL;

		if (relation(c, KIND_FOLDER, json_object_get(agent, "sources"), w.folders,
			     filter_folder, &final, sec_fields[SECTION_FOLDERS], "folders",
			     &sec_breaking[SECTION_FOLDERS]))
			json_object_set_new(patch, "folder_ids", final);
	}
	if (section_on(c, SECTION_IDENTITIES)) {
		json_t *final = NULL;

		if (relation(c, KIND_IDENTITY, json_object_get(agent, "identities"), w.identities,
			     filter_identity, &final, sec_fields[SECTION_IDENTITIES], "identities",
			     &sec_breaking[SECTION_IDENTITIES]))
			json_object_set_new(patch, "identity_ids", final);
	}
	if (section_on(c, SECTION_TAGS)) {
		json_t *want_tags = final_tags(c, cur_tags, &w, channel);
		json_t *have_tags = view_strset(cur_tags, NULL);

		if (!json_equal(want_tags, have_tags)) {
			pl_field(sec_fields[SECTION_TAGS], "tags", have_tags, want_tags);
			json_object_set(patch, "tags", want_tags);
			if (applied && c->o->version && strcmp(applied, c->o->version)) {
				struct semver a, v;

				if (semver_parse(&a, applied) == 0 &&
				    semver_parse(&v, c->o->version) == 0 && semver_cmp(&a, &v) > 0)
					sec_breaking[SECTION_TAGS] = 1; /* a forced downgrade */
			}
		}
		json_decref(want_tags);
		json_decref(have_tags);
	}
	if (section_on(c, SECTION_MODEL) && w.model) {
		const char *cur = remote_agent_model(agent);

		if (!cur || strcmp(cur, w.model)) {
			json_t *f = cur ? json_string(cur) : json_null(), *t = json_string(w.model);

			pl_field(sec_fields[SECTION_MODEL], "model", f, t);
			json_decref(f);
			json_decref(t);
			json_object_set_new(patch, "model", json_string(w.model));
			sec_breaking[SECTION_MODEL] = 1;
		}
	}

	/*
	 * Secrets: the server does not echo values, so they are compared by where each came
	 * from (the sources recorded in the agent's metadata); written when that changed, or
	 * with --force. A set replaces the whole set on the server.
	 */
	secrets = json_object_get(w.spec, "secrets");
	outside = json_is_object(secrets) && section_on(c, SECTION_SETTINGS)
			  ? outside_secrets(agent, secrets)
			  : NULL;
	if (json_is_object(secrets) && section_on(c, SECTION_SETTINGS) &&
	    (force || !json_equal(secrets, dotted(agent, "metadata.letta_sync.secrets"))) &&
	    json_array_size(outside) && !force) {
		/*
		 * A write replaces the whole set: it would remove the secrets set outside git.
		 * Held back (a conflict on the agent's secrets); --force drops them.
		 */
		size_t ai = pl_add(c->p, KIND_AGENT, name, CHANGE_CONFLICT);
		char *names = names_list(outside);

		c->p->items[ai].agent = xstrdup(id);
		c->p->items[ai].id = xstrdup(id);
		c->p->items[ai].section = xstrdup(plan_section_names[SECTION_SETTINGS]);
		c->p->items[ai].skip = 1;
		pl_reason(c->p, ai,
			  "secrets %s were set on the server outside git; the manifest's secrets "
			  "replace the whole set, so writing them would remove those: declare them "
			  "in the manifest (as ${ENV} references) to keep them, or use --force to "
			  "drop them",
			  names);
		free(names);
	} else if (json_is_object(secrets) && section_on(c, SECTION_SETTINGS) &&
		   (force || !json_equal(secrets, dotted(agent, "metadata.letta_sync.secrets")))) {
		json_t *vals, *from = json_array(), *to = json_array();
		const json_t *prev = dotted(agent, "metadata.letta_sync.secrets");
		const char *k;
		json_t *v;

		if ((rc = secret_values(&vals, c, name, secrets)) < 0) {
			json_decref(from);
			json_decref(to);
			goto done;
		}
		if (json_array_size(outside)) {
			char *names = names_list(outside);

			warn(c, "agent '%s': --force removes secrets %s, set on the server outside git",
			     name, names);
			free(names);
		}
		json_object_foreach((json_t *)prev, k, v)
			json_array_append_new(from, json_string(k));
		json_object_foreach(secrets, k, v)
			json_array_append_new(to, json_string(k));
		pl_field(sec_fields[SECTION_SETTINGS], "secrets", from, to);
		json_decref(from);
		json_decref(to);
		json_object_set_new(patch, "secrets", vals);
		secrets_written = secrets;
	} else if (json_array_size(outside)) {
		char *names = names_list(outside);

		warn(c, "agent '%s': secrets %s are set on the server outside git; they stay until the "
			"manifest's secrets change (a write replaces the whole set)",
		     name, names);
		free(names);
	}

	/* The other settings the manifest sets (agent_settings). */
	for (i = 0; i < sizeof(agent_settings) / sizeof(agent_settings[0]); i++) {
		const struct agent_setting *st = &agent_settings[i];
		const json_t *want = setting_want(w.spec, st), *have = setting_have(agent, st);

		if (!want || !section_on(c, st->section) || setting_equal(want, have))
			continue;
		pl_field(sec_fields[st->section], st->wire, have ? have : json_null(), want);
		json_object_set(patch, st->wire, (json_t *)want);
		if (!strcmp(st->wire, "embedding") && have && !json_is_null(have))
			sec_breaking[st->section] = 1; /* like a model change */
	}

	/* What was left to other tools (Letta Code): one info line in diff (never a write). */
	{
		const json_t *t;
		struct buf tb = BUF_INIT;

		json_array_foreach(cur_tags, i, t)
			if (json_is_string(t) &&
			    in_set(json_object_get(w.ignore, "tags"), json_string_value(t)) &&
			    !jsonx_array_has_str(w.tags, json_string_value(t)))
				buf_addf(&tb, "%s%s", tb.len ? ", " : "tags ", json_string_value(t));
		json_array_foreach(w.ignored_tools, i, t)
			buf_addf(&tb, "%stool %s (named by the manifests)", tb.len ? ", " : "",
				 json_string_value(t));
		json_array_foreach(ignored, i, t)
			buf_addf(&tb, "%s%s", tb.len ? ", " : "", json_string_value(t));
		if (tb.len) {
			size_t ai = pl_add(c->p, KIND_AGENT, name, CHANGE_DRIFT);

			c->p->items[ai].agent = xstrdup(id);
			c->p->items[ai].id = xstrdup(id);
			c->p->items[ai].skip = 1;
			pl_reason(c->p, ai, "left to other tools (Letta Code; ignore lists): %s",
				  tb.buf);
		}
		buf_release(&tb);
	}
	json_decref(ignored);
	ignored = NULL;

	if (json_object_size(patch) == 0) {
		json_t *none = json_object();

		pl_same(c->p, KIND_AGENT, name, id, NULL,
			(c->o->flags & PLAN_KEEP_SAME) ? none : NULL);
		json_decref(none);
	} else {
		json_t *meta = last_sync_metadata(c, json_object_get(agent, "metadata"),
						  secrets_written);

		if (meta)
			json_object_set_new(patch, "metadata", meta);
		patch_ai = pl_add(c->p, KIND_AGENT, name, CHANGE_UPDATE);
		c->p->items[patch_ai].internal = 1;
		c->p->items[patch_ai].agent = xstrdup(id);
		c->p->items[patch_ai].id = xstrdup(id);
		pl_reason(c->p, patch_ai, "one PATCH for every changed section of agent '%s'", name);
		deps_of(c, patch_ai, patch);
		for (i = first_private; i < patch_ai; i++)
			pl_dep(c->p, patch_ai, i);
		pl_op(c->p, patch_ai, OP_UPDATE, TARGET_AGENT, id, NULL, patch, 0);
		patch = NULL;
		for (i = 0; i < SECTION__COUNT; i++) {
			size_t ai;

			if (!json_array_size(sec_fields[i]))
				continue;
			ai = add_section(c, agent, name, (enum plan_section)i);
			json_array_extend(c->p->items[ai].fields, sec_fields[i]);
			c->p->items[ai].breaking = sec_breaking[i];
			pl_dep(c->p, ai, patch_ai);
			pl_reason(c->p, ai, "%s", w.tmpl ? "follows its template" : "declared");
		}
	}
	if (pinned && c->p->n > first_private) {
		size_t held = 0;

		for (i = first_private; i < c->p->n; i++)
			held += !c->p->items[i].internal;
		plan_truncate(c->p, first_private);
		warn(c, "agent '%s' (%s) is on the pinned channel: %zu change(s) held back (sync --force or upgrade --target moves it)",
		     name, id, held);
	}
done:
	for (i = 0; i < SECTION__COUNT; i++)
		json_decref(sec_fields[i]);
	json_decref(patch);
	json_decref(ignored);
	json_decref(outside);
	agent_want_release(&w);
	return rc;
}

/* Creates a declared agent that does not exist yet. */
static int plan_create(struct ac *c, const struct resource *decl, const struct resource *tmpl,
		       const char *name)
{
	struct agent_want w;
	json_t *body, *tags, *ids, *mem;
	const json_t *pb;
	size_t ai, i;
	const char *model;
	struct buf t = BUF_INIT;

	build_want(c, &w, name, tmpl, decl, NULL);
	model = w.model ? w.model : c->o->default_model;
	if (!model) {
		agent_want_release(&w);
		return ls_error_set(c->err, LS_EINVALID,
				    "no model for agent '%s': set modelConfig.model in its "
				    "template, --model, LETTA_DEFAULT_MODEL or LETTA_MODEL",
				    name);
	}
	tags = json_deep_copy(w.tags);
	json_array_append_new(tags, json_string(OWN_TAG));
	if (w.tmpl) {
		buf_addf(&t, "template:%s", w.tmpl);
		json_array_append_new(tags, json_string(t.buf));
	}
	if (view_spec_str(decl, "channel")) {
		buf_reset(&t);
		buf_addf(&t, "channel:%s", view_spec_str(decl, "channel"));
		json_array_append_new(tags, json_string(t.buf));
	}
	buf_reset(&t);
	buf_addf(&t, "version:%s", c->o->version ? c->o->version : "0.0.0");
	json_array_append_new(tags, json_string(t.buf));
	buf_release(&t);
	tags = sorted(tags);
	ids = json_deep_copy(w.tools);
	json_array_extend(ids, w.mcp_tools);
	/*
	 * Private blocks carry the marker "Agent/<agent>/<label>" (as those created later, and
	 * bootstrap's): so that one its template drops later is known to be letta-sync's.
	 */
	mem = json_array();
	json_array_foreach(w.private_blocks, i, pb)
	{
		json_t *b = json_deep_copy(pb);
		struct buf src = BUF_INIT;

		buf_addf(&src, "%s/%s", name, jsonx_get_str(pb, "label"));
		json_object_set_new(b, "metadata",
				    own_marker_json(KIND_AGENT, src.buf, c->o->project, NULL));
		json_array_append_new(mem, b);
		buf_release(&src);
	}
	body = json_pack("{s:s, s:s, s:O, s:O, s:o, s:O, s:O, s:O, s:b}", "name", name, "model",
			 model, "tags", tags, "block_ids", w.blocks, "memory_blocks",
			 mem, "tool_ids", ids, "folder_ids", w.folders,
			 "identity_ids", w.identities, "include_base_tools", w.include_base_tools);
	if (c->o->now)
		json_object_set_new(body, "metadata",
				    last_sync_metadata(c, NULL, json_object_get(w.spec, "secrets")));
	plan_agent_settings_body(body, w.spec);
	if (json_is_object(json_object_get(w.spec, "secrets"))) {
		json_t *vals;

		if (secret_values(&vals, c, name, json_object_get(w.spec, "secrets")) < 0) {
			json_decref(body);
			json_decref(tags);
			json_decref(ids);
			agent_want_release(&w);
			buf_release(&t);
			return LS_EINVALID;
		}
		json_object_set_new(body, "secrets", vals);
	}
	if (w.system)
		json_object_set_new(body, "system", json_string(w.system));
	if (w.description)
		json_object_set_new(body, "description", json_string(w.description));
	if (w.embedding || c->o->default_embedding)
		json_object_set_new(body, "embedding",
				    json_string(w.embedding ? w.embedding : c->o->default_embedding));

	ai = pl_add(c->p, KIND_AGENT, name, CHANGE_CREATE);
	c->p->items[ai].agent = xstrdup(name);
	pl_reason(c->p, ai, "declared in git and not on the server");
	{
		json_t *f = c->p->items[ai].fields, *v;

		if (w.system) {
			v = json_string(w.system);
			pl_field(f, "system", NULL, v);
			json_decref(v);
		}
		v = json_string(model);
		pl_field(f, "model", NULL, v);
		json_decref(v);
		pl_field(f, "tags", NULL, tags);
		v = names_of(c, w.blocks);
		{
			json_array_foreach(w.private_blocks, i, pb)
				json_array_append(v, json_object_get(pb, "label"));
		}
		pl_field(f, "memory_blocks", NULL, v);
		json_decref(v);
		v = names_of(c, ids);
		pl_field(f, "tools", NULL, v);
		json_decref(v);
		if (json_array_size(w.folders)) {
			v = names_of(c, w.folders);
			pl_field(f, "folders", NULL, v);
			json_decref(v);
		}
		if (json_array_size(w.identities)) {
			v = names_of(c, w.identities);
			pl_field(f, "identities", NULL, v);
			json_decref(v);
		}
	}
	deps_of(c, ai, body);
	pl_op(c->p, ai, OP_CREATE, TARGET_AGENT, NULL, NULL, body, REQ_PROJECT_HEADER);
	json_decref(tags);
	json_decref(ids);
	agent_want_release(&w);
	return 0;
}

static const char *decl_name(const struct resource *d)
{
	const char *n = view_spec_str(d, "name");

	return n ? n : d->name;
}

static int agent_selected(struct ac *c, const char *id, const char *name)
{
	int yes;

	if (!c->o->agent)
		return 1;
	yes = (id && !strcmp(c->o->agent, id)) || (name && !strcmp(c->o->agent, name));
	c->selected |= yes;
	return yes;
}

/*
 * Plans one agent: an existing one (agent set) or a create (name set). When what it should have
 * includes tools that only exist once this plan ran (an MCP server created or refreshed in it),
 * all of the agent's actions are marked deferred: sync holds them back to its second pass and
 * plans them then, complete, so that the agent gets one action (one create, not a create and an
 * update), as the dry run shows it.
 */
static int plan_one(struct ac *c, const json_t *agent, const struct resource *tmpl,
		    const struct resource *decl, const char *name)
{
	size_t n0 = c->p->n;
	int rc;

	c->waits = 0;
	rc = agent ? plan_existing(c, agent, tmpl, decl) : plan_create(c, decl, tmpl, name);
	if (c->waits)
		for (size_t i = n0; i < c->p->n; i++)
			c->p->items[i].deferred = 1;
	c->waits = 0;
	return rc;
}

int plan_agents(struct plan *p, const struct desired_state *want,
		const struct remote_state *have, const struct plan_opts *opts, const char *const *ids,
		struct ls_error *err)
{
	struct ac c;
	struct strmap decls = STRMAP_INIT;
	const json_t *a;
	size_t i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.p = p;
	c.want = want;
	c.have = have;
	c.o = opts;
	c.ids = ids;
	c.err = err;
	c.names = json_object();
	c.warned = json_object();

	/* The Agent declarations by agent name (the last one of a name, as a scan found it). */
	for (i = 0; i < want->n; i++)
		if (want->items[i].kind == KIND_AGENT)
			*strmap_put(&decls, 0, decl_name(&want->items[i]), i, NULL) = i;
	/* Existing managed agents, in the server's order. */
	json_array_foreach(have->agents, i, a)
	{
		const char *name = jsonx_get_str(a, "name"), *id = jsonx_get_str(a, "id");
		const struct resource *decl = NULL, *tmpl = NULL;
		const size_t *d;
		const char *tn;

		if (rc < 0 || !id || !own_agent_is_managed(a) || !agent_selected(&c, id, name))
			continue;
		if (name && (d = strmap_get(&decls, 0, name)))
			decl = &want->items[*d];
		if (decl && decl->managed == MANAGED_FALSE)
			continue;
		tn = decl && view_spec_str(decl, "template") ? view_spec_str(decl, "template")
							    : jsonx_array_prefixed(json_object_get(a, "tags"),
									"template:");
		tmpl = tn ? res_find(want, KIND_TEMPLATE, tn) : NULL;
		if (!tmpl && decl && !tn)
			tmpl = default_template(want);
		/* Migration: the original's agents carry no template: tag; the default adopts them. */
		if (!tmpl && !decl && !tn && jsonx_array_has_str(json_object_get(a, "tags"), OWN_LEGACY_TAG))
			tmpl = default_template(want);
		if (!tmpl && !decl) {
			warn(&c,
			     tn ? "agent '%s' (%s): its template '%s' is not declared; left alone"
				: "agent '%s' (%s) names no template%s; left alone",
			     name ? name : id, id, tn ? tn : "");
			continue;
		}
		rc = plan_one(&c, a, tmpl, decl, NULL);
	}
	/* Declared agents that do not exist yet (sync's job, not upgrade's). */
	for (i = 0; rc == 0 && !(opts->flags & PLAN_UPGRADE) && i < want->n; i++) {
		const struct resource *d = &want->items[i];
		const char *name = decl_name(d), *tn;
		const json_t *match = NULL;
		struct buf found = BUF_INIT;
		size_t j, nmatch = 0;
		int managed = 0;

		if (d->kind != KIND_AGENT || d->managed == MANAGED_FALSE ||
		    !agent_selected(&c, NULL, name))
			continue;
		json_array_foreach(have->agents, j, a)
		{
			if (!jsonx_get_str(a, "name") || strcmp(jsonx_get_str(a, "name"), name))
				continue;
			if (own_agent_is_managed(a)) {
				managed = 1;
				continue;
			}
			buf_addf(&found, "%s%s", nmatch ? ", " : "",
				 jsonx_get_str(a, "id") ? jsonx_get_str(a, "id") : "?");
			match = a;
			nmatch++;
		}
		tn = view_spec_str(d, "template");
		if (managed) {
			/* planned above */
		} else if (nmatch == 1 && (opts->flags & PLAN_ADOPT)) {
			/* --adopt: the only unmanaged agent with the name becomes ours. */
			rc = plan_one(&c, match,
				      tn ? res_find(want, KIND_TEMPLATE, tn) : default_template(want), d,
				      NULL);
		} else if (nmatch) {
			size_t ai = pl_add(p, KIND_AGENT, name, CHANGE_CONFLICT);

			p->items[ai].agent = xstrdup(jsonx_get_str(match, "id"));
			p->items[ai].id = xstrdup(jsonx_get_str(match, "id"));
			p->items[ai].skip = 1;
			if (nmatch == 1)
				pl_reason(p, ai,
					  "an agent named '%s' exists and is not managed by letta-sync; "
					  "agent names are never duplicated (--adopt takes it over)",
					  name);
			else
				pl_reason(p, ai,
					  "%zu agents named '%s' exist and none is managed by letta-sync "
					  "(%s); nothing is adopted or created: delete or rename all but "
					  "one",
					  nmatch, name, found.buf);
		} else if (opts->sections) {
			/* Creating an agent writes every section: not within --only. */
			warn(&c,
			     "agent '%s' is not on the server; --only does not create agents (sync "
			     "without --only creates it)",
			     name);
		} else {
			rc = plan_one(&c, NULL,
				      tn ? res_find(want, KIND_TEMPLATE, tn) : default_template(want), d,
				      name);
		}
		buf_release(&found);
	}
	if (rc == 0 && opts->agent && !c.selected)
		rc = ls_error_set(err, LS_ENOTFOUND,
				  "agent '%s' is neither a managed agent of the project nor a declared "
				  "Agent",
				  opts->agent);
	json_decref(c.names);
	json_decref(c.warned);
	strmap_release(&decls);
	return rc;
}

/*
 * What an agent of that template and declaration should have before it is compared with the
 * server: the template's spec.agent, the declaration over it, and the matching policies'
 * blocks, tools and folders (agent_tags are the agent's current tags, for the selectors).
 * Used by core/pull.c to write only what differs from a template. New reference.
 */
json_t *plan_agent_spec(const struct desired_state *want, const struct resource *tmpl,
			const struct resource *decl, const json_t *agent_tags)
{
	struct ac c;
	struct plan p = PLAN_INIT;
	json_t *spec = merged_spec(tmpl, decl), *tags;

	memset(&c, 0, sizeof(c));
	c.p = &p;
	c.want = want;
	tags = view_strset(json_object_get(spec, "tags"), NULL);
	if (agent_tags)
		json_array_extend(tags, (json_t *)agent_tags);
	if (tmpl) {
		struct buf t = BUF_INIT;

		buf_addf(&t, "template:%s", tmpl->name);
		json_array_append_new(tags, json_string(t.buf));
		buf_release(&t);
	}
	apply_policies(&c, spec, tags, tmpl ? tmpl->name : NULL);
	json_decref(tags);
	return spec;
}
