/*
 * Manifest JSON Schema (draft 2020-12) from validate's tables: each struct field becomes a
 * property with its types, enum, nested fields and, below spec, its required members. Then the
 * rules of validate.c that hold within one document, each next to the check it mirrors.
 *
 * Not required in the schema: spec's own required fields (validate checks them after layering,
 * and an override in a higher layer gives only what it changes).
 */
#include "core/schema.h"
#include "core/manifest.h"
#include "core/validate.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <string.h>

static json_t *strings(const char *const *list)
{
	json_t *a = json_array();

	for (size_t i = 0; list[i]; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

/* The JSON Schema of a set of accepted types (enum ty). */
static json_t *type_schema(unsigned t)
{
	static const struct {
		unsigned ty;
		const char *name;
	} names[] = {
		{ TY_STR, "string" }, { TY_INT, "integer" }, { TY_NUM, "number" },
		{ TY_BOOL, "boolean" }, { TY_OBJ, "object" }, { TY_ARR, "array" },
	};
	json_t *list = json_array();
	json_t *map, *s;

	if (t == TY_ANY || !t) {
		json_decref(list);
		return json_object();
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (t & names[i].ty)
			json_array_append_new(list, json_string(names[i].name));
	if (!(t & TY_MAP) || (t & TY_OBJ)) {
		s = json_object();
		json_object_set_new(s, "type", json_array_size(list) == 1
						       ? json_incref(json_array_get(list, 0))
						       : json_incref(list));
		json_decref(list);
		return s;
	}
	/* A mapping of strings (labels, headers, env). */
	map = json_pack("{s:s, s:{s:s}}", "type", "object", "additionalProperties", "type", "string");
	if (!json_array_size(list)) {
		json_decref(list);
		return map;
	}
	return json_pack("{s:[{s:o}, o]}", "anyOf", "type", list, map);
}

static void object_keywords(json_t *s, const struct field *fields, int require);

static json_t *field_schema(const struct field *f)
{
	json_t *s = type_schema(f->type);

	if (f->enums && f->type == TY_STR)
		json_object_set_new(s, "enum", strings(f->enums));
	else if (f->enums)
		json_object_set_new(s, "allOf", json_pack("[{s:{s:s}, s:{s:o}}]", "if", "type",
							 "string", "then", "enum", strings(f->enums)));
	/* check_value(): an object's members, and those of an array's object items. */
	if (f->fields && (f->type & TY_OBJ))
		object_keywords(s, f->fields, 1);
	if ((f->type & TY_ARR) && (f->item || f->fields)) {
		json_t *items = type_schema(f->item);

		if (f->fields)
			object_keywords(items, f->fields, 1);
		json_object_set_new(s, "items", items);
	}
	return s;
}

/* properties, additionalProperties: false (check_fields' "unknown field") and required. */
static void object_keywords(json_t *s, const struct field *fields, int require)
{
	json_t *props = json_object(), *req = json_array();

	for (const struct field *f = fields; f->name; f++) {
		json_object_set_new(props, f->name, field_schema(f));
		if (require && (f->flags & F_REQ))
			json_array_append_new(req, json_string(f->name));
	}
	json_object_set_new(s, "properties", props);
	json_object_set_new(s, "additionalProperties", json_false());
	if (json_array_size(req))
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
}

/* The subschema at path ("agent/blocks/[]": properties, then items), borrowed. */
static json_t *at(json_t *s, const char *path)
{
	char part[64];

	while (*path) {
		size_t n = strcspn(path, "/");

		if (n >= sizeof(part))
			BUG("schema path part too long: %s", path);
		memcpy(part, path, n);
		part[n] = '\0';
		s = !strcmp(part, "[]") ? json_object_get(s, "items")
					: json_object_get(json_object_get(s, "properties"), part);
		if (!s)
			BUG("no schema at '%s'", part);
		path += n + (path[n] == '/');
	}
	return s;
}

/* Adds rule (taken) to the allOf of s. */
static void rule(json_t *s, json_t *rule_take)
{
	json_t *all = json_object_get(s, "allOf");

	if (!all) {
		all = json_array();
		json_object_set_new(s, "allOf", all);
	}
	json_array_append_new(all, rule_take);
}

/* validate_block_label() (core/kinds/block.c): [A-Za-z0-9_/-]{1,50}. */
static json_t *label_rule(void)
{
	struct buf p = BUF_INIT;
	json_t *r;

	buf_addf(&p, "^[A-Za-z0-9_/-]{1,%d}$", VALIDATE_LABEL_MAX);
	r = json_pack("{s:s}", "pattern", p.buf);
	buf_release(&p);
	return r;
}

/* check_agent_fields(): the rules of a Template's agent and of an Agent's spec. */
static void agent_rules(json_t *a)
{
	/* "give system or its alias instructions, not both" */
	rule(a, json_pack("{s:{s:[s, s]}}", "not", "required", "system", "instructions"));
	/* A block entry: name (a shared Block) or label and value (a private block), not both. */
	rule(at(a, "blocks/[]"),
	     json_pack("{s:{s:s}, s:{s:[{s:{s:[s, s]}}, {s:{s:[s, s]}}, {s:[{s:[s]}, {s:[s, s]}]}]}}",
		       "if", "type", "object", "then", "allOf",
		       "not", "required", "name", "label",
		       "not", "required", "name", "value",
		       "anyOf", "required", "name", "required", "label", "value"));
	rule(at(a, "blocks/[]/label"), label_rule());
	/* "mcpTools tools must be a list of names or 'all'" */
	rule(at(a, "mcpTools/[]/tools"),
	     json_pack("{s:{s:s}, s:{s:s}}", "if", "type", "string", "then", "const", "all"));
}

static void kind_rules(json_t *spec, json_t *metadata, enum res_kind kind)
{
	struct buf p = BUF_INIT;

	/* check_managed(): true, false or seed. */
	rule(at(spec, "managed"),
	     json_pack("{s:{s:s}, s:{s:s}}", "if", "type", "string", "then", "const", "seed"));
	switch (kind) {
	case KIND_BLOCK:
		/* block_check() (core/kinds/block.c) */
		rule(at(spec, "label"), label_rule());
		rule(at(spec, "limit"), json_pack("{s:i}", "minimum", 1));
		rule(spec, json_pack("{s:{s:{s:{s:b}}, s:[s]}, s:{s:[s]}}",
				     "if", "properties", "isTemplate", "const", 1, "required", "isTemplate",
				     "then", "required", "templateName"));
		break;
	case KIND_TOOL:
		/* tool_check() (core/kinds/tool.c) */
		buf_addf(&p, "^[A-Za-z_][A-Za-z0-9_]*$");
		rule(at(metadata, "name"), json_pack("{s:s, s:i}", "pattern", p.buf, "maxLength",
						     VALIDATE_TOOL_NAME_MAX));
		rule(spec, json_pack("{s:{s:[s, s]}}", "not", "required", "sourceCode", "sourceFile"));
		rule(at(spec, "sourceCode"), json_pack("{s:i}", "minLength", 1));
		rule(at(spec, "toolType"), json_pack("{s:s}", "const", "custom"));
		rule(at(spec, "jsonSchema"), json_pack("{s:[s]}", "required", "type"));
		rule(at(spec, "jsonSchema/type"), json_pack("{s:s}", "const", "function"));
		rule(at(spec, "jsonSchema/function/parameters/type"), json_pack("{s:s}", "const", "object"));
		break;
	case KIND_MCP_SERVER:
		/* mcp_check() (core/kinds/mcp_server.c) */
		rule(at(spec, "layer"), json_pack("{s:s}", "const", "org"));
		rule(spec, json_pack("{s:{s:{s:{s:s}}, s:[s]}, s:{s:[s], s:{s:{s:s, s:[s]}}}}",
				     "if", "properties", "serverType", "const", "stdio", "required",
				     "serverType", "then", "required", "stdioConfig", "properties",
				     "stdioConfig", "type", "object", "required", "command"));
		rule(spec, json_pack("{s:{s:{s:{s:{s:s}}}, s:[s]}, s:{s:[s]}}",
				     "if", "properties", "serverType", "not", "const", "stdio",
				     "required", "serverType", "then", "required", "serverUrl"));
		break;
	case KIND_TEMPLATE:
		agent_rules(at(spec, "agent"));
		break;
	case KIND_FOLDER:
		/* folder_check() (core/kinds/folder.c) */
		rule(at(spec, "layer"), json_pack("{s:{s:s}}", "not", "const", "base"));
		rule(at(spec, "files/[]"),
		     json_pack("{s:{s:s}}", "not", "pattern", "^/|^\\.\\.(/|$)|/\\.\\.(/|$)"));
		break;
	case KIND_AGENT:
		agent_rules(spec);
		break;
	case KIND_IDENTITY:
	case KIND_AGENT_POLICY:
		break;
	default:
		BUG("unknown kind %d", (int)kind);
	}
	buf_release(&p);
}

static json_t *metadata_schema(void)
{
	json_t *m = json_pack("{s:s}", "type", "object");

	object_keywords(m, validate_metadata_fields, 1);
	/* manifest.c's valid_name(): 1-128 characters, no '/' or control characters. */
	rule(at(m, "name"), json_pack("{s:i, s:i, s:s}", "minLength", 1, "maxLength",
				      MANIFEST_NAME_MAX, "pattern", "^[^/\\u0000-\\u001f\\u007f]*$"));
	return m;
}

static json_t *spec_schema(enum res_kind kind, json_t **metadata_out)
{
	json_t *spec = json_pack("{s:s}", "type", "object");
	json_t *metadata = metadata_schema();

	object_keywords(spec, validate_kind_fields(kind), 0);
	kind_rules(spec, metadata, kind);
	*metadata_out = metadata;
	return spec;
}

/* The envelope of manifest.c's parse_doc(), with kind's value schema. */
static json_t *envelope(json_t *kind_take)
{
	json_t *s = json_pack("{s:s, s:[s, s, s]}", "type", "object", "required", "apiVersion",
			      "kind", "metadata");
	json_t *props = json_object();

	for (size_t i = 0; manifest_top_keys[i]; i++) {
		const char *k = manifest_top_keys[i];
		json_t *v;

		if (!strcmp(k, "apiVersion"))
			v = json_pack("{s:s}", "const", MANIFEST_API_VERSION);
		else if (!strcmp(k, "kind"))
			v = json_incref(kind_take);
		else if (!strcmp(k, "metadata") || !strcmp(k, "spec"))
			v = json_pack("{s:s}", "type", "object");
		else if (!strcmp(k, "_delete"))
			v = json_pack("{s:s}", "type", "boolean");
		else if (!strcmp(k, "_merge"))
			v = json_pack("{s:s, s:{s:o}}", "type", "object", "additionalProperties", "enum",
				      strings(manifest_merge_strategies));
		else
			v = json_object();
		json_object_set_new(props, k, v);
	}
	json_decref(kind_take);
	json_object_set_new(s, "properties", props);
	json_object_set_new(s, "additionalProperties", json_false());
	/* "Missing required field: spec", unless the document is a deletion marker. */
	rule(s, json_pack("{s:{s:{s:{s:b}}, s:[s]}, s:{s:[s]}}", "if", "properties", "_delete",
			  "const", 1, "required", "_delete", "else", "required", "spec"));
	return s;
}

json_t *schema_manifest(int kind)
{
	json_t *defs = json_object();
	json_t *kinds = json_array();
	json_t *s, *branches = json_array();

	for (int k = 0; k < KIND__COUNT; k++) {
		const char *name = res_kind_name((enum res_kind)k);
		json_t *metadata, *spec;
		struct buf ref = BUF_INIT;

		if (kind >= 0 && k != kind)
			continue;
		spec = spec_schema((enum res_kind)k, &metadata);
		buf_addf(&ref, "%s.metadata", name);
		json_object_set_new(defs, ref.buf, metadata);
		json_object_set_new(defs, name, spec);
		json_array_append_new(kinds, json_string(name));
		buf_reset(&ref);
		buf_addf(&ref, "#/$defs/%s", name);
		json_array_append_new(branches,
				      json_pack("{s:{s:{s:{s:s}}, s:[s]}, s:{s:{s:{s:s%}, s:{s:s+}}}}",
						"if", "properties", "kind", "const", name, "required",
						"kind", "then", "properties", "spec", "$ref", ref.buf,
						ref.len, "metadata", "$ref", ref.buf, ".metadata"));
		buf_release(&ref);
	}
	s = envelope(kind >= 0 ? json_pack("{s:O}", "const", json_array_get(kinds, 0))
			       : json_pack("{s:O}", "enum", kinds));
	json_object_set_new(s, "$schema", json_string(SCHEMA_DIALECT));
	json_object_set_new(s, "title", json_string(kind >= 0 ? res_kind_name((enum res_kind)kind)
								  : "letta-sync manifest"));
	json_object_set_new(s, "description",
			    json_string("A letta-sync manifest document (letta.ai/v1), generated by "
					"`letta-sync schema` from the tables `letta-sync validate` uses."));
	{
		size_t i;
		json_t *b;

		json_array_foreach(branches, i, b)
			rule(s, json_incref(b));
	}
	json_object_set_new(s, "$defs", defs);
	json_decref(branches);
	json_decref(kinds);
	return s;
}
