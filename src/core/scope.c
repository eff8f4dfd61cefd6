/* Scope registry matching and block naming (pure). */
#include "core/scope.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *scope_sanitize(const char *s, const char *fallback)
{
	struct buf b = BUF_INIT;
	int pending = 0;

	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*p);

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (pending && b.len)
				buf_addch(&b, '_');
			pending = 0;
			buf_addch(&b, (char)c);
		} else {
			pending = 1;
		}
	}
	if (!b.len) {
		buf_release(&b);
		return fallback ? xstrdup(fallback) : NULL;
	}
	return buf_detach(&b);
}

static char *normalize_prefix(const char *p)
{
	struct buf b = BUF_INIT;

	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	if (!strcmp(p, ".") || !*p)
		return buf_detach(&b);
	buf_addstr(&b, p);
	if (b.buf[b.len - 1] != '/')
		buf_addch(&b, '/');
	return buf_detach(&b);
}

static void entry_release(struct scope_entry *e)
{
	free(e->scope);
	free(e->key);
	for (size_t i = 0; i < e->nprefixes; i++)
		free(e->prefixes[i]);
	free(e->prefixes);
	for (size_t i = 0; i < e->ntypes; i++)
		free(e->block_types[i]);
	free(e->block_types);
	free(e->description);
}

void scope_registry_release(struct scope_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		entry_release(&r->entries[i]);
	free(r->entries);
	r->entries = NULL;
	r->n = 0;
}

/* A short, stable suffix (FNV-1a) that keeps two scopes with the same sanitised name apart. */
static void unique_key(struct scope_registry *r, size_t idx)
{
	struct scope_entry *e = &r->entries[idx];
	unsigned long h = 2166136261ul;
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < idx; i++) {
		if (strcmp(r->entries[i].key, e->key))
			continue;
		for (const char *p = e->scope; *p; p++)
			h = ((h ^ (unsigned char)*p) * 16777619ul) & 0xfffffffful;
		buf_addf(&b, "%s_%06lx", e->key, h & 0xffffff);
		free(e->key);
		e->key = buf_detach(&b);
		return;
	}
}

int scope_registry_from_json(struct scope_registry *out, const json_t *root, struct ls_error *err)
{
	struct scope_registry r = { NULL, 0 };
	json_t *scopes = json_object_get(root, "scopes");
	size_t i;
	json_t *item;

	if (!json_is_object(root) || !json_is_array(scopes))
		return ls_error_set(err, LS_EINVALID, "the scope registry needs a 'scopes' list");
	r.entries = xcalloc(json_array_size(scopes) + 1, sizeof(*r.entries));
	json_array_foreach(scopes, i, item) {
		struct scope_entry *e = &r.entries[r.n];
		const char *name = json_string_value(json_object_get(item, "scope"));
		json_t *prefixes = json_object_get(json_object_get(item, "match"), "path_prefixes");
		json_t *types = json_object_get(json_object_get(item, "attach"), "block_types");
		size_t j;
		json_t *v;

		if (!name || !*name) {
			ls_error_set(err, LS_EINVALID, "scopes[%zu]: 'scope' must be a non-empty string", i);
			goto fail;
		}
		if (!json_is_array(prefixes) || !json_array_size(prefixes)) {
			ls_error_set(err, LS_EINVALID, "scope '%s': 'match.path_prefixes' needs at least one prefix", name);
			goto fail;
		}
		e->scope = xstrdup(name);
		e->key = scope_sanitize(name, NULL);
		r.n++;
		if (!e->key) {
			ls_error_set(err, LS_EINVALID, "scope '%s': the name has no letters or digits", name);
			goto fail;
		}
		e->prefixes = xcalloc(json_array_size(prefixes), sizeof(char *));
		json_array_foreach(prefixes, j, v) {
			if (!json_is_string(v)) {
				ls_error_set(err, LS_EINVALID, "scope '%s': path prefixes must be strings", name);
				goto fail;
			}
			e->prefixes[e->nprefixes++] = normalize_prefix(json_string_value(v));
		}
		if (types && !json_is_array(types)) {
			ls_error_set(err, LS_EINVALID, "scope '%s': 'attach.block_types' must be a list", name);
			goto fail;
		}
		e->block_types = xcalloc(json_array_size(types) + 1, sizeof(char *));
		json_array_foreach(types, j, v) {
			char *t = json_is_string(v) ? scope_sanitize(json_string_value(v), NULL) : NULL;

			if (!t) {
				ls_error_set(err, LS_EINVALID, "scope '%s': block type %zu is not a usable name", name, j);
				goto fail;
			}
			e->block_types[e->ntypes++] = t;
		}
		if (json_is_string(json_object_get(json_object_get(item, "metadata"), "description")))
			e->description = xstrdup(json_string_value(
				json_object_get(json_object_get(item, "metadata"), "description")));
		unique_key(&r, r.n - 1);
	}
	*out = r;
	return 0;
fail:
	scope_registry_release(&r);
	return LS_EINVALID;
}

