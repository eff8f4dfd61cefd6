/*
 * GET /v1/models/ (Model objects) and GET /v1/models/embedding (EmbeddingModel objects): the
 * lists of catalog.c, shapes from openapi.json's `Model` and `EmbeddingModel` schemas.
 */
#include "sim.h"
#include "util/jsonx.h"

#include <string.h>

/* GET /v1/models/: provider_name, provider_type and provider_category filter the list. */
static void h_models_list(struct sim_req *rq, struct sim_resp *rs)
{
	const char *pname = req_arg(rq, "provider_name"), *ptype = req_arg(rq, "provider_type");
	json_t *cats = req_args_all(rq, "provider_category", 0), *out = json_array(), *m;
	size_t i;

	json_array_foreach(models_llm_list(), i, m) {
		if (pname && strcmp(pname, jsonx_get_str(m, "provider_name")))
			continue;
		if (ptype && strcmp(ptype, jsonx_get_str(m, "provider_type")))
			continue;
		if (json_array_size(cats) &&
		    !strarr_has(cats, jsonx_get_str(m, "provider_category")
					      ? jsonx_get_str(m, "provider_category")
					      : "base"))
			continue;
		json_array_append(out, m);
	}
	json_decref(cats);
	resp_json_take(rs, 200, out);
}

static void h_models_embedding(struct sim_req *rq, struct sim_resp *rs)
{
	(void)rq;
	resp_json_take(rs, 200, json_copy(models_embedding_list()));
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route models_routes[] = {
	{ "GET", "/v1/models/", h_models_list, 0 },
	{ "GET", "/v1/models/embedding", h_models_embedding, 0 },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
