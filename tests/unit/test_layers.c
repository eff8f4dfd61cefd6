/* core/layers: each merge rule of the original (docs/manifests.md, "Merge rules"). */
#include "core/layers.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcase {
	const char *rule;
	const char *lower; /* JSON, or NULL */
	const char *upper; /* JSON */
	const char *want;  /* compact sorted JSON */
	int conflicts;
};

static const struct mcase merge_cases[] = {
	{ "scalars: the higher layer wins", "{\"a\":1,\"b\":2}", "{\"b\":3}", "{\"a\":1,\"b\":3}", 0 },
	{ "absent keys keep the lower value", "{\"a\":1}", "{}", "{\"a\":1}", 0 },
	{ "explicit null removes the field", "{\"a\":1,\"b\":2}", "{\"b\":null}", "{\"a\":1}", 0 },
	{ "objects merge recursively", "{\"s\":{\"x\":1,\"y\":1}}", "{\"s\":{\"y\":2,\"z\":3}}",
	  "{\"s\":{\"x\":1,\"y\":2,\"z\":3}}", 0 },
	{ "type conflict keeps the lower value", "{\"a\":\"x\"}", "{\"a\":1}", "{\"a\":\"x\"}", 1 },
	{ "array over object conflicts", "{\"a\":{\"b\":1}}", "{\"a\":[1]}", "{\"a\":{\"b\":1}}", 1 },
	{ "integer and real are one type", "{\"a\":1}", "{\"a\":1.5}", "{\"a\":1.5}", 0 },
	{ "true and false are one type", "{\"a\":true}", "{\"a\":false}", "{\"a\":false}", 0 },
	{ "a null lower value takes any type", "{\"a\":null}", "{\"a\":[1]}", "{\"a\":[1]}", 0 },
	{ "tags append, strings de-duplicated", "{\"tags\":[\"a\",\"b\"]}", "{\"tags\":[\"b\",\"c\"]}",
	  "{\"tags\":[\"a\",\"b\",\"c\"]}", 0 },
	{ "'!x' removes x from an appended list", "{\"tags\":[\"a\",\"b\"]}", "{\"tags\":[\"!a\",\"c\"]}",
	  "{\"tags\":[\"b\",\"c\"]}", 0 },
	{ "a removal applies to the whole result, whatever its place", "{\"tags\":[\"a\"]}",
	  "{\"tags\":[\"b\",\"!b\",\"!a\",\"c\"]}", "{\"tags\":[\"c\"]}", 0 },
	{ "a lower duplicate key: the first match merges, removal removes all",
	  "{\"tools\":[{\"name\":\"a\",\"v\":1},{\"name\":\"a\",\"v\":2},{\"name\":\"b\"}]}",
	  "{\"tools\":[{\"name\":\"a\",\"v\":3},\"!b\"]}",
	  "{\"tools\":[{\"name\":\"a\",\"v\":3},{\"name\":\"a\",\"v\":2}]}", 0 },
	{ "*_ids and *Ids append", "{\"toolIds\":[\"t1\"],\"block_ids\":[\"b1\"]}",
	  "{\"toolIds\":[\"t2\"],\"block_ids\":[\"b1\",\"b2\"]}",
	  "{\"block_ids\":[\"b1\",\"b2\"],\"toolIds\":[\"t1\",\"t2\"]}", 0 },
	{ "other arrays append by default (objects not de-duplicated)", "{\"l\":[{\"a\":1}]}",
	  "{\"l\":[{\"a\":1}]}", "{\"l\":[{\"a\":1},{\"a\":1}]}", 0 },
	{ "numbers are not de-duplicated", "{\"l\":[1]}", "{\"l\":[1]}", "{\"l\":[1,1]}", 0 },
	{ "_merge replace", "{\"tags\":[\"a\"]}", "{\"_merge\":{\"tags\":\"replace\"},\"tags\":[\"z\"]}",
	  "{\"_merge\":{\"tags\":\"replace\"},\"tags\":[\"z\"]}", 0 },
	{ "_merge applies to the field name at any depth", "{\"spec\":{\"agent\":{\"tools\":[\"a\"]}}}",
	  "{\"_merge\":{\"tools\":\"replace\"},\"spec\":{\"agent\":{\"tools\":[\"b\"]}}}",
	  "{\"_merge\":{\"tools\":\"replace\"},\"spec\":{\"agent\":{\"tools\":[\"b\"]}}}", 0 },
	{ "_merge append on a keyed field", "{\"blocks\":[{\"name\":\"a\",\"v\":1}]}",
	  "{\"_merge\":{\"blocks\":\"append\"},\"blocks\":[{\"name\":\"a\",\"v\":2}]}",
	  "{\"_merge\":{\"blocks\":\"append\"},\"blocks\":[{\"name\":\"a\",\"v\":1},{\"name\":\"a\",\"v\":2}]}", 0 },
	{ "_merge merge-by-key on any field", "{\"items\":[{\"name\":\"a\",\"v\":1}]}",
	  "{\"_merge\":{\"items\":\"merge-by-key\"},\"items\":[{\"name\":\"a\",\"v\":2}]}",
	  "{\"_merge\":{\"items\":\"merge-by-key\"},\"items\":[{\"name\":\"a\",\"v\":2}]}", 0 },
	{ "blocks merge by name", "{\"blocks\":[{\"name\":\"a\",\"limit\":1,\"x\":0},{\"name\":\"b\"}]}",
	  "{\"blocks\":[{\"name\":\"a\",\"limit\":2}]}",
	  "{\"blocks\":[{\"limit\":2,\"name\":\"a\",\"x\":0},{\"name\":\"b\"}]}", 0 },
	{ "blocks merge by label, new keys appended", "{\"blocks\":[{\"label\":\"x\",\"value\":\"1\"}]}",
	  "{\"blocks\":[{\"label\":\"x\",\"value\":\"2\"},{\"label\":\"y\",\"value\":\"3\"}]}",
	  "{\"blocks\":[{\"label\":\"x\",\"value\":\"2\"},{\"label\":\"y\",\"value\":\"3\"}]}", 0 },
	{ "id is the key before name", "{\"tools\":[{\"id\":\"1\",\"name\":\"a\"}]}",
	  "{\"tools\":[{\"id\":\"1\",\"name\":\"b\"}]}", "{\"tools\":[{\"id\":\"1\",\"name\":\"b\"}]}", 0 },
	{ "_delete: true removes the keyed item", "{\"tools\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
	  "{\"tools\":[{\"name\":\"a\",\"_delete\":true}]}", "{\"tools\":[{\"name\":\"b\"}]}", 0 },
	{ "keyless items are appended", "{\"folders\":[{\"v\":1}]}", "{\"folders\":[{\"v\":2}]}",
	  "{\"folders\":[{\"v\":1},{\"v\":2}]}", 0 },
	{ "string items are their own key: '!a' removes, duplicates skipped",
	  "{\"tools\":[\"a\",\"b\"]}", "{\"tools\":[\"!a\",\"c\",\"b\"]}", "{\"tools\":[\"b\",\"c\"]}", 0 },
	{ "'!x' removes a keyed object item", "{\"folders\":[{\"name\":\"h\"},\"k\"]}",
	  "{\"folders\":[\"!h\"]}", "{\"folders\":[\"k\"]}", 0 },
	{ "items merged by key merge recursively, without _merge", "{\"blocks\":[{\"name\":\"a\",\"tags\":[\"x\"]}]}",
	  "{\"_merge\":{\"tags\":\"replace\"},\"blocks\":[{\"name\":\"a\",\"tags\":[\"y\"]}]}",
	  "{\"_merge\":{\"tags\":\"replace\"},\"blocks\":[{\"name\":\"a\",\"tags\":[\"x\",\"y\"]}]}", 0 },
	{ "a single layer is normalised: removals and _delete items vanish", NULL,
	  "{\"tags\":[\"!x\",\"y\"],\"tools\":[{\"name\":\"t\",\"_delete\":true},\"u\"],\"n\":null}",
	  "{\"tags\":[\"y\"],\"tools\":[\"u\"]}", 0 },
	{ "top-level _delete is copied", "{\"a\":1}", "{\"_delete\":true}", "{\"_delete\":true,\"a\":1}", 0 },
	{ "the lower document is not changed (deep copy)", "{\"s\":{\"t\":[1]}}", "{\"s\":{\"t\":[2]}}",
	  "{\"s\":{\"t\":[1,2]}}", 0 },
};

