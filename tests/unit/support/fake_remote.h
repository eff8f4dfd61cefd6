/*
 * Test support: an in-memory fake of the Letta server, enough to apply a plan's typed
 * operations to a struct remote_state (as letta-sim would; the lists are the kind table's), and helpers to build desired states. Header-only
 * so that each test executable stays one file plus this.
 */
#ifndef LS_TEST_FAKE_REMOTE_H
#define LS_TEST_FAKE_REMOTE_H

#include "api/letta.h"
#include "core/kinds/kinds.h"
#include "core/model.h"
#include "core/plan.h"
#include "core/remote.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __attribute__((unused)) unsigned fake_seq;

static json_t *fake_id(const char *prefix)
{
	char b[80];

	snprintf(b, sizeof(b), "%s-00000000-0000-4000-8000-%012x", prefix, ++fake_seq);
	return json_string(b);
}

static __attribute__((unused)) void ds_add(struct desired_state *ds, enum res_kind kind, const char *name,
		   enum res_managed managed, const char *spec_text)
{
	struct resource *r;
	json_error_t jerr;
	json_t *spec = json_loads(spec_text, 0, &jerr);

	if (!spec) {
		fprintf(stderr, "bad spec in test: %s: %s\n", spec_text, jerr.text);
		abort();
	}
	ds->items = xgrow(ds->items, sizeof(*ds->items), ds->n + 1, &ds->alloc);
	r = &ds->items[ds->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->name = xstrdup(name);
	r->layer = LAYER_PROJECT;
	r->managed = managed;
	r->doc = json_pack("{s:s, s:s, s:{s:s}, s:o}", "apiVersion", "letta.ai/v1", "kind", "x",
			   "metadata", "name", name, "spec", spec);
	r->spec = json_object_get(r->doc, "spec");
}

static __attribute__((unused)) void ds_free(struct desired_state *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++) {
		free(ds->items[i].name);
		free(ds->items[i].source_code);
		json_decref(ds->items[i].doc);
	}
	free(ds->items);
	memset(ds, 0, sizeof(*ds));
}

static __attribute__((unused)) void ds_remove(struct desired_state *ds, enum res_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < ds->n; i++) {
		if (ds->items[i].kind == kind && !strcmp(ds->items[i].name, name)) {
			free(ds->items[i].name);
			free(ds->items[i].source_code);
			json_decref(ds->items[i].doc);
			memmove(&ds->items[i], &ds->items[i + 1],
				(ds->n - i - 1) * sizeof(ds->items[0]));
			ds->n--;
			return;
		}
	}
}

/* Replaces spec.key of kind/name with a JSON value. */
static __attribute__((unused)) void ds_set(struct desired_state *ds, enum res_kind kind, const char *name,
		   const char *key, const char *value_json)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		if (ds->items[i].kind == kind && !strcmp(ds->items[i].name, name))
			json_object_set_new(ds->items[i].spec, key, json_loads(value_json,
									      JSON_DECODE_ANY, NULL));
}

/* The list of the objects an operation on target acts on (the kind table's), or NULL. */
static json_t *fake_list(struct remote_state *rs, enum plan_target target)
{
	const struct kind_ops *k = kind_of_target(target == TARGET_FOLDER_FILE ? TARGET_FOLDER
						  : target >= TARGET_AGENT_BLOCK ? TARGET_AGENT
										 : target);

	return k ? kind_remote_list(rs, k->kind) : NULL;
}

static json_t *fake_find(json_t *list, const char *id, size_t *idx)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
	{
		const char *vid = jsonx_get_str(v, "id");

		if (vid && id && !strcmp(vid, id)) {
			if (idx)
				*idx = i;
			return v;
		}
	}
	return NULL;
}

/* PATCH semantics: null means unchanged. */
static __attribute__((unused)) void fake_patch(json_t *obj, const json_t *body)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)body, k, v)
		if (!json_is_null(v))
			json_object_set(obj, k, v);
}

