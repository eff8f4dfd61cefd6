/* Unit tests of api/letta.c without a server: request building and ownership matching. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/letta.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static struct letta *new_api(const char *project_id)
{
	struct letta_opts o = LETTA_OPTS_INIT;
	struct ls_error err = LS_ERROR_INIT;
	struct letta *api = NULL;

	o.http.base_url = "http://127.0.0.1:1";
	o.http.project_id = project_id;
	o.page_limit = 75;
	assert_int_equal(letta_new(&api, &o, &err), 0);
	return api;
}

#define INCLUDES                                                                   \
	"include=agent.tags&include=agent.blocks&include=agent.tools&include=agent.sources" \
	"&include=agent.identities&include=agent.secrets"

static void test_letta__lists_are_paged_scoped_and_include_relations(void **state)
{
	struct letta *api = new_api("0b7c6a52-1111-4222-8333-444455556666");
	const char *params[] = { "label", "persona", "tags", "a b", NULL };
	struct http_req req;

	(void)state;
	letta_req_list(&req, api, LETTA_BLOCK, params);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.path, "/v1/blocks/?label=persona&tags=a%20b&project_id=0b7c6a52-1111-4222-8333-444455556666");
	assert_true(req.flags & HTTP_F_PAGED);
	assert_int_equal(req.page_limit, 75);
	assert_int_equal(req.retry, HTTP_RETRY_SAFE);
	http_req_release(&req);

	letta_req_list(&req, api, LETTA_AGENT, NULL);
	assert_string_equal(req.path, "/v1/agents/?project_id=0b7c6a52-1111-4222-8333-444455556666&" INCLUDES);
	http_req_release(&req);

	letta_req_list(&req, api, LETTA_TOOL, NULL);
	assert_string_equal(req.path, "/v1/tools/");
	assert_true(req.flags & HTTP_F_PROJECT_ID);
	http_req_release(&req);

	letta_req_list(&req, api, LETTA_MCP_SERVER, NULL);
	assert_string_equal(req.path, "/v1/mcp-servers/");
	assert_false(req.flags & HTTP_F_PAGED);
	http_req_release(&req);

	letta_req_fetch(&req, api, LETTA_AGENT, "agent-1/x");
	assert_string_equal(req.path, "/v1/agents/agent-1%2Fx?" INCLUDES);
	assert_string_equal(req.what, "agent 'agent-1/x'");
	http_req_release(&req);
	letta_free(api);
}

static void test_letta__writes_use_the_right_retry_class(void **state)
{
	struct letta *api = new_api("p-1");
	json_t *block = json_pack("{ssss}", "label", "persona", "value", "x");
	json_t *folder = json_pack("{ss}", "name", "docs");
	json_t *tool = json_pack("{ss}", "source_code", "def f(): pass");
	json_t *agent = json_pack("{ss}", "name", "a1");
	struct http_req req;

	(void)state;
	letta_req_create(&req, api, LETTA_BLOCK, block, NULL, NULL);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.path, "/v1/blocks/");
	assert_int_equal(req.retry, HTTP_RETRY_CREATE);
	assert_non_null(req.guard);
	assert_string_equal(req.what, "block 'persona'");
	/* The project is stamped on the copy sent, never on the caller's body. */
	assert_string_equal(json_string_value(json_object_get(req.body, "project_id")), "p-1");
	assert_null(json_object_get(block, "project_id"));
	http_req_release(&req);

	letta_req_create(&req, api, LETTA_FOLDER, folder, NULL, NULL);
	assert_int_equal(req.retry, HTTP_RETRY_CREATE_UNIQUE);
	http_req_release(&req);

	letta_req_create(&req, api, LETTA_TOOL, tool, NULL, NULL);
	assert_string_equal(req.method, "PUT");
	assert_int_equal(req.retry, HTTP_RETRY_SAFE);
	assert_null(req.guard);
	http_req_release(&req);

	letta_req_create(&req, api, LETTA_AGENT, agent, NULL, NULL);
	assert_int_equal(req.retry, HTTP_RETRY_CREATE);
	assert_true(req.flags & HTTP_F_PROJECT);
	assert_null(json_object_get(req.body, "project_id"));
	http_req_release(&req);

	letta_req_update(&req, api, LETTA_BLOCK, "block-1", block);
	assert_string_equal(req.method, "PATCH");
	assert_string_equal(req.path, "/v1/blocks/block-1");
	assert_int_equal(req.retry, HTTP_RETRY_SAFE);
	http_req_release(&req);

	letta_req_delete(&req, api, LETTA_MCP_SERVER, "mcp_server-1");
	assert_string_equal(req.method, "DELETE");
	assert_string_equal(req.path, "/v1/mcp-servers/mcp_server-1");
	assert_int_equal(req.retry, HTTP_RETRY_REMOVE);
	http_req_release(&req);

	letta_req_attach(&req, api, "agent-1", LETTA_BLOCK, "block-2", 1);
	assert_string_equal(req.path, "/v1/agents/agent-1/core-memory/blocks/attach/block-2");
	assert_int_equal(req.retry, HTTP_RETRY_SAFE);
	http_req_release(&req);
	letta_req_attach(&req, api, "agent-1", LETTA_FOLDER, "source-3", 0);
	assert_string_equal(req.path, "/v1/agents/agent-1/folders/detach/source-3");
	assert_int_equal(req.retry, HTTP_RETRY_REMOVE);
	assert_string_equal(req.what, "folder 'source-3' on agent 'agent-1'");
	http_req_release(&req);
	letta_req_attach(&req, api, "agent-1", LETTA_IDENTITY, "identity-4", 1);
	assert_string_equal(req.path, "/v1/agents/agent-1/identities/attach/identity-4");
	http_req_release(&req);

	json_decref(block);
	json_decref(folder);
	json_decref(tool);
	json_decref(agent);
	letta_free(api);
}