static void test_layers__merge_rules_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(merge_cases) / sizeof(merge_cases[0]); i++) {
		const struct mcase *c = &merge_cases[i];
		json_t *lower = c->lower ? json_loads(c->lower, 0, NULL) : NULL;
		json_t *upper = json_loads(c->upper, 0, NULL);
		json_t *lower_before = lower ? json_deep_copy(lower) : NULL;
		struct merge_report rep = MERGE_REPORT_INIT;
		json_t *got;
		char *s;

		assert_non_null(upper);
		rep.strategies = json_object_get(upper, "_merge");
		got = layers_merge_value(lower, upper, &rep);
		s = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		if (strcmp(s, c->want) || rep.conflicts != c->conflicts) {
			print_error("rule '%s':\n  want %s (%d conflicts)\n  got  %s (%d conflicts)\n", c->rule,
				    c->want, c->conflicts, s, rep.conflicts);
			fail();
		}
		if (lower)
			assert_true(json_equal(lower, lower_before));
		free(s);
		json_decref(got);
		json_decref(lower);
		json_decref(lower_before);
		json_decref(upper);
	}
}

static void test_layers__strategy_defaults(void **state)
{
	json_t *s = json_pack("{s:s}", "foo", "replace");

	(void)state;
	assert_string_equal(layers_strategy("tags", NULL), "append");
	assert_string_equal(layers_strategy("folderIds", NULL), "append");
	assert_string_equal(layers_strategy("blocks", NULL), "merge-by-key");
	assert_string_equal(layers_strategy("identities", NULL), "merge-by-key");
	assert_string_equal(layers_strategy("policies", NULL), "merge-by-key");
	assert_string_equal(layers_strategy("whatever", NULL), "append");
	assert_string_equal(layers_strategy("foo", s), "replace");
	assert_string_equal(layers_strategy(NULL, s), "append");
	json_decref(s);
}