static __attribute__((unused)) void fake_mcp_flatten(json_t *obj, const json_t *body)
{
	const json_t *cfg = json_object_get(body, "config");
	const char *k;
	json_t *v;

	if (json_object_get(body, "server_name"))
		json_object_set(obj, "server_name", json_object_get(body, "server_name"));
	json_object_foreach((json_t *)cfg, k, v)
	{
		if (json_is_null(v))
			continue;
		if (!strcmp(k, "auth_token")) {
			struct buf b = BUF_INIT;
			const char *t = json_string_value(v);

			if (strncmp(t, "Bearer ", 7))
				buf_addstr(&b, "Bearer ");
			buf_addstr(&b, t);
			json_object_set_new(obj, "auth_token", json_string(b.buf));
			json_object_set_new(obj, "auth_header", json_string("Authorization"));
			buf_release(&b);
		} else if (strcmp(k, "auth_header")) {
			json_object_set(obj, k, v);
		}
	}
}

static json_t *fake_request(struct remote_state *rs, const struct plan_request *op,
			    const char *id, const char *parent, const json_t *body);

/* Whole-set replacement of an agent's relations from *_ids lists (objects copied). */
static void fake_set_rel(struct remote_state *rs, json_t *agent, const json_t *body)
{
	static const struct {
		const char *ids, *rel;
		size_t off;
	} t[] = {
		{ "block_ids", "blocks", offsetof(struct remote_state, blocks) },
		{ "tool_ids", "tools", offsetof(struct remote_state, tools) },
		{ "folder_ids", "sources", offsetof(struct remote_state, folders) },
		{ "identity_ids", "identities", offsetof(struct remote_state, identities) },
	};
	size_t i, j;
	json_t *id;

	for (i = 0; i < 4; i++) {
		const json_t *ids = json_object_get(body, t[i].ids);
		json_t *list = *(json_t **)((char *)rs + t[i].off), *out;

		if (!json_is_array(ids)) {
			/* Existing relations (create: memory_blocks) are refreshed from the lists. */
			ids = NULL;
			out = json_array();
			json_array_foreach(json_object_get(agent, t[i].rel), j, id)
			{
				json_t *o = fake_find(list, jsonx_get_str(id, "id"), NULL);

				if (o)
					json_array_append(out, o);
			}
			json_object_set_new(agent, t[i].rel, out);
			continue;
		}
		out = json_object_get(agent, t[i].rel);
		if (json_is_array(out) && !strcmp(t[i].rel, "blocks") &&
		    json_object_get(body, "memory_blocks")) {
			json_t *keep = json_array();

			json_array_foreach(out, j, id)
				json_array_append(keep, fake_find(list, jsonx_get_str(id, "id"), NULL));
			out = keep;
		} else {
			out = json_array();
		}
		json_array_foreach(ids, j, id)
		{
			json_t *o = fake_find(list, json_string_value(id), NULL);

			if (o)
				json_array_append(out, o);
		}
		json_object_set_new(agent, t[i].rel, out);
	}
}

/*
 * Applies one operation (id and parent resolved); returns the response (new reference, may be
 * json_null()) or NULL for a failure (404).
 */
