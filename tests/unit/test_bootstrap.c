/*
 * core/bootstrap: template choice (--template, default: true, the only one, minimal), the
 * model fallbacks and the error naming them, tags, and the create body: private blocks,
 * shared objects found by their markers or names, missing ones left out with a warning.
 */
#include "core/bootstrap.h"
#include "core/ownership.h"
#include "support/fake_remote.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Whether a equals b; takes b. */
static int eq(const json_t *a, json_t *b_take)
{
	int r = json_equal(a, b_take);

	json_decref(b_take);
	return r;
}

static const char helper[] =
	"{\"default\":true,\"agent\":{\"system\":\"You help.\",\"modelConfig\":{\"model\":"
	"\"openai/gpt-4o-mini\",\"embedding\":\"openai/text-embedding-3-small\"},"
	"\"blocks\":[{\"name\":\"policy\"},{\"name\":\"absent\"},{\"label\":\"persona\","
	"\"value\":\"I help\",\"limit\":500}],\"tools\":[\"lookup\",\"nowhere\"],"
	"\"tags\":[\"team:core\"]}}";

static void test_template_choice(void **state)
{
	struct desired_state ds = DESIRED_STATE_INIT;
	struct ls_error err = LS_ERROR_INIT;
	const struct resource *t = NULL;

	(void)state;
	assert_int_equal(bootstrap_template(&t, &ds, NULL, 0, &err), 0);
	assert_null(t);
	assert_int_equal(bootstrap_template(&t, &ds, "x", 0, &err), LS_EINVALID);
	assert_non_null(strstr(err.hint, "--minimal"));

	ds_add(&ds, KIND_TEMPLATE, "solo", MANAGED_TRUE, "{\"agent\":{}}");
	assert_int_equal(bootstrap_template(&t, &ds, NULL, 0, &err), 0);
	assert_string_equal(t->name, "solo");
	ds_add(&ds, KIND_TEMPLATE, "other", MANAGED_TRUE, "{\"agent\":{}}");
	assert_int_equal(bootstrap_template(&t, &ds, NULL, 0, &err), 0);
	assert_null(t); /* two, none default: minimal */
	ds_add(&ds, KIND_TEMPLATE, "helper", MANAGED_TRUE, helper);
	assert_int_equal(bootstrap_template(&t, &ds, NULL, 0, &err), 0);
	assert_string_equal(t->name, "helper");
	assert_int_equal(bootstrap_template(&t, &ds, "other", 0, &err), 0);
	assert_string_equal(t->name, "other");
	assert_int_equal(bootstrap_template(&t, &ds, NULL, 1, &err), 0);
	assert_null(t);
	ls_error_clear(&err);
	assert_int_equal(bootstrap_template(&t, &ds, "nope", 0, &err), LS_EINVALID);
	assert_non_null(strstr(err.hint, "'helper'"));
	ds_free(&ds);
}

static void test_model_and_tags(void **state)
{
	struct desired_state ds = DESIRED_STATE_INIT;
	struct remote_state rs;
	struct bootstrap_opts o;
	struct ls_error err = LS_ERROR_INIT;
	const char *extra[] = { "team:core", "x:y" };
	json_t *body = NULL, *tags;

	(void)state;
	remote_state_init(&rs);
	memset(&o, 0, sizeof(o));
	o.name = "bob";
	o.channel = "beta";
	o.version = "1.2.0";
	o.project = "demo";
	assert_null(bootstrap_model(&o));
	assert_int_equal(bootstrap_body(&body, &ds, &rs, &o, NULL, &err), LS_EINVALID);
	assert_non_null(strstr(err.msg, "--model"));
	assert_non_null(strstr(err.msg, "LETTA_DEFAULT_MODEL"));
	assert_non_null(strstr(err.msg, "LETTA_MODEL"));
	assert_non_null(strstr(err.msg, "modelConfig"));
	o.model = "a/b";
	assert_string_equal(bootstrap_model(&o), "a/b");
	o.tags = extra;
	o.ntags = 2;
	tags = bootstrap_tags(&o);
	assert_true(eq(tags, json_pack("[s,s,s,s,s]", "channel:beta", "managed:letta-sync",
					       "team:core", "version:1.2.0", "x:y")));
	json_decref(tags);

	/* Minimal: persona and human, marked as the agent's own. */
	assert_int_equal(bootstrap_body(&body, &ds, &rs, &o, NULL, &err), 0);
	assert_int_equal(json_array_size(json_object_get(body, "memory_blocks")), 2);
	assert_string_equal(jsonx_get_str(json_array_get(json_object_get(body, "memory_blocks"), 1),
					  "label"),
			    "human");
	assert_true(json_is_false(json_object_get(body, "include_base_tools")));
	assert_null(json_object_get(body, "system"));
	assert_string_equal(jsonx_get_str(json_object_get(body, "metadata"), "source"), "Agent/bob");
	json_decref(body);
	remote_state_release(&rs);
	ds_free(&ds);
}

