/*
 * MemFS: git-backed agent memory served over git's smart HTTP protocol
 * (docs/contract/memfs.md).
 *
 * An agent tagged `git-memory-enabled` owns a bare repository <root>/<agent-id>.git, where
 * <root> is a private temporary directory of this process. The git side is real git: the
 * `git` program's plumbing builds the server's own commits, and `git http-backend` (the CGI of
 * the git package) answers clone, fetch and push. Nothing here writes a pack by hand.
 *
 * Two directions, as docs/contract/memfs.md "Behaviour" has it:
 * - API -> git: after every API write, memfs_after_write() renders each tagged agent's attached
 *   blocks as files and commits the difference to `main` (author Letta <noreply@letta.com>).
 *   Letta Cloud does this by webhook 2-3 s later; we do it at once.
 * - git -> API: a push is checked by a pre-receive hook, which is this very program started as
 *   `letta-sim --memfs-pre-receive` by receive-pack. It reads the pushed objects from git's
 *   quarantine and refuses the whole push (nothing changes: the objects are dropped and no ref
 *   moves) when a file breaks a rule, naming file and rule on git's error channel. After an
 *   accepted push the new tree is projected onto the agent's blocks (create, update, detach).
 *
 * The repositories go into the --state file as base64 git bundles ("memfs_repos").
 */
#define _GNU_SOURCE
#include "sim.h"
#include "util/jsonx.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MEMFS_TAG "git-memory-enabled"
#define ZERO_OID "0000000000000000000000000000000000000000"
#define EMPTY_TREE "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

static char *g_root; /* the repositories' directory; NULL until memfs_init() */
static char g_exe[PATH_MAX];

/* ---- running programs ---- */

/*
 * Runs argv (argv[0] looked up in PATH) with environ plus extra "K=V" strings (which win), the
 * bytes in as stdin; collects stdout and stderr (either may be NULL = discarded). Files, not
 * pipes, carry the data, so that a child filling one stream while we fill another cannot
 * deadlock. posix_spawn is safe in a threaded process. Returns the exit status, or -1.
 */
static int run(const char *const *argv, const char *const *extra, const char *in, size_t inlen,
	       struct buf *out, struct buf *err)
{
	FILE *fi = tmpfile(), *fo = tmpfile(), *fe = tmpfile();
	posix_spawn_file_actions_t fa;
	char **envp;
	size_t n = 0, ne = 0, k;
	pid_t pid;
	int st = -1, rc = -1;
	char chunk[65536];
	size_t got;

	if (!fi || !fo || !fe)
		goto out;
	if (inlen && fwrite(in, 1, inlen, fi) != inlen)
		goto out;
	fflush(fi);
	rewind(fi);
	while (environ[n])
		n++;
	while (extra && extra[ne])
		ne++;
	envp = xcalloc(n + ne + 1, sizeof(*envp));
	k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t kl = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
		int overridden = 0;
		for (size_t j = 0; j < ne; j++)
			overridden |= !strncmp(extra[j], environ[i], kl);
		if (!overridden)
			envp[k++] = environ[i];
	}
	for (size_t j = 0; j < ne; j++)
		envp[k++] = (char *)extra[j];
	envp[k] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fileno(fi), 0);
	posix_spawn_file_actions_adddup2(&fa, fileno(fo), 1);
	posix_spawn_file_actions_adddup2(&fa, fileno(fe), 2);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, envp) == 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	}
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	if (out) {
		rewind(fo);
		while ((got = fread(chunk, 1, sizeof(chunk), fo)) > 0)
			buf_add(out, chunk, got);
	}
	if (err) {
		rewind(fe);
		while ((got = fread(chunk, 1, sizeof(chunk), fe)) > 0)
			buf_add(err, chunk, got);
	}
out:
	if (fi)
		fclose(fi);
	if (fo)
		fclose(fo);
	if (fe)
		fclose(fe);
	return rc;
}

static const char *const git_env[] = {
	"GIT_CONFIG_NOSYSTEM=1",         "GIT_CONFIG_GLOBAL=/dev/null",
	"GIT_AUTHOR_NAME=Letta",         "GIT_AUTHOR_EMAIL=noreply@letta.com",
	"GIT_COMMITTER_NAME=Letta",      "GIT_COMMITTER_EMAIL=noreply@letta.com",
	"GIT_TERMINAL_PROMPT=0",         NULL,
};

/* git --git-dir=<repo> args...; stdout into out (trailing newline trimmed when trim). */
static int git(const char *repo, const char *in, size_t inlen, struct buf *out, int trim,
	       const char *const *extra_env, ...)
{
	const char *argv[32];
	const char *env[16];
	struct buf gd = BUF_INIT, err = BUF_INIT;
	size_t n = 0, e = 0;
	const char *a;
	va_list ap;
	int rc;

	argv[n++] = "git";
	if (repo) {
		buf_addf(&gd, "--git-dir=%s", repo);
		argv[n++] = gd.buf;
	}
	va_start(ap, extra_env);
	while ((a = va_arg(ap, const char *)) != NULL && n < 31)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	for (size_t i = 0; git_env[i]; i++)
		env[e++] = git_env[i];
	for (size_t i = 0; extra_env && extra_env[i] && e < 15; i++)
		env[e++] = extra_env[i];
	env[e] = NULL;
	rc = run(argv, env, in, inlen, out, &err);
	if (rc != 0)
		fprintf(stderr, "letta-sim: git %s failed (%d): %s", argv[repo ? 2 : 1], rc,
			err.len ? err.buf : "\n");
	if (out && trim)
		while (out->len && (out->buf[out->len - 1] == '\n' || out->buf[out->len - 1] == '\r'))
			buf_setlen(out, out->len - 1);
	buf_release(&gd);
	buf_release(&err);
	return rc;
}

/* ---- small helpers ---- */

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

static const char b64c[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(struct buf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		buf_addch(out, b64c[v >> 18 & 63]);
		buf_addch(out, b64c[v >> 12 & 63]);
		buf_addch(out, i + 1 < n ? b64c[v >> 6 & 63] : '=');
		buf_addch(out, i + 2 < n ? b64c[v & 63] : '=');
	}
}

