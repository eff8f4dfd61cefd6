/*
 * Validation of the merged desired state: a schema table per kind (types, required fields,
 * enums, unknown fields), then the per-kind rules (a shared kind's in its kind file, walked
 * through the kind-implementation table; templates', policies' and agents' here) and
 * cross-references. See validate.h.
 */
#include "core/validate.h"
#include "core/kinds/check.h"
#include "core/kinds/impl_table.h"
#include "core/kinds/kinds.h"
#include "core/memfiles.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/suggest.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define END FIELD_END

static const char *const e_channel[] = { "stable", "beta", "pinned", NULL };
static const char *const e_block_strategy[] = { "reconcile-all", "preserve-deleted", NULL };

#define COMMON_SPEC FIELD_COMMON_SPEC

const struct field validate_metadata_fields[] = {
	{ "name", TY_STR, F_REQ, NULL, 0, NULL },
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "labels", TY_MAP, 0, NULL, 0, NULL },
	{ "annotations", TY_OBJ, 0, NULL, 0, NULL },
	END,
};

static const struct field f_model[] = {
	{ "model", TY_STR, 0, NULL, 0, NULL },
	{ "embedding", TY_STR, 0, NULL, 0, NULL },
	{ "contextWindow", TY_INT, 0, NULL, 0, NULL },
	{ "modelEndpoint", TY_STR, 0, NULL, 0, NULL },
	END,
};

static const struct field f_agent_block[] = {
	{ "name", TY_STR, 0, NULL, 0, NULL },
	{ "label", TY_STR, 0, NULL, 0, NULL },
	{ "value", TY_STR, 0, NULL, 0, NULL },
	{ "limit", TY_INT, 0, NULL, 0, NULL },
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "readOnly", TY_BOOL, 0, NULL, 0, NULL },
	END,
};

static const struct field f_named[] = {
	{ "name", TY_STR, F_REQ, NULL, 0, NULL },
	END,
};

static const struct field f_mcp_tools[] = {
	{ "server", TY_STR, F_REQ, NULL, 0, NULL },
	{ "tools", TY_ARR | TY_STR, F_REQ, NULL, TY_STR, NULL },
	END,
};

/*
 * Agent memory as files (issue 25, docs/memory-files.md): a folder of the config repository,
 * inline files (frontmatter fields as docs/contract/memfs.md allows), a folder of skills.
 * core/memfiles.c memfiles_validate_decl() checks the rest (paths, value or from_file, managed).
 */
static const struct field f_memory_file[] = {
	{ "path", TY_STR, F_REQ, NULL, 0, NULL },
	{ "name", TY_STR, 0, NULL, 0, NULL },
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "limit", TY_INT, 0, NULL, 0, NULL },
	{ "read_only", TY_BOOL, 0, NULL, 0, NULL },
	{ "value", TY_STR, 0, NULL, 0, NULL },
	{ "from_file", TY_STR, 0, NULL, 0, NULL },
	{ "managed", TY_BOOL | TY_STR, 0, NULL, 0, NULL },
	END,
};

static const struct field f_memory[] = {
	{ "dir", TY_STR, 0, NULL, 0, NULL },
	{ "files", TY_ARR, 0, f_memory_file, TY_OBJ, NULL },
	{ "skills", TY_STR, 0, NULL, 0, NULL },
	END,
};

/* ToolRule (openapi.json: the tool rule types), wire names as the API has them. */
static const struct field f_tool_rule[] = {
	{ "type", TY_STR, F_REQ, NULL, 0, NULL },
	{ "tool_name", TY_STR, F_REQ, NULL, 0, NULL },
	{ "children", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "child_output_mapping", TY_OBJ, 0, NULL, 0, NULL },
	{ "default_child", TY_STR, 0, NULL, 0, NULL },
	{ "require_output_mapping", TY_BOOL, 0, NULL, 0, NULL },
	{ "max_count_limit", TY_INT, 0, NULL, 0, NULL },
	{ "prompt_template", TY_STR, 0, NULL, 0, NULL },
	{ "args", TY_OBJ, 0, NULL, 0, NULL },
	{ "child_arg_nodes", TY_ARR, 0, NULL, TY_OBJ, NULL },
	END,
};

