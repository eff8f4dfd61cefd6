/*
 * Memory files (issue 25): the server's rules for an agent's memory repository, checked before
 * anything is pushed. The rules are docs/contract/memfs.md's ("Layout of the repository", "The root layout",
 * "Constraints file") as letta-sim's pre-receive hook enforces them (sim/memfs.c tree_check,
 * written from Letta Code 0.25.9's pre-commit hook): a push that breaks one is refused whole,
 * so letta-sync reports it as path:line:col instead.
 */
#include "core/memfiles.h"
#include "core/kinds/check.h"

#include "util/buf.h"
#include "util/jsonx.h"
#include "util/suggest.h"
#include "util/yamlx.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *memfiles_dir(const json_t *agent_spec)
{
	return jsonx_get_str(json_object_get(agent_spec, "memory"), "dir");
}

const json_t *memfiles_decl(const struct desired_state *ds, const char *name)
{
	const struct resource *a = desired_find(ds, KIND_AGENT, name), *t;
	const char *tn;
	const json_t *m;

	if (a && (m = json_object_get(a->spec, "memory")))
		return m;
	tn = a ? jsonx_get_str(a->spec, "template") : NULL;
	t = tn ? desired_find(ds, KIND_TEMPLATE, tn) : NULL;
	if (t && (m = json_object_get(json_object_get(t->spec, "agent"), "memory")))
		return m;
	return NULL;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/* Characters of UTF-8 text: the server's limits count characters, not bytes. */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static const struct memfile *find(const struct memfile *f, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].path, path))
			return &f[i];
	return NULL;
}

/* Folders in a path: "system/project/x.md" is 2. */
static int depth(const char *p)
{
	int d = 0;

	for (; *p; p++)
		d += *p == '/';
	return d;
}

/* Root layout: a file counts when every folder above it has its own MEMORY.md. */
static int root_counts(const struct memfile *f, size_t n, const char *path)
{
	struct buf b = BUF_INIT;
	const char *s;
	int ok = 1;

	for (s = strchr(path, '/'); s && ok; s = strchr(s + 1, '/')) {
		buf_reset(&b);
		buf_add(&b, path, (size_t)(s - path));
		buf_addstr(&b, "/MEMORY.md");
		ok = find(f, n, b.buf) != NULL;
	}
	buf_release(&b);
	return ok;
}

struct fm {
	json_t *v;     /* the frontmatter mapping, or NULL */
	json_t *pos;   /* its positions */
	size_t body;   /* offset of the body */
	int present;
};

/* Splits "---\n<yaml>---\n<body>". Returns -1 (with why) when the frontmatter is malformed. */
static int fm_parse(const struct memfile *f, struct fm *out, struct buf *why, int *line)
{
	struct yamlx_docs d = YAMLX_DOCS_INIT;
	struct ls_error e = LS_ERROR_INIT;
	const char *end;
	size_t yl;

	memset(out, 0, sizeof(*out));
	*line = 1;
	if (f->len < 4 || strncmp(f->data, "---\n", 4))
		return 0;
	out->present = 1;
	if (!strncmp(f->data + 4, "---\n", 4) || !strncmp(f->data + 4, "---", 4)) {
		end = f->data + 4;
	} else {
		end = strstr(f->data + 4, "\n---\n");
		if (!end && has_suffix(f->data, "\n---"))
			end = f->data + f->len - 4;
		if (!end) {
			buf_addstr(why, "frontmatter is not closed by a --- line");
			return -1;
		}
		end++;
	}
	yl = (size_t)(end - (f->data + 4));
	out->body = (size_t)(end - f->data) + 4 > f->len ? f->len : (size_t)(end - f->data) + 4;
	if (yamlx_parse(&d, f->data + 4, yl, &e) < 0) {
		buf_addf(why, "frontmatter: %s", *e.msg ? e.msg : "invalid YAML");
		*line = d.err_line ? d.err_line + 1 : 2;
		yamlx_docs_release(&d);
		ls_error_clear(&e);
		return -1;
	}
	if (d.n == 1 && json_is_object(d.items[0].value)) {
		out->v = json_incref(d.items[0].value);
		out->pos = json_incref(d.items[0].positions);
	} else if (d.n == 0 || json_is_null(d.items[0].value)) {
		out->v = json_object();
	} else {
		buf_addstr(why, "frontmatter must be a mapping of keys");
		yamlx_docs_release(&d);
		return -1;
	}
	yamlx_docs_release(&d);
	return 1;
}