static int b64_decode(struct buf *out, const char *s)
{
	unsigned v = 0;
	int bits = 0;

	for (; *s; s++) {
		const char *c;
		if (*s == '=' || *s == '\n')
			continue;
		c = strchr(b64c, *s);
		if (!c)
			return -1;
		v = v << 6 | (unsigned)(c - b64c);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (char)(v >> bits & 0xff));
		}
	}
	return 0;
}

static void repo_path(struct buf *out, const char *agent_id)
{
	buf_addf(out, "%s/%s.git", g_root, agent_id);
}

static int repo_exists(const char *agent_id)
{
	struct buf p = BUF_INIT;
	struct stat sb;
	int ok;

	repo_path(&p, agent_id);
	ok = stat(p.buf, &sb) == 0 && S_ISDIR(sb.st_mode);
	buf_release(&p);
	return ok;
}

int memfs_agent_enabled(const json_t *a)
{
	return a && strarr_has(json_object_get(a, "_tags"), MEMFS_TAG);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- frontmatter and the rules (docs/contract/memfs.md "Layout of the repository") ---- */

/*
 * Splits "---\n<yaml>\n---\n<body>". Returns 1 with *fm (an object, owned) and *body_off when
 * the text has frontmatter, 0 when it does not start with "---", -1 with why filled when the
 * frontmatter is broken.
 */
static int fm_split(const char *t, size_t n, json_t **fm, size_t *body_off, struct buf *why)
{
	size_t i, start;
	struct yamlx_docs docs = YAMLX_DOCS_INIT;
	struct ls_error e = LS_ERROR_INIT;

	*fm = NULL;
	if (n < 3 || memcmp(t, "---", 3) || (n > 3 && t[3] != '\n' && t[3] != '\r'))
		return 0;
	i = 3;
	while (i < n && t[i] != '\n')
		i++;
	start = ++i;
	while (i < n) {
		size_t e2 = i;
		while (e2 < n && t[e2] != '\n')
			e2++;
		if (e2 - i >= 3 && !memcmp(t + i, "---", 3) &&
		    (e2 - i == 3 || (e2 - i == 4 && t[i + 3] == '\r'))) {
			*body_off = e2 < n ? e2 + 1 : n;
			if (i == start) {
				*fm = json_object();
				return 1;
			}
			if (yamlx_parse(&docs, t + start, i - start, &e) < 0 || docs.n != 1) {
				buf_addf(why, "frontmatter is not valid YAML%s%s",
					 e.msg[0] ? ": " : "", e.msg);
				yamlx_docs_release(&docs);
				return -1;
			}
			if (json_is_null(docs.items[0].value)) {
				*fm = json_object();
			} else if (!json_is_object(docs.items[0].value)) {
				buf_addstr(why, "frontmatter must be a mapping of keys to values");
				yamlx_docs_release(&docs);
				return -1;
			} else {
				*fm = json_incref(docs.items[0].value);
			}
			yamlx_docs_release(&docs);
			return 1;
		}
		i = e2 + 1;
	}
	buf_addstr(why, "frontmatter opened but never closed (missing closing ---)");
	return -1;
}

enum layout { LAYOUT_SYSTEM, LAYOUT_ROOT };

/* A file of the tree: path, blob id and (when read) its bytes. */
struct tfile {
	char *path;
	char *oid;
	struct buf data;
};

struct tree {
	struct tfile *f;
	size_t n, alloc;
};

static void tree_release(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->f[i].path);
		free(t->f[i].oid);
		buf_release(&t->f[i].data);
	}
	free(t->f);
	memset(t, 0, sizeof(*t));
}

static struct tfile *tree_get(const struct tree *t, const char *path)
{
	for (size_t i = 0; i < t->n; i++) {
		if (!strcmp(t->f[i].path, path))
			return &t->f[i];
	}
	return NULL;
}

/* Reads every blob of commit rev (NULL repo = the current GIT_DIR, in the hook). */
static int tree_read(struct tree *t, const char *repo, const char *rev)
{
	struct buf ls = BUF_INIT, req = BUF_INIT, cat = BUF_INIT;
	size_t i = 0, pos = 0;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (git(repo, NULL, 0, &ls, 0, NULL, "ls-tree", "-r", "-z", "--full-tree", rev, NULL))
		goto out;
	while (i < ls.len) {
		/* "<mode> <type> <oid>\t<path>\0" */
		char *line = ls.buf + i, *tab = strchr(line, '\t');
		size_t ll = strlen(line);
		if (tab && !strncmp(line + 7, "blob ", 5)) {
			t->f = xgrow(t->f, sizeof(*t->f), t->n + 1, &t->alloc);
			t->f[t->n].path = xstrdup(tab + 1);
			t->f[t->n].oid = xstrndup(line + 12, (size_t)(tab - line - 12));
			buf_init(&t->f[t->n].data);
			buf_addf(&req, "%s\n", t->f[t->n].oid);
			t->n++;
		}
		i += ll + 1;
	}
	if (t->n && git(repo, req.buf, req.len, &cat, 0, NULL, "cat-file", "--batch", NULL))
		goto out;
	/* "<oid> blob <size>\n<bytes>\n" per request, in order. */
	for (size_t k = 0; k < t->n; k++) {
		char *nl = memchr(cat.buf + pos, '\n', cat.len - pos);
		char *sp;
		size_t size;
		if (!nl)
			goto out;
		*nl = 0;
		sp = strrchr(cat.buf + pos, ' ');
		if (!sp)
			goto out;
		size = strtoul(sp + 1, NULL, 10);
		pos = (size_t)(nl - cat.buf) + 1;
		if (pos + size > cat.len)
			goto out;
		buf_add(&t->f[k].data, cat.buf + pos, size);
		pos += size + 1;
	}
	rc = 0;
out:
	buf_release(&ls);
	buf_release(&req);
	buf_release(&cat);
	return rc;
}

static enum layout tree_layout(const struct tree *t)
{
	return tree_get(t, "MEMORY.md") ? LAYOUT_ROOT : LAYOUT_SYSTEM;
}

/* Folders in the path: "system/project/x.md" -> 2. */
static int path_depth(const char *p)
{
	int d = 0;

	for (; *p; p++)
		d += *p == '/';
	return d;
}

