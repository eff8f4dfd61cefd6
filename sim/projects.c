/*
 * Health and the cloud-only projects routes (the digest, docs/contract/letta-api.md, sections 5.9
 * and 5.11). Projects answer in the cloud's shapes: {projects, hasNextPage} in camelCase, 201 on
 * create, {"message"} errors. A slug first seen in an X-Project header makes a project
 * (docs/contract/PRODUCT.md section 7).
 */
#include "sim.h"
#include "util/xalloc.h"
#include "util/jsonx.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void h_health(struct sim_req *rq, struct sim_resp *rs)
{
	(void)rq;
	resp_json_take(rs, 200, json_pack("{s:s,s:s}", "version", "0.16.7-sim", "status", "ok"));
}

static char *slugify(const char *name)
{
	struct buf b = BUF_INIT;
	int dash = 0;

	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c)) {
			if (dash && b.len)
				buf_addch(&b, '-');
			buf_addch(&b, (char)tolower(c));
			dash = 0;
		} else {
			dash = 1;
		}
	}
	if (!b.len)
		buf_addstr(&b, "project");
	return buf_detach(&b);
}

static int parse_nonneg(const char *s, long def, long *out)
{
	char *end;
	long v;

	*out = def;
	if (!s)
		return 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

static void h_projects_list(struct sim_req *rq, struct sim_resp *rs)
{
	const char *name = req_arg(rq, "name");
	long offset, limit;
	json_t *list = json_array();
	size_t matched = 0;

	if (parse_nonneg(req_arg(rq, "offset"), 0, &offset) < 0 ||
	    parse_nonneg(req_arg(rq, "limit"), 10, &limit) < 0) {
		json_decref(list);
		resp_message(rs, 400, "offset and limit must be non-negative integers");
		return;
	}
	if (g_store.faults.max_page > 0 && limit > g_store.faults.max_page)
		limit = g_store.faults.max_page;
	for (size_t i = 0; i < g_store.projects.n; i++) {
		json_t *p = g_store.projects.v[i];
		if (name && !ci_contains(json_string_value(json_object_get(p, "name")), name))
			continue;
		if (matched >= (size_t)offset && json_array_size(list) < (size_t)limit)
			json_array_append_new(list, obj_public(p));
		matched++;
	}
	resp_json_take(rs, 200, json_pack("{s:o,s:b}", "projects", list, "hasNextPage",
					  matched > (size_t)offset + (size_t)limit));
}

static void h_projects_create(struct sim_req *rq, struct sim_resp *rs)
{
	const char *name = jsonx_get_str(rq->json, "name");
	char *slug;
	size_t len;

	if (rq->body_bad || !json_is_object(rq->json)) {
		resp_message(rs, 400, "body must be a JSON object");
		return;
	}
	if (!name) {
		resp_message(rs, 400, "name is required");
		return;
	}
	len = strlen(name);
	if (len < 3 || len > 50) {
		resp_message(rs, 400, "name must be 3 to 50 characters");
		return;
	}
	slug = slugify(name);
	if (coll_find_by(&g_store.projects, "slug", slug)) {
		/* Slugs are unique; add a suffix as a web app would. */
		struct buf b = BUF_INIT;
		for (int i = 2;; i++) {
			buf_reset(&b);
			buf_addf(&b, "%s-%d", slug, i);
			if (!coll_find_by(&g_store.projects, "slug", b.buf))
				break;
		}
		free(slug);
		slug = buf_detach(&b);
	}
	resp_json_take(rs, 201, obj_public(project_new(name, slug)));
	free(slug);
}

static void h_projects_delete(struct sim_req *rq, struct sim_resp *rs)
{
	if (!coll_remove(&g_store.projects, req_param(rq, 0))) {
		resp_message(rs, 404, "Project not found");
		return;
	}
	resp_json_take(rs, 200, json_pack("{s:b}", "success", 1));
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route projects_routes[] = {
	{ "GET", "/v1/health/", h_health, R_NOAUTH | R_NOFAULT },
	{ "GET", "/v1/projects", h_projects_list, 0 },
	{ "POST", "/v1/projects", h_projects_create, 0 },
	{ "DELETE", "/v1/projects/{projectId}", h_projects_delete, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