#define AGENT_FIELDS \
	{ "memory", TY_OBJ, 0, f_memory, 0, NULL }, \
	{ "description", TY_STR, 0, NULL, 0, NULL }, \
	{ "system", TY_STR, 0, NULL, 0, NULL }, \
	{ "instructions", TY_STR, 0, NULL, 0, NULL }, \
	{ "modelConfig", TY_OBJ, 0, f_model, 0, NULL }, \
	{ "blocks", TY_ARR, 0, f_agent_block, TY_OBJ, NULL }, \
	{ "tools", TY_ARR, 0, f_named, TY_STR | TY_OBJ, NULL }, \
	{ "mcpTools", TY_ARR, 0, f_mcp_tools, TY_OBJ, NULL }, \
	{ "folders", TY_ARR, 0, f_named, TY_STR | TY_OBJ, NULL }, \
	{ "identities", TY_ARR, 0, NULL, TY_STR, NULL }, \
	{ "tags", TY_ARR, 0, NULL, TY_STR, NULL }, \
	{ "includeBaseTools", TY_BOOL, 0, NULL, 0, NULL }, \
	{ "enableSleeptime", TY_BOOL, 0, NULL, 0, NULL }, \
	{ "modelSettings", TY_OBJ, 0, NULL, 0, NULL }, \
	{ "compactionSettings", TY_OBJ, 0, NULL, 0, NULL }, \
	{ "reasoning", TY_BOOL, 0, NULL, 0, NULL }, \
	{ "maxTokens", TY_INT, 0, NULL, 0, NULL }, \
	{ "parallelToolCalls", TY_BOOL, 0, NULL, 0, NULL }, \
	{ "toolRules", TY_ARR, 0, f_tool_rule, TY_OBJ, NULL }, \
	{ "timezone", TY_STR, 0, NULL, 0, NULL }, \
	{ "messageBufferAutoclear", TY_BOOL, 0, NULL, 0, NULL }, \
	{ "maxFilesOpen", TY_INT, 0, NULL, 0, NULL }, \
	{ "perFileViewWindowCharLimit", TY_INT, 0, NULL, 0, NULL }, \
	{ "responseFormat", TY_OBJ, 0, NULL, 0, NULL }, \
	{ "secrets", TY_MAP, 0, NULL, 0, NULL }

static const struct field f_template_agent[] = {
	{ "name", TY_STR, 0, NULL, 0, NULL },
	AGENT_FIELDS,
	END,
};

/* What other tools own (issue 23: Letta Code): left alone, added to the built-in list. */
static const char *const e_ignore_system[] = { "preset", NULL };
static const struct field f_ignore[] = {
	{ "tags", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "tools", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "system", TY_STR, 0, NULL, 0, e_ignore_system },
	END,
};

static const struct field f_template[] = {
	COMMON_SPEC,
	{ "default", TY_BOOL, 0, NULL, 0, NULL },
	{ "baseTemplateId", TY_STR, 0, NULL, 0, NULL },
	{ "templateId", TY_STR, 0, NULL, 0, NULL },
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "agent", TY_OBJ, F_REQ, f_template_agent, 0, NULL },
	{ "blocks", TY_ARR, 0, NULL, TY_OBJ, NULL },
	{ "blockReconciliationStrategy", TY_STR, 0, NULL, 0, e_block_strategy },
	{ "ignore", TY_OBJ, 0, f_ignore, 0, NULL },
	END,
};

static const struct field f_selector[] = {
	{ "matchTags", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "matchLabels", TY_MAP, 0, NULL, 0, NULL },
	{ "matchTemplate", TY_STR, 0, NULL, 0, NULL },
	END,
};

static const struct field f_policy_ref[] = {
	{ "name", TY_STR, F_REQ, NULL, 0, NULL },
	{ "required", TY_BOOL, 0, NULL, 0, NULL },
	END,
};

static const struct field f_policy[] = {
	COMMON_SPEC,
	{ "selector", TY_OBJ, 0, f_selector, 0, NULL },
	{ "blocks", TY_ARR, 0, f_policy_ref, TY_STR | TY_OBJ, NULL },
	{ "tools", TY_ARR, 0, f_policy_ref, TY_STR | TY_OBJ, NULL },
	{ "folders", TY_ARR, 0, f_policy_ref, TY_STR | TY_OBJ, NULL },
	{ "enforceUnique", TY_BOOL, 0, NULL, 0, NULL },
	{ "priority", TY_INT, 0, NULL, 0, NULL },
	{ "ignore", TY_OBJ, 0, f_ignore, 0, NULL },
	END,
};

