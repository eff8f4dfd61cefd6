/*
 * Identities (the digest, docs/contract/letta-api.md, section 5.7): strict
 * IdentityCreate/Upsert/Update/IdentityProperty, 409 on a duplicate (identifier_key, project_id),
 * PUT upsert with replace semantics on an existing key (and a 404 on an unknown one, as the real
 * server does: see h_identities_upsert), PATCH that merges properties by key and adds to
 * agent_ids/block_ids, /properties, /agents and /blocks. The identity holds agent_ids and
 * block_ids; agents render their identities from here.
 */
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define NS (F_NULLABLE)

static const struct fld create_fields[] = {
	{ "identifier_key", F_STR, F_REQUIRED },
	{ "name", F_STR, F_REQUIRED },
	{ "identity_type", F_STR, F_REQUIRED },
	{ "project_id", F_STR, NS },
	{ "agent_ids", F_ARR_STR, NS },
	{ "block_ids", F_ARR_STR, NS },
	{ "properties", F_ARR, NS },
	{ NULL, 0, 0 },
};

static const struct fld update_fields[] = {
	{ "identifier_key", F_STR, NS },
	{ "name", F_STR, NS },
	{ "identity_type", F_STR, NS },
	{ "agent_ids", F_ARR_STR, NS },
	{ "block_ids", F_ARR_STR, NS },
	{ "properties", F_ARR, NS },
	{ NULL, 0, 0 },
};

static const struct fld property_fields[] = {
	{ "key", F_STR, F_REQUIRED },
	{ "value", F_ANY, F_REQUIRED },
	{ "type", F_STR, F_REQUIRED },
	{ NULL, 0, 0 },
};

static int enum_ok(struct sim_resp *rs, const json_t *v, const char *field,
		   const char *const *allowed, const char *msg)
{
	if (!v || json_is_null(v))
		return 0;
	for (int i = 0; allowed[i]; i++) {
		if (!strcmp(json_string_value(v), allowed[i]))
			return 0;
	}
	resp_422(rs, "enum", "body", field, msg, v, NULL);
	return -1;
}

static const char *const identity_types[] = { "org", "user", "other", NULL };
static const char *const property_types[] = { "string", "number", "boolean", "json", NULL };

static int properties_ok(struct sim_resp *rs, const json_t *props)
{
	size_t i;
	json_t *p, *v;

	json_array_foreach(props, i, p) {
		if (json_check(rs, p, property_fields, 1) < 0 ||
		    enum_ok(rs, json_object_get(p, "type"), "type", property_types,
			    "Input should be 'string', 'number', 'boolean' or 'json'") < 0)
			return -1;
		v = json_object_get(p, "value");
		if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v) &&
		    !json_is_object(v)) {
			resp_422(rs, "string_type", "body", "value", "Input should be a valid string",
				 v, NULL);
			return -1;
		}
	}
	return 0;
}

/* Agent and block ids in the body: the pattern (422), then existence (404). */
static int ids_ok(struct sim_resp *rs, const json_t *ids, const char *prefix,
		  const struct coll *c, const char *what)
{
	size_t i;
	json_t *id;
	struct buf msg = BUF_INIT;

	json_array_foreach(ids, i, id) {
		const char *s = json_string_value(id);
		if (!id_valid(prefix, s)) {
			buf_addf(&msg,
				 "String should match pattern '^%s-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'",
				 prefix);
			resp_422(rs, "string_pattern_mismatch", "body",
				 !strcmp(prefix, "agent") ? "agent_ids" : "block_ids", msg.buf, id,
				 NULL);
			buf_release(&msg);
			return -1;
		}
		if (!coll_find(c, s)) {
			resp_not_found(rs, what, s);
			return -1;
		}
	}
	return 0;
}

static int body_ok(struct sim_req *rq, struct sim_resp *rs, const struct fld *fields)
{
	json_t *b;

	if (body_check(rq, rs, fields, 1) < 0)
		return -1;
	b = rq->json;
	if (enum_ok(rs, json_object_get(b, "identity_type"), "identity_type", identity_types,
		    "Input should be 'org', 'user' or 'other'") < 0 ||
	    properties_ok(rs, json_object_get(b, "properties")) < 0 ||
	    ids_ok(rs, json_object_get(b, "agent_ids"), "agent", &g_store.agents, "Agent") < 0 ||
	    ids_ok(rs, json_object_get(b, "block_ids"), "block", &g_store.blocks, "Block") < 0)
		return -1;
	return 0;
}

