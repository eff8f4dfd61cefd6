/*
 * Blocks (digest 5.3) and block templates (5.10): CreateBlock, BlockUpdate, the filtered list,
 * count, the cascade on delete and /{id}/agents. Blocks carry no timestamps.
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define NS (F_NULLABLE)

static const struct fld create_fields[] = {
	{ "label", F_STR, F_REQUIRED },
	{ "value", F_STR, F_REQUIRED },
	{ "limit", F_INT, 0 },
	{ "project_id", F_STR, NS },
	{ "template_name", F_STR, NS },
	{ "is_template", F_BOOL, 0 },
	{ "template_id", F_STR, NS },
	{ "base_template_id", F_STR, NS },
	{ "deployment_id", F_STR, NS },
	{ "entity_id", F_STR, NS },
	{ "preserve_on_migration", F_BOOL, NS },
	{ "read_only", F_BOOL, 0 },
	{ "description", F_STR, NS },
	{ "metadata", F_OBJ, NS },
	{ "hidden", F_BOOL, NS },
	{ "tags", F_ARR_STR, NS },
	{ NULL, 0, 0 },
};

/* BlockUpdate: the same fields, all optional; null means "leave unchanged" (digest 1). */
static const struct fld update_fields[] = {
	{ "label", F_STR, NS },
	{ "value", F_STR, NS },
	{ "limit", F_INT, NS },
	{ "project_id", F_STR, NS },
	{ "template_name", F_STR, NS },
	{ "is_template", F_BOOL, NS },
	{ "template_id", F_STR, NS },
	{ "base_template_id", F_STR, NS },
	{ "deployment_id", F_STR, NS },
	{ "entity_id", F_STR, NS },
	{ "preserve_on_migration", F_BOOL, NS },
	{ "read_only", F_BOOL, NS },
	{ "description", F_STR, NS },
	{ "metadata", F_OBJ, NS },
	{ "hidden", F_BOOL, NS },
	{ "tags", F_ARR_STR, NS },
	{ NULL, 0, 0 },
};

/* Digest 5.3: NUL characters are removed from `value`. */
static void strip_nul(json_t *b)
{
	json_t *v = json_object_get(b, "value");
	struct buf out = BUF_INIT;
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return;
	s = json_string_value(v);
	n = json_string_length(v);
	if (strlen(s) == n)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i])
			buf_addch(&out, s[i]);
	}
	json_object_set_new(b, "value", json_stringn(out.buf, out.len));
	buf_release(&out);
}

json_t *block_render(const json_t *b)
{
	return obj_public(b);
}

int block_create_check(struct sim_req *rq, struct sim_resp *rs, const json_t *body)
{
	(void)rq;
	return json_check(rs, body, create_fields, 0);
}

json_t *block_create_from(const json_t *body, const char *project_id)
{
	char *id = store_new_id("block");
	json_t *b = json_object();
	json_t *v;

	json_object_set_new(b, "id", json_string(id));
	free(id);
	for (const struct fld *f = create_fields; f->key; f++) {
		v = json_object_get(body, f->key);
		json_object_set(b, f->key, v ? v : json_null());
	}
	if (!json_is_integer(json_object_get(b, "limit")))
		json_object_set_new(b, "limit", json_integer(100000));
	if (!json_is_object(json_object_get(b, "metadata")))
		json_object_set_new(b, "metadata", json_object());
	if (!json_is_array(json_object_get(b, "tags")))
		json_object_set_new(b, "tags", json_array());
	if (!json_is_boolean(json_object_get(b, "is_template")))
		json_object_set_new(b, "is_template", json_false());
	if (!json_is_boolean(json_object_get(b, "read_only")))
		json_object_set_new(b, "read_only", json_false());
	if (!json_is_boolean(json_object_get(b, "preserve_on_migration")))
		json_object_set_new(b, "preserve_on_migration", json_false());
	strip_nul(b);
	if (project_id && json_is_null(json_object_get(b, "project_id")))
		json_object_set_new(b, "project_id", json_string(project_id));
	json_object_set_new(b, "created_by_id", json_null());
	json_object_set_new(b, "last_updated_by_id", json_null());
	return coll_add_take(&g_store.blocks, b);
}