/* Where key's value is in the file (the frontmatter starts on line 2). */
static void key_pos(const struct fm *m, const char *key, int *line, int *col)
{
	struct buf p = BUF_INIT;

	*line = 1;
	*col = 1;
	buf_addf(&p, "/%s", key);
	if (m->pos && yamlx_lookup(m->pos, p.buf, line, col) == 1)
		*line += 1;
	else
		*line = 1, *col = 1;
	buf_release(&p);
}

#define ERR(path, l, c, ...) diag_add(diags, DIAG_ERROR, path, l, c, __VA_ARGS__)

static void check_file(const struct memfile *all, size_t n, const struct memfile *f, int root,
		       long max_depth, long max_file, const char *file, struct diag_list *diags)
{
	struct fm m;
	struct buf why = BUF_INIT;
	int line, col, r;
	const char *k;
	json_t *v;

	if (max_depth >= 0 && depth(f->path) > max_depth)
		ERR(file, 1, 1, "nested %d folders deep, over maxDepth %ld of .memfs.config.json",
		    depth(f->path), max_depth);
	if (max_file >= 0 && chars(f->data, f->len) > (size_t)max_file)
		ERR(file, 1, 1, "%zu characters, over maxFileCharacters %ld of .memfs.config.json",
		    chars(f->data, f->len), max_file);
	r = fm_parse(f, &m, &why, &line);
	if (r < 0) {
		ERR(file, line, 1, "%s", why.buf);
		goto out;
	}
	if (root && !strcmp(f->path, "MEMORY.md")) {
		if (r > 0)
			ERR(file, 1, 1, "the index MEMORY.md takes no frontmatter");
		goto out;
	}
	if (root && has_suffix(f->path, "/MEMORY.md"))
		goto out;
	if (r == 0) {
		ERR(file, 1, 1, "missing frontmatter (must start with ---)");
		diag_hint(diags, "start the file with ---, a 'description: ...' line and ---");
		goto out;
	}
	if (root) {
		json_object_foreach(m.v, k, v) {
			if (strcmp(k, "name") && strcmp(k, "description")) {
				key_pos(&m, k, &line, &col);
				ERR(file, line, col, "unknown frontmatter key '%s' (allowed: name description)", k);
			}
		}
		v = json_object_get(m.v, "name");
		if (!json_is_string(v) || !*json_string_value(v))
			ERR(file, 1, 1, "missing required field 'name'");
	} else {
		json_object_foreach(m.v, k, v) {
			key_pos(&m, k, &line, &col);
			if (!strcmp(k, "read_only"))
				ERR(file, line, col, "'read_only' is a protected field and cannot be set by a push");
			else if (strcmp(k, "description") && strcmp(k, "limit"))
				ERR(file, line, col, "unknown frontmatter key '%s' (allowed: description read_only limit)", k);
		}
		v = json_object_get(m.v, "limit");
		key_pos(&m, "limit", &line, &col);
		if (v && (!json_is_integer(v) || json_integer_value(v) <= 0))
			ERR(file, line, col, "'limit' must be a positive integer");
		else if (v && chars(f->data + m.body, f->len - m.body) > (size_t)json_integer_value(v))
			ERR(file, line, col, "the value has %zu characters, over its limit of %lld",
			    chars(f->data + m.body, f->len - m.body), (long long)json_integer_value(v));
	}
	v = json_object_get(m.v, "description");
	key_pos(&m, "description", &line, &col);
	if (!v)
		ERR(file, 1, 1, "missing required field 'description'");
	else if (!json_is_string(v) || !*json_string_value(v))
		ERR(file, line, col, "'description' must be a non-empty string");
out:
	(void)all;
	(void)n;
	json_decref(m.v);
	json_decref(m.pos);
	buf_release(&why);
}

/*
 * A file of a skill folder skills/<name>/...: the folder needs its SKILL.md, and SKILL.md a
 * frontmatter with name and description (the Agent Skills format Letta Code loads; a skill
 * without a description is never offered to the agent). Checked once per folder, at SKILL.md
 * or, when it is missing, at the folder's first file.
 */