/* The project an identity write is for: body project_id, else the X-Project slug. */
static const char *write_project(struct sim_req *rq)
{
	const char *pid = jsonx_get_str(rq->json, "project_id");

	if (pid)
		return pid;
	return rq->x_project ? project_resolve_slug(rq->x_project) : NULL;
}

static json_t *find_key(const char *key, const char *project_id)
{
	for (size_t i = 0; i < g_store.identities.n; i++) {
		json_t *idn = g_store.identities.v[i];
		const char *pid = jsonx_get_str(idn, "project_id");
		if (strcmp(jsonx_get_str(idn, "identifier_key"), key))
			continue;
		if ((!pid && !project_id) || (pid && project_id && !strcmp(pid, project_id)))
			return idn;
	}
	return NULL;
}

/*
 * The real server's 409 on a duplicate key (letta/orm/sqlalchemy_base.py _handle_dbapi_error,
 * mapped to 409 by the UniqueConstraintViolationError handler of letta/server/rest_api/app.py).
 * The constraint is (identifier_key, project_id, organization_id) with
 * postgresql_nulls_not_distinct=True (letta/services/identity_manager.py), so two identities
 * without a project clash too: find_key() treats null == null.
 */
static void resp_duplicate_key(struct sim_resp *rs, const char *key, const char *project_id)
{
	struct buf v = BUF_INIT;

	buf_addf(&v, "%s, %s, %s", key, project_id ? project_id : "null", SIM_ORG_ID);
	resp_unique(rs, "Identity", "unique_identifier_key_project_id_organization_id",
		    "identifier_key, project_id, organization_id", v.buf);
	buf_release(&v);
}

static json_t *set_or_empty(const json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);

	return json_is_array(v) ? json_deep_copy(v) : json_array();
}

static json_t *identity_new(struct sim_req *rq, const char *project_id)
{
	char *id = store_new_id("identity");
	json_t *b = rq->json;
	json_t *idn = json_pack("{s:s,s:O,s:O,s:O}", "id", id, "identifier_key",
				json_object_get(b, "identifier_key"), "name",
				json_object_get(b, "name"), "identity_type",
				json_object_get(b, "identity_type"));

	free(id);
	json_object_set_new(idn, "project_id", project_id ? json_string(project_id) : json_null());
	json_object_set_new(idn, "agent_ids", set_or_empty(b, "agent_ids"));
	json_object_set_new(idn, "block_ids", set_or_empty(b, "block_ids"));
	json_object_set_new(idn, "properties", set_or_empty(b, "properties"));
	return coll_add_take(&g_store.identities, idn);
}

static void h_identities_create(struct sim_req *rq, struct sim_resp *rs)
{
	const char *pid;

	if (body_ok(rq, rs, create_fields) < 0)
		return;
	pid = write_project(rq);
	if (find_key(jsonx_get_str(rq->json, "identifier_key"), pid)) {
		resp_duplicate_key(rs, jsonx_get_str(rq->json, "identifier_key"), pid);
		return;
	}
	resp_json_take(rs, 200, identity_render(identity_new(rq, pid)));
}

static void h_identities_upsert(struct sim_req *rq, struct sim_resp *rs)
{
	const char *pid;
	json_t *idn, *v;

	if (body_ok(rq, rs, create_fields) < 0)
		return;
	pid = write_project(rq);
	idn = find_key(jsonx_get_str(rq->json, "identifier_key"), pid);
	if (!idn) {
		/*
		 * The real server (0.16.8, letta/services/identity_manager.py upsert_identity_async)
		 * looks the key up with IdentityModel.read_async(identifier_key=..., project_id=...,
		 * organization_id=...), which raises NoResultFound instead of returning None, so its
		 * "create when missing" branch is never reached: an unknown key is a 404 whose detail
		 * is the ORM's "<Model> not found with <conditions>" (letta/orm/sqlalchemy_base.py).
		 */
		resp_detail(rs, 404,
			    "Identity not found with identifier_key='%s', project_id='%s', "
			    "organization_id='%s', access level in ['read'] for actor='%s'",
			    jsonx_get_str(rq->json, "identifier_key"), pid ? pid : "None", SIM_ORG_ID,
			    SIM_USER_ID);
		return;
	}
	/* Replace semantics (digest 5.7): block_ids is ignored on the update path. */
	json_object_set(idn, "name", json_object_get(rq->json, "name"));
	json_object_set(idn, "identity_type", json_object_get(rq->json, "identity_type"));
	if (json_is_array(v = json_object_get(rq->json, "properties")))
		json_object_set_new(idn, "properties", json_deep_copy(v));
	if (json_is_array(v = json_object_get(rq->json, "agent_ids")))
		json_object_set_new(idn, "agent_ids", json_deep_copy(v));
	resp_json_take(rs, 200, identity_render(idn));
}

