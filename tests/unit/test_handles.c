/*
 * core/handles (issue 21 item 2): the model and embedding handles a plan sends, checked
 * against the server's lists before anything is written: only writes to agents and folders
 * count, each handle once at the first action that sends it, an unknown one names the object,
 * whether a default sent it, and every served handle, nearest first.
 */
#include "core/handles.h"
#include "core/plan.h"
#include "support/fake_remote.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static json_t *list_of(const char *const *handles)
{
	json_t *l = json_array();

	for (size_t i = 0; handles[i]; i++)
		json_array_append_new(l, json_pack("{s:s}", "handle", handles[i]));
	return l;
}

static void plan_for(struct plan *p, const struct desired_state *ds, const char *default_model)
{
	struct remote_state rs;
	struct plan_opts o;
	struct ls_error err = LS_ERROR_INIT;

	remote_state_init(&rs);
	memset(&o, 0, sizeof(o));
	o.project = "demo";
	o.commit = "c1";
	o.version = "1.0.0";
	o.default_model = default_model;
	plan_init(p);
	if (plan_compute(p, ds, &rs, &o, &err) < 0)
		fail_msg("plan_compute: %s", err.msg);
	remote_state_release(&rs);
}

static void test_handles_used_and_unknown(void **state)
{
	static const char *const llm_h[] = { "openai/gpt-4o", "anthropic/claude-opus-4",
					     "openai/gpt-4o-mini", "anthropic/claude-sonnet-4", NULL };
	static const char *const emb_h[] = { "openai/text-embedding-3-small", NULL };
	struct desired_state ds = DESIRED_STATE_INIT;
	struct handle_defaults d = { "--model", "--embedding" };
	struct plan p;
	json_t *used, *llm = list_of(llm_h), *emb = list_of(emb_h), *bad, *e;

	(void)state;
	ds_add(&ds, KIND_BLOCK, "policy", MANAGED_TRUE, "{\"label\":\"policy\",\"value\":\"p\"}");
	ds_add(&ds, KIND_FOLDER, "docs", MANAGED_TRUE, "{\"embedding\":\"openai/text-embedding-3-small\"}");
	ds_add(&ds, KIND_TEMPLATE, "helper", MANAGED_TRUE,
	       "{\"default\":true,\"agent\":{\"system\":\"s\",\"modelConfig\":{\"model\":"
	       "\"anthropic/claude-opus-5\",\"embedding\":\"openai/text-embedding-3-small\"}}}");
	ds_add(&ds, KIND_AGENT, "bob", MANAGED_TRUE, "{\"template\":\"helper\",\"channel\":\"stable\"}");
	ds_add(&ds, KIND_AGENT, "ann", MANAGED_TRUE, "{\"template\":\"helper\",\"channel\":\"stable\"}");
	plan_for(&p, &ds, NULL);

	used = handles_in_plan(&p);
	assert_true(handles_any(used));
	/* Two agents send the model: one entry, both actions; the block sends nothing. */
	assert_int_equal(json_object_size(json_object_get(used, "model")), 1);
	assert_int_equal(json_array_size(json_object_get(json_object_get(used, "model"),
							 "anthropic/claude-opus-5")), 2);
	assert_int_equal(json_object_size(json_object_get(used, "embedding")), 1);

	bad = handles_unknown(used, &p, llm, emb, &ds, &d);
	assert_int_equal(json_array_size(bad), 1);
	e = json_array_get(bad, 0);
	assert_string_equal(jsonx_get_str(e, "handle"), "anthropic/claude-opus-5");
	assert_string_equal(jsonx_get_str(e, "field"), "model");
	assert_string_equal(jsonx_get_str(e, "kind"), "Agent");
	/* A manifest names it (the template): no default. */
	assert_null(json_object_get(e, "from"));
	/* Nearest first, each served handle once. */
	assert_int_equal(json_array_size(json_object_get(e, "available")), 4);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "available"), 0)),
			    "anthropic/claude-opus-4");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "available"), 1)),
			    "anthropic/claude-sonnet-4");
	json_decref(bad);

	/* Every handle served: nothing to report. */
	json_array_append_new(llm, json_pack("{s:s}", "handle", "anthropic/claude-opus-5"));
	bad = handles_unknown(used, &p, llm, emb, &ds, &d);
	assert_int_equal(json_array_size(bad), 0);
	json_decref(bad);
	json_decref(used);
	plan_release(&p);
	ds_free(&ds);
	json_decref(llm);
	json_decref(emb);
}

static void test_default_and_no_handles(void **state)
{
	static const char *const llm_h[] = { "openai/gpt-4o-mini", NULL };
	struct desired_state ds = DESIRED_STATE_INIT;
	struct handle_defaults d = { "LETTA_DEFAULT_MODEL", "LETTA_DEFAULT_EMBEDDING" };
	struct plan p;
	json_t *used, *llm = list_of(llm_h), *emb = json_array(), *bad;

	(void)state;
	/* A block only: the plan sends no handle, the lists need not be read. */
	ds_add(&ds, KIND_BLOCK, "policy", MANAGED_TRUE, "{\"label\":\"policy\",\"value\":\"p\"}");
	plan_for(&p, &ds, NULL);
	used = handles_in_plan(&p);
	assert_false(handles_any(used));
	json_decref(used);
	plan_release(&p);

	/* An agent whose model only the default names. */
	ds_add(&ds, KIND_TEMPLATE, "bare", MANAGED_TRUE, "{\"default\":true,\"agent\":{\"system\":\"s\"}}");
	ds_add(&ds, KIND_AGENT, "cy", MANAGED_TRUE, "{\"template\":\"bare\",\"channel\":\"stable\"}");
	plan_for(&p, &ds, "openai/gpt-4o-mni");
	used = handles_in_plan(&p);
	bad = handles_unknown(used, &p, llm, emb, &ds, &d);
	assert_int_equal(json_array_size(bad), 1);
	assert_string_equal(jsonx_get_str(json_array_get(bad, 0), "from"), "LETTA_DEFAULT_MODEL");
	assert_string_equal(jsonx_get_str(json_array_get(bad, 0), "file"), "");
	assert_string_equal(jsonx_get_str(json_array_get(bad, 0), "name"), "cy");
	json_decref(bad);
	json_decref(used);
	plan_release(&p);
	ds_free(&ds);
	json_decref(llm);
	json_decref(emb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handles_used_and_unknown),
		cmocka_unit_test(test_default_and_no_handles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