/* Root layout: a .md file counts when every folder on its path has its own MEMORY.md. */
static int root_counts(const struct tree *t, const char *path)
{
	struct buf dir = BUF_INIT;
	const char *s;
	int ok = 1;

	for (s = strchr(path, '/'); s && ok; s = strchr(s + 1, '/')) {
		buf_reset(&dir);
		buf_add(&dir, path, (size_t)(s - path));
		buf_addstr(&dir, "/MEMORY.md");
		ok = tree_get(t, dir.buf) != NULL;
	}
	buf_release(&dir);
	return ok;
}

/* Whether path is an in-prompt file (a block) in this layout; label filled when it is. */
static int in_prompt(const struct tree *t, enum layout lay, const char *path, struct buf *label)
{
	size_t n = strlen(path);

	if (!has_suffix(path, ".md"))
		return 0;
	if (lay == LAYOUT_SYSTEM) {
		if (strncmp(path, "system/", 7) || n <= 10)
			return 0;
		if (label)
			buf_add(label, path + 7, n - 10);
		return 1;
	}
	(void)t;
	if (strchr(path, '/') || !strcmp(path, "MEMORY.md"))
		return 0;
	if (label)
		buf_add(label, path, n - 3);
	return 1;
}

/* Which files the rules look at (docs/contract/memfs.md; Letta Code's pre-commit hook). */
static int is_memory_md(const struct tree *t, enum layout lay, const char *path)
{
	if (!has_suffix(path, ".md"))
		return 0;
	if (lay == LAYOUT_SYSTEM)
		return !strncmp(path, "system/", 7) || !strncmp(path, "reference/", 10);
	if (!strncmp(path, "skills/", 7))
		return 0;
	return root_counts(t, path);
}

static int is_index(const char *path)
{
	return !strcmp(path, "MEMORY.md") || has_suffix(path, "/MEMORY.md");
}

/* The body after the frontmatter, for limit and size checks. */
struct parsed {
	json_t *fm; /* NULL when none */
	const char *body;
	size_t body_len;
};

static int file_parse(const struct tfile *f, struct parsed *p, struct buf *why)
{
	size_t off = 0;
	int r = fm_split(f->data.buf, f->data.len, &p->fm, &off, why);

	if (r < 0)
		return -1;
	p->body = f->data.buf + (r ? off : 0);
	p->body_len = f->data.len - (r ? off : 0);
	return r;
}

static int ro_of(const json_t *fm)
{
	return fm && json_is_true(json_object_get(fm, "read_only"));
}

/*
 * Checks the tree of a push against the rules; old (may be empty) is main before it. Appends
 * "  <path>: <rule>" lines to errs. Returns the number of errors.
 */
static int tree_check(const struct tree *t, const struct tree *old, struct buf *errs)
{
	enum layout lay = tree_layout(t);
	struct tfile *cf = tree_get(t, ".memfs.config.json");
	long max_depth = -1, max_file = -1, max_core = -1;
	size_t core = 0;
	int nerr = 0;

#define ERR(path, ...)                                                                         \
	do {                                                                                   \
		buf_addf(errs, "  %s: ", path);                                                \
		buf_addf(errs, __VA_ARGS__);                                                   \
		buf_addch(errs, '\n');                                                         \
		nerr++;                                                                        \
	} while (0)

	if (cf) {
		json_t *c = json_loadb(cf->data.buf, cf->data.len, 0, NULL);
		const char *keys[] = { "maxDepth", "maxFileCharacters", "maxCoreMemoryCharacters" };
		long *dst[] = { &max_depth, &max_file, &max_core };
		if (!json_is_object(c)) {
			ERR(cf->path, "not a JSON object");
		} else {
			for (int k = 0; k < 3; k++) {
				json_t *v = json_object_get(c, keys[k]);
				if (!v || json_is_null(v))
					continue;
				if (!json_is_integer(v) || json_integer_value(v) < 0)
					ERR(cf->path, "'%s' must be a non-negative integer", keys[k]);
				else
					*dst[k] = (long)json_integer_value(v);
			}
		}
		json_decref(c);
	}
	/* The in-prompt total counts every block file, changed or not. */
	for (size_t i = 0; max_core >= 0 && i < t->n; i++) {
		struct parsed p = { 0 };
		struct buf why = BUF_INIT;
		if (in_prompt(t, lay, t->f[i].path, NULL) && file_parse(&t->f[i], &p, &why) >= 0)
			core += utf8_chars(p.body, p.body_len);
		json_decref(p.fm);
		buf_release(&why);
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct tfile *f = &t->f[i];
		const struct tfile *of = old ? tree_get(old, f->path) : NULL;
		struct parsed p = { 0 }, op = { 0 };
		struct buf why = BUF_INIT;
		const char *k;
		json_t *v;
		int r;

		/*
		 * Only what the push adds or changes is checked (Letta Code's hook checks the staged
		 * files), so a file the server wrote itself never blocks a later push.
		 */
		if (of && !strcmp(of->oid, f->oid))
			continue;
		/* Skills are folders: skills/<name>/SKILL.md (Letta Code's pre-commit hook). */
		if (!strncmp(f->path, "skills/", 7) && has_suffix(f->path, ".md") &&
		    !strchr(f->path + 7, '/')) {
			ERR(f->path, "invalid skill path (skills must be folders). Use "
				     "skills/<name>/SKILL.md");
			continue;
		}
		if (!is_memory_md(t, lay, f->path))
			continue;
		if (max_depth >= 0 && path_depth(f->path) > max_depth)
			ERR(f->path, "nested %d folders deep, over maxDepth %ld of .memfs.config.json",
			    path_depth(f->path), max_depth);
		if (max_file >= 0 && utf8_chars(f->data.buf, f->data.len) > (size_t)max_file)
			ERR(f->path, "%zu characters, over maxFileCharacters %ld of .memfs.config.json",
			    utf8_chars(f->data.buf, f->data.len), max_file);
		/* read_only files are protected: only the server or the user changes them. */
		if (of && file_parse(of, &op, &why) > 0 && ro_of(op.fm)) {
			ERR(f->path, "file is read_only and cannot be modified");
			json_decref(op.fm);
			buf_release(&why);
			continue;
		}
		buf_reset(&why);
		r = file_parse(f, &p, &why);
		if (r < 0) {
			ERR(f->path, "%s", why.buf);
			goto next;
		}
		if (lay == LAYOUT_ROOT && is_index(f->path)) {
			if (r > 0)
				ERR(f->path, "the index MEMORY.md takes no frontmatter");
			goto next;
		}
		if (r == 0) {
			ERR(f->path, "missing frontmatter (must start with ---)");
			goto next;
		}
		if (lay == LAYOUT_ROOT) {
			/* Root layout: exactly `name` and `description`. */
			json_object_foreach(p.fm, k, v) {
				if (strcmp(k, "name") && strcmp(k, "description"))
					ERR(f->path, "unknown frontmatter key '%s' (allowed: name description)", k);
			}
			if (!json_is_string(json_object_get(p.fm, "name")) ||
			    !*json_string_value(json_object_get(p.fm, "name")))
				ERR(f->path, "missing required field 'name'");
		} else {
			const char *ro_old = NULL, *ro_new = NULL;
			json_object_foreach(p.fm, k, v) {
				if (strcmp(k, "description") && strcmp(k, "limit") &&
				    strcmp(k, "read_only"))
					ERR(f->path, "unknown frontmatter key '%s' (allowed: description read_only limit)", k);
			}
			v = json_object_get(p.fm, "limit");
			if (v && (!json_is_integer(v) || json_integer_value(v) <= 0))
				ERR(f->path, "'limit' must be a positive integer");
			else if (v && utf8_chars(p.body, p.body_len) > (size_t)json_integer_value(v))
				ERR(f->path, "the value has %zu characters, over its limit of %lld",
				    utf8_chars(p.body, p.body_len), (long long)json_integer_value(v));
			v = json_object_get(p.fm, "read_only");
			if (v && !json_is_boolean(v))
				ERR(f->path, "'read_only' must be true or false");
			ro_new = v ? (json_is_true(v) ? "true" : "false") : NULL;
			if (of && file_parse(of, &op, &why) > 0 && json_object_get(op.fm, "read_only"))
				ro_old = ro_of(op.fm) ? "true" : "false";
			if (ro_new && !ro_old)
				ERR(f->path, "'read_only' is a protected field and cannot be set by a push");
			else if (ro_old && !ro_new)
				ERR(f->path, "'read_only' is a protected field and cannot be removed by a push");
			else if (ro_old && strcmp(ro_old, ro_new))
				ERR(f->path, "'read_only' is a protected field and cannot be changed by a push");
		}
		v = json_object_get(p.fm, "description");
		if (!v)
			ERR(f->path, "missing required field 'description'");
		else if (!json_is_string(v) || !*json_string_value(v))
			ERR(f->path, "'description' must be a non-empty string");
next:
		json_decref(p.fm);
		json_decref(op.fm);
		buf_release(&why);
	}
	/* A deleted read_only file is a change to it too. */
	for (size_t i = 0; old && i < old->n; i++) {
		struct parsed op = { 0 };
		struct buf why = BUF_INIT;
		if (!tree_get(t, old->f[i].path) && has_suffix(old->f[i].path, ".md") &&
		    file_parse(&old->f[i], &op, &why) > 0 && ro_of(op.fm))
			ERR(old->f[i].path, "file is read_only and cannot be deleted");
		json_decref(op.fm);
		buf_release(&why);
	}
	if (max_core >= 0 && core > (size_t)max_core)
		ERR(".memfs.config.json", "in-prompt memory has %zu characters, over "
					   "maxCoreMemoryCharacters %ld", core, max_core);
#undef ERR
	return nerr;
}