static void test_body_from_template(void **state)
{
	struct desired_state ds = DESIRED_STATE_INIT;
	struct remote_state rs;
	struct bootstrap_opts o;
	struct ls_error err = LS_ERROR_INIT;
	json_t *body = NULL, *warnings = json_array(), *ids = json_pack("[s]", "identity-9");

	(void)state;
	remote_state_init(&rs);
	ds_add(&ds, KIND_BLOCK, "policy", MANAGED_TRUE, "{\"label\":\"policy\",\"value\":\"p\"}");
	ds_add(&ds, KIND_TEMPLATE, "helper", MANAGED_TRUE, helper);
	/* An unmarked block labelled policy is not ours; the marked one is. */
	json_array_append_new(rs.blocks, json_pack("{s:s, s:s}", "id", "block-1", "label", "policy"));
	json_array_append_new(rs.blocks,
			      json_pack("{s:s, s:s, s:o}", "id", "block-2", "label", "policy",
					"metadata", own_marker_json(KIND_BLOCK, "policy", "demo", NULL)));
	json_array_append_new(rs.tools, json_pack("{s:s, s:s}", "id", "tool-1", "name", "lookup"));
	memset(&o, 0, sizeof(o));
	o.name = "bob";
	o.channel = "stable";
	o.version = "0.0.0";
	o.project = "demo";
	o.model = "ignored/model";
	o.identity_ids = ids;
	assert_int_equal(bootstrap_template(&o.tmpl, &ds, NULL, 0, &err), 0);
	assert_string_equal(bootstrap_model(&o), "openai/gpt-4o-mini");
	assert_int_equal(bootstrap_body(&body, &ds, &rs, &o, warnings, &err), 0);
	assert_true(eq(json_object_get(body, "block_ids"), json_pack("[s]", "block-2")));
	assert_true(eq(json_object_get(body, "tool_ids"), json_pack("[s]", "tool-1")));
	assert_true(json_equal(json_object_get(body, "identity_ids"), ids));
	assert_string_equal(jsonx_get_str(body, "system"), "You help.");
	assert_string_equal(jsonx_get_str(body, "embedding"), "openai/text-embedding-3-small");
	assert_int_equal(json_array_size(json_object_get(body, "memory_blocks")), 1);
	assert_int_equal(jsonx_get_int(json_array_get(json_object_get(body, "memory_blocks"), 0),
				       "limit", 0),
			 500);
	assert_non_null(json_array_get(json_object_get(body, "tags"), 0));
	assert_int_equal(json_array_size(warnings), 2); /* Block absent, Tool nowhere */
	assert_non_null(strstr(json_string_value(json_array_get(warnings, 0)), "'absent'"));
	assert_non_null(strstr(json_string_value(json_array_get(warnings, 1)), "'nowhere'"));
	{
		json_t *agents = json_pack("[{s:s}]", "name", "bob");

		assert_non_null(bootstrap_find_agent(agents, "bob"));
		assert_null(bootstrap_find_agent(agents, "bo"));
		json_decref(agents);
	}
	json_decref(body);
	json_decref(warnings);
	json_decref(ids);
	remote_state_release(&rs);
	ds_free(&ds);
}

/* readOnly on a template's private block is sent as read_only (test_plan_agents has sync's). */
static void test_private_block_read_only(void **state)
{
	struct desired_state ds = DESIRED_STATE_INIT;
	struct remote_state rs;
	struct bootstrap_opts o;
	struct ls_error err = LS_ERROR_INIT;
	json_t *body = NULL, *warnings = json_array(), *mb;

	(void)state;
	remote_state_init(&rs);
	ds_add(&ds, KIND_TEMPLATE, "helper", MANAGED_TRUE,
	       "{\"default\":true,\"agent\":{\"system\":\"You help.\",\"modelConfig\":{\"model\":"
	       "\"openai/gpt-4o-mini\",\"embedding\":\"openai/text-embedding-3-small\"},"
	       "\"blocks\":[{\"label\":\"persona\",\"value\":\"I help\",\"readOnly\":true}]}}");
	memset(&o, 0, sizeof(o));
	o.name = "bob";
	o.channel = "stable";
	o.version = "0.0.0";
	o.project = "demo";
	assert_int_equal(bootstrap_template(&o.tmpl, &ds, NULL, 0, &err), 0);
	assert_int_equal(bootstrap_body(&body, &ds, &rs, &o, warnings, &err), 0);
	mb = json_object_get(body, "memory_blocks");
	assert_int_equal(json_array_size(mb), 1);
	assert_true(json_is_true(json_object_get(json_array_get(mb, 0), "read_only")));
	assert_string_equal(jsonx_get_str(json_object_get(json_array_get(mb, 0), "metadata"),
					  "source"),
			    "Agent/bob/persona");
	json_decref(body);
	json_decref(warnings);
	remote_state_release(&rs);
	ds_free(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_choice),
		cmocka_unit_test(test_model_and_tags),
		cmocka_unit_test(test_body_from_template),
		cmocka_unit_test(test_private_block_read_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