/* Every create the client sends is settled by a natural-key guard, projects included. */
static void test_letta__every_create_is_settled_by_a_guard(void **state)
{
	static const struct {
		const char *method, *path;
		enum http_retry_class cls;
		int create;
	} routes[] = {
		{ "POST", "/v1/projects", HTTP_RETRY_CREATE, -2 },
		{ "POST", "/v1/blocks/", HTTP_RETRY_CREATE, LETTA_BLOCK },
		{ "POST", "/v1/agents/", HTTP_RETRY_CREATE, LETTA_AGENT },
		{ "POST", "/v1/folders/", HTTP_RETRY_CREATE_UNIQUE, LETTA_FOLDER },
		{ "POST", "/v1/mcp-servers/", HTTP_RETRY_CREATE_UNIQUE, LETTA_MCP_SERVER },
		{ "POST", "/v1/identities/", HTTP_RETRY_CREATE_UNIQUE, LETTA_IDENTITY },
		{ "PUT", "/v1/tools/", HTTP_RETRY_SAFE, -1 },
		{ "PUT", "/v1/identities/", HTTP_RETRY_SAFE, -1 },
		{ "PUT", "/v1/identities/i-1/properties", HTTP_RETRY_SAFE, -1 },
		{ "PATCH", "/v1/agents/a-1", HTTP_RETRY_SAFE, -1 },
		{ "PATCH", "/v1/agents/a-1/tools/detach/t-1", HTTP_RETRY_REMOVE, -1 },
		{ "DELETE", "/v1/blocks/b-1", HTTP_RETRY_REMOVE, -1 },
		{ "POST", "/v1/folders/f-1/upload?duplicate_handling=replace&name=a.md",
		  HTTP_RETRY_SAFE, -1 },
		{ "POST", "/v1/folders/f-1/upload?duplicate_handling=suffix&name=a.md",
		  HTTP_RETRY_NEVER, -1 },
		{ "POST", "/v1/something/new", HTTP_RETRY_NEVER, -1 },
	};
	struct letta *api = new_api("p-1");
	struct http_req req;
	int create;

	(void)state;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		assert_int_equal(letta_write_class(routes[i].method, routes[i].path, &create),
				 routes[i].cls);
		assert_int_equal(create, routes[i].create);
	}
	letta_req_write(&req, api, "POST", xstrdup("/v1/projects"),
			json_pack("{ss}", "name", "demo"), NULL, NULL);
	assert_int_equal(req.retry, HTTP_RETRY_CREATE);
	assert_non_null(req.guard);
	http_req_release(&req);
	letta_free(api);
}