/* ---- the pre-receive hook (a child of receive-pack, which is a child of http-backend) ---- */

int memfs_hook_main(void)
{
	char line[1024];
	struct buf errs = BUF_INIT;
	int nerr = 0;

	xalloc_setup_jansson();
	while (fgets(line, sizeof(line), stdin)) {
		char old[64], new[64], ref[900];
		struct tree t, o;
		if (sscanf(line, "%63s %63s %899s", old, new, ref) != 3)
			continue;
		if (strcmp(ref, "refs/heads/main")) {
			buf_addf(&errs, "  %s: only refs/heads/main holds memory; push to main\n", ref);
			nerr++;
			continue;
		}
		if (!strcmp(new, ZERO_OID)) {
			buf_addstr(&errs, "  refs/heads/main: the memory branch cannot be deleted\n");
			nerr++;
			continue;
		}
		if (tree_read(&t, NULL, new) < 0) {
			buf_addf(&errs, "  %s: cannot read the pushed tree\n", new);
			nerr++;
			tree_release(&t);
			continue;
		}
		memset(&o, 0, sizeof(o));
		if (strcmp(old, ZERO_OID) && tree_read(&o, NULL, old) < 0)
			tree_release(&o);
		nerr += tree_check(&t, o.n ? &o : NULL, &errs);
		tree_release(&t);
		tree_release(&o);
	}
	if (nerr) {
		fprintf(stderr, "letta-sim: memory push refused, nothing changed (%d error%s):\n%s",
			nerr, nerr == 1 ? "" : "s", errs.buf);
	}
	buf_release(&errs);
	return nerr ? 1 : 0;
}

/* ---- blocks <-> files ---- */

/* A YAML scalar for s: plain when safe, else a JSON string (valid YAML double-quoted). */
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

/* A block as its file: path and content, in the agent's layout. */
static void block_file(const json_t *b, enum layout lay, struct buf *path, struct buf *content)
{
	const char *label = jsonx_get_str(b, "label") ? jsonx_get_str(b, "label") : "";
	const char *desc = jsonx_get_str(b, "description");
	json_t *v = json_object_get(b, "value");

	if (!desc || !*desc)
		desc = label;
	buf_addf(path, "%s%s.md", lay == LAYOUT_ROOT ? "" : "system/", label);
	buf_addstr(content, "---\n");
	if (lay == LAYOUT_ROOT) {
		buf_addstr(content, "name: ");
		yaml_scalar(content, label);
		buf_addch(content, '\n');
	}
	buf_addstr(content, "description: ");
	yaml_scalar(content, desc);
	buf_addch(content, '\n');
	if (lay == LAYOUT_SYSTEM) {
		if (json_is_integer(json_object_get(b, "limit")))
			buf_addf(content, "limit: %lld\n",
				 (long long)json_integer_value(json_object_get(b, "limit")));
		if (json_is_true(json_object_get(b, "read_only")))
			buf_addstr(content, "read_only: true\n");
	}
	buf_addstr(content, "---\n");
	if (json_is_string(v))
		buf_add(content, json_string_value(v), json_string_length(v));
}

