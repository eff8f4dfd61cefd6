/*
 * core/upgrade (issue 11): which version an agent moves to (channel precedence, pinned,
 * --target with or without "v", downgrades), and the safe / breaking classification of the
 * planner's changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/upgrade.h"
#include "util/xalloc.h"

static const char *const versions[] = { "1.0.0", "1.1.0", "2.0.0-beta.1" };

static void test_upgrade__select_table(void **state)
{
	static const struct {
		const char *tags[3];
		const char *flag, *target;
		int ret;
		enum channel ch;
		const char *current, *available;
		int move, downgrade;
	} cases[] = {
		/* stable: the newest release. */
		{ { "version:1.0.0" }, NULL, NULL, 0, CHANNEL_STABLE, "1.0.0", "1.1.0", 1, 0 },
		/* beta: pre-releases included, from the agent's tag. */
		{ { "channel:beta", "version:1.0.0" }, NULL, NULL, 0, CHANNEL_BETA, "1.0.0",
		  "2.0.0-beta.1", 1, 0 },
		/* The flag beats the tag. */
		{ { "channel:beta", "version:1.0.0" }, "stable", NULL, 0, CHANNEL_STABLE, "1.0.0",
		  "1.1.0", 1, 0 },
		/* Up to date. */
		{ { "version:1.1.0" }, NULL, NULL, 0, CHANNEL_STABLE, "1.1.0", "1.1.0", 0, 0 },
		/* Ahead of its channel: never moved down without a target. */
		{ { "version:2.0.0-beta.1" }, NULL, NULL, 0, CHANNEL_STABLE, "2.0.0-beta.1",
		  "2.0.0-beta.1", 0, 0 },
		/* pinned moves only with a target. */
		{ { "channel:pinned", "version:1.0.0" }, NULL, NULL, 0, CHANNEL_PINNED, "1.0.0",
		  "1.0.0", 0, 0 },
		{ { "channel:pinned", "version:1.0.0" }, NULL, "v1.1.0", 0, CHANNEL_PINNED, "1.0.0",
		  "1.1.0", 1, 0 },
		/* A target with or without "v"; downwards is a downgrade. */
		{ { "version:1.1.0" }, NULL, "1.0.0", 0, CHANNEL_STABLE, "1.1.0", "1.0.0", 1, 1 },
		{ { "version:1.1.0" }, NULL, "v1.0.0", 0, CHANNEL_STABLE, "1.1.0", "1.0.0", 1, 1 },
		/* No version tag: anything available is a move. */
		{ { "managed:letta-sync" }, NULL, NULL, 0, CHANNEL_STABLE, NULL, "1.1.0", 1, 0 },
		{ { "version:1.0.0" }, NULL, "3.0.0", LS_ENOTFOUND, CHANNEL_STABLE, NULL, NULL, 0, 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct upgrade_target t;
		struct ls_error err = LS_ERROR_INIT;
		size_t n = 0;

		while (n < 3 && cases[i].tags[n])
			n++;
		assert_int_equal(upgrade_select(&t, cases[i].tags, n, cases[i].flag, versions, 3,
						cases[i].target, &err),
				 cases[i].ret);
		if (cases[i].ret)
			continue;
		assert_int_equal(t.channel, cases[i].ch);
		if (cases[i].current)
			assert_string_equal(t.current, cases[i].current);
		else
			assert_null(t.current);
		assert_string_equal(t.available, cases[i].available);
		assert_int_equal(t.move, cases[i].move);
		assert_int_equal(t.downgrade, cases[i].downgrade);
	}
}

static struct plan_action action(enum res_kind kind, enum plan_change change, const char *fields)
{
	struct plan_action a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.name = (char *)"x";
	a.change = change;
	a.fields = json_loads(fields, 0, NULL);
	assert_non_null(a.fields);
	return a;
}

