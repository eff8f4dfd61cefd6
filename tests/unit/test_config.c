/* repo/config: discovery and loading of a whole repository (the examples/ tree and temp dirs). */
#include "repo/config.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"
#include "support/git_sh.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_config__examples_load_clean_and_merge(void **state)
{
	struct desired_state ds = DESIRED_STATE_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct config_info info = CONFIG_INFO_INIT;
	struct ls_error err = LS_ERROR_INIT;
	const struct resource *r;
	const json_t *tags;
	char *s;

	(void)state;
	assert_int_equal(config_load(&ds, LS_SOURCE_DIR "/examples", &dl, &info, &err), 0);
	assert_int_equal(dl.n, 0);
	assert_string_equal(info.manifests, ".letta/manifests");
	assert_int_equal(info.legacy, 0);
	/* Every kind is there. */
	for (int k = 0; k < KIND__COUNT; k++) {
		int found = 0;

		for (size_t i = 0; i < ds.n; i++)
			found |= ds.items[i].kind == (enum res_kind)k;
		assert_true(found);
	}
	/* org replaced safety_policy's value and kept base's limit. */
	r = desired_find(&ds, KIND_BLOCK, "safety_policy");
	assert_non_null(r);
	assert_int_equal(jsonx_get_int(r->spec, "limit", 0), 4000);
	assert_non_null(strstr(jsonx_get_str(r->spec, "value"), "incident process"));
	assert_int_equal(r->layer, LAYER_ORG);
	/* project deleted legacy_notes. */
	assert_null(desired_find(&ds, KIND_BLOCK, "legacy_notes"));
	/* org appended a tag and removed "search". */
	r = desired_find(&ds, KIND_TOOL, "search_docs");
	tags = json_object_get(r->spec, "tags");
	s = json_dumps(tags, JSON_COMPACT);
	assert_string_equal(s, "[\"docs\",\"acme\"]");
	free(s);
	/* sourceFile was read. */
	r = desired_find(&ds, KIND_TOOL, "create_ticket");
	assert_non_null(r->source_code);
	assert_non_null(strstr(r->source_code, "def create_ticket("));
	/* project added blocks to the default template, merged by name. */
	r = desired_find(&ds, KIND_TEMPLATE, "assistant");
	assert_int_equal(json_array_size(json_object_get(json_object_get(r->spec, "agent"), "blocks")), 6);
	assert_int_equal(r->managed, MANAGED_TRUE);
	assert_int_equal(desired_find(&ds, KIND_BLOCK, "human")->managed, MANAGED_SEED);
	/* A reference that names nothing finds nothing, by the index and by the scan (pull). */
	assert_null(desired_find(&ds, KIND_BLOCK, NULL));
	{
		json_t *index = ds.index;

		ds.index = NULL;
		assert_null(desired_find(&ds, KIND_BLOCK, NULL));
		assert_non_null(desired_find(&ds, KIND_BLOCK, "human"));
		ds.index = index;
	}
	desired_state_release(&ds);
	diag_list_release(&dl);
	config_info_release(&info);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_config__errors_leave_out_untouched(void **state)
{
	char dir[] = "/tmp/ls-config-XXXXXX";
	struct desired_state ds = DESIRED_STATE_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct ls_error err = LS_ERROR_INIT;
	struct buf p = BUF_INIT, cmd = BUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(dir));
	buf_addf(&p, "%s/.letta/manifests/base", dir);
	buf_addf(&cmd, "mkdir -p '%s'", p.buf);
	assert_int_equal(system(cmd.buf), 0);
	buf_addstr(&p, "/b.yaml");
	write_file(p.buf, "apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: ok}\nspec: {label: ok, value: v}\n"
			  "---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: bad}\nspec: {label: bad}\n");
	assert_int_equal(config_load(&ds, dir, &dl, NULL, &err), LS_EINVALID);
	assert_string_equal(err.msg, "1 error in the configuration");
	assert_int_equal(ds.n, 0); /* never a partial state */
	assert_int_equal(dl.nerrors, 1);
	assert_string_equal(dl.items[0].file, ".letta/manifests/base/b.yaml");
	assert_string_equal(dl.items[0].msg, "Block.bad: Missing required field: spec.value");
	buf_reset(&cmd);
	buf_addf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd.buf), 0);
	diag_list_release(&dl);
	buf_release(&p);
	buf_release(&cmd);
}