static enum layout agent_layout(const json_t *a)
{
	const char *l = jsonx_get_str(json_object_get(a, "_memfs"), "layout");

	return l && !strcmp(l, "root") ? LAYOUT_ROOT : LAYOUT_SYSTEM;
}

/* path -> content of every attached block, as the agent's files. */
static json_t *agent_render_files(const json_t *a)
{
	json_t *files = json_object(), *id;
	enum layout lay = agent_layout(a);
	size_t i;

	json_array_foreach(json_object_get(a, "_blocks"), i, id) {
		json_t *b = coll_find(&g_store.blocks, json_string_value(id));
		struct buf p = BUF_INIT, c = BUF_INIT;
		if (!b)
			continue;
		block_file(b, lay, &p, &c);
		json_object_set_new(files, p.buf, json_stringn(c.buf, c.len));
		buf_release(&p);
		buf_release(&c);
	}
	return files;
}

/*
 * Commits changes (path -> content string, or null = delete) on top of parent (NULL = a root
 * commit) and moves main from parent to it. The new commit id goes to out. 0 or -1.
 */
static int commit_files(const char *repo, const char *agent_id, const char *parent,
			const json_t *changes, const char *msg, struct buf *out)
{
	struct buf idx = BUF_INIT, envi = BUF_INIT, info = BUF_INIT, tree = BUF_INIT;
	const char *env[2];
	const char *path;
	json_t *v;
	int rc = -1;

	buf_addf(&idx, "%s/%s.index", g_root, agent_id);
	buf_addf(&envi, "GIT_INDEX_FILE=%s", idx.buf);
	env[0] = envi.buf;
	env[1] = NULL;
	unlink(idx.buf);
	if (git(repo, NULL, 0, NULL, 0, env, "read-tree", parent ? parent : "--empty", NULL))
		goto out;
	json_object_foreach((json_t *)changes, path, v) {
		if (json_is_string(v)) {
			struct buf oid = BUF_INIT;
			if (git(repo, json_string_value(v), json_string_length(v), &oid, 1, NULL,
				"hash-object", "-w", "--stdin", NULL)) {
				buf_release(&oid);
				goto out;
			}
			buf_addf(&info, "100644 %s\t%s%c", oid.buf, path, 0);
			buf_release(&oid);
		} else {
			buf_addf(&info, "0 %s\t%s%c", ZERO_OID, path, 0);
		}
	}
	if (info.len && git(repo, info.buf, info.len, NULL, 0, env, "update-index", "-z",
			    "--index-info", NULL))
		goto out;
	if (git(repo, NULL, 0, &tree, 1, env, "write-tree", NULL))
		goto out;
	if (parent ? git(repo, NULL, 0, out, 1, NULL, "commit-tree", tree.buf, "-p", parent, "-m",
			 msg, NULL)
		   : git(repo, NULL, 0, out, 1, NULL, "commit-tree", tree.buf, "-m", msg, NULL))
		goto out;
	if (git(repo, NULL, 0, NULL, 0, NULL, "update-ref", "-m", msg, "refs/heads/main", out->buf,
		parent ? parent : ZERO_OID, NULL))
		goto out;
	rc = 0;
out:
	unlink(idx.buf);
	buf_release(&idx);
	buf_release(&envi);
	buf_release(&info);
	buf_release(&tree);
	return rc;
}

static int main_head(const char *repo, struct buf *out)
{
	return git(repo, NULL, 0, out, 1, NULL, "rev-parse", "--verify", "-q", "refs/heads/main",
		   NULL);
}

static void set_memfs(json_t *a, const char *head, json_t *files_take, enum layout lay)
{
	json_object_set_new(a, "_memfs",
			    json_pack("{s:s,s:o,s:s}", "head", head, "files", files_take, "layout",
				      lay == LAYOUT_ROOT ? "root" : "system"));
}

static int repo_init(const char *repo)
{
	struct buf hook = BUF_INIT, script = BUF_INIT;
	FILE *fp;
	int rc = -1;

	if (git(NULL, NULL, 0, NULL, 0, NULL, "init", "-q", "--bare", "-b", "main", repo, NULL) ||
	    git(repo, NULL, 0, NULL, 0, NULL, "config", "receive.denyNonFastForwards", "true", NULL) ||
	    git(repo, NULL, 0, NULL, 0, NULL, "config", "receive.denyDeletes", "true", NULL) ||
	    git(repo, NULL, 0, NULL, 0, NULL, "config", "http.receivepack", "true", NULL))
		goto out;
	/* The hook is this program; leak checks off there, its exit code decides the push. */
	buf_addf(&hook, "%s/hooks/pre-receive", repo);
	buf_addf(&script,
		 "#!/bin/sh\nASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" "
		 "exec '%s' --memfs-pre-receive\n",
		 g_exe);
	fp = fopen(hook.buf, "w");
	if (!fp || fputs(script.buf, fp) < 0 || fclose(fp) != 0 || chmod(hook.buf, 0755) < 0)
		goto out;
	rc = 0;
out:
	buf_release(&hook);
	buf_release(&script);
	return rc;
}

/* A new repository from the agent's blocks (docs/contract/memfs.md: "the server then creates the repository"). */
static int repo_create(json_t *a)
{
	const char *id = jsonx_get_str(a, "id");
	struct buf repo = BUF_INIT, head = BUF_INIT;
	json_t *files;
	int rc = -1;

	repo_path(&repo, id);
	/* A stale directory (an agent id reused by a loaded state): start over. */
	if (repo_exists(id))
		rm_tree(repo.buf);
	json_object_del(a, "_memfs");
	if (repo_init(repo.buf) < 0)
		goto out;
	files = agent_render_files(a);
	if (commit_files(repo.buf, id, NULL, files, "Initial memory from the agent's blocks",
			 &head) < 0) {
		json_decref(files);
		goto out;
	}
	set_memfs(a, head.buf, files, LAYOUT_SYSTEM);
	rc = 0;
out:
	buf_release(&repo);
	buf_release(&head);
	return rc;
}