static void check_skill(const struct memfile *all, size_t n, const struct memfile *f,
			const char *file, struct diag_list *diags)
{
	const char *p = f->path, *slash = strchr(p + 7, '/');
	struct buf skill = BUF_INIT, why = BUF_INIT;
	const struct memfile *s;
	struct fm m;
	int line;

	buf_add(&skill, p, (size_t)(slash - p));
	buf_addstr(&skill, "/SKILL.md");
	s = find(all, n, skill.buf);
	if (!s) {
		/* Only at the folder's first file (the files are sorted by path). */
		if (f == all || strncmp(f[-1].path, skill.buf, (size_t)(slash - p) + 1))
			ERR(file, 1, 1, "the skill folder %.*s has no SKILL.md", (int)(slash - p), p);
		goto out;
	}
	if (s != f)
		goto out;
	if (fm_parse(f, &m, &why, &line) <= 0) {
		ERR(file, line, 1, "%s", why.len ? why.buf : "SKILL.md needs frontmatter (---, name: ..., description: ..., ---)");
	} else {
		const char *keys[] = { "name", "description" };

		for (int k = 0; k < 2; k++) {
			json_t *v = json_object_get(m.v, keys[k]);

			if (!json_is_string(v) || !*json_string_value(v))
				ERR(file, 1, 1, "SKILL.md: missing required field '%s'", keys[k]);
		}
	}
	json_decref(m.v);
	json_decref(m.pos);
out:
	buf_release(&skill);
	buf_release(&why);
}

/* In-prompt (block) files: .md files under system/, or the root layout's root .md files but MEMORY.md. */
static int in_prompt(const char *path, int root)
{
	if (!has_suffix(path, ".md"))
		return 0;
	if (root)
		return !strchr(path, '/') && strcmp(path, "MEMORY.md");
	return !strncmp(path, "system/", 7);
}

size_t memfiles_check(const struct memfile *f, size_t n, const char *prefix,
		      struct diag_list *diags)
{
	size_t before = diags->nerrors, core = 0;
	long max_depth = -1, max_file = -1, max_core = -1;
	const struct memfile *cf = find(f, n, ".memfs.config.json");
	int root = find(f, n, "MEMORY.md") != NULL;
	struct buf file = BUF_INIT;

#define PATH(p) (buf_reset(&file), buf_addf(&file, "%s%s%s", prefix, *prefix ? "/" : "", p), file.buf)
	if (cf) {
		json_error_t je;
		json_t *c = json_loadb(cf->data, cf->len, 0, &je);
		const char *keys[] = { "maxDepth", "maxFileCharacters", "maxCoreMemoryCharacters" };
		long *dst[] = { &max_depth, &max_file, &max_core };

		if (!json_is_object(c)) {
			ERR(PATH(cf->path), c ? 1 : je.line, c ? 1 : je.column,
			    "not a JSON object%s%s", c ? "" : ": ", c ? "" : je.text);
		} else {
			for (int k = 0; k < 3; k++) {
				json_t *v = json_object_get(c, keys[k]);

				if (!v || json_is_null(v))
					continue;
				if (!json_is_integer(v) || json_integer_value(v) < 0)
					ERR(PATH(cf->path), 1, 1, "'%s' must be a non-negative integer", keys[k]);
				else
					*dst[k] = (long)json_integer_value(v);
			}
		}
		json_decref(c);
	}
	for (size_t i = 0; i < n; i++) {
		const char *p = f[i].path;

		/* Skills are folders: skills/<name>/SKILL.md (Letta Code's pre-commit hook). */
		if (!strncmp(p, "skills/", 7)) {
			if (has_suffix(p, ".md") && !strchr(p + 7, '/')) {
				ERR(PATH(p), 1, 1, "invalid skill path (skills must be folders)");
				diag_hint(diags, "use skills/<name>/SKILL.md");
			} else if (strchr(p + 7, '/')) {
				check_skill(f, n, &f[i], PATH(p), diags);
			}
			continue;
		}
		if (!has_suffix(p, ".md"))
			continue;
		if (root ? !root_counts(f, n, p)
			 : strncmp(p, "system/", 7) && strncmp(p, "reference/", 10))
			continue;
		if (in_prompt(p, root)) {
			struct fm m;
			struct buf why = BUF_INIT;
			int l;

			if (fm_parse(&f[i], &m, &why, &l) >= 0)
				core += chars(f[i].data + m.body, f[i].len - m.body);
			json_decref(m.v);
			json_decref(m.pos);
			buf_release(&why);
		}
		check_file(f, n, &f[i], root, max_depth, max_file, PATH(p), diags);
	}
	if (max_core >= 0 && core > (size_t)max_core)
		ERR(PATH(".memfs.config.json"), 1, 1,
		    "in-prompt memory has %zu characters, over maxCoreMemoryCharacters %ld", core,
		    max_core);
#undef PATH
	buf_release(&file);
	return diags->nerrors - before;
}

