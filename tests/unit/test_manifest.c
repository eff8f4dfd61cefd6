/* core/manifest: files to resource documents, the envelope checks and their messages. */
#include "core/manifest.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* Every diagnostic as "L:C: error: msg", joined with "\n". */
static char *diags_text(const struct diag_list *dl)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < dl->n; i++)
		buf_addf(&b, "%s%d:%d: %s: %s", i ? "\n" : "", dl->items[i].line, dl->items[i].col,
			 diag_severity_name(dl->items[i].severity), dl->items[i].msg);
	return buf_detach(&b);
}

struct case_ {
	const char *name;
	const char *path;
	int layer;
	const char *text;
	size_t ndocs;
	const char *want; /* diagnostics, exactly */
};

#define HEAD "apiVersion: letta.ai/v1\nkind: Block\nmetadata:\n  name: b\n"

static const struct case_ cases[] = {
	{ "a clean block", "base/b.yaml", LAYER_BASE,
	  HEAD "spec:\n  label: b\n  value: x\n", 1, "" },
	{ "layer from the directory when spec.layer is absent", "org/b.yaml", LAYER_ORG,
	  HEAD "spec: {label: b, value: x}\n", 1, "" },
	{ "two documents and an empty one", "base/b.yaml", LAYER_BASE,
	  HEAD "spec: {label: b, value: x}\n---\n---\n" HEAD "spec: {label: c, value: y}\n", 2, "" },
	{ "a JSON file", "base/b.json", LAYER_BASE,
	  "{\"apiVersion\": \"letta.ai/v1\", \"kind\": \"Tool\",\n \"metadata\": {\"name\": \"t\"}, \"spec\": {}}", 1, "" },
	{ "wrong apiVersion", "base/b.yaml", LAYER_BASE,
	  "apiVersion: letta.ai/v2\nkind: Block\nmetadata: {name: b}\nspec: {}\n", 1,
	  "1:1: error: Block.b: Unsupported apiVersion: letta.ai/v2" },
	{ "unknown kind", "base/b.yaml", LAYER_BASE,
	  "apiVersion: letta.ai/v1\nkind: Blok\nmetadata: {name: b}\nspec: {}\n", 0,
	  "2:1: error: unknown kind 'Blok'" },
	{ "not a resource", "base/b.yaml", LAYER_BASE, "foo: bar\n", 0,
	  "1:1: error: document is not a resource (apiVersion, kind and metadata are missing)" },
	{ "not a mapping", "base/b.yaml", LAYER_BASE, "- a\n", 0,
	  "1:1: error: document is not a mapping (a resource needs apiVersion, kind, metadata and spec)" },
	{ "missing name", "base/b.yaml", LAYER_BASE,
	  "apiVersion: letta.ai/v1\nkind: Block\nmetadata: {}\nspec: {}\n", 0,
	  "3:1: error: Block: Missing required field: metadata.name" },
	{ "name with a slash", "base/b.yaml", LAYER_BASE,
	  "apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: a/b}\nspec: {}\n", 0,
	  "3:12: error: Block: invalid metadata.name 'a/b' (1-128 characters, no '/' or control characters)" },
	{ "missing spec", "base/b.yaml", LAYER_BASE, HEAD, 0,
	  "1:1: error: Block.b: Missing required field: spec" },
	{ "a deletion marker needs no spec", "project/b.yaml", LAYER_PROJECT, HEAD "_delete: true\n", 1, "" },
	{ "unknown top-level field", "base/b.yaml", LAYER_BASE, HEAD "spce: {}\nspec: {}\n", 1,
	  "5:1: error: Block.b: unknown field 'spce'" },
	{ "layer that contradicts the directory", "base/b.yaml", LAYER_BASE,
	  HEAD "spec: {layer: org}\n", 0,
	  "5:8: error: Block.b: spec.layer 'org' does not match the layer of its directory ('base')" },
	{ "invalid layer", "base/b.yaml", LAYER_BASE, HEAD "spec: {layer: prod}\n", 0,
	  "5:8: error: Block.b: Invalid layer: prod" },
	{ "root file needs spec.layer", "b.yaml", MANIFEST_LAYER_FROM_SPEC, HEAD "spec: {label: b}\n", 0,
	  "5:1: error: Block.b: Missing required field: spec.layer" },
	{ "root file with spec.layer", "b.yaml", MANIFEST_LAYER_FROM_SPEC,
	  HEAD "spec: {layer: project, label: b, value: x}\n", 1, "" },
	{ "bad merge strategy", "base/b.yaml", LAYER_BASE,
	  HEAD "_merge: {tags: concat}\nspec: {}\n", 1,
	  "5:10: error: Block.b: invalid merge strategy for 'tags' (append, replace or merge-by-key)" },
	{ "syntax error fails the whole file", "base/b.yaml", LAYER_BASE,
	  HEAD "spec: {label: b}\n---\na: [\n", 0, "" /* checked below: prefix only */ },
	{ "binary file", "base/b.yaml", LAYER_BASE, "a: 1\n\x01\x02\xff", 0,
	  "2:3: error: invalid UTF-8 (byte 0xff at offset 7)" },
};

static void test_manifest__envelope_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct manifest_set set = MANIFEST_SET_INIT;
		char *got;

		manifest_parse(&set, cases[i].path, cases[i].layer, cases[i].text, strlen(cases[i].text));
		got = diags_text(&set.diags);
		if (!strcmp(cases[i].name, "syntax error fails the whole file")) {
			assert_int_equal(set.diags.nerrors, 1);
			assert_int_equal(set.n, 0);
		} else if (strcmp(got, cases[i].want) || set.n != cases[i].ndocs) {
			print_error("case '%s':\n  want (%zu docs) %s\n  got  (%zu docs) %s\n", cases[i].name,
				    cases[i].ndocs, cases[i].want, set.n, got);
			fail();
		}
		free(got);
		manifest_set_release(&set);
	}
}

static void test_manifest__docs_carry_kind_name_layer_and_position(void **state)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	const char *text = HEAD "spec: {label: b, value: x}\n---\napiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: t}\nspec: {layer: org}\n";
	int line, col;

	(void)state;
	manifest_parse(&set, "x.yaml", MANIFEST_LAYER_FROM_SPEC, text, strlen(text));
	/* The first document has no spec.layer in a root file: reported, left out. */
	assert_int_equal(set.n, 1);
	assert_int_equal(set.docs[0].kind, KIND_TOOL);
	assert_string_equal(set.docs[0].name, "t");
	assert_int_equal(set.docs[0].layer, LAYER_ORG);
	assert_int_equal(set.docs[0].line, 7);
	assert_string_equal(manifest_doc_file(&set, &set.docs[0]), "x.yaml");
	manifest_doc_pos(&set, &set.docs[0], "/spec/layer", &line, &col);
	assert_int_equal(line, 10);
	assert_int_equal(col, 8);
	manifest_set_release(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest__envelope_table),
		cmocka_unit_test(test_manifest__docs_carry_kind_name_layer_and_position),
	};

	xalloc_setup_jansson();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