/* API -> git for one agent: commits the blocks that differ from the last projection. */
static void agent_sync_to_git(json_t *a)
{
	const char *id = jsonx_get_str(a, "id");
	json_t *mf = json_object_get(a, "_memfs");
	json_t *want, *have, *changes, *v;
	struct buf repo = BUF_INIT, head = BUF_INIT, cur = BUF_INIT;
	const char *k;

	if (!mf || !repo_exists(id)) {
		if (repo_create(a) < 0)
			fprintf(stderr, "letta-sim: cannot create the memory repository of %s\n", id);
		return;
	}
	want = agent_render_files(a);
	have = json_object_get(mf, "files");
	changes = json_object();
	json_object_foreach(want, k, v) {
		if (!json_equal(v, json_object_get(have, k)))
			json_object_set(changes, k, v);
	}
	json_object_foreach(have, k, v) {
		if (!json_object_get(want, k))
			json_object_set_new(changes, k, json_null());
	}
	if (json_object_size(changes)) {
		repo_path(&repo, id);
		if (main_head(repo.buf, &cur) == 0 &&
		    commit_files(repo.buf, id, cur.buf, changes, "Update memory from the Letta API",
				 &head) == 0)
			set_memfs(a, head.buf, json_incref(want), agent_layout(a));
	}
	json_decref(changes);
	json_decref(want);
	buf_release(&repo);
	buf_release(&head);
	buf_release(&cur);
}

void memfs_after_write(void)
{
	if (!g_root)
		return;
	for (size_t i = 0; i < g_store.agents.n; i++) {
		if (memfs_agent_enabled(g_store.agents.v[i]))
			agent_sync_to_git(g_store.agents.v[i]);
	}
}

/* git -> API: the tree at main becomes the agent's blocks (after an accepted push). */
static void agent_sync_from_git(json_t *a, const char *head)
{
	const char *id = jsonx_get_str(a, "id");
	struct buf repo = BUF_INIT;
	struct tree t;
	enum layout lay;
	json_t *labels = json_object(), *blocks = json_object_get(a, "_blocks");
	size_t i;

	repo_path(&repo, id);
	if (tree_read(&t, repo.buf, head) < 0) {
		fprintf(stderr, "letta-sim: cannot read the tree of %s at %s\n", id, head);
		tree_release(&t);
		goto out;
	}
	lay = tree_layout(&t);
	for (i = 0; i < t.n; i++) {
		struct buf label = BUF_INIT, why = BUF_INIT;
		struct parsed p = { 0 };
		if (in_prompt(&t, lay, t.f[i].path, &label) && file_parse(&t.f[i], &p, &why) > 0) {
			json_t *fields = json_pack("{s:s%}", "value", p.body, p.body_len);
			json_t *v;
			if ((v = json_object_get(p.fm, "description")) && json_is_string(v))
				json_object_set(fields, "description", v);
			if ((v = json_object_get(p.fm, "limit")) && json_is_integer(v))
				json_object_set(fields, "limit", v);
			if ((v = json_object_get(p.fm, "read_only")) && json_is_boolean(v))
				json_object_set(fields, "read_only", v);
			json_object_set_new(labels, label.buf, fields);
		}
		json_decref(p.fm);
		buf_release(&label);
		buf_release(&why);
	}
	/* Update or detach what is attached; then create and attach the new labels. */
	for (i = 0; i < json_array_size(blocks);) {
		json_t *b = coll_find(&g_store.blocks, json_string_value(json_array_get(blocks, i)));
		json_t *fields = b ? json_object_get(labels, jsonx_get_str(b, "label")) : NULL;
		if (b && !fields) {
			json_array_remove(blocks, i);
			continue;
		}
		if (fields) {
			json_object_update(b, fields);
			json_object_del(labels, jsonx_get_str(b, "label"));
		}
		i++;
	}
	{
		const char *label;
		json_t *fields;
		json_object_foreach(labels, label, fields) {
			json_t *body = json_deep_copy(fields), *b;
			json_object_set_new(body, "label", json_string(label));
			b = block_create_from(body, jsonx_get_str(a, "project_id"));
			json_array_append(blocks, json_object_get(b, "id"));
			json_decref(body);
		}
	}
	json_object_set_new(a, "_memfs", json_pack("{s:s}", "layout",
						   lay == LAYOUT_ROOT ? "root" : "system"));
	set_memfs(a, head, agent_render_files(a), lay);
	{
		char *now = store_now_iso();
		json_object_set_new(a, "updated_at", json_string(now));
		free(now);
	}
	tree_release(&t);
out:
	json_decref(labels);
	buf_release(&repo);
}

/* ---- git smart HTTP (git http-backend as a CGI) ---- */

/* The agent behind a git route, or NULL after a 404 (unknown, or without the tag). */
static json_t *git_agent(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = coll_find(&g_store.agents, req_param(rq, 0));

	if (!a || !memfs_agent_enabled(a)) {
		resp_detail(rs, 404, "Agent with id '%s' has no git-backed memory (tag '%s')",
			    req_param(rq, 0), MEMFS_TAG);
		return NULL;
	}
	if (!json_object_get(a, "_memfs") || !repo_exists(req_param(rq, 0)))
		agent_sync_to_git(a);
	return a;
}