int memfiles_managed(const json_t *agent_spec)
{
	const json_t *m = json_object_get(agent_spec, "memory");

	return json_is_object(m) &&
	       (json_is_string(json_object_get(m, "dir")) ||
		json_is_string(json_object_get(m, "skills")) ||
		json_array_size(json_object_get(m, "files")) > 0);
}

enum memfile_mode memfiles_mode(const json_t *managed)
{
	if (json_is_false(managed))
		return MEMFILE_UNMANAGED;
	if (json_is_string(managed) && !strcmp(json_string_value(managed), "seed"))
		return MEMFILE_SEED;
	return MEMFILE_MANAGED;
}

/*
 * A YAML scalar: plain when that reads back as the same string, else JSON's quoting. The same
 * rule as the server's rendering of a block (sim/memfs.c yaml_scalar), so that a block and the
 * file made from it are byte for byte the same.
 */
static void yaml_scalar(struct buf *out, const char *s)
{
	int plain = *s && !strchr("-?:,[]{}#&*!|>'\"%@` ", *s) && s[strlen(s) - 1] != ' ';
	json_t *str;
	char *j;

	for (const char *c = s; *c && plain; c++)
		plain = (unsigned char)*c >= 0x20 && *c != ':' && *c != '#' && *c != '\\';
	if (plain && (!strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "null") ||
		      strspn(s, "0123456789.+-eE") == strlen(s)))
		plain = 0;
	if (plain) {
		buf_addstr(out, s);
		return;
	}
	str = json_string(s);
	j = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
	json_decref(str);
	buf_addstr(out, j ? j : "\"\"");
	free(j);
}

void memfiles_render(struct buf *out, const json_t *file, const char *body, size_t len)
{
	const char *name = jsonx_get_str(file, "name"), *desc = jsonx_get_str(file, "description");
	const json_t *limit = json_object_get(file, "limit");

	if (name || desc || json_is_integer(limit)) {
		buf_addstr(out, "---\n");
		if (name) {
			buf_addstr(out, "name: ");
			yaml_scalar(out, name);
			buf_addch(out, '\n');
		}
		if (desc) {
			buf_addstr(out, "description: ");
			yaml_scalar(out, desc);
			buf_addch(out, '\n');
		}
		if (json_is_integer(limit))
			buf_addf(out, "limit: %lld\n", (long long)json_integer_value(limit));
		buf_addstr(out, "---\n");
	}
	buf_add(out, body ? body : "", len);
}

/* A path inside the config repository or the memory root: relative, no "..", no "//". */
static int path_ok(const char *p)
{
	if (!*p || *p == '/' || strstr(p, "//") || !strcmp(p, ".."))
		return 0;
	if (!strncmp(p, "../", 3) || strstr(p, "/../") || has_suffix(p, "/.."))
		return 0;
	return 1;
}

struct vd {
	const struct desired_state *ds;
	const struct resource *r;
	struct diag_list *diags;
	struct buf ptr;
};

__attribute__((format(__printf__, 3, 4))) static void vd_err(struct vd *v, const char *rel,
							    const char *fmt, ...)
{
	struct kind_check k = { v->ds, v->r, v->diags, NULL };
	struct buf p = BUF_INIT;
	va_list ap;

	buf_addf(&p, "%s%s", v->ptr.buf, rel);
	va_start(ap, fmt);
	kind_verr(&k, DIAG_ERROR, p.buf, fmt, ap);
	va_end(ap);
	buf_release(&p);
}