static json_t *fake_request(struct remote_state *rs, const struct plan_request *op,
			    const char *id, const char *parent, const json_t *body)
{
	json_t *list = fake_list(rs, op->target), *obj;
	size_t idx = 0;

	if (!list)
		return NULL;
	if (op->target == TARGET_FOLDER_FILE) {
		json_t *files, *f;
		size_t i;

		obj = fake_find(list, parent, NULL);
		if (!obj)
			return NULL;
		files = json_object_get(obj, "files");
		if (!files) {
			files = json_array();
			json_object_set_new(obj, "files", files);
		}
		if (op->op == OP_DELETE) {
			json_array_foreach(files, i, f)
				if (!strcmp(jsonx_get_str(f, "id"), id)) {
					json_array_remove(files, i);
					return json_null();
				}
			return NULL;
		}
		/* An upload replaces the file of the same name (duplicate_handling=replace). */
		json_array_foreach(files, i, f)
			if (!strcmp(jsonx_get_str(f, "file_name"), op->name)) {
				json_array_remove(files, i);
				break;
			}
		f = json_pack("{s:o, s:s, s:s}", "id", fake_id("file"), "file_name", op->name,
			      "source_id", jsonx_get_str(obj, "id"));
		json_array_append(files, f);
		return f;
	}
	if (op->op == OP_DELETE) {
		if (!fake_find(list, id, &idx))
			return NULL;
		json_array_remove(list, idx);
		return json_null();
	}
	if (op->target == TARGET_AGENT && op->op == OP_CREATE) {
		struct plan_request block_create = { OP_CREATE, TARGET_BLOCK, NULL, NULL, NULL,
						     NULL, 0, NULL };
		json_t *blocks = json_array(), *mb;
		size_t i;

		obj = json_pack("{s:o, s:O, s:O?, s:O?, s:O?}", "id", fake_id("agent"), "name",
				json_object_get(body, "name"), "system", json_object_get(body, "system"),
				"model", json_object_get(body, "model"), "tags",
				json_object_get(body, "tags"));
		json_array_foreach(json_object_get(body, "memory_blocks"), i, mb)
		{
			json_t *b = fake_request(rs, &block_create, NULL, NULL, mb);

			json_array_append_new(blocks, json_pack("{s:O}", "id", json_object_get(b, "id")));
			json_decref(b);
		}
		json_object_set_new(obj, "blocks", blocks);
		fake_set_rel(rs, obj, body);
		json_array_append(list, obj);
		return obj;
	}
	if (op->target == TARGET_AGENT) {
		obj = fake_find(list, id, NULL);
		if (!obj)
			return NULL;
		if (json_is_string(json_object_get(body, "system")))
			json_object_set(obj, "system", json_object_get(body, "system"));
		if (json_is_string(json_object_get(body, "model")))
			json_object_set(obj, "model", json_object_get(body, "model"));
		if (json_is_array(json_object_get(body, "tags")))
			json_object_set(obj, "tags", json_object_get(body, "tags"));
		fake_set_rel(rs, obj, body);
		return json_incref(obj);
	}
	if (op->target == TARGET_AGENT_BLOCK) {
		json_t *blocks;

		obj = fake_find(list, parent, NULL);
		if (!obj || op->op != OP_DETACH)
			return NULL;
		blocks = json_object_get(obj, "blocks");
		json_array_foreach(blocks, idx, body)
		{
			if (!strcmp(jsonx_get_str(body, "id"), id)) {
				json_array_remove(blocks, idx);
				return json_null();
			}
		}
		return NULL;
	}
	if (op->op == OP_CREATE || op->op == OP_UPSERT) {
		if (list == rs->tools) {
			/* Upsert by name; the name comes from the schema. */
			const char *name = jsonx_get_str(json_object_get(body, "json_schema"), "name");
			size_t i;
			json_t *t;

			json_array_foreach(list, i, t)
				if (name && !strcmp(jsonx_get_str(t, "name"), name)) {
					fake_patch(t, body);
					return json_incref(t);
				}
			obj = json_pack("{s:o, s:s?, s:s, s:n, s:n, s:[]}", "id", fake_id("tool"),
					"name", name, "tool_type", "custom", "metadata_",
					"return_char_limit", "tags");
			fake_patch(obj, body);
		} else if (list == rs->identities) {
			const char *key = jsonx_get_str(body, "identifier_key");
			size_t i;
			json_t *t;

			json_array_foreach(list, i, t)
				if (!strcmp(jsonx_get_str(t, "identifier_key"), key)) {
					fake_patch(t, body);
					return json_incref(t);
				}
			obj = json_pack("{s:o, s:[], s:[]}", "id", fake_id("identity"), "agent_ids",
					"block_ids");
			fake_patch(obj, body);
		} else if (list == rs->mcp_servers) {
			struct buf tn = BUF_INIT, tag = BUF_INIT;

			obj = json_pack("{s:o}", "id", fake_id("mcp_server"));
			fake_mcp_flatten(obj, body);
			/* The server registers the MCP server's tools. */
			buf_addf(&tn, "%s_search", jsonx_get_str(obj, "server_name"));
			buf_addf(&tag, "mcp:%s", jsonx_get_str(obj, "server_name"));
			json_array_append_new(rs->tools,
					      json_pack("{s:o, s:s, s:s, s:[s]}", "id", fake_id("tool"),
							"name", tn.buf, "tool_type", "external_mcp",
							"tags", tag.buf));
			buf_release(&tn);
			buf_release(&tag);
		} else if (list == rs->folders) {
			obj = json_pack("{s:o, s:n, s:{s:s}, s:[]}", "id", fake_id("source"),
					"description", "embedding_config", "handle",
					jsonx_get_str(body, "embedding"), "files");
			fake_patch(obj, body);
			json_object_del(obj, "embedding");
			json_object_del(obj, "embedding_chunk_size");
		} else {
			/* Blocks: the server fills in limit and leaves description null. */
			obj = json_pack("{s:o, s:i, s:n, s:{}, s:b}", "id", fake_id("block"), "limit",
					100000, "description", "metadata", "is_template", 0);
			fake_patch(obj, body);
			json_object_del(obj, "project_id");
		}
		json_array_append(list, obj);
		return obj;
	}
	obj = fake_find(list, id, NULL);
	if (!obj)
		return NULL;
	if (op->op == OP_REFRESH)
		return json_null();
	if (list == rs->mcp_servers)
		fake_mcp_flatten(obj, body);
	else
		fake_patch(obj, body);
	return json_incref(obj);
}