struct ifilter {
	const char *key;
	const char *name;
	const char *type;
	const char *project_id;
};

static void ifilter_parse(struct ifilter *f, struct sim_req *rq)
{
	f->key = req_arg(rq, "identifier_key");
	f->name = req_arg(rq, "name");
	f->type = req_arg(rq, "identity_type");
	f->project_id = req_arg(rq, "project_id") ? req_arg(rq, "project_id") : rq->x_project_id;
}

static int identity_matches(const json_t *idn, const struct ifilter *f)
{
	const char *pid = jsonx_get_str(idn, "project_id");

	if (f->key && strcmp(jsonx_get_str(idn, "identifier_key"), f->key))
		return 0;
	if (f->name && !ci_contains(jsonx_get_str(idn, "name"), f->name))
		return 0;
	if (f->type && strcmp(jsonx_get_str(idn, "identity_type"), f->type))
		return 0;
	if (f->project_id && (!pid || strcmp(pid, f->project_id)))
		return 0;
	return 1;
}

static void h_identities_list(struct sim_req *rq, struct sim_resp *rs)
{
	struct ifilter f;
	struct page pg;
	json_t *items;
	size_t i;

	if (page_parse(&pg, rq, rs, 50, 1, NULL) < 0)
		return;
	ifilter_parse(&f, rq);
	items = json_array();
	for (i = 0; i < g_store.identities.n; i++) {
		if (identity_matches(g_store.identities.v[i], &f))
			json_array_append(items, g_store.identities.v[i]);
	}
	resp_page(rs, items, &pg, identity_render);
}

static void h_identities_count(struct sim_req *rq, struct sim_resp *rs)
{
	struct ifilter f;
	long n = 0;

	ifilter_parse(&f, rq);
	for (size_t i = 0; i < g_store.identities.n; i++)
		n += identity_matches(g_store.identities.v[i], &f);
	resp_json_take(rs, 200, json_integer(n));
}

static json_t *identity_or_404(struct sim_req *rq, struct sim_resp *rs)
{
	return coll_find_or_404(rs, &g_store.identities, "Identity", req_param(rq, 0));
}

static void h_identity_get(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *idn = identity_or_404(rq, rs);

	if (idn)
		resp_json_take(rs, 200, identity_render(idn));
}

/* Properties merge by key: a new value replaces the old one, others stay. */
static void merge_properties(json_t *have, const json_t *add)
{
	size_t i, j;
	json_t *p, *q;

	json_array_foreach(add, i, p) {
		int found = 0;
		json_array_foreach(have, j, q) {
			if (!strcmp(jsonx_get_str(q, "key"), jsonx_get_str(p, "key"))) {
				json_array_set(have, j, p);
				found = 1;
				break;
			}
		}
		if (!found)
			json_array_append(have, p);
	}
}

static void h_identity_patch(struct sim_req *rq, struct sim_resp *rs)
{
	static const char *const scalars[] = { "identifier_key", "name", "identity_type", NULL };
	json_t *idn = identity_or_404(rq, rs), *v, *x;
	const char *key;
	size_t i;

	if (!idn || body_ok(rq, rs, update_fields) < 0)
		return;
	key = jsonx_get_str(rq->json, "identifier_key");
	if (key && strcmp(key, jsonx_get_str(idn, "identifier_key")) &&
	    find_key(key, jsonx_get_str(idn, "project_id"))) {
		resp_duplicate_key(rs, key, jsonx_get_str(idn, "project_id"));
		return;
	}
	for (int k = 0; scalars[k]; k++) {
		v = json_object_get(rq->json, scalars[k]);
		if (v && !json_is_null(v))
			json_object_set(idn, scalars[k], v);
	}
	if (json_is_array(v = json_object_get(rq->json, "properties")))
		merge_properties(json_object_get(idn, "properties"), v);
	json_array_foreach(json_object_get(rq->json, "agent_ids"), i, x)
		strarr_add(json_object_get(idn, "agent_ids"), json_string_value(x));
	json_array_foreach(json_object_get(rq->json, "block_ids"), i, x)
		strarr_add(json_object_get(idn, "block_ids"), json_string_value(x));
	resp_json_take(rs, 200, identity_render(idn));
}