static void sh(const char *dir, const char *cmd)
{
	git_sh(dir, "t", "t@e", cmd);
}

#define BLOCK_DOC(v) "apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: persona}\nspec: {label: persona, value: " v "}\n"
#define TOOL_DOC "---\\napiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: t}\nspec: {sourceType: python, sourceFile: ../../../tools/t.py, jsonSchema: {type: function, function: {name: t, description: d, parameters: {type: object, properties: {}}}}}\n"

/*
 * A version's configuration comes from git's objects: a config root in a sub-directory
 * (partners/x) is mapped to its repository path, the work tree is neither read nor touched,
 * and a Tool's sourceFile outside .letta/ is read at the same tag.
 */
static void test_config__version_read_from_git_objects(void **state)
{
	char dir[] = "/tmp/ls-config-XXXXXX";
	struct desired_state ds = DESIRED_STATE_INIT, cur = DESIRED_STATE_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct ls_error err = LS_ERROR_INIT;
	struct buf root = BUF_INIT, cmd = BUF_INIT, before = BUF_INIT;
	const struct resource *r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	buf_addf(&root, "%s/partners/x", dir);
	sh(dir, "git init -q -b main && mkdir -p partners/x/.letta/manifests/base partners/x/tools && "
		"printf '" BLOCK_DOC("old") TOOL_DOC "' > partners/x/.letta/manifests/base/m.yaml && "
		"printf 'def t():\\n    \\\"\\\"\\\"d\\\"\\\"\\\"\\n    return 1\\n' > partners/x/tools/t.py && "
		"git add -A && git commit -qm one && git tag v1.0.0 && "
		"printf '" BLOCK_DOC("new") TOOL_DOC "' > partners/x/.letta/manifests/base/m.yaml && "
		"echo '# v2' >> partners/x/tools/t.py && git add -A && git commit -qm two && git tag v2.0.0 && "
		"printf '" BLOCK_DOC("dirty") TOOL_DOC "' > partners/x/.letta/manifests/base/m.yaml");
	buf_addf(&cmd, "cat '%s/.letta/manifests/base/m.yaml'", root.buf);

	if (config_load_version(&ds, root.buf, "v1.0.0", "v1.0.0", &dl, &err) < 0) {
		for (size_t i = 0; i < dl.n; i++)
			print_error("%s:%d: %s\n", dl.items[i].file, dl.items[i].line, dl.items[i].msg);
		fail_msg("%s", err.msg);
	}
	r = desired_find(&ds, KIND_BLOCK, "persona");
	assert_non_null(r);
	assert_string_equal(jsonx_get_str(r->spec, "value"), "old");
	r = desired_find(&ds, KIND_TOOL, "t");
	assert_non_null(r->source_code);
	assert_null(strstr(r->source_code, "# v2"));
	desired_state_release(&ds);

	assert_int_equal(config_load_version(&ds, root.buf, "v2.0.0", "v2.0.0", &dl, &err), 0);
	assert_string_equal(jsonx_get_str(desired_find(&ds, KIND_BLOCK, "persona")->spec, "value"),
			    "new");
	assert_non_null(strstr(desired_find(&ds, KIND_TOOL, "t")->source_code, "# v2"));
	/* The work tree still holds its own (uncommitted) content. */
	assert_int_equal(config_load(&cur, root.buf, &dl, NULL, &err), 0);
	assert_string_equal(jsonx_get_str(desired_find(&cur, KIND_BLOCK, "persona")->spec, "value"),
			    "dirty");
	assert_int_equal(config_load_version(&ds, root.buf, "v9.0.0", "v9.0.0", &dl, &err),
			 LS_ENOTFOUND);

	buf_reset(&cmd);
	buf_addf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd.buf), 0);
	desired_state_release(&ds);
	desired_state_release(&cur);
	diag_list_release(&dl);
	buf_release(&root);
	buf_release(&cmd);
	buf_release(&before);
}