static const struct field f_agent[] = {
	COMMON_SPEC,
	{ "name", TY_STR, 0, NULL, 0, NULL },
	{ "template", TY_STR, 0, NULL, 0, NULL },
	{ "channel", TY_STR, 0, NULL, 0, e_channel },
	AGENT_FIELDS,
	END,
};

/* The kinds without a kind file; a shared kind's table is its kind file's. */
static const struct field *const kind_fields[KIND__COUNT] = {
	[KIND_TEMPLATE] = f_template,
	[KIND_AGENT_POLICY] = f_policy,
	[KIND_AGENT] = f_agent,
};

const struct field *validate_kind_fields(enum res_kind kind)
{
	const struct kind_impl *k = kind_impl(kind);

	return k ? k->fields : kind_fields[kind];
}

/* Letta's built-in tools: agents may name them without a Tool manifest. */
static const char *const builtin_tools[] = {
	"send_message", "conversation_search", "archival_memory_insert", "archival_memory_search",
	"core_memory_append", "core_memory_replace", "memory_insert", "memory_replace",
	"memory_rethink", "memory_finish_edits", "memory", "web_search", "run_code",
	"fetch_webpage", "send_message_to_agent_async", "send_message_to_agent_and_wait_for_reply",
	"send_message_to_agents_matching_tags", "open_files", "grep_files", "semantic_search_files",
	NULL,
};

struct vctx {
	struct kind_check k;   /* the desired state, the resource checked, the diagnostics */
	json_t *identity_keys; /* identifierKey -> name */
};

#define verr(c, ...) kind_err(&(c)->k, __VA_ARGS__)

/* "/spec/agent/blocks/0" -> "spec.agent.blocks[0]" */
static void dotted(struct buf *out, const char *ptr)
{
	buf_reset(out);
	for (const char *p = ptr; *p; p++) {
		if (*p == '/') {
			const char *q = p + 1;
			int num = *q >= '0' && *q <= '9';

			while (num && *q && *q != '/')
				num = *q >= '0' && *q <= '9', q++;
			if (num) {
				buf_addch(out, '[');
				buf_add(out, p + 1, (size_t)(q - p - 1));
				buf_addch(out, ']');
				p = q - 1;
				continue;
			}
			if (out->len)
				buf_addch(out, '.');
			continue;
		}
		if (*p == '~' && p[1] == '1') {
			buf_addch(out, '/');
			p++;
		} else if (*p == '~' && p[1] == '0') {
			buf_addch(out, '~');
			p++;
		} else {
			buf_addch(out, *p);
		}
	}
}

static const char *type_words(unsigned t)
{
	if (t == TY_STR)
		return "a string";
	if (t == TY_INT)
		return "an integer";
	if (t == TY_BOOL)
		return "true or false";
	if (t == TY_OBJ)
		return "a mapping";
	if (t == TY_MAP)
		return "a mapping of strings";
	if (t == TY_ARR)
		return "a list";
	if (t == (TY_BOOL | TY_STR))
		return "true, false or a string";
	if (t == (TY_STR | TY_OBJ))
		return "a string or a mapping";
	if (t == (TY_ARR | TY_STR))
		return "a list or a string";
	return "of another type";
}