/* Whole sets. */

static void add(struct manifest_set *set, const char *path, int layer, const char *text)
{
	manifest_parse(set, path, layer, text, strlen(text));
}

static char *diags_text(const struct diag_list *dl)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < dl->n; i++)
		buf_addf(&b, "%s%s:%d:%d: %s: %s", i ? "\n" : "", dl->items[i].file, dl->items[i].line,
			 dl->items[i].col, diag_severity_name(dl->items[i].severity), dl->items[i].msg);
	return buf_detach(&b);
}

#define BLOCK(name, extra) \
	"apiVersion: letta.ai/v1\nkind: Block\nmetadata:\n  name: " name "\nspec:\n" extra "\n---\n"

static void test_layers__order_is_kind_then_first_seen(void **state)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct desired_state ds = DESIRED_STATE_INIT;

	(void)state;
	add(&set, "project/a.yaml", LAYER_PROJECT, BLOCK("p1", "  value: x") BLOCK("b1", "  value: y"));
	add(&set, "base/a.yaml", LAYER_BASE,
	    "apiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: t}\nspec: {}\n---\n" BLOCK("b2", "  v: 1") BLOCK("b1", "  v: 1"));
	add(&set, "org/a.yaml", LAYER_ORG, BLOCK("o1", "  v: 1"));
	layers_merge(&ds, &set);
	assert_int_equal(set.diags.n, 0);
	assert_int_equal(ds.n, 5);
	assert_string_equal(ds.items[0].name, "b2");
	assert_string_equal(ds.items[1].name, "b1");
	assert_string_equal(ds.items[2].name, "o1");
	assert_string_equal(ds.items[3].name, "p1");
	assert_int_equal(ds.items[4].kind, KIND_TOOL);
	/* b1: base and project; its layer is the highest, spec.layer follows. */
	assert_int_equal(ds.items[1].layer, LAYER_PROJECT);
	assert_int_equal(ds.items[1].layers, (1u << LAYER_BASE) | (1u << LAYER_PROJECT));
	assert_string_equal(json_string_value(json_object_get(ds.items[1].spec, "layer")), "project");
	assert_string_equal(json_string_value(json_object_get(ds.items[1].spec, "value")), "y");
	assert_non_null(desired_find(&ds, KIND_BLOCK, "o1"));
	assert_null(desired_find(&ds, KIND_TOOL, "o1"));
	desired_state_release(&ds);
	manifest_set_release(&set);
}

