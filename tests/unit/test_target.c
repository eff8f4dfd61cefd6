/* Context resolution (core/target.c): every level, identifier form, remote form, branch glob. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/target.h"

static void set_local(struct target_inputs *in, const char *text)
{
	in->local_path = "/r/.letta/project.json";
	in->local_text = text;
	in->local_len = strlen(text);
}

static void set_registry(struct target_inputs *in, const char *text)
{
	in->registry_path = "/r/.letta/registry.json";
	in->registry_text = text;
	in->registry_len = strlen(text);
}

static const char registry[] =
	"{\"version\":\"1.0\",\"defaultProject\":{\"slug\":\"dflt\",\"id\":\"proj_d\"},\n"
	"\"mappings\":{\"acme/agents\":{\"projectSlug\":\"agents\",\"projectId\":\"proj_a\",\n"
	"\"branches\":{\"release/*\":{\"projectSlug\":\"rel\"},\"main\":{\"projectSlug\":\"mainp\"}},\n"
	"\"branchOverrides\":{\"hotfix-*\":{\"projectId\":\"proj_h\"}}}}}\n";

static void test_target__priority_order(void **state)
{
	struct target_inputs in;
	struct target t;
	struct ls_error err = LS_ERROR_INIT;
	(void)state;

	memset(&in, 0, sizeof(in));
	set_local(&in, "{\"slug\":\"loc\"}");
	set_registry(&in, registry);
	in.remote_url = "git@github.com:acme/agents.git";
	in.env_smarty_project = "smarty";
	in.env_letta_project = "letta";
	in.env_sync_project = "sync";
	in.cli_project = "cli-proj";

	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.project.slug, "cli-proj");
	assert_int_equal(t.project_source, TARGET_SRC_CLI);
	assert_int_equal(t.ntried, 1);
	target_release(&t);

	in.cli_project = "";
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.project.slug, "sync");
	assert_string_equal(t.project_from, "LETTA_SYNC_PROJECT");
	target_release(&t);

	in.env_sync_project = NULL;
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.project.slug, "letta");
	target_release(&t);

	in.env_letta_project = NULL;
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.project.slug, "smarty");
	assert_int_equal(t.project_source, TARGET_SRC_ENV);
	target_release(&t);

	in.env_smarty_project = NULL;
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.project.slug, "loc");
	assert_int_equal(t.project_source, TARGET_SRC_LOCAL);
	assert_int_equal(t.ntried, 3);
	target_release(&t);

	in.local_path = NULL;
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.project.slug, "agents");
	assert_string_equal(t.project.id, "proj_a");
	assert_int_equal(t.project_source, TARGET_SRC_REGISTRY);
	target_release(&t);

	in.remote_url = "https://github.com/someone/else";
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.project.slug, "dflt");
	assert_int_equal(t.project_source, TARGET_SRC_DEFAULT);
	assert_int_equal(t.ntried, 5);
	target_release(&t);

	in.registry_path = NULL;
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_int_equal(t.project_source, TARGET_SRC_NONE);
	target_release(&t);
}

static void test_target__identifier_forms(void **state)
{
	static const struct {
		const char *text;
		const char *slug;
		const char *id;
	} cases[] = {
		{ "my-project", "my-project", NULL },
		{ "proj_abc123", NULL, "proj_abc123" },
		{ "project-1234", NULL, "project-1234" },
		{ "0f8fad5b-d9cb-469f-a165-70867728950e", NULL, "0f8fad5b-d9cb-469f-a165-70867728950e" },
		{ "0F8FAD5B-D9CB-469F-A165-70867728950E", NULL, "0F8FAD5B-D9CB-469F-A165-70867728950E" },
		{ "my-project:proj_abc123", "my-project", "proj_abc123" },
		{ "0f8fad5b-d9cb-469f-a165-7086772895", "0f8fad5b-d9cb-469f-a165-7086772895", NULL },
	};
	static const char *const bad[] = { "", ":x", "x:", "a:b:c" };
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct project_ref p;
		struct ls_error err = LS_ERROR_INIT;

		assert_int_equal(project_ref_parse(&p, cases[i].text, &err), 0);
		if (cases[i].slug)
			assert_string_equal(p.slug, cases[i].slug);
		else
			assert_null(p.slug);
		if (cases[i].id)
			assert_string_equal(p.id, cases[i].id);
		else
			assert_null(p.id);
		project_ref_release(&p);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct project_ref p;
		struct ls_error err = LS_ERROR_INIT;

		assert_int_equal(project_ref_parse(&p, bad[i], &err), LS_EUSAGE);
		assert_true(err.msg[0] != '\0');
	}
}

static void test_target__remote_url_forms(void **state)
{
	static const struct {
		const char *url;
		const char *key;
	} cases[] = {
		{ "https://github.com/Acme/Agents.git", "acme/agents" },
		{ "https://github.com/acme/agents", "acme/agents" },
		{ "https://github.com/acme/agents/", "acme/agents" },
		{ "http://user@host:8080/acme/agents.GIT", "acme/agents" },
		{ "ssh://git@github.com/acme/agents.git", "acme/agents" },
		{ "ssh://git@github.com:2222/acme/agents", "acme/agents" },
		{ "git@github.com:acme/agents.git", "acme/agents" },
		{ "git@github.com:ACME/agents", "acme/agents" },
		{ "github.com:acme/my.repo.git", "acme/my.repo" },
		{ "https://gitlab.com/group/sub/agents.git", "sub/agents" },
		{ "https://github.com/agents", NULL },
		{ "", NULL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *key = target_repo_key(cases[i].url);

		if (cases[i].key) {
			assert_non_null(key);
			assert_string_equal(key, cases[i].key);
		} else {
			assert_null(key);
		}
		free(key);
	}
}

static void test_target__branch_globs(void **state)
{
	static const struct {
		const char *branch;
		const char *slug;
		const char *id;
	} cases[] = {
		{ "release/1.2", "rel", NULL },
		{ "release/1.2/hotfix", "rel", NULL },
		{ "main", "mainp", NULL },
		{ "hotfix-7", NULL, "proj_h" },
		{ "feature/x", "agents", "proj_a" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct target_inputs in;
		struct target t;
		struct ls_error err = LS_ERROR_INIT;

		memset(&in, 0, sizeof(in));
		set_registry(&in, registry);
		in.remote_url = "https://github.com/ACME/agents";
		in.branch = cases[i].branch;
		assert_int_equal(target_resolve(&t, &in, &err), 0);
		assert_int_equal(t.project_source, TARGET_SRC_REGISTRY);
		if (cases[i].slug)
			assert_string_equal(t.project.slug, cases[i].slug);
		if (cases[i].id)
			assert_string_equal(t.project.id, cases[i].id);
		target_release(&t);
	}
}

static void test_target__malformed_files(void **state)
{
	static const struct {
		int local;
		const char *text;
		const char *where;
		const char *msg;
	} cases[] = {
		{ 1, "{\n  \"slug\": \"x\",\n}", "/r/.letta/project.json:3:1", "invalid JSON" },
		{ 1, "[]", "/r/.letta/project.json:1:1", "expected a JSON object" },
		{ 1, "{\"name\":\"n\"}", "/r/.letta/project.json:1:1", "names no project" },
		{ 1, "{\n \"slug\": 42}", "/r/.letta/project.json:2:2", "must be a string" },
		{ 1, "{\"sluggy\":\"x\"}", "/r/.letta/project.json:1:2", "unknown key 'sluggy'" },
		{ 0, "{\"mappings\": []}", "/r/.letta/registry.json:1:2", "must be an object" },
		{ 0, "{\"mappings\": {\"a/b\": {\"projectSlug\": 1}}}", "/r/.letta/registry.json:1:23",
		  "must be a string" },
		{ 0, "{\"mappings\": {\"a/b\": {}}}", "/r/.letta/registry.json:1:15", "names no project" },
		{ 0, "{\"defaultProjet\": {}}", "/r/.letta/registry.json:1:2", "unknown key" },
		{ 0, "{\"mappings\": {\"a/b\": {\"branches\": {\"x\": 1}}}}", "/r/.letta/registry.json:1:36",
		  "must be an object" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct target_inputs in;
		struct target t;
		struct ls_error err = LS_ERROR_INIT;

		memset(&in, 0, sizeof(in));
		if (cases[i].local)
			set_local(&in, cases[i].text);
		else
			set_registry(&in, cases[i].text);
		assert_int_equal(target_resolve(&t, &in, &err), LS_EINVALID);
		assert_string_equal(err.where, cases[i].where);
		assert_non_null(strstr(err.msg, cases[i].msg));
	}
}

static void test_target__org_agent_url_key(void **state)
{
	struct target_inputs in;
	struct target t;
	struct ls_error err = LS_ERROR_INIT;
	(void)state;

	memset(&in, 0, sizeof(in));
	in.env_smarty_org = "legacy-org";
	in.env_sync_agent = "agent-1";
	in.env_smarty_agent = "agent-2";
	in.env_api_url = "http://localhost:8283///";
	in.env_api_key = "secret";
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.org, "legacy-org");
	assert_string_equal(t.org_from, "SMARTY_ORG");
	assert_string_equal(t.agent, "agent-1");
	assert_string_equal(t.base_url, "http://localhost:8283");
	assert_string_equal(t.base_url_from, "LETTA_API_URL");
	assert_false(t.cloud);
	assert_true(t.key_set);
	target_release(&t);

	in.cli_org = "flag-org";
	in.env_base_url = "https://api.letta.com";
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_string_equal(t.org, "flag-org");
	assert_true(t.cloud);
	assert_string_equal(t.base_url_from, "LETTA_BASE_URL");
	target_release(&t);
}

/* Letta Cloud needs a key (docs/contract/PRODUCT.md section 5); a self-hosted server does not. */
static void test_target__cloud_needs_a_key(void **state)
{
	struct target_inputs in;
	struct target t;
	struct ls_error err = LS_ERROR_INIT;
	(void)state;

	memset(&in, 0, sizeof(in));
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_true(t.cloud);
	assert_int_equal(target_check_key(&t, &err), LS_EAUTH);
	assert_string_equal(err.msg, "LETTA_API_KEY is not set: Letta Cloud (https://api.letta.com) "
				     "needs an API key");
	assert_non_null(strstr(err.hint, "LETTA_BASE_URL"));
	target_release(&t);

	/* An empty key is no key; the server password counts as one. */
	in.env_api_key = "";
	in.env_server_password = "pw";
	ls_error_clear(&err);
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_int_equal(target_check_key(&t, &err), 0);
	target_release(&t);

	in.env_server_password = NULL;
	in.env_base_url = "http://localhost:8283";
	assert_int_equal(target_resolve(&t, &in, &err), 0);
	assert_int_equal(target_check_key(&t, &err), 0);
	target_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target__priority_order),
		cmocka_unit_test(test_target__identifier_forms),
		cmocka_unit_test(test_target__remote_url_forms),
		cmocka_unit_test(test_target__branch_globs),
		cmocka_unit_test(test_target__malformed_files),
		cmocka_unit_test(test_target__org_agent_url_key),
		cmocka_unit_test(test_target__cloud_needs_a_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