/* Length of the longest prefix of e matching path, or -1. */
static long match_len(const struct scope_entry *e, const char *path)
{
	long best = -1;

	for (size_t i = 0; i < e->nprefixes; i++) {
		const char *p = e->prefixes[i];
		size_t n = strlen(p);
		int hit = !n || !strncmp(path, p, n) ||
			  (strlen(path) == n - 1 && !strncmp(path, p, n - 1));

		if (hit && (long)n > best)
			best = (long)n;
	}
	return best;
}

void scope_match(struct scope_match *out, const struct scope_registry *r, const char *cwd,
		 const char *const *touched, size_t ntouched)
{
	long focus_len = -1;

	memset(out, 0, sizeof(*out));
	out->focus = -1;
	out->matched = xcalloc(r->n + 1, sizeof(*out->matched));
	for (size_t i = 0; i < r->n; i++) {
		long here = match_len(&r->entries[i], cwd);
		int hit = here >= 0;

		for (size_t t = 0; !hit && t < ntouched; t++)
			hit = match_len(&r->entries[i], touched[t]) >= 0;
		if (!hit)
			continue;
		out->matched[out->nmatched++] = i;
		if (here > focus_len) {
			focus_len = here;
			out->focus = (long)i;
		}
	}
}

void scope_match_release(struct scope_match *m)
{
	if (!m)
		return;
	free(m->matched);
	memset(m, 0, sizeof(*m));
}

static char *label(const char *fmt1, const char *a, const char *b, const char *c)
{
	struct buf out = BUF_INIT;

	buf_addstr(&out, fmt1);
	buf_addstr(&out, a);
	if (b) {
		buf_addch(&out, '_');
		buf_addstr(&out, b);
	}
	if (c) {
		buf_addch(&out, '_');
		buf_addstr(&out, c);
	}
	/*
	 * Block labels are at most 50 characters of [A-Za-z0-9_/-] (docs/contract/letta-api.md
	 * section 5.3); a longer one keeps 41 characters and a hash of the whole, so two never
	 * collide by cutting.
	 */
	if (out.len > 50) {
		unsigned long h = 2166136261ul;

		for (size_t i = 0; i < out.len; i++)
			h = ((h ^ (unsigned char)out.buf[i]) * 16777619ul) & 0xfffffffful;
		buf_setlen(&out, 41);
		buf_addf(&out, "_%08lx", h);
	}
	return buf_detach(&out);
}

char *scope_label_registry(const char *project_slug)
{
	return label("scope_registry_", project_slug, NULL, NULL);
}

char *scope_label_policy(const char *project_slug)
{
	return label("scope_runtime_policy_", project_slug, NULL, NULL);
}

char *scope_label_block(const char *project_slug, const char *key, const char *type)
{
	return label("scope_", project_slug, key, type);
}

char *scope_label_lane(const char *project_slug, const char *agent_id)
{
	/* The agent's uuid tail keeps the lane block this agent's alone. */
	size_t n = strlen(agent_id);
	char *tail = scope_sanitize(n > 12 ? agent_id + n - 12 : agent_id, "agent");
	char *l = label("lane_scopes_", project_slug, tail, NULL);

	free(tail);
	return l;
}