static void test_layers__positions_follow_the_layer_that_wrote_the_value(void **state)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct desired_state ds = DESIRED_STATE_INIT;
	struct src_pos pos;

	(void)state;
	add(&set, "base/b.yaml", LAYER_BASE, BLOCK("b", "  label: l\n  value: v"));
	add(&set, "project/b.yaml", LAYER_PROJECT, "\n" BLOCK("b", "  value: w"));
	layers_merge(&ds, &set);
	assert_int_equal(ds.n, 1);
	assert_int_equal(desired_pos(&pos, &ds, &ds.items[0], "/spec/label"), 1);
	assert_string_equal(pos.file, "base/b.yaml");
	assert_int_equal(pos.line, 6);
	assert_int_equal(desired_pos(&pos, &ds, &ds.items[0], "/spec/value"), 1);
	assert_string_equal(pos.file, "project/b.yaml");
	assert_int_equal(pos.line, 7);
	assert_int_equal(pos.col, 3);
	assert_int_equal(desired_pos(&pos, &ds, &ds.items[0], "/spec/nothing"), 0);
	assert_string_equal(pos.file, "project/b.yaml");
	assert_string_equal(ds.items[0].pos.file, "project/b.yaml");
	assert_int_equal(ds.items[0].pos.line, 2);
	desired_state_release(&ds);
	manifest_set_release(&set);
}

struct scase {
	const char *rule;
	const char *base, *org, *project; /* texts, or NULL */
	size_t nresources;
	const char *want; /* diagnostics */
};

static const struct scase set_cases[] = {
	{ "duplicate name in one layer", BLOCK("b", "  v: 1") BLOCK("b", "  v: 2"), NULL, NULL, 1,
	  "base/x.yaml:11:3: error: Duplicate Block name: b" },
	{ "same name in two layers merges", BLOCK("b", "  v: 1"), BLOCK("b", "  v: 2"), NULL, 1, "" },
	{ "same name, different kinds", BLOCK("b", "  v: 1"),
	  "apiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: b}\nspec: {}\n", NULL, 2, "" },
	{ "deletion marker drops the resource", BLOCK("b", "  v: 1"), NULL,
	  "apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b}\n_delete: true\n", 0, "" },
	{ "deletion marker without a lower definition warns", NULL, NULL,
	  "apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b}\n_delete: true\n", 0,
	  "project/x.yaml:4:1: warning: Deletion marker for 'Block.b' has no effect - resource not defined in any lower layer." },
	{ "type conflict across layers", BLOCK("b", "  limit: 10"), BLOCK("b", "  limit: ten"), NULL, 1,
	  "org/x.yaml:6:3: error: Type conflict at Block.b.spec.limit: expected number, got string" },
	{ "tool identity conflict",
	  "apiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: t}\nspec: {toolType: custom}\n", NULL,
	  "apiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: t}\nspec: {toolType: letta_core}\n", 1,
	  "project/x.yaml:4:8: error: Resource identity conflict: tool 't' has different toolType values in different layers" },
	{ "same toolType is no conflict",
	  "apiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: t}\nspec: {toolType: custom}\n", NULL,
	  "apiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: t}\nspec: {toolType: custom}\n", 1, "" },
	{ "_merge and _delete never reach the desired state",
	  BLOCK("b", "  tags: [a]"), "apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b}\n_merge: {tags: replace}\n_delete: false\nspec: {tags: [z]}\n",
	  NULL, 1, "" },
};