static void cgi(struct sim_req *rq, struct sim_resp *rs, const char *tail)
{
	const char *argv[] = { "git", "http-backend", NULL };
	const char *env[24];
	struct buf e[16];
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *h, *svc = req_arg(rq, "service");
	size_t ne = 0, nb = 0;
	char *sep, *hdrs;
	size_t hlen;
	int rc;

	for (size_t i = 0; i < 16; i++)
		buf_init(&e[i]);
#define ENVF(...)                                                                              \
	do {                                                                                   \
		buf_addf(&e[nb], __VA_ARGS__);                                                 \
		env[ne++] = e[nb++].buf;                                                       \
	} while (0)
	ENVF("GIT_PROJECT_ROOT=%s", g_root);
	ENVF("PATH_INFO=/%s.git/%s", req_param(rq, 0), tail);
	ENVF("REQUEST_METHOD=%s", rq->method);
	ENVF("QUERY_STRING=%s%s", svc ? "service=" : "", svc ? svc : "");
	ENVF("CONTENT_LENGTH=%zu", rq->body.len);
	ENVF("CONTENT_TYPE=%s", rq->content_type ? rq->content_type : "");
	if ((h = req_header(rq, "Content-Encoding")) != NULL)
		ENVF("HTTP_CONTENT_ENCODING=%s", h);
	if ((h = req_header(rq, "Git-Protocol")) != NULL)
		ENVF("GIT_PROTOCOL=%s", h);
#undef ENVF
	for (size_t i = 0; git_env[i]; i++)
		env[ne++] = git_env[i];
	env[ne++] = "GIT_HTTP_EXPORT_ALL=1";
	env[ne++] = "REMOTE_USER=letta";
	env[ne++] = "REMOTE_ADDR=127.0.0.1";
	env[ne] = NULL;
	rc = run(argv, env, rq->body.buf, rq->body.len, &out, &err);
	if (err.len)
		fprintf(stderr, "letta-sim: git http-backend: %s", err.buf);
	/* CGI output: headers, a blank line, the body. */
	sep = strstr(out.buf, "\r\n\r\n");
	hlen = sep ? (size_t)(sep - out.buf) + 4 : 0;
	if (!sep && (sep = strstr(out.buf, "\n\n")) != NULL)
		hlen = (size_t)(sep - out.buf) + 2;
	if (rc < 0 || !sep) {
		resp_detail(rs, 500, "git http-backend failed");
		goto out;
	}
	rs->status = 200;
	hdrs = xstrndup(out.buf, hlen);
	for (char *save = NULL, *line = strtok_r(hdrs, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		if (!strncasecmp(line, "Status:", 7))
			rs->status = (int)strtol(line + 7, NULL, 10);
		else if (!strncasecmp(line, "Content-Type:", 13))
			snprintf(rs->ctype, sizeof(rs->ctype), "%s", line + 13 + strspn(line + 13, " "));
		else if (!strncasecmp(line, "Cache-Control:", 14))
			rs->no_cache = 1;
	}
	free(hdrs);
	free(rs->body);
	rs->body_len = out.len - hlen;
	rs->body = xmalloc(rs->body_len + 1);
	memcpy(rs->body, out.buf + hlen, rs->body_len);
	rs->body[rs->body_len] = 0;
out:
	for (size_t i = 0; i < 16; i++)
		buf_release(&e[i]);
	buf_release(&out);
	buf_release(&err);
}

static void h_git_info_refs(struct sim_req *rq, struct sim_resp *rs)
{
	const char *svc = req_arg(rq, "service");

	if (!git_agent(rq, rs))
		return;
	if (!svc || (strcmp(svc, "git-upload-pack") && strcmp(svc, "git-receive-pack"))) {
		resp_detail(rs, 403, "only the smart HTTP protocol is served (?service=git-upload-pack "
				     "or git-receive-pack)");
		return;
	}
	cgi(rq, rs, "info/refs");
}

static void h_git_upload_pack(struct sim_req *rq, struct sim_resp *rs)
{
	if (git_agent(rq, rs))
		cgi(rq, rs, "git-upload-pack");
}

static void h_git_receive_pack(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = git_agent(rq, rs);
	struct buf repo = BUF_INIT, before = BUF_INIT, after = BUF_INIT;

	if (!a)
		return;
	repo_path(&repo, req_param(rq, 0));
	main_head(repo.buf, &before);
	cgi(rq, rs, "git-receive-pack");
	if (main_head(repo.buf, &after) == 0 && strcmp(before.buf, after.buf)) {
		agent_sync_from_git(a, after.buf);
		/* Other tagged agents sharing a changed block get their commits too. */
		memfs_after_write();
	}
	buf_release(&repo);
	buf_release(&before);
	buf_release(&after);
}

/* ---- recompile (openapi: POST /v1/agents/{agent_id}/recompile -> the prompt, a string) ---- */

static void h_agent_recompile(struct sim_req *rq, struct sim_resp *rs)
{
	json_t *a = coll_find(&g_store.agents, req_param(rq, 0)), *id;
	struct buf p = BUF_INIT;
	int dry, stamp;
	size_t i;

	if (!a) {
		resp_not_found(rs, "Agent", req_param(rq, 0));
		return;
	}
	if (query_bool(rq, rs, "dry_run", 0, &dry) < 0 ||
	    query_bool(rq, rs, "update_timestamp", 0, &stamp) < 0)
		return;
	buf_addstr(&p, jsonx_get_str(a, "system") ? jsonx_get_str(a, "system") : "");
	buf_addstr(&p, "\n\n<memory_blocks>\nThe following memory blocks are currently engaged in "
		       "your core memory unit:\n");
	json_array_foreach(json_object_get(a, "_blocks"), i, id) {
		json_t *b = coll_find(&g_store.blocks, json_string_value(id));
		const char *l = b ? jsonx_get_str(b, "label") : NULL;
		if (!l)
			continue;
		buf_addf(&p, "\n<%s>\n<description>\n%s\n</description>\n<value>\n%s\n</value>\n</%s>\n",
			 l, jsonx_get_str(b, "description") ? jsonx_get_str(b, "description") : "",
			 jsonx_get_str(b, "value") ? jsonx_get_str(b, "value") : "", l);
	}
	buf_addstr(&p, "\n</memory_blocks>");
	if (!dry)
		json_object_set_new(a, "_compiled_system", json_stringn(p.buf, p.len));
	resp_json_take(rs, 200, json_stringn(p.buf, p.len));
	buf_release(&p);
}

/* ---- admin: the server rewrites history (letta-code#2203) ---- */

void memfs_admin_rewrite(const char *agent_id, struct sim_resp *rs)
{
	json_t *a = coll_find(&g_store.agents, agent_id);
	struct buf repo = BUF_INIT, old = BUF_INIT, tree = BUF_INIT, neu = BUF_INIT;
	struct buf rev = BUF_INIT, msg = BUF_INIT;

	if (!a || !memfs_agent_enabled(a)) {
		resp_detail(rs, 404, "Agent with id '%s' has no git-backed memory", agent_id);
		goto out;
	}
	if (!json_object_get(a, "_memfs") || !repo_exists(agent_id))
		agent_sync_to_git(a);
	repo_path(&repo, agent_id);
	buf_addstr(&rev, "refs/heads/main^{tree}");
	/*
	 * The message names the old head: a root commit of the same tree, message and second
	 * would be the old head itself (two rewrites within a second, nothing changed between
	 * them), and the rewrite a no-op.
	 */
	if (main_head(repo.buf, &old) == 0)
		buf_addf(&msg, "Memory history rewritten by the server (was %s)", old.buf);
	if (!msg.len || git(repo.buf, NULL, 0, &tree, 1, NULL, "rev-parse", rev.buf, NULL) ||
	    git(repo.buf, NULL, 0, &neu, 1, NULL, "commit-tree", tree.buf, "-m", msg.buf, NULL) ||
	    git(repo.buf, NULL, 0, NULL, 0, NULL, "update-ref", "-m", "rewrite", "refs/heads/main",
		neu.buf, old.buf, NULL)) {
		resp_detail(rs, 500, "cannot rewrite the history of %s", agent_id);
		goto out;
	}
	json_object_set_new(json_object_get(a, "_memfs"), "head", json_string(neu.buf));
	resp_json_take(rs, 200, json_pack("{s:b,s:s,s:s}", "ok", 1, "old", old.buf, "new", neu.buf));
out:
	buf_release(&repo);
	buf_release(&old);
	buf_release(&tree);
	buf_release(&neu);
	buf_release(&rev);
	buf_release(&msg);
}

/* ---- lifetime, reset and the --state file ---- */

int memfs_init(void)
{
	const char *tmp = getenv("TMPDIR");
	struct buf t = BUF_INIT;
	ssize_t n;
	static const char *const drop[] = { "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
					    "GIT_OBJECT_DIRECTORY",
					    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES",
					    NULL };

	for (size_t i = 0; drop[i]; i++)
		unsetenv(drop[i]);
	n = readlink("/proc/self/exe", g_exe, sizeof(g_exe) - 1);
	if (n <= 0)
		return -1;
	g_exe[n] = 0;
	buf_addf(&t, "%s/letta-sim-git.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(t.buf)) {
		buf_release(&t);
		return -1;
	}
	g_root = buf_detach(&t);
	return 0;
}

void memfs_release(void)
{
	if (!g_root)
		return;
	rm_tree(g_root);
	free(g_root);
	g_root = NULL;
}

void memfs_reset(void)
{
	if (!g_root)
		return;
	rm_tree(g_root);
	mkdir(g_root, 0700);
}

json_t *memfs_dump(void)
{
	json_t *out = json_object();

	for (size_t i = 0; g_root && i < g_store.agents.n; i++) {
		const char *id = jsonx_get_str(g_store.agents.v[i], "id");
		struct buf repo = BUF_INIT, bundle = BUF_INIT, b64 = BUF_INIT;
		if (id && repo_exists(id)) {
			repo_path(&repo, id);
			if (git(repo.buf, NULL, 0, &bundle, 0, NULL, "bundle", "create", "-q", "-",
				"refs/heads/main", NULL) == 0) {
				b64_encode(&b64, (const unsigned char *)bundle.buf, bundle.len);
				json_object_set_new(out, id, json_string(b64.buf));
			}
		}
		buf_release(&repo);
		buf_release(&bundle);
		buf_release(&b64);
	}
	return out;
}

int memfs_load(const json_t *repos, struct buf *err)
{
	const char *id;
	json_t *v;

	if (!repos)
		return 0;
	if (!json_is_object(repos) || !g_root) {
		buf_addstr(err, "'memfs_repos' is not an object");
		return -1;
	}
	json_object_foreach((json_t *)repos, id, v) {
		struct buf raw = BUF_INIT, path = BUF_INIT, repo = BUF_INIT;
		FILE *fp;
		int ok = 0;
		if (!json_is_string(v) || b64_decode(&raw, json_string_value(v)) < 0 ||
		    !id_valid("agent", id)) {
			buf_addf(err, "'memfs_repos'.'%s' is not a base64 git bundle", id);
			buf_release(&raw);
			return -1;
		}
		buf_addf(&path, "%s/%s.bundle", g_root, id);
		repo_path(&repo, id);
		fp = fopen(path.buf, "wb");
		if (fp && fwrite(raw.buf, 1, raw.len, fp) == raw.len && fclose(fp) == 0) {
			fp = NULL;
			ok = repo_init(repo.buf) == 0 &&
			     git(repo.buf, NULL, 0, NULL, 0, NULL, "fetch", "-q", path.buf,
				 "refs/heads/main:refs/heads/main", NULL) == 0;
		}
		if (fp)
			fclose(fp);
		unlink(path.buf);
		if (!ok)
			buf_addf(err, "cannot restore the memory repository of '%s'", id);
		buf_release(&raw);
		buf_release(&path);
		buf_release(&repo);
		if (!ok)
			return -1;
	}
	return 0;
}

/* Basic letta:<key> or Bearer <key> (docs/contract/memfs.md "Auth"). */
int memfs_auth_ok(const char *authz, const char *key)
{
	struct buf want = BUF_INIT, raw = BUF_INIT;
	int ok = 0;

	if (!key)
		return 1;
	if (!authz)
		return 0;
	if (!strncmp(authz, "Bearer ", 7)) {
		ok = !strcmp(authz + 7, key);
	} else if (!strncasecmp(authz, "Basic ", 6)) {
		buf_addf(&want, "letta:%s", key);
		ok = b64_decode(&raw, authz + 6) == 0 && raw.len == want.len &&
		     !memcmp(raw.buf, want.buf, want.len);
	}
	buf_release(&want);
	buf_release(&raw);
	return ok;
}

/* The routes of this file (server.c walks every file's array; literal routes first). */
/* clang-format off */
const struct route memfs_routes[] = {
	{ "POST", "/v1/agents/{agent_id}/recompile", h_agent_recompile, 0 },
	{ "GET", "/v1/git/{agent_id}/state.git/info/refs", h_git_info_refs, R_GIT },
	{ "POST", "/v1/git/{agent_id}/state.git/git-upload-pack", h_git_upload_pack, R_GIT },
	{ "POST", "/v1/git/{agent_id}/state.git/git-receive-pack", h_git_receive_pack, R_GIT },
	{ NULL, NULL, NULL, 0 },
};
/* clang-format on */
