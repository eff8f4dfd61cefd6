/* core/memfiles.c: the server's rules for memory files, reported as path:line:col. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/memfiles.h"

#define F(p, d) { (char *)(p), (char *)(d), sizeof(d) - 1, MEMFILE_MANAGED }

/* The errors of a set of files as "path:line:col: msg" lines. */
static size_t check(const struct memfile *f, size_t n, char *out, size_t cap)
{
	struct diag_list dl = DIAG_LIST_INIT;
	size_t e = memfiles_check(f, n, "mem", &dl), used = 0;

	out[0] = 0;
	diag_list_sort(&dl);
	for (size_t i = 0; i < dl.n; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s:%d:%d: %s\n", dl.items[i].file,
					 dl.items[i].line, dl.items[i].col, dl.items[i].msg);
	diag_list_release(&dl);
	return e;
}

static void test_memfiles__system_layout(void **state)
{
	char out[4096];
	const struct memfile ok[] = {
		F("system/persona.md", "---\ndescription: Who I am\nlimit: 20\n---\nI help.\n"),
		F("system/project/x.md", "---\ndescription: X\n---\nx\n"),
		F("reference/notes.md", "---\ndescription: Notes\n---\n"),
		F("skills/review/SKILL.md", "---\nname: review\ndescription: Reviews\n---\nanything\n"),
		F("other/free.md", "no frontmatter needed here\n"),
		F("system/data.json", "{}"),
	};
	const struct memfile bad[] = {
		F("system/a.md", "no frontmatter\n"),
		F("system/b.md", "---\ndescription: B\ncolour: red\n---\nb\n"),
		F("system/c.md", "---\ndescription: C\nlimit: 3\n---\ntoo long\n"),
		F("system/d.md", "---\ndescription: \"\"\nread_only: true\n---\n"),
		F("reference/e.md", "---\nlimit: 5\n---\n"),
		F("skills/flat.md", "---\ndescription: flat\n---\n"),
		F("system/f.md", "---\ndescription: F\n"),
	};

	(void)state;
	assert_int_equal(check(ok, sizeof(ok) / sizeof(ok[0]), out, sizeof(out)), 0);
	assert_int_equal(check(bad, sizeof(bad) / sizeof(bad[0]), out, sizeof(out)), 8);
	assert_non_null(strstr(out, "mem/system/a.md:1:1: missing frontmatter"));
	assert_non_null(strstr(out, "mem/system/b.md:3:1: unknown frontmatter key 'colour'"));
	assert_non_null(strstr(out, "mem/system/c.md:3:1: the value has 9 characters, over its limit of 3"));
	assert_non_null(strstr(out, "mem/system/d.md:2:1: 'description' must be a non-empty string"));
	assert_non_null(strstr(out, "mem/system/d.md:3:1: 'read_only' is a protected field"));
	assert_non_null(strstr(out, "mem/reference/e.md:1:1: missing required field 'description'"));
	assert_non_null(strstr(out, "mem/skills/flat.md:1:1: invalid skill path"));
	assert_non_null(strstr(out, "mem/system/f.md:1:1: frontmatter is not closed"));
}

static void test_memfiles__root_layout(void **state)
{
	char out[4096];
	const struct memfile ok[] = {
		F("MEMORY.md", "# Index\n"),
		F("persona.md", "---\nname: persona\ndescription: Who I am\n---\nI help.\n"),
		F("notes/loose.md", "a folder without MEMORY.md is not memory\n"),
	};
	const struct memfile bad[] = {
		F("MEMORY.md", "---\ndescription: no\n---\n"),
		F("persona.md", "---\ndescription: Who\nlimit: 3\n---\n"),
		F("team/MEMORY.md", "# team\n"),
		F("team/x.md", "no frontmatter\n"),
	};

	(void)state;
	assert_int_equal(check(ok, 3, out, sizeof(out)), 0);
	assert_int_equal(check(bad, 4, out, sizeof(out)), 4);
	assert_non_null(strstr(out, "mem/MEMORY.md:1:1: the index MEMORY.md takes no frontmatter"));
	assert_non_null(strstr(out, "mem/persona.md:3:1: unknown frontmatter key 'limit' (allowed: name description)"));
	assert_non_null(strstr(out, "mem/persona.md:1:1: missing required field 'name'"));
	assert_non_null(strstr(out, "mem/team/x.md:1:1: missing frontmatter"));
}