/*
 * Applies every action that is not skipped, in order, as api/apply.c would (resolving refs);
 * returns the number of requests sent, or -1 when one failed.
 */
static __attribute__((unused)) int fake_apply(struct remote_state *rs, const struct plan *p)
{
	struct plan_results res;
	size_t i, j;
	int nreq = 0, failed = 0;

	res.n = p->n;
	res.ids = xcalloc(p->n + 1, sizeof(*res.ids));
	res.ok = xcalloc(p->n + 1, sizeof(*res.ok));
	for (i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];

		if (a->id)
			res.ids[i] = xstrdup(a->id);
		if (a->skip || a->nreqs == 0) {
			res.ok[i] = -1;
			continue;
		}
		res.ok[i] = 1;
		for (j = 0; j < a->nreqs; j++) {
			struct ls_error err = LS_ERROR_INIT;
			const struct plan_request *op = &a->reqs[j];
			char *id = op->id ? plan_resolve_id(op->id, &res, i, &err) : NULL;
			char *parent = op->parent ? plan_resolve_id(op->parent, &res, i, &err) : NULL;
			json_t *body = plan_resolve_body(op->body, op->flags, &res, i, &err);
			json_t *reply;

			if ((op->id && !id) || (op->parent && !parent)) {
				free(id);
				free(parent);
				json_decref(body);
				res.ok[i] = -1;
				failed = 1;
				break;
			}
			reply = fake_request(rs, op, id, parent, body);
			nreq++;
			if (!reply && !(op->flags & REQ_404_OK)) {
				char *path = letta_op_path(op->op, op->target, id, parent, op->name);

				fprintf(stderr, "fake: %s %s failed\n",
					letta_op_method(op->op, op->target), path);
				free(path);
				res.ok[i] = -1;
				failed = 1;
			}
			if (j == 0 && reply && jsonx_get_str(reply, "id") && !res.ids[i])
				res.ids[i] = xstrdup(jsonx_get_str(reply, "id"));
			json_decref(reply);
			json_decref(body);
			free(id);
			free(parent);
			if (res.ok[i] < 0)
				break;
		}
	}
	for (i = 0; i < p->n; i++)
		free(res.ids[i]);
	free(res.ids);
	free(res.ok);
	return failed ? -1 : nreq;
}

#endif