static int type_ok(const json_t *v, unsigned t)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return t & TY_STR;
	case JSON_INTEGER:
		return t & (TY_INT | TY_NUM);
	case JSON_REAL:
		return t & TY_NUM;
	case JSON_TRUE:
	case JSON_FALSE:
		return t & TY_BOOL;
	case JSON_ARRAY:
		return t & TY_ARR;
	case JSON_OBJECT:
		if (t & TY_OBJ)
			return 1;
		if (t & TY_MAP) {
			const char *k;
			json_t *x;

			json_object_foreach((json_t *)v, k, x)
				if (!json_is_string(x))
					return 0;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

static void check_fields(struct vctx *c, const json_t *obj, const struct field *fields,
			 struct buf *ptr);

static void check_value(struct vctx *c, const json_t *v, const struct field *f, struct buf *ptr)
{
	struct buf d = BUF_INIT;
	size_t base = ptr->len;

	if (!type_ok(v, f->type)) {
		dotted(&d, ptr->buf); /* for the message only (issue 26) */
		verr(c, DIAG_ERROR, ptr->buf, "%s must be %s", d.buf, type_words(f->type));
		goto out;
	}
	if (f->enums && json_is_string(v)) {
		const char *s = json_string_value(v);
		int ok = 0;

		for (size_t i = 0; f->enums[i] && !ok; i++)
			ok = !strcmp(s, f->enums[i]);
		if (!ok) {
			struct buf all = BUF_INIT;
			const char *guess = suggest(s, f->enums);

			for (size_t i = 0; f->enums[i]; i++)
				buf_addf(&all, "%s%s", i ? ", " : "", f->enums[i]);
			verr(c, DIAG_ERROR, ptr->buf, "Invalid %s: %s", f->name, s);
			if (!strcmp(f->name, "identityType") && (!strcmp(s, "service") || !strcmp(s, "team")))
				diag_hint(c->k.diags, "Letta knows org, user and other: use 'other' for %s identities", s);
			else if (guess)
				diag_hint(c->k.diags, "did you mean '%s'? (one of: %s)", guess, all.buf);
			else
				diag_hint(c->k.diags, "one of: %s", all.buf);
			buf_release(&all);
		}
	}
	if (json_is_object(v) && f->fields)
		check_fields(c, v, f->fields, ptr);
	if (json_is_array(v)) {
		size_t i;
		json_t *it;

		json_array_foreach(v, i, it) {
			buf_addf(ptr, "/%zu", i);
			if (f->item && !type_ok(it, f->item)) {
				dotted(&d, ptr->buf);
				verr(c, DIAG_ERROR, ptr->buf, "%s must be %s", d.buf,
				     type_words(f->item));
			} else if (json_is_object(it) && f->fields) {
				check_fields(c, it, f->fields, ptr);
			}
			buf_setlen(ptr, base);
		}
	}
out:
	buf_release(&d);
}

static void check_fields(struct vctx *c, const json_t *obj, const struct field *fields,
			 struct buf *ptr)
{
	size_t base = ptr->len;
	const char *names[64];
	size_t n = 0;
	const char *key;
	json_t *v;

	for (const struct field *f = fields; f->name && n < 63; f++)
		names[n++] = f->name;
	names[n] = NULL;
	json_object_foreach((json_t *)obj, key, v) {
		const struct field *f = fields;

		while (f->name && strcmp(f->name, key))
			f++;
		yamlx_pointer_add(ptr, key);
		if (!f->name) {
			struct buf d = BUF_INIT;
			const char *guess = suggest(key, names);

			dotted(&d, ptr->buf);
			verr(c, DIAG_ERROR, ptr->buf, "unknown field '%s'", d.buf);
			if (guess)
				diag_hint(c->k.diags, "did you mean '%s'?", guess);
			buf_release(&d);
		} else {
			check_value(c, v, f, ptr);
		}
		buf_setlen(ptr, base);
	}
	for (const struct field *f = fields; f->name; f++) {
		if ((f->flags & F_REQ) && !json_object_get(obj, f->name)) {
			struct buf d = BUF_INIT;

			yamlx_pointer_add(ptr, f->name);
			dotted(&d, ptr->buf);
			buf_setlen(ptr, base);
			verr(c, DIAG_ERROR, ptr->buf, "Missing required field: %s", d.buf);
			buf_release(&d);
		}
	}
}

/* Cross-references. */

static void check_ref(struct vctx *c, enum res_kind kind, const char *name, const char *ptr)
{
	const char **cands;
	size_t n = 0;
	const char *guess;

	if (!name || desired_find(c->k.ds, kind, name))
		return;
	if (kind == KIND_TOOL && suggest(name, builtin_tools) &&
	    !strcmp(suggest(name, builtin_tools), name))
		return;
	if (kind == KIND_IDENTITY && json_object_get(c->identity_keys, name))
		return;
	cands = xcalloc(c->k.ds->n + 1, sizeof(*cands));
	for (size_t i = 0; i < c->k.ds->n; i++)
		if (c->k.ds->items[i].kind == kind)
			cands[n++] = c->k.ds->items[i].name;
	verr(c, DIAG_ERROR, ptr, "%s '%s' is not defined", res_kind_name(kind), name);
	guess = suggest(name, cands);
	free(cands);
	if (!guess && kind == KIND_TOOL)
		guess = suggest(name, builtin_tools);
	if (guess)
		diag_hint(c->k.diags, "did you mean '%s'?", guess);
	else
		diag_hint(c->k.diags, "declare it with kind: %s in .letta/manifests/", res_kind_name(kind));
}

static const char *entry_name(const json_t *it)
{
	return json_is_string(it) ? json_string_value(it) : jsonx_get_str(it, "name");
}

static void check_named_list(struct vctx *c, const json_t *list, enum res_kind kind,
			     const char *base)
{
	struct buf ptr = BUF_INIT;
	size_t i;
	json_t *it;

	json_array_foreach(list, i, it) {
		buf_reset(&ptr);
		buf_addf(&ptr, "%s/%zu", base, i);
		if (json_is_object(it))
			buf_addstr(&ptr, "/name");
		check_ref(c, kind, entry_name(it), ptr.buf);
	}
	buf_release(&ptr);
}

/* The agent section of a Template, or the overrides of an Agent (base is "/spec/agent" or "/spec"). */
static void check_agent_fields(struct vctx *c, const json_t *a, const char *base)
{
	json_t *labels = json_object(); /* label -> entry index */
	struct buf ptr = BUF_INIT;
	const json_t *list;
	size_t i;
	json_t *it;

	if (json_object_get(a, "system") && json_object_get(a, "instructions")) {
		buf_addf(&ptr, "%s/instructions", base);
		verr(c, DIAG_ERROR, ptr.buf, "give system or its alias instructions, not both");
	}
	/* Agent secrets: a reference to the environment, never a value in git. */
	{
		const char *k;
		json_t *v;

		json_object_foreach(json_object_get(a, "secrets"), k, v) {
			const char *t = json_string_value(v);
			size_t n = t ? strlen(t) : 0;

			if (t && n > 3 && !strncmp(t, "${", 2) && t[n - 1] == '}' &&
			    !strchr(t + 2, '$') && strchr(t, '}') == t + n - 1)
				continue;
			buf_reset(&ptr);
			buf_addf(&ptr, "%s/secrets/%s", base, k);
			verr(c, DIAG_ERROR, ptr.buf,
			     "secret '%s' is a literal value; secrets come from the environment: "
			     "write \"${ENV_VAR}\" (and never commit the value)",
			     k);
		}
	}
	list = json_object_get(a, "blocks");
	json_array_foreach(json_is_array(list) ? list : NULL, i, it) {
		const char *name = jsonx_get_str(it, "name");
		const char *label = jsonx_get_str(it, "label");
		const json_t *shared = NULL;

		if (!json_is_object(it))
			continue;
		buf_reset(&ptr);
		buf_addf(&ptr, "%s/blocks/%zu", base, i);
		if (name && (label || json_object_get(it, "value"))) {
			verr(c, DIAG_ERROR, ptr.buf,
			     "a block entry has name (attach a shared Block) or label and value (a private block), not both");
			continue;
		}
		if (name) {
			const struct resource *b = desired_find(c->k.ds, KIND_BLOCK, name);

			buf_addstr(&ptr, "/name");
			check_ref(c, KIND_BLOCK, name, ptr.buf);
			if (b)
				shared = json_object_get(b->spec, "label");
			label = json_string_value(shared);
		} else if (!label) {
			verr(c, DIAG_ERROR, ptr.buf,
			     "a block entry needs name (a shared Block) or label and value (a private block)");
			continue;
		} else {
			buf_addstr(&ptr, "/label");
			block_check_label(&c->k, label, ptr.buf);
			if (!json_object_get(it, "value"))
				verr(c, DIAG_ERROR, ptr.buf, "private block '%s' needs a value", label);
		}
		if (label) {
			if (json_object_get(labels, label))
				verr(c, DIAG_ERROR, ptr.buf,
				     "block label '%s' appears twice (an agent has one block per label)",
				     label);
			json_object_set_new(labels, label, json_true());
		}
	}
	memfiles_validate_decl(c->k.ds, c->k.r, json_object_get(a, "memory"), base, c->k.diags);
	buf_reset(&ptr);
	buf_addf(&ptr, "%s/tools", base);
	check_named_list(c, json_object_get(a, "tools"), KIND_TOOL, ptr.buf);
	buf_reset(&ptr);
	buf_addf(&ptr, "%s/folders", base);
	check_named_list(c, json_object_get(a, "folders"), KIND_FOLDER, ptr.buf);
	buf_reset(&ptr);
	buf_addf(&ptr, "%s/identities", base);
	check_named_list(c, json_object_get(a, "identities"), KIND_IDENTITY, ptr.buf);
	list = json_object_get(a, "mcpTools");
	json_array_foreach(json_is_array(list) ? list : NULL, i, it) {
		const json_t *tools = json_object_get(it, "tools");

		buf_reset(&ptr);
		buf_addf(&ptr, "%s/mcpTools/%zu/server", base, i);
		check_ref(c, KIND_MCP_SERVER, jsonx_get_str(it, "server"), ptr.buf);
		if (json_is_string(tools) && strcmp(json_string_value(tools), "all")) {
			buf_reset(&ptr);
			buf_addf(&ptr, "%s/mcpTools/%zu/tools", base, i);
			verr(c, DIAG_ERROR, ptr.buf, "mcpTools tools must be a list of names or 'all'");
		}
	}
	json_decref(labels);
	buf_release(&ptr);
}

static void check_policy(struct vctx *c, const json_t *spec)
{
	const json_t *sel = json_object_get(spec, "selector");
	const char *tmpl = jsonx_get_str(sel, "matchTemplate");

	if (tmpl)
		check_ref(c, KIND_TEMPLATE, tmpl, "/spec/selector/matchTemplate");
	check_named_list(c, json_object_get(spec, "blocks"), KIND_BLOCK, "/spec/blocks");
	check_named_list(c, json_object_get(spec, "tools"), KIND_TOOL, "/spec/tools");
	check_named_list(c, json_object_get(spec, "folders"), KIND_FOLDER, "/spec/folders");
}

static void check_agent(struct vctx *c, const json_t *spec, const char *default_template,
			size_t ntemplates, json_t *agent_names)
{
	const char *tmpl = jsonx_get_str(spec, "template");
	const char *name = jsonx_get_str(spec, "name");
	const char *other;

	if (!name)
		name = c->k.r->name;
	other = jsonx_get_str(agent_names, name);
	if (other)
		verr(c, DIAG_ERROR, json_object_get(spec, "name") ? "/spec/name" : "/metadata/name",
		     "agent name '%s' is also the name of Agent '%s' (agent names are unique in a project)",
		     name, other);
	else
		json_object_set_new(agent_names, name, json_string(c->k.r->name));

	if (tmpl)
		check_ref(c, KIND_TEMPLATE, tmpl, "/spec/template");
	else if (!default_template && ntemplates != 1)
		verr(c, DIAG_ERROR, "/spec", "no template: set spec.template (no Template says default: true)");
	check_agent_fields(c, spec, "/spec");
}

static void check_managed(struct vctx *c, const json_t *spec)
{
	const json_t *m = json_object_get(spec, "managed");

	if (json_is_string(m) && strcmp(json_string_value(m), "seed")) {
		verr(c, DIAG_ERROR, "/spec/managed", "Invalid managed: %s", json_string_value(m));
		diag_hint(c->k.diags, "true (git is the truth), seed (created once) or false (never touched)");
	}
}

void validate_desired(const struct desired_state *ds, struct diag_list *diags)
{
	struct vctx c;
	json_t *seen[KIND__COUNT];      /* each kind's scratch (struct kind_check) */
	json_t *agent_names = json_object();
	const struct resource *deflt = NULL;
	size_t ntemplates = 0;
	struct buf ptr = BUF_INIT;

	memset(&c, 0, sizeof(c));
	c.k.ds = ds;
	c.k.diags = diags;
	c.identity_keys = json_object();
	for (int k = 0; k < KIND__COUNT; k++)
		seen[k] = json_object();
	for (size_t i = 0; i < ds->n; i++) {
		const struct resource *r = &ds->items[i];
		const char *key = jsonx_get_str(r->spec, "identifierKey");

		if (r->kind == KIND_IDENTITY && !json_object_get(c.identity_keys, key ? key : r->name))
			json_object_set_new(c.identity_keys, key ? key : r->name, json_string(r->name));
		if (r->kind == KIND_TEMPLATE)
			ntemplates++;
	}
	for (size_t i = 0; i < ds->n; i++) {
		const struct resource *r = &ds->items[i];

		c.k.r = r;
		buf_reset(&ptr);
		buf_addstr(&ptr, "/metadata");
		if (json_is_object(json_object_get(r->doc, "metadata")))
			check_fields(&c, json_object_get(r->doc, "metadata"), validate_metadata_fields, &ptr);
		buf_reset(&ptr);
		buf_addstr(&ptr, "/spec");
		check_fields(&c, r->spec, validate_kind_fields(r->kind), &ptr);
		check_managed(&c, r->spec);
		if (kind_impl(r->kind)) {
			/* A shared kind's rules are its kind file's. */
			c.k.seen = seen[r->kind];
			kind_impl(r->kind)->check(&c.k);
			continue;
		}
		switch (r->kind) {
		case KIND_TEMPLATE:
			if (json_is_true(json_object_get(r->spec, "default"))) {
				if (deflt)
					verr(&c, DIAG_ERROR, "/spec/default",
					     "Template '%s' already says default: true; only one Template may",
					     deflt->name);
				else
					deflt = r;
			}
			if (json_is_object(json_object_get(r->spec, "agent"))) {
				if (!json_object_get(json_object_get(r->spec, "agent"), "name"))
					verr(&c, DIAG_ERROR, "/spec/agent", "Missing required field: spec.agent.name");
				check_agent_fields(&c, json_object_get(r->spec, "agent"), "/spec/agent");
			}
			break;
		case KIND_AGENT_POLICY:
			check_policy(&c, r->spec);
			break;
		case KIND_AGENT:
			break;
		default:
			BUG("unknown kind %d", (int)r->kind);
		}
	}
	for (size_t i = 0; i < ds->n; i++) {
		c.k.r = &ds->items[i];
		if (c.k.r->kind == KIND_AGENT)
			check_agent(&c, c.k.r->spec, deflt ? deflt->name : NULL, ntemplates,
				    agent_names);
	}
	for (int k = 0; k < KIND__COUNT; k++)
		json_decref(seen[k]);
	json_decref(c.identity_keys);
	json_decref(agent_names);
	buf_release(&ptr);
}

/* The scope registry. */

static const char *const scope_keys[] = { "scope", "match", "attach", "metadata", NULL };
static const char *const match_keys[] = { "path_prefixes", NULL };
static const char *const attach_keys[] = { "block_types", "folders", NULL };
static const char *const scope_meta_keys[] = { "description", "priority", NULL };

struct sctx {
	const json_t *positions;
	const char *file;
	struct diag_list *diags;
};

__attribute__((format(__printf__, 3, 4))) static void serr(struct sctx *c, const char *ptr,
						       const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	int line, col;
	va_list ap;

	yamlx_lookup(c->positions, ptr, &line, &col);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	diag_add(c->diags, DIAG_ERROR, c->file, line ? line : 1, line ? col : 1, "%s", b.buf);
	buf_release(&b);
}

static void scope_keys_check(struct sctx *c, const json_t *obj, const char *const *keys,
			     const char *ptr, const char *what)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj)) {
		serr(c, ptr, "%s must be a mapping", what);
		return;
	}
	json_object_foreach((json_t *)obj, k, v) {
		struct buf p = BUF_INIT;
		int known = 0;

		for (size_t i = 0; keys[i] && !known; i++)
			known = !strcmp(keys[i], k);
		if (!known) {
			buf_addstr(&p, ptr);
			yamlx_pointer_add(&p, k);
			serr(c, p.buf, "unknown field '%s' in %s", k, what);
			if (suggest(k, keys))
				diag_hint(c->diags, "did you mean '%s'?", suggest(k, keys));
		}
		buf_release(&p);
	}
}