void memfiles_validate_decl(const struct desired_state *ds, const struct resource *r,
			    const json_t *mem, const char *base, struct diag_list *diags)
{
	static const char *const modes[] = { "seed", NULL };
	struct vd v = { ds, r, diags, BUF_INIT };
	json_t *seen = json_object();
	const json_t *files, *f;
	size_t i;

	if (!json_is_object(mem))
		goto out;
	buf_addf(&v.ptr, "%s/memory", base);
	if (!json_object_get(mem, "dir") && !json_object_get(mem, "files") &&
	    !json_object_get(mem, "skills"))
		vd_err(&v, "", "memory declares nothing: give dir, files or skills");
	{
		const char *keys[] = { "dir", "skills" };

		for (int k = 0; k < 2; k++) {
			const char *s = jsonx_get_str(mem, keys[k]);
			struct buf rel = BUF_INIT;

			buf_addf(&rel, "/%s", keys[k]);
			if (s && !path_ok(s))
				vd_err(&v, rel.buf, "memory.%s '%s' must be a folder inside the config repository (relative, without '..')",
				       keys[k], s);
			buf_release(&rel);
		}
	}
	files = json_object_get(mem, "files");
	json_array_foreach(json_is_array(files) ? files : NULL, i, f) {
		const char *path = jsonx_get_str(f, "path");
		const json_t *m = json_object_get(f, "managed"), *lim = json_object_get(f, "limit");
		const json_t *val = json_object_get(f, "value");
		int mode = memfiles_mode(m);
		struct buf rel = BUF_INIT;

		if (!json_is_object(f))
			continue;
		buf_addf(&rel, "/files/%zu", i);
		if (path && !path_ok(path)) {
			buf_addstr(&rel, "/path");
			vd_err(&v, rel.buf, "memory file path '%s' must be relative to the memory root, without '..'", path);
		} else if (path && json_object_get(seen, path)) {
			buf_addstr(&rel, "/path");
			vd_err(&v, rel.buf, "memory file '%s' is declared twice (one entry per path)", path);
		} else if (path) {
			json_object_set_new(seen, path, json_true());
		}
		buf_reset(&rel);
		buf_addf(&rel, "/files/%zu", i);
		if (json_is_string(m) && strcmp(json_string_value(m), "seed")) {
			const char *g = suggest(json_string_value(m), modes);

			buf_addstr(&rel, "/managed");
			vd_err(&v, rel.buf, "Invalid managed: %s (true, false or seed)", json_string_value(m));
			if (g)
				diag_hint(diags, "did you mean '%s'?", g);
		} else if (val && json_object_get(f, "from_file")) {
			buf_addstr(&rel, "/from_file");
			vd_err(&v, rel.buf, "give value or from_file, not both");
		} else if (!val && !json_object_get(f, "from_file") && mode != MEMFILE_UNMANAGED) {
			vd_err(&v, rel.buf, "memory file '%s' needs value or from_file (or managed: false)",
			       path ? path : "");
		} else if (json_is_string(json_object_get(f, "from_file")) &&
			   !path_ok(jsonx_get_str(f, "from_file"))) {
			buf_addstr(&rel, "/from_file");
			vd_err(&v, rel.buf, "from_file '%s' must be a file inside the config repository (relative, without '..')",
			       jsonx_get_str(f, "from_file"));
		}
		buf_reset(&rel);
		buf_addf(&rel, "/files/%zu", i);
		if (json_object_get(f, "read_only")) {
			buf_addstr(&rel, "/read_only");
			vd_err(&v, rel.buf, "'read_only' is a protected field: only the server or the user sets it (docs/contract/memfs.md)");
		} else if (lim && (!json_is_integer(lim) || json_integer_value(lim) <= 0)) {
			buf_addstr(&rel, "/limit");
			vd_err(&v, rel.buf, "'limit' must be a positive integer");
		} else if (lim && json_is_string(val) &&
			   chars(json_string_value(val), json_string_length(val)) >
				   (size_t)json_integer_value(lim)) {
			buf_addstr(&rel, "/value");
			vd_err(&v, rel.buf, "the value has %zu characters, over its limit of %lld",
			       chars(json_string_value(val), json_string_length(val)),
			       (long long)json_integer_value(lim));
		}
		buf_release(&rel);
	}
out:
	json_decref(seen);
	buf_release(&v.ptr);
}

