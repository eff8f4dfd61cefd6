/* core/scope.c: registry reading, prefix matching, focus and label naming. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/scope.h"

static const char registry[] =
	"{\"scopes\":["
	"{\"scope\":\"Repo\",\"match\":{\"path_prefixes\":[\"./\"]},\"attach\":{\"block_types\":[\"project\"]}},"
	"{\"scope\":\"API Layer\",\"match\":{\"path_prefixes\":[\"services/api\",\"libs/api/\"]},"
	" \"attach\":{\"block_types\":[\"Conventions!\",\"decisions\"]}},"
	"{\"scope\":\"api-layer\",\"match\":{\"path_prefixes\":[\"services/api/v2\"]}},"
	"{\"scope\":\"infra\",\"match\":{\"path_prefixes\":[\"infrastructure/\",\".github\"]}}"
	"]}";

static void load(struct scope_registry *r)
{
	json_error_t jerr;
	json_t *root = json_loads(registry, 0, &jerr);
	struct ls_error err = LS_ERROR_INIT;

	assert_non_null(root);
	assert_int_equal(scope_registry_from_json(r, root, &err), 0);
	json_decref(root);
}

static void test_scope__read_and_sanitize(void **state)
{
	struct scope_registry r;
	(void)state;

	load(&r);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.entries[0].prefixes[0], "");
	assert_string_equal(r.entries[1].key, "api_layer");
	assert_string_equal(r.entries[1].prefixes[0], "services/api/");
	assert_string_equal(r.entries[1].block_types[0], "conventions");
	/* Same sanitised name: the second gets a stable suffix. */
	assert_int_equal(strncmp(r.entries[2].key, "api_layer_", 10), 0);
	assert_int_equal(strlen(r.entries[2].key), 16);
	scope_registry_release(&r);
}

static void test_scope__matching_and_focus(void **state)
{
	static const struct {
		const char *cwd;
		const char *touched;
		size_t nmatched;
		long focus;
	} cases[] = {
		{ "", NULL, 1, 0 },
		{ "services/api", NULL, 2, 1 },
		{ "services/api/v2/handlers", NULL, 3, 2 },
		{ "services/apis", NULL, 1, 0 },
		{ "docs", "infrastructure/main.tf", 2, 0 },
		{ ".github/workflows", NULL, 2, 3 },
	};
	struct scope_registry r;
	(void)state;

	load(&r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scope_match m;
		const char *touched[1] = { cases[i].touched };

		scope_match(&m, &r, cases[i].cwd, touched, cases[i].touched ? 1 : 0);
		assert_int_equal(m.nmatched, cases[i].nmatched);
		assert_int_equal(m.focus, cases[i].focus);
		scope_match_release(&m);
	}
	scope_registry_release(&r);
}

static void test_scope__labels(void **state)
{
	char *l;
	(void)state;

	l = scope_label_block("repo", "api_layer", "conventions");
	assert_string_equal(l, "scope_repo_api_layer_conventions");
	free(l);
	l = scope_label_registry("repo");
	assert_string_equal(l, "scope_registry_repo");
	free(l);
	l = scope_label_lane("repo", "agent-0f8fad5b-d9cb-469f-a165-70867728950e");
	assert_string_equal(l, "lane_scopes_repo_70867728950e");
	free(l);
	l = scope_label_block("a_very_long_project_name_indeed", "another_long_scope_key", "conventions");
	assert_int_equal(strlen(l), 50);
	assert_int_equal(strncmp(l, "scope_a_very_long_project_name_indeed_ano_", 42), 0);
	free(l);
	l = scope_sanitize("  --  ", "default");
	assert_string_equal(l, "default");
	free(l);
}

static void test_scope__bad_registries(void **state)
{
	static const char *const bad[] = {
		"{}",
		"{\"scopes\":[{\"match\":{\"path_prefixes\":[\"a\"]}}]}",
		"{\"scopes\":[{\"scope\":\"x\"}]}",
		"{\"scopes\":[{\"scope\":\"x\",\"match\":{\"path_prefixes\":[]}}]}",
		"{\"scopes\":[{\"scope\":\"!!\",\"match\":{\"path_prefixes\":[\"a\"]}}]}",
		"{\"scopes\":[{\"scope\":\"x\",\"match\":{\"path_prefixes\":[1]}}]}",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scope_registry r;
		struct ls_error err = LS_ERROR_INIT;
		json_t *root = json_loads(bad[i], 0, NULL);

		assert_int_equal(scope_registry_from_json(&r, root, &err), LS_EINVALID);
		assert_true(err.msg[0] != '\0');
		json_decref(root);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope__read_and_sanitize),
		cmocka_unit_test(test_scope__matching_and_focus),
		cmocka_unit_test(test_scope__labels),
		cmocka_unit_test(test_scope__bad_registries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