static void test_upgrade__classify_table(void **state)
{
	static const struct {
		enum res_kind kind;
		enum plan_change change;
		const char *fields;
		int breaking;
		const char *why; /* a part of the reason */
	} cases[] = {
		/* Additions and value edits are safe. */
		{ KIND_AGENT, CHANGE_UPDATE,
		  "[{\"path\":\"tools\",\"from\":[\"a\"],\"to\":[\"a\",\"b\"]}]", 0, "" },
		{ KIND_AGENT, CHANGE_UPDATE, "[{\"path\":\"system\",\"from\":\"x\",\"to\":\"y\"}]", 0,
		  "" },
		{ KIND_BLOCK, CHANGE_UPDATE,
		  "[{\"path\":\"description\",\"from\":\"x\",\"to\":\"y\"}]", 0, "" },
		{ KIND_TOOL, CHANGE_CREATE, "[{\"path\":\"name\",\"from\":null,\"to\":\"t\"}]", 0, "" },
		/* The version tag moving up is bookkeeping. */
		{ KIND_AGENT, CHANGE_UPDATE,
		  "[{\"path\":\"tags\",\"from\":[\"managed:letta-sync\",\"version:1.0.0\"],"
		  "\"to\":[\"managed:letta-sync\",\"version:1.1.0\"]}]",
		  0, "" },
		/* Detaches, removals, model changes, limits below the content, downgrades. */
		{ KIND_AGENT, CHANGE_UPDATE,
		  "[{\"path\":\"tools\",\"from\":[\"a\",\"b\"],\"to\":[\"a\"]}]", 1,
		  "detaches tools 'b'" },
		{ KIND_AGENT, CHANGE_UPDATE,
		  "[{\"path\":\"memory_blocks\",\"from\":[\"policy\"],\"to\":[]}]", 1,
		  "detaches memory_blocks 'policy'" },
		{ KIND_AGENT, CHANGE_UPDATE,
		  "[{\"path\":\"model\",\"from\":\"openai/gpt-4o-mini\",\"to\":\"openai/gpt-4o\"}]", 1,
		  "model change" },
		{ KIND_BLOCK, CHANGE_UPDATE,
		  "[{\"path\":\"value\",\"from\":\"abc\",\"to\":\"abcdef\"},"
		  "{\"path\":\"limit\",\"from\":100,\"to\":5}]",
		  1, "limit 5 below the content (6 characters)" },
		{ KIND_BLOCK, CHANGE_UPDATE,
		  "[{\"path\":\"value\",\"from\":\"abc\",\"to\":\"abcdef\"},"
		  "{\"path\":\"limit\",\"from\":100,\"to\":50}]",
		  0, "" },
		{ KIND_BLOCK, CHANGE_UPDATE, "[{\"path\":\"description\",\"from\":\"x\",\"to\":null}]",
		  1, "removes description" },
		{ KIND_AGENT, CHANGE_UPDATE,
		  "[{\"path\":\"tags\",\"from\":[\"team:a\",\"version:1.1.0\"],"
		  "\"to\":[\"team:a\",\"version:1.0.0\"]}]",
		  1, "downgrade from 1.1.0 to 1.0.0" },
		{ KIND_AGENT, CHANGE_UPDATE,
		  "[{\"path\":\"tags\",\"from\":[\"team:a\",\"version:1.0.0\"],"
		  "\"to\":[\"version:1.1.0\"]}]",
		  1, "removes tags 'team:a'" },
		{ KIND_TOOL, CHANGE_DELETE, "[]", 1, "removes Tool 'x'" },
		{ KIND_AGENT, CHANGE_DOWNGRADE, "[]", 1, "downgrade" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan_action a = action(cases[i].kind, cases[i].change, cases[i].fields);
		struct buf why = BUF_INIT;

		if (upgrade_breaking(&a, &why) != cases[i].breaking)
			fail_msg("case %zu: breaking should be %d (why: %s)", i, cases[i].breaking,
				 why.buf);
		if (!strstr(why.buf, cases[i].why))
			fail_msg("case %zu: reason '%s' lacks '%s'", i, why.buf, cases[i].why);
		buf_release(&why);
		json_decref(a.fields);
	}
}

/* The planner's own mark (a shared block's limit it checked against the server) counts. */
static void test_upgrade__planner_mark_counts(void **state)
{
	struct plan_action a = action(KIND_BLOCK, CHANGE_UPDATE,
				      "[{\"path\":\"limit\",\"from\":100,\"to\":5}]");
	(void)state;

	assert_int_equal(upgrade_breaking(&a, NULL), 0);
	a.breaking = 1;
	assert_int_equal(upgrade_breaking(&a, NULL), 1);
	json_decref(a.fields);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgrade__select_table),
		cmocka_unit_test(test_upgrade__classify_table),
		cmocka_unit_test(test_upgrade__planner_mark_counts),
	};

	xalloc_setup_jansson();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