void memfiles_render_block(struct buf *out, const char *label, const char *desc,
			   const char *value, long long limit, int read_only)
{
	buf_addstr(out, "---\ndescription: ");
	yaml_scalar(out, desc && *desc ? desc : label);
	buf_addch(out, '\n');
	if (limit >= 0)
		buf_addf(out, "limit: %lld\n", limit);
	if (read_only)
		buf_addstr(out, "read_only: true\n");
	buf_addstr(out, "---\n");
	buf_addstr(out, value ? value : "");
}

/* A Block without a limit is created with this one (core/plan.c BLOCK_LIMIT_DEFAULT). */
#define MEMFILES_BLOCK_LIMIT 100000

json_t *memfiles_from_blocks(const struct desired_state *ds, const char *agent)
{
	const struct resource *a = desired_find(ds, KIND_AGENT, agent), *t;
	const json_t *decl = memfiles_decl(ds, agent), *blocks, *e;
	json_t *out = json_array();
	struct buf content = BUF_INIT, path = BUF_INIT;
	size_t i;

	if (!a || !json_is_object(decl) ||
	    !(jsonx_get_str(decl, "dir") || jsonx_get_str(decl, "skills") ||
	      json_array_size(json_object_get(decl, "files"))))
		return out;
	blocks = json_object_get(a->spec, "blocks");
	if (!blocks) {
		const char *tn = jsonx_get_str(a->spec, "template");

		t = tn ? desired_find(ds, KIND_TEMPLATE, tn) : NULL;
		blocks = t ? json_object_get(json_object_get(t->spec, "agent"), "blocks") : NULL;
	}
	json_array_foreach(json_is_array(blocks) ? blocks : NULL, i, e) {
		const char *name = json_is_string(e) ? json_string_value(e) : jsonx_get_str(e, "name");
		const struct resource *b = name ? desired_find(ds, KIND_BLOCK, name) : NULL;
		json_t *f = json_object();
		const char *label, *value, *desc;
		json_int_t limit = -1;
		int mode;

		if (b) {
			if (json_is_true(json_object_get(b->spec, "readOnly")))
				goto skip;
			label = jsonx_get_str(b->spec, "label") ? jsonx_get_str(b->spec, "label") : b->name;
			value = jsonx_get_str(b->spec, "value");
			desc = jsonx_get_str(b->spec, "description");
			if (!desc)
				desc = jsonx_get_str(json_object_get(b->doc, "metadata"), "description");
			limit = json_is_integer(json_object_get(b->spec, "limit"))
					? json_integer_value(json_object_get(b->spec, "limit"))
					: MEMFILES_BLOCK_LIMIT;
			mode = b->managed == MANAGED_FALSE  ? MEMFILE_UNMANAGED
			       : b->managed == MANAGED_SEED ? MEMFILE_SEED
							    : MEMFILE_MANAGED;
		} else if (json_is_object(e) && jsonx_get_str(e, "label") &&
			   jsonx_get_str(e, "value") && !name) {
			if (json_is_true(json_object_get(e, "readOnly")))
				goto skip;
			label = jsonx_get_str(e, "label");
			value = jsonx_get_str(e, "value");
			desc = jsonx_get_str(e, "description");
			if (json_is_integer(json_object_get(e, "limit")))
				limit = json_integer_value(json_object_get(e, "limit"));
			mode = MEMFILE_SEED;
		} else {
			goto skip;
		}
		buf_reset(&content);
		buf_reset(&path);
		memfiles_render_block(&content, label, desc, value, (long long)limit, 0);
		buf_addf(&path, "system/%s.md", label);
		json_object_set_new(f, "label", json_string(label));
		json_object_set_new(f, "path", json_string(path.buf));
		json_object_set_new(f, "content", json_stringn(content.buf, content.len));
		json_object_set_new(f, "mode", json_integer(mode));
		json_object_set_new(f, "shared", json_boolean(b != NULL));
		json_array_append(out, f);
skip:
		json_decref(f);
	}
	buf_release(&content);
	buf_release(&path);
	return out;
}