static void scope_strings(struct sctx *c, const json_t *list, const char *ptr, const char *what,
			  int need_one)
{
	size_t i;
	json_t *it;

	if (!list) {
		if (need_one)
			serr(c, ptr, "Missing required field: %s", what);
		return;
	}
	if (!json_is_array(list)) {
		serr(c, ptr, "%s must be a list of strings", what);
		return;
	}
	if (need_one && !json_array_size(list))
		serr(c, ptr, "%s needs at least one entry", what);
	json_array_foreach(list, i, it) {
		struct buf p = BUF_INIT;

		buf_addf(&p, "%s/%zu", ptr, i);
		if (!json_is_string(it) || (need_one && !json_string_length(it)))
			serr(c, p.buf, "%s[%zu] must be a non-empty string", what, i);
		buf_release(&p);
	}
}

void validate_scope_registry(const json_t *doc, const json_t *positions, const char *file,
			     struct diag_list *diags)
{
	struct sctx c = { positions, file, diags };
	const json_t *scopes = json_object_get(doc, "scopes");
	json_t *seen = json_object();
	struct buf p = BUF_INIT, w = BUF_INIT;
	size_t i;
	json_t *it;

	if (!json_is_object(doc)) {
		serr(&c, "", "the scope registry must be a mapping with a 'scopes' list");
		goto out;
	}
	scope_keys_check(&c, doc, (const char *const[]){ "scopes", NULL }, "", "the scope registry");
	if (!json_is_array(scopes)) {
		serr(&c, scopes ? "/scopes" : "", scopes ? "scopes must be a list" : "Missing required field: scopes");
		goto out;
	}
	json_array_foreach(scopes, i, it) {
		const char *name = jsonx_get_str(it, "scope");

		buf_reset(&p);
		buf_addf(&p, "/scopes/%zu", i);
		buf_reset(&w);
		buf_addf(&w, "scopes[%zu]", i);
		if (!json_is_object(it)) {
			serr(&c, p.buf, "%s must be a mapping", w.buf);
			continue;
		}
		scope_keys_check(&c, it, scope_keys, p.buf, w.buf);
		buf_addstr(&p, "/scope");
		if (!name || !*name)
			serr(&c, p.buf, "%s: Missing required field: scope", w.buf);
		else if (json_object_get(seen, name))
			serr(&c, p.buf, "duplicate scope '%s'", name);
		else
			json_object_set_new(seen, name, json_true());
		buf_setlen(&p, p.len - 6);
		if (name) {
			buf_reset(&w);
			buf_addf(&w, "scope '%s'", name);
		}
		buf_addstr(&p, "/match");
		if (!json_object_get(it, "match")) {
			serr(&c, p.buf, "%s: Missing required field: match.path_prefixes", w.buf);
		} else {
			scope_keys_check(&c, json_object_get(it, "match"), match_keys, p.buf, "match");
			buf_addstr(&p, "/path_prefixes");
			scope_strings(&c, json_object_get(json_object_get(it, "match"), "path_prefixes"),
				      p.buf, "match.path_prefixes", 1);
			buf_setlen(&p, p.len - 14);
		}
		buf_setlen(&p, p.len - 6);
		if (json_object_get(it, "attach")) {
			const json_t *a = json_object_get(it, "attach");

			buf_addstr(&p, "/attach");
			scope_keys_check(&c, a, attach_keys, p.buf, "attach");
			buf_addstr(&p, "/block_types");
			scope_strings(&c, json_object_get(a, "block_types"), p.buf, "attach.block_types", 0);
			buf_setlen(&p, p.len - 12);
			buf_addstr(&p, "/folders");
			scope_strings(&c, json_object_get(a, "folders"), p.buf, "attach.folders", 0);
			buf_setlen(&p, p.len - 8 - 7);
		}
		if (json_object_get(it, "metadata")) {
			const json_t *m = json_object_get(it, "metadata");

			buf_addstr(&p, "/metadata");
			scope_keys_check(&c, m, scope_meta_keys, p.buf, "metadata");
			if (json_object_get(m, "priority") && !json_is_integer(json_object_get(m, "priority")))
				serr(&c, p.buf, "metadata.priority must be an integer");
		}
	}
out:
	json_decref(seen);
	buf_release(&p);
	buf_release(&w);
}