json_t *block_agents(const char *block_id)
{
	json_t *out = json_array();

	for (size_t i = 0; i < g_store.agents.n; i++) {
		json_t *a = g_store.agents.v[i];
		if (strarr_has(json_object_get(a, "_blocks"), block_id))
			json_array_append(out, a);
	}
	return out;
}

/* Whether another block attached to one of b's agents already has this label. */
static int label_clash(const char *block_id, const char *label)
{
	json_t *agents = block_agents(block_id);
	size_t i, j;
	json_t *a, *bid;
	int clash = 0;

	json_array_foreach(agents, i, a) {
		json_array_foreach(json_object_get(a, "_blocks"), j, bid) {
			json_t *o = coll_find(&g_store.blocks, json_string_value(bid));
			if (o && strcmp(json_string_value(bid), block_id) &&
			    !strcmp(jsonx_get_str(o, "label") ? jsonx_get_str(o, "label") : "", label))
				clash = 1;
		}
	}
	json_decref(agents);
	return clash;
}

int block_update(json_t *b, struct sim_req *rq, struct sim_resp *rs)
{
	const char *label;
	const char *k;
	json_t *v;

	if (body_check(rq, rs, update_fields, 0) < 0)
		return -1;
	label = jsonx_get_str(rq->json, "label");
	if (label && strcmp(label, jsonx_get_str(b, "label") ? jsonx_get_str(b, "label") : "") &&
	    label_clash(jsonx_get_str(b, "id"), label)) {
		resp_unique(rs, "Block", "unique_label_per_agent", "agent_id, block_label", label);
		return -1;
	}
	json_object_foreach(rq->json, k, v) {
		const struct fld *f;
		for (f = update_fields; f->key; f++) {
			if (!strcmp(f->key, k))
				break;
		}
		if (f->key && !json_is_null(v))
			json_object_set(b, k, v);
	}
	strip_nul(b);
	return 0;
}

/* ---- list and count ---- */

struct block_filter {
	const char *label;
	const char *label_search;
	const char *name;
	const char *project_id;
	const char *value_search;
	const char *description_search;
	const char *identity_id;
	json_t *tags;
	int match_all;
	int templates_only;
};

static int filter_parse(struct block_filter *bf, struct sim_req *rq, struct sim_resp *rs,
			int full)
{
	memset(bf, 0, sizeof(*bf));
	if (query_str(rq, rs, "label", "_/-", 1, 50, &bf->label) < 0 ||
	    query_str(rq, rs, "name", " _-", 1, 100, &bf->name) < 0 ||
	    query_bool(rq, rs, "templates_only", 0, &bf->templates_only) < 0 ||
	    query_bool(rq, rs, "match_all_tags", 0, &bf->match_all) < 0)
		return -1;
	bf->project_id = req_arg(rq, "project_id");
	if (full) {
		if (query_str(rq, rs, "label_search", "_/-", 1, 50, &bf->label_search) < 0 ||
		    query_str(rq, rs, "value_search", NULL, 1, 200, &bf->value_search) < 0 ||
		    query_str(rq, rs, "description_search", NULL, 1, 200,
			      &bf->description_search) < 0)
			return -1;
		bf->identity_id = req_arg(rq, "identity_id");
	}
	bf->tags = req_args_all(rq, "tags", 0);
	return 0;
}

static int tags_match(const json_t *have, const json_t *want, int all)
{
	size_t i;
	json_t *t;

	if (!json_array_size(want))
		return 1;
	json_array_foreach(want, i, t) {
		int has = strarr_has(have, json_string_value(t));
		if (all && !has)
			return 0;
		if (!all && has)
			return 1;
	}
	return all;
}