static void test_memfiles__config(void **state)
{
	char out[4096];
	const struct memfile f[] = {
		F(".memfs.config.json", "{\"version\":1,\"maxDepth\":1,\"maxFileCharacters\":40,\"maxCoreMemoryCharacters\":5}"),
		F("system/p/deep.md", "---\ndescription: D\n---\nabc\n"),
		F("system/q.md", "---\ndescription: Q\n---\nabc\n"),
		F("reference/long.md", "---\ndescription: L\n---\n0123456789012345678901234567890\n"),
	};
	const struct memfile bad[] = { F(".memfs.config.json", "{\"maxDepth\": -1") };

	(void)state;
	assert_int_equal(check(f, 4, out, sizeof(out)), 3);
	assert_non_null(strstr(out, "mem/system/p/deep.md:1:1: nested 2 folders deep, over maxDepth 1"));
	assert_non_null(strstr(out, "mem/reference/long.md:1:1: 55 characters, over maxFileCharacters 40"));
	assert_non_null(strstr(out, "mem/.memfs.config.json:1:1: in-prompt memory has 8 characters, over maxCoreMemoryCharacters 5"));
	assert_int_equal(check(bad, 1, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "mem/.memfs.config.json:1:"));
}

/* Skills are folders with a SKILL.md that names and describes the skill. */
static void test_memfiles__skills(void **state)
{
	char out[4096];
	const struct memfile f[] = {
		F("skills/a/SKILL.md", "---\nname: a\ndescription: A\n---\nbody\n"),
		F("skills/a/extra.txt", "x\n"),
		F("skills/b/notes.txt", "no SKILL.md here\n"),
		F("skills/b/other.txt", "still none\n"),
		F("skills/c/SKILL.md", "---\nname: c\n---\n"),
		F("skills/d/SKILL.md", "no frontmatter\n"),
	};

	(void)state;
	assert_int_equal(check(f, 6, out, sizeof(out)), 3);
	assert_non_null(strstr(out, "mem/skills/b/notes.txt:1:1: the skill folder skills/b has no SKILL.md"));
	assert_null(strstr(out, "mem/skills/b/other.txt"));
	assert_non_null(strstr(out, "mem/skills/c/SKILL.md:1:1: SKILL.md: missing required field 'description'"));
	assert_non_null(strstr(out, "mem/skills/d/SKILL.md:1:1: SKILL.md needs frontmatter"));
}

/* Inline files: frontmatter from the fields, quoted where YAML would read it otherwise. */
static void test_memfiles__render(void **state)
{
	struct buf b = BUF_INIT;
	json_t *f = json_pack("{s:s, s:s, s:i}", "path", "system/x.md", "description", "How: steps",
			      "limit", 10);
	json_t *bare = json_pack("{s:s}", "path", "notes.txt");

	(void)state;
	memfiles_render(&b, f, "body\n", 5);
	assert_string_equal(b.buf, "---\ndescription: \"How: steps\"\nlimit: 10\n---\nbody\n");
	buf_reset(&b);
	memfiles_render(&b, bare, "as is", 5);
	assert_string_equal(b.buf, "as is");
	assert_int_equal(memfiles_mode(NULL), MEMFILE_MANAGED);
	assert_int_equal(memfiles_mode(json_false()), MEMFILE_UNMANAGED);
	json_decref(f);
	json_decref(bare);
	f = json_string("seed");
	assert_int_equal(memfiles_mode(f), MEMFILE_SEED);
	json_decref(f);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memfiles__system_layout),
		cmocka_unit_test(test_memfiles__root_layout),
		cmocka_unit_test(test_memfiles__config),
		cmocka_unit_test(test_memfiles__skills),
		cmocka_unit_test(test_memfiles__render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
