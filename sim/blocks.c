/*
 * Blocks (the digest, docs/contract/letta-api.md, section 5.3) and block templates (5.10): the
 * filtered list, count, create and update (CreateBlock and BlockUpdate themselves are in links.c:
 * agents, imports and MemFS pushes make blocks too), the cascade on delete and /{id}/agents. Blocks
 * carry no timestamps.
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>


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

static void h_blocks_list(struct sim_req *rq, struct sim_resp *rs)
{
	struct block_filter bf;
	struct page pg;
	json_t *items;
	size_t i;

	if (filter_parse(&bf, rq, rs, 1) < 0)
		return;
	if (page_parse(&pg, rq, rs, 50, 0, NULL) < 0)
		goto out;
	items = json_array();
	for (i = 0; i < g_store.blocks.n; i++) {
		if (block_matches(g_store.blocks.v[i], &bf))
			json_array_append(items, g_store.blocks.v[i]);
	}
	resp_page(rs, items, &pg, block_render);
out:
	json_decref(bf.tags);
}

static void h_blocks_count(struct sim_req *rq, struct sim_resp *rs)
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

static void h_blocks_create(struct sim_req *rq, struct sim_resp *rs)
{
	if (block_body_check(rq, rs) < 0)
		return;
	resp_json_take(rs, 200, block_render(block_create_from(rq->json, NULL)));
}

static void h_block_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *b = coll_find(&g_store.blocks, req_param(rq, 0));

	if (!b) {
		resp_not_found(rs, "Block", req_param(rq, 0));
		return;
	}
	resp_json_take(rs, 200, block_render(b));
}

static void h_block_patch(struct sim_req *rq, struct sim_resp *rs)
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

static void h_block_delete(struct sim_req *rq, struct sim_resp *rs)
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

static void h_block_agents(struct sim_req *rq, struct sim_resp *rs)
{
	const char *id = req_param(rq, 0);
	unsigned incl;
	struct page pg;

	if (!coll_find(&g_store.blocks, id)) {
		resp_not_found(rs, "Block", id);
		return;
	}
	if (agent_includes(rq, rs, &incl) < 0 || page_parse(&pg, rq, rs, 50, 1, NULL) < 0)
		return;
	resp_page_agents(rs, coll_having(&g_store.agents, "_blocks", id), &pg, incl);
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route blocks_routes[] = {
	{ "GET", "/v1/blocks/", h_blocks_list, 0 },
	{ "POST", "/v1/blocks/", h_blocks_create, 0 },
	{ "GET", "/v1/blocks/count", h_blocks_count, 0 },
	{ "GET", "/v1/blocks/{block_id}", h_block_get, 0 },
	{ "PATCH", "/v1/blocks/{block_id}", h_block_patch, 0 },
	{ "DELETE", "/v1/blocks/{block_id}", h_block_delete, 0 },
	{ "GET", "/v1/blocks/{block_id}/agents", h_block_agents, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