static int block_matches(const json_t *b, const struct block_filter *bf)
{
	const char *s;

	if (json_is_true(json_object_get(b, "hidden")))
		return 0;
	if (bf->templates_only != json_is_true(json_object_get(b, "is_template")))
		return 0;
	s = jsonx_get_str(b, "label");
	if (bf->label && (!s || strcmp(s, bf->label)))
		return 0;
	if (!bf->label && bf->label_search && !ci_contains(s, bf->label_search))
		return 0;
	s = jsonx_get_str(b, "template_name");
	if (bf->name && (!s || strcmp(s, bf->name)))
		return 0;
	s = jsonx_get_str(b, "project_id");
	if (bf->project_id && (!s || strcmp(s, bf->project_id)))
		return 0;
	if (bf->value_search && !ci_contains(jsonx_get_str(b, "value"), bf->value_search))
		return 0;
	if (bf->description_search &&
	    !ci_contains(jsonx_get_str(b, "description"), bf->description_search))
		return 0;
	if (bf->identity_id) {
		json_t *idn = coll_find(&g_store.identities, bf->identity_id);
		if (!idn || !strarr_has(json_object_get(idn, "block_ids"), jsonx_get_str(b, "id")))
			return 0;
	}
	return tags_match(json_object_get(b, "tags"), bf->tags, bf->match_all);
}

void h_blocks_list(struct sim_req *rq, struct sim_resp *rs)
{
	struct block_filter bf;
	struct page pg;
	json_t *items, *out;
	size_t i;
	json_t *b;

	if (filter_parse(&bf, rq, rs, 1) < 0)
		return;
	if (page_parse(&pg, rq, rs, 50, 0, NULL) < 0)
		goto out;
	items = json_array();
	for (i = 0; i < g_store.blocks.n; i++) {
		if (block_matches(g_store.blocks.v[i], &bf))
			json_array_append(items, g_store.blocks.v[i]);
	}
	items = page_apply(items, &pg);
	out = json_array();
	json_array_foreach(items, i, b)
		json_array_append_new(out, block_render(b));
	json_decref(items);
	resp_json_take(rs, 200, out);
out:
	json_decref(bf.tags);
}

void h_blocks_count(struct sim_req *rq, struct sim_resp *rs)
{
	struct block_filter bf;
	long n = 0;

	if (filter_parse(&bf, rq, rs, 0) < 0)
		return;
	for (size_t i = 0; i < g_store.blocks.n; i++)
		n += block_matches(g_store.blocks.v[i], &bf);
	json_decref(bf.tags);
	resp_json_take(rs, 200, json_integer(n));
}

void h_blocks_create(struct sim_req *rq, struct sim_resp *rs)
{
	if (body_check(rq, rs, create_fields, 0) < 0)
		return;
	resp_json_take(rs, 200, block_render(block_create_from(rq->json, NULL)));
}

void h_block_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *b = coll_find(&g_store.blocks, req_param(rq, 0));

	if (!b) {
		resp_not_found(rs, "Block", req_param(rq, 0));
		return;
	}
	resp_json_take(rs, 200, block_render(b));
}

void h_block_patch(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *b = coll_find(&g_store.blocks, req_param(rq, 0));

	if (!b) {
		resp_not_found(rs, "Block", req_param(rq, 0));
		return;
	}
	if (block_update(b, rq, rs) < 0)
		return;
	resp_json_take(rs, 200, block_render(b));
}

void h_block_delete(struct sim_req *rq, struct sim_resp *rs)
{
	const char *id = req_param(rq, 0);

	if (!coll_find(&g_store.blocks, id)) {
		resp_not_found(rs, "Block", id);
		return;
	}
	/* Digest 5.3 and gotcha 18: deleting a block detaches it from every agent. */
	agents_unlink("_blocks", id);
	for (size_t i = 0; i < g_store.identities.n; i++)
		strarr_remove(json_object_get(g_store.identities.v[i], "block_ids"), id);
	coll_remove(&g_store.blocks, id);
	resp_null(rs);
}

void h_block_agents(struct sim_req *rq, struct sim_resp *rs)
{
	const char *id = req_param(rq, 0);
	unsigned incl;
	struct page pg;
	json_t *items, *out, *a;
	size_t i;

	if (!coll_find(&g_store.blocks, id)) {
		resp_not_found(rs, "Block", id);
		return;
	}
	if (agent_includes(rq, rs, &incl) < 0 || page_parse(&pg, rq, rs, 50, 1, NULL) < 0)
		return;
	items = page_apply(block_agents(id), &pg);
	out = json_array();
	json_array_foreach(items, i, a)
		json_array_append_new(out, agent_render(a, incl));
	json_decref(items);
	resp_json_take(rs, 200, out);
}
