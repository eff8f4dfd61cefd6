/* cli/render_diff: the JSON data/info split and the human field-level diff. */
#include "cli/output.h"
#include "cli/render_diff.h"
#include "support/fake_remote.h"
#include "support/plan_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A plan with git's block "a" edited and the seed "s" drifted on the server since the sync. */
static struct plan_fx make_plan(void)
{
	struct plan_opts o;
	struct plan_fx fx;
	struct ls_error err = LS_ERROR_INIT;

	memset(&o, 0, sizeof(o));
	o.project = "demo";
	o.commit = "c1";
	fx = fx_new(o);
	ds_add(&fx.ds, KIND_BLOCK, "a", MANAGED_TRUE, "{\"label\":\"a\",\"value\":\"one\\ntwo\"}");
	ds_add(&fx.ds, KIND_BLOCK, "s", MANAGED_SEED, "{\"label\":\"s\",\"value\":\"seed\"}");
	assert_int_equal(plan_compute(&fx.p, &fx.ds, &fx.rs, &fx.o, &err), 0);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	/* Edit git's block, drift the seed on the server. */
	ds_set(&fx.ds, KIND_BLOCK, "a", "value", "\"one\\nthree\"");
	json_object_set_new(json_array_get(fx.rs.blocks, 1), "value", json_string("agent wrote"));
	plan_release(&fx.p);
	plan_init(&fx.p);
	assert_int_equal(plan_compute(&fx.p, &fx.ds, &fx.rs, &fx.o, &err), 0);
	return fx;
}

static void test_render_diff__json_counts_changes_only(void **state)
{
	struct plan_fx fx;
	json_t *data, *info, *e;

	(void)state;
	fx = make_plan();
	data = render_diff_data(&fx.p);
	info = render_diff_info(&fx.p);
	assert_int_equal(json_array_size(data), 1);
	assert_int_equal(json_array_size(info), 1);
	e = json_array_get(data, 0);
	assert_string_equal(jsonx_get_str(e, "kind"), "Block");
	assert_string_equal(jsonx_get_str(e, "name"), "a");
	assert_string_equal(jsonx_get_str(e, "action"), "update");
	assert_true(json_is_null(json_object_get(e, "agent")));
	assert_true(json_is_null(json_object_get(e, "section")));
	assert_true(json_is_false(json_object_get(e, "breaking")));
	assert_string_equal(jsonx_get_str(json_array_get(json_object_get(e, "fields"), 0), "path"),
			    "value");
	assert_string_equal(jsonx_get_str(json_array_get(info, 0), "action"), "drift");
	json_decref(data);
	json_decref(info);
	fx_release(&fx);
}

static void test_render_diff__human_diff_without_colour(void **state)
{
	struct plan_fx fx;
	struct buf b = BUF_INIT;

	(void)state;
	output_set_color(0);
	fx = make_plan();
	render_diff_human(&b, &fx.p, 0);
	assert_non_null(strstr(b.buf, "~ Block/a: update\n"));
	assert_non_null(strstr(b.buf, "        - two\n"));
	assert_non_null(strstr(b.buf, "        + three\n"));
	assert_non_null(strstr(b.buf, "i Block/s: drift\n"));
	assert_non_null(strstr(b.buf, "Plan: 0 to create, 1 to update, 0 to delete"));
	assert_null(strchr(b.buf, '\033'));
	assert_null(strstr(b.buf, "  limit: 100000")); /* unchanged fields only with --full */
	buf_reset(&b);
	render_diff_human(&b, &fx.p, RENDER_FULL);
	assert_non_null(strstr(b.buf, "  limit: 100000"));
	output_set_color(1);
	buf_reset(&b);
	render_diff_human(&b, &fx.p, 0);
	assert_non_null(strchr(b.buf, '\033'));
	output_set_color(0);
	buf_release(&b);
	fx_release(&fx);
}

static void test_render_diff__markdown_comment(void **state)
{
	struct plan_fx fx;
	struct buf b = BUF_INIT;

	(void)state;
	output_set_color(1);
	fx = make_plan();
	render_diff_markdown(&b, &fx.p);
	assert_non_null(strstr(b.buf, "**1 change(s)**"));
	assert_non_null(strstr(b.buf, "| `~` | Block | a |  |  | update |  |\n"));
	assert_non_null(strstr(b.buf, "```diff\n~ Block/a: update\n"));
	assert_null(strchr(b.buf, '\033')); /* never colour in a comment */
	assert_non_null(strchr(output_color("bold"), '\033')); /* and colour restored */
	output_set_color(0);
	buf_release(&b);
	fx_release(&fx);
}

/* Issue 20: a shortened list or string still shows what changed. */
static void test_render_diff__short_field_shows_the_changed_element(void **state)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{ "[\"channel:stable\",\"managed:letta-sync\",\"project:agents-course-demo\","
		  "\"template:reviewer\",\"version:1.0.0\"]",
		  "[\"channel:stable\",\"managed:letta-sync\",\"project:agents-course-demo\","
		  "\"template:reviewer\",\"version:1.1.0\"]",
		  "-\"version:1.0.0\", +\"version:1.1.0\" (4 unchanged)" },
		{ "[\"aaaaaaaaaaaaaaaaaaaa\",\"bbbbbbbbbbbbbbbbbbbbbbbbb\",\"cccccccccccccccccccccccccc\"]",
		  "[\"cccccccccccccccccccccccccc\",\"bbbbbbbbbbbbbbbbbbbbbbbbb\",\"aaaaaaaaaaaaaaaaaaaa\"]",
		  "the same 3 element(s), reordered" },
		/* Short values stay whole. */
		{ "[\"a\"]", "[\"a\",\"b\"]", "[\"a\"] -> [\"a\",\"b\"]" },
		{ "\"old\"", "null", "\"old\" -> null" },
		/* Long strings: a window around the first difference. */
		{ "\"You are a careful reviewer of pull requests who explains every finding in one sentence.\"",
		  "\"You are a careful reviewer of pull requests who explains every finding in two sentences.\"",
		  "\"...plains every finding in one sentence.\" -> "
		  "\"...plains every finding in two sentences.\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *from = json_loads(cases[i].from, JSON_DECODE_ANY, NULL);
		json_t *to = json_loads(cases[i].to, JSON_DECODE_ANY, NULL);
		struct buf b = BUF_INIT;

		assert_non_null(from);
		assert_non_null(to);
		render_field_short(&b, from, to);
		assert_string_equal(b.buf, cases[i].want);
		buf_release(&b);
		json_decref(from);
		json_decref(to);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_diff__json_counts_changes_only),
		cmocka_unit_test(test_render_diff__human_diff_without_colour),
		cmocka_unit_test(test_render_diff__markdown_comment),
		cmocka_unit_test(test_render_diff__short_field_shows_the_changed_element),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