static void test_layers__set_rules_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
		const struct scase *c = &set_cases[i];
		struct manifest_set set = MANIFEST_SET_INIT;
		struct desired_state ds = DESIRED_STATE_INIT;
		char *got;

		if (c->base)
			add(&set, "base/x.yaml", LAYER_BASE, c->base);
		if (c->org)
			add(&set, "org/x.yaml", LAYER_ORG, c->org);
		if (c->project)
			add(&set, "project/x.yaml", LAYER_PROJECT, c->project);
		layers_merge(&ds, &set);
		got = diags_text(&set.diags);
		if (strcmp(got, c->want) || ds.n != c->nresources) {
			print_error("rule '%s':\n  want (%zu) %s\n  got  (%zu) %s\n", c->rule, c->nresources,
				    c->want, ds.n, got);
			fail();
		}
		for (size_t k = 0; k < ds.n; k++) {
			assert_null(json_object_get(ds.items[k].doc, "_merge"));
			assert_null(json_object_get(ds.items[k].doc, "_delete"));
		}
		free(got);
		desired_state_release(&ds);
		manifest_set_release(&set);
	}
}

static void test_layers__no_layer_tags_are_injected(void **state)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct desired_state ds = DESIRED_STATE_INIT;

	(void)state;
	add(&set, "base/x.yaml", LAYER_BASE, BLOCK("b", "  tags: [a]"));
	add(&set, "org/x.yaml", LAYER_ORG, BLOCK("b", "  tags: [b]"));
	layers_merge(&ds, &set);
	assert_int_equal(ds.n, 1);
	assert_int_equal(json_array_size(json_object_get(ds.items[0].spec, "tags")), 2);
	desired_state_release(&ds);
	manifest_set_release(&set);
}

/* Hostile sizes stay linear: two layers of 100,000 list items merge at once. */
static void test_layers__big_lists_merge_in_linear_time(void **state)
{
	json_t *a = json_object(), *b = json_object();
	json_t *at = json_array(), *bt = json_array(), *ab = json_array(), *bb = json_array();
	json_t *got;
	char name[32];

	(void)state;
	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		json_array_append_new(at, json_string(name));
		json_array_append_new(ab, json_pack("{s:s}", "name", name));
		snprintf(name, sizeof(name), i % 2 ? "!t%d" : "u%d", i);
		json_array_append_new(bt, json_string(name));
		json_array_append_new(bb, json_pack("{s:s, s:i}", "name", name + (i % 2), "v", i));
	}
	json_object_set_new(a, "tags", at);
	json_object_set_new(a, "blocks", ab);
	json_object_set_new(b, "tags", bt);
	json_object_set_new(b, "blocks", bb);
	got = layers_merge_value(a, b, NULL);
	/* tags: 100,000 t's minus 50,000 removed, plus 50,000 u's. */
	assert_int_equal(json_array_size(json_object_get(got, "tags")), 100000);
	/* blocks: 50,000 odd t's merged, 50,000 u's appended. */
	assert_int_equal(json_array_size(json_object_get(got, "blocks")), 150000);
	json_decref(got);
	json_decref(a);
	json_decref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers__merge_rules_table),
		cmocka_unit_test(test_layers__strategy_defaults),
		cmocka_unit_test(test_layers__order_is_kind_then_first_seen),
		cmocka_unit_test(test_layers__positions_follow_the_layer_that_wrote_the_value),
		cmocka_unit_test(test_layers__set_rules_table),
		cmocka_unit_test(test_layers__no_layer_tags_are_injected),
		cmocka_unit_test(test_layers__big_lists_merge_in_linear_time),
	};

	xalloc_setup_jansson();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