static void h_identity_delete(struct sim_req *rq, struct sim_resp *rs)
{
	if (!identity_or_404(rq, rs))
		return;
	coll_remove(&g_store.identities, req_param(rq, 0));
	resp_null(rs);
}

static void h_identity_properties(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *idn = identity_or_404(rq, rs);
	static const struct fld list_field = { "properties", F_ARR, F_REQUIRED };

	if (!idn)
		return;
	if (rq->body_bad || !rq->json) {
		resp_422(rs, rq->body_bad ? "json_invalid" : "missing", "body", NULL,
			 rq->body_bad ? "JSON decode error" : "Field required", NULL, NULL);
		return;
	}
	if (value_check(rs, rq->json, &list_field) < 0 || properties_ok(rs, rq->json) < 0)
		return;
	json_object_set(idn, "properties", rq->json);
	resp_json_take(rs, 200, identity_render(idn));
}

static void h_identity_agents(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *idn = identity_or_404(rq, rs);
	unsigned incl;
	struct page pg;

	if (!idn || agent_includes(rq, rs, &incl) < 0 || page_parse(&pg, rq, rs, 50, 1, NULL) < 0)
		return;
	resp_page_agents(rs, coll_pick(&g_store.agents, json_object_get(idn, "agent_ids")), &pg,
			 incl);
}

static void h_identity_blocks(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *idn = identity_or_404(rq, rs);
	struct page pg;

	if (!idn || page_parse(&pg, rq, rs, 50, 1, NULL) < 0)
		return;
	resp_page(rs, coll_pick(&g_store.blocks, json_object_get(idn, "block_ids")), &pg,
		  block_render);
}

/* PATCH /v1/blocks/{block_id}/identities/attach|detach/{identity_id}: the block back. */
static void block_identity_toggle(struct sim_req *rq, struct sim_resp *rs, int attach)
{
	json_t *b = coll_find(&g_store.blocks, req_param(rq, 0));

	if (!b) {
		resp_not_found(rs, "Block", req_param(rq, 0));
		return;
	}
	if (identity_link(rq, rs, "block_ids", attach))
		resp_json_take(rs, 200, block_render(b));
}

static void h_block_identity_attach(struct sim_req *rq, struct sim_resp *rs)
{
	block_identity_toggle(rq, rs, 1);
}

static void h_block_identity_detach(struct sim_req *rq, struct sim_resp *rs)
{
	block_identity_toggle(rq, rs, 0);
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route identities_routes[] = {
	{ "GET", "/v1/identities/", h_identities_list, 0 },
	{ "POST", "/v1/identities/", h_identities_create, 0 },
	{ "PUT", "/v1/identities/", h_identities_upsert, 0 },
	{ "GET", "/v1/identities/count", h_identities_count, 0 },
	{ "GET", "/v1/identities/{identity_id}", h_identity_get, 0 },
	{ "PATCH", "/v1/identities/{identity_id}", h_identity_patch, 0 },
	{ "DELETE", "/v1/identities/{identity_id}", h_identity_delete, 0 },
	{ "PUT", "/v1/identities/{identity_id}/properties", h_identity_properties, 0 },
	{ "GET", "/v1/identities/{identity_id}/agents", h_identity_agents, 0 },
	{ "GET", "/v1/identities/{identity_id}/blocks", h_identity_blocks, 0 },
	{ "PATCH", "/v1/blocks/{block_id}/identities/attach/{identity_id}", h_block_identity_attach, 0 },
	{ "PATCH", "/v1/blocks/{block_id}/identities/detach/{identity_id}", h_block_identity_detach, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
