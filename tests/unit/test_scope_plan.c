/* core/scope_plan.c: scope sync's plan, pure (issue 22 item 4). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/ownership.h"
#include "core/scope_plan.h"

static const char registry[] = "scopes:\n"
			       "  - scope: repo\n"
			       "    match: {path_prefixes: [\"./\"]}\n"
			       "    attach: {block_types: [project]}\n"
			       "  - scope: Docs\n"
			       "    match: {path_prefixes: [docs]}\n"
			       "    attach: {block_types: [style]}\n";

static void opts(struct scope_plan_opts *o, const struct scope_registry *reg, const char *cwd)
{
	memset(o, 0, sizeof(*o));
	o->agent_id = "agent-1";
	o->slug = "acme";
	o->project = "acme";
	o->registry = reg;
	o->registry_text = registry;
	o->registry_len = strlen(registry);
	o->cwd = cwd;
	o->now = "2026-01-01T00:00:00Z";
}

/* A new agent in a new project: every block created and attached, in order, one after another. */
static void test_scope_plan__fresh(void **state)
{
	struct scope_registry reg;
	struct scope_plan_opts o;
	struct ls_error err = LS_ERROR_INIT;
	struct plan p;
	json_t *report = NULL, *none = json_array();
	size_t i;
	(void)state;

	assert_int_equal(scope_registry_parse(&reg, registry, strlen(registry), &err), 0);
	opts(&o, &reg, "docs");
	plan_init(&p);
	assert_int_equal(scope_plan(&p, &report, none, none, &o, &err), 0);
	/* registry, policy, repo_project, docs_style, lane */
	assert_int_equal(p.n, 5);
	assert_int_equal(json_array_size(json_object_get(report, "blocks")), 5);
	for (i = 0; i < p.n; i++) {
		const struct plan_action *a = &p.items[i];

		assert_int_equal(a->change, CHANGE_CREATE);
		assert_int_equal(a->nreqs, 2);
		assert_int_equal(a->reqs[0].op, OP_CREATE);
		assert_int_equal(a->reqs[0].target, TARGET_BLOCK);
		assert_string_equal(json_string_value(json_object_get(
					    json_object_get(a->reqs[0].body, "metadata"), "source")),
				    OWN_SCOPE_SYNC_SOURCE);
		assert_int_equal(a->reqs[1].op, OP_ATTACH);
		assert_int_equal(a->reqs[1].target, TARGET_AGENT_BLOCK);
		assert_string_equal(a->reqs[1].id, "@self");
		assert_string_equal(a->reqs[1].parent, "agent-1");
		/* Settled in order: each after the one before it. */
		assert_int_equal(a->ndeps, i ? 1 : 0);
		if (i)
			assert_int_equal(a->deps[0], i - 1);
	}
	assert_string_equal(p.items[0].name, "scope_registry_acme");
	assert_string_equal(p.items[3].name, "scope_acme_docs_style");
	assert_string_equal(json_string_value(json_object_get(report, "focus_scope")), "Docs");
	plan_release(&p);
	json_decref(report);
	json_decref(none);
	scope_registry_release(&reg);
}

/*
 * Converged: nothing planned. A scope no longer matched: only scope sync's own block is
 * detached. A squatted label: refused, nothing planned to write.
 */
static void test_scope_plan__detach_and_squat(void **state)
{
	struct scope_registry reg;
	struct scope_plan_opts o;
	struct ls_error err = LS_ERROR_INIT;
	struct plan p;
	json_t *report = NULL, *blocks, *attached;
	(void)state;

	assert_int_equal(scope_registry_parse(&reg, registry, strlen(registry), &err), 0);
	opts(&o, &reg, "");
	blocks = json_pack("[{s:s, s:s, s:s, s:{s:s, s:s, s:s}}, {s:s, s:s, s:s, s:{s:s}}]", "id",
			   "block-s", "label", "scope_acme_docs_style", "value", "", "metadata",
			   "managed_by", OWN_MANAGER, "source", OWN_SCOPE_SYNC_SOURCE, "project",
			   "acme", "id", "block-x", "label", "scope_acme_repo_project", "value", "",
			   "metadata", "owner", "me");
	attached = json_pack("[O]", json_array_get(blocks, 0));
	/* repo_project is squatted by a foreign block: refused before anything is planned. */
	plan_init(&p);
	assert_int_equal(scope_plan(&p, &report, blocks, attached, &o, &err), LS_ECONFLICT);
	assert_null(report);
	assert_non_null(strstr(err.msg, "'scope_acme_repo_project' exists and was not created"));
	plan_release(&p);

	/* Without the squatter: registry, policy, repo_project, lane created; docs_style detached. */
	json_array_remove(blocks, 1);
	plan_init(&p);
	ls_error_clear(&err);
	assert_int_equal(scope_plan(&p, &report, blocks, attached, &o, &err), 0);
	assert_int_equal(p.n, 5);
	assert_string_equal(p.items[4].name, "scope_acme_docs_style");
	assert_string_equal(p.items[4].id, "block-s");
	assert_int_equal(p.items[4].nreqs, 1);
	assert_int_equal(p.items[4].reqs[0].op, OP_DETACH);
	assert_int_equal(p.items[4].reqs[0].target, TARGET_AGENT_BLOCK);
	assert_string_equal(p.items[4].reqs[0].id, "block-s");
	assert_string_equal(p.items[4].reqs[0].parent, "agent-1");
	plan_release(&p);
	json_decref(report);
	json_decref(blocks);
	json_decref(attached);
	scope_registry_release(&reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_plan__fresh),
		cmocka_unit_test(test_scope_plan__detach_and_squat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