/*
 * config_load_files() follows config_load()'s rules over files in memory: layer directories
 * and files directly under .letta/manifests (spec.layer), hidden files skipped, sourceFiles
 * relative to their manifest and never outside the root, and the read callback for files
 * outside the set.
 */
static int extra_reads;

static int extra_read(void *ctx, const char *rel, struct buf *out, size_t max,
		      struct ls_error *err)
{
	(void)ctx;
	(void)max;
	extra_reads++;
	if (strcmp(rel, "tools/outside.py"))
		return ls_error_set(err, LS_ENOTFOUND, "no file '%s'", rel);
	buf_addstr(out, "def t():\n    return 2\n");
	return 0;
}

#define TOOL_AT(name, file) "apiVersion: letta.ai/v1\nkind: Tool\nmetadata: {name: " name "}\nspec: {sourceType: python, sourceFile: " file ", jsonSchema: {type: function, function: {name: " name ", description: d, parameters: {type: object, properties: {}}}}}\n"

static void test_config__files_in_memory(void **state)
{
	static const char *const paths[] = {
		".letta/manifests/base/.hidden.yaml",
		".letta/manifests/base/a.yaml",
		".letta/manifests/base/sub/b.yml",
		".letta/manifests/loose.yaml",
		".letta/manifests/project/t.yaml",
		".letta/tools/t.py",
	};
	static const char *const texts[] = {
		"not: [valid",
		"apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: a}\nspec: {label: a, value: base}\n",
		"apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b}\nspec: {label: b, value: sub}\n",
		"apiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: a}\nspec: {layer: org, label: a, value: org}\n",
		TOOL_AT("t", "../../tools/t.py") "---\n" TOOL_AT("o", "../../../tools/outside.py"),
		"def t():\n    return 1\n",
	};
	struct git_blob_file files[6];
	struct config_files cf;
	struct desired_state ds = DESIRED_STATE_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct ls_error err = LS_ERROR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		files[i].path = (char *)paths[i];
		files[i].data = (char *)texts[i];
		files[i].len = strlen(texts[i]);
	}
	cf.root = "v1.0.0";
	cf.items = files;
	cf.n = 6;
	cf.read = extra_read;
	cf.ctx = NULL;
	if (config_load_files(&ds, &cf, &dl, NULL, &err) < 0) {
		for (i = 0; i < dl.n; i++)
			print_error("%s:%d: %s\n", dl.items[i].file, dl.items[i].line, dl.items[i].msg);
		fail_msg("%s", err.msg);
	}
	assert_string_equal(jsonx_get_str(desired_find(&ds, KIND_BLOCK, "a")->spec, "value"), "org");
	assert_string_equal(jsonx_get_str(desired_find(&ds, KIND_BLOCK, "b")->spec, "value"), "sub");
	assert_non_null(strstr(desired_find(&ds, KIND_TOOL, "t")->source_code, "return 1"));
	assert_non_null(strstr(desired_find(&ds, KIND_TOOL, "o")->source_code, "return 2"));
	assert_int_equal(extra_reads, 1);
	desired_state_release(&ds);
	diag_list_release(&dl);

	/* A sourceFile that climbs above the root is refused, never read. */
	{
		static const char escape[] = TOOL_AT("t", "../../../../etc/passwd");

		files[4].data = (char *)escape;
		files[4].len = strlen(escape);
	}
	memset(&dl, 0, sizeof(dl));
	assert_int_equal(config_load_files(&ds, &cf, &dl, NULL, &err), LS_EINVALID);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.items[0].msg, "leaves the repository"));
	assert_int_equal(extra_reads, 1);
	diag_list_release(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config__examples_load_clean_and_merge),
		cmocka_unit_test(test_config__errors_leave_out_untouched),
		cmocka_unit_test(test_config__version_read_from_git_objects),
		cmocka_unit_test(test_config__files_in_memory),
	};

	int rc;

	xalloc_setup_jansson();
	repo_git_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	repo_git_shutdown();
	return rc;
}