static void test_letta__marker_matching(void **state)
{
	static const struct {
		const char *existing, *wanted;
		int want;
	} cases[] = {
		/* Blocks and folders: metadata must be a subset. */
		{ "{\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/a\",\"extra\":1}}",
		  "{\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/a\"}}", 1 },
		{ "{\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/b\"}}",
		  "{\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/a\"}}", 0 },
		{ "{\"metadata\":null}", "{\"metadata\":{\"managed_by\":\"letta-sync\"}}", 0 },
		/* No marker in the body: nothing proves the object is ours. */
		{ "{\"metadata\":{}}", "{\"metadata\":{}}", 0 },
		{ "{\"label\":\"x\"}", "{\"label\":\"x\"}", 0 },
		/* Agents: tags as a subset, with metadata if given. */
		{ "{\"tags\":[\"managed:letta-sync\",\"source:Agent/a\",\"other\"]}",
		  "{\"tags\":[\"source:Agent/a\",\"managed:letta-sync\"]}", 1 },
		{ "{\"tags\":[\"managed:letta-sync\"]}", "{\"tags\":[\"source:Agent/a\"]}", 0 },
		/* Tools: metadata_. */
		{ "{\"metadata_\":{\"source\":\"Tool/t\"}}", "{\"metadata_\":{\"source\":\"Tool/t\"}}", 1 },
		/* Identities: properties by key and value. */
		{ "{\"properties\":[{\"key\":\"managed_by\",\"value\":\"letta-sync\",\"type\":\"string\"}]}",
		  "{\"properties\":[{\"key\":\"managed_by\",\"value\":\"letta-sync\",\"type\":\"string\"}]}", 1 },
		{ "{\"properties\":[{\"key\":\"managed_by\",\"value\":\"someone\",\"type\":\"string\"}]}",
		  "{\"properties\":[{\"key\":\"managed_by\",\"value\":\"letta-sync\",\"type\":\"string\"}]}", 0 },
		/* MCP servers: same type and endpoint. */
		{ "{\"server_name\":\"m\",\"mcp_server_type\":\"sse\",\"server_url\":\"https://x\"}",
		  "{\"server_name\":\"m\",\"config\":{\"mcp_server_type\":\"sse\",\"server_url\":\"https://x\"}}", 1 },
		{ "{\"server_name\":\"m\",\"mcp_server_type\":\"sse\",\"server_url\":\"https://y\"}",
		  "{\"server_name\":\"m\",\"config\":{\"mcp_server_type\":\"sse\",\"server_url\":\"https://x\"}}", 0 },
		{ "{\"server_name\":\"m\",\"mcp_server_type\":\"stdio\",\"command\":\"npx\"}",
		  "{\"server_name\":\"m\",\"config\":{\"mcp_server_type\":\"stdio\",\"command\":\"npx\",\"args\":[]}}", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *e = json_loads(cases[i].existing, 0, NULL);
		json_t *w = json_loads(cases[i].wanted, 0, NULL);

		assert_non_null(e);
		assert_non_null(w);
		if (!!letta_match_marker(e, w, NULL) != cases[i].want)
			fail_msg("case %zu: want %d", i, cases[i].want);
		json_decref(e);
		json_decref(w);
	}
}

static char *env_page(const char *name)
{
	return !strcmp(name, "LETTA_SYNC_PAGE_LIMIT") ? (char *)"1001" : NULL;
}

static void test_letta__page_limit_from_environment(void **state)
{
	struct letta_opts o = LETTA_OPTS_INIT;
	struct ls_error err = LS_ERROR_INIT;

	(void)state;
	assert_int_equal(o.page_limit, 1000);
	assert_int_equal(letta_opts_env(&o, env_page, &err), LS_EUSAGE);
	assert_non_null(strstr(err.msg, "LETTA_SYNC_PAGE_LIMIT"));
}

static void test_letta__project_given_by_id_needs_no_lookup(void **state)
{
	struct letta *api = new_api(NULL);
	struct ls_error err = LS_ERROR_INIT;

	(void)state;
	assert_null(letta_project_id(api));
	/* No server listens: only a lookup could fail, and none is made. */
	assert_int_equal(letta_project_resolve(api, "demo", "0b7c6a52-1111-4222-8333-444455556666", &err), 0);
	assert_string_equal(letta_project_id(api), "0b7c6a52-1111-4222-8333-444455556666");
	assert_string_equal(http_get_opts(letta_http(api))->project_slug, "demo");
	assert_int_equal(letta_project_resolve(api, NULL, NULL, &err), 0);
	assert_null(letta_project_id(api));
	letta_free(api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letta__lists_are_paged_scoped_and_include_relations),
		cmocka_unit_test(test_letta__writes_use_the_right_retry_class),
		cmocka_unit_test(test_letta__every_create_is_settled_by_a_guard),
		cmocka_unit_test(test_letta__marker_matching),
		cmocka_unit_test(test_letta__page_limit_from_environment),
		cmocka_unit_test(test_letta__project_given_by_id_needs_no_lookup),
	};

	http_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
