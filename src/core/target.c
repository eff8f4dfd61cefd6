/* Resolves project, org, agent, base URL and key presence (docs/contract/PRODUCT.md section 5). */
#include "core/target.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/suggest.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int set(const char *s)
{
	return s && *s;
}

static char *dup_or_null(const char *s)
{
	return set(s) ? xstrdup(s) : NULL;
}

const char *target_source_name(enum target_source s)
{
	switch (s) {
	case TARGET_SRC_CLI:
		return "cli";
	case TARGET_SRC_ENV:
		return "env";
	case TARGET_SRC_LOCAL:
		return "local";
	case TARGET_SRC_REGISTRY:
		return "registry";
	case TARGET_SRC_DEFAULT:
		return "default";
	case TARGET_SRC_NONE:
		break;
	}
	return "none";
}

static int is_uuid(const char *s)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	const char *p = s;

	for (size_t g = 0; g < 5; g++) {
		for (int i = 0; i < groups[g]; i++, p++)
			if (!isxdigit((unsigned char)*p))
				return 0;
		if (g < 4 && *p++ != '-')
			return 0;
	}
	return *p == '\0';
}

int project_ref_is_id(const char *s)
{
	return !strncmp(s, "proj_", 5) || !strncmp(s, "project-", 8) || is_uuid(s);
}

void project_ref_release(struct project_ref *p)
{
	if (!p)
		return;
	free(p->slug);
	free(p->id);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

int project_ref_parse(struct project_ref *out, const char *text, struct ls_error *err)
{
	const char *colon = strchr(text, ':');

	memset(out, 0, sizeof(*out));
	if (!*text)
		return ls_error_set(err, LS_EUSAGE, "empty project identifier");
	if (colon) {
		const char *id = colon + 1;
		const char *end = strchr(id, ':');

		if (colon == text || !*id || end)
			goto bad;
		out->slug = xstrndup(text, (size_t)(colon - text));
		out->id = xstrdup(id);
		return 0;
	}
	if (project_ref_is_id(text))
		out->id = xstrdup(text);
	else
		out->slug = xstrdup(text);
	return 0;
bad:
	ls_error_set(err, LS_EUSAGE, "malformed project identifier '%s'", text);
	ls_error_hint(err, "use a slug (my-project), an id (proj_abc123) or slug:id");
	return LS_EUSAGE;
}

char *project_ref_format(const struct project_ref *p)
{
	struct buf b = BUF_INIT;

	if (p->name)
		buf_addf(&b, "%s (%s)", p->name, p->slug ? p->slug : p->id ? p->id : "?");
	else if (p->slug)
		buf_addstr(&b, p->slug);
	else if (p->id)
		buf_addstr(&b, p->id);
	return buf_detach(&b);
}

char *target_repo_key(const char *url)
{
	const char *path = NULL;
	const char *scheme;
	struct buf b = BUF_INIT;
	char *key;
	size_t len;
	const char *slash;

	if (!set(url))
		return NULL;
	scheme = strstr(url, "://");
	if (scheme) {
		const char *host = scheme + 3;

		path = strchr(host, '/');
	} else {
		/* scp-like: [user@]host:path */
		const char *colon = strchr(url, ':');

		if (colon && (!strchr(url, '/') || strchr(url, '/') > colon))
			path = colon;
		else
			path = url; /* a local path */
	}
	if (!path)
		return NULL;
	while (*path == '/' || *path == ':')
		path++;
	buf_addstr(&b, path);
	while (b.len && b.buf[b.len - 1] == '/')
		buf_setlen(&b, b.len - 1);
	if (b.len > 4 && !strcasecmp(b.buf + b.len - 4, ".git"))
		buf_setlen(&b, b.len - 4);
	while (b.len && b.buf[b.len - 1] == '/')
		buf_setlen(&b, b.len - 1);
	/* Keep the last two segments: owner/repo (GitLab subgroups keep their last owner). */
	len = b.len;
	slash = NULL;
	for (size_t i = len; i > 0; i--) {
		if (b.buf[i - 1] == '/') {
			if (!slash) {
				slash = b.buf + i - 1;
				continue;
			}
			key = xstrdup(b.buf + i);
			goto done;
		}
	}
	if (!slash) {
		buf_release(&b);
		return NULL;
	}
	key = xstrdup(b.buf);
done:
	buf_release(&b);
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (key[0] == '/' || !strchr(key, '/') || strchr(key, '/')[1] == '\0') {
		free(key);
		return NULL;
	}
	return key;
}

/* Reports a problem in a JSON config file at the key's position. */
static int file_error(struct ls_error *err, const char *path, const char *text, size_t len,
		      const char *key, const char *fmt, const char *arg)
{
	int line, col;

	jsonx_key_pos(text, len, key, &line, &col);
	ls_error_where(err, "%s:%d:%d", path, line, col);
	return ls_error_set(err, LS_EINVALID, fmt, arg);
}

static int parse_file(json_t **out, const char *path, const char *text, size_t len,
		      struct ls_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);

	if (!root) {
		ls_error_where(err, "%s:%d:%d", path, jerr.line, jerr.column);
		ls_error_set(err, LS_EINVALID, "invalid JSON: %s", jerr.text);
		ls_error_hint(err, "fix the syntax of '%s'", path);
		return LS_EINVALID;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		ls_error_where(err, "%s:1:1", path);
		return ls_error_set(err, LS_EINVALID, "expected a JSON object");
	}
	*out = root;
	return 0;
}

/*
 * Checks that obj has only the allowed keys, each a string when listed in strings.
 * ctx is the JSON path for messages ("mappings.org/repo").
 */
static int check_keys(const json_t *obj, const char *const *allowed, const char *const *strings,
		      const char *path, const char *text, size_t len, const char *ctx,
		      struct ls_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		int known = 0;
		const char *guess;

		for (size_t i = 0; allowed[i]; i++)
			known |= !strcmp(allowed[i], key);
		if (!known) {
			struct buf m = BUF_INIT;

			buf_addf(&m, "unknown key '%s'%s%s", key, ctx ? " in " : "", ctx ? ctx : "");
			file_error(err, path, text, len, key, "%s", m.buf);
			buf_release(&m);
			guess = suggest(key, allowed);
			if (guess)
				ls_error_hint(err, "did you mean '%s'?", guess);
			else
				ls_error_hint(err, "remove it from '%s'", path);
			return LS_EINVALID;
		}
		for (size_t i = 0; strings && strings[i]; i++) {
			if (!strcmp(strings[i], key) && !json_is_string(v) && !json_is_null(v)) {
				file_error(err, path, text, len, key, "'%s' must be a string", key);
				return LS_EINVALID;
			}
		}
	}
	return 0;
}

static const char *const project_keys[] = { "slug", "id", "name", "org", "description", NULL };
static const char *const project_strings[] = { "slug", "id", "name", "org", "description", NULL };
static const char *const registry_keys[] = { "version", "defaultProject", "mappings", "$schema", NULL };
static const char *const mapping_keys[] = { "projectSlug", "projectId", "projectName", "branches",
					    "branchOverrides", "description", NULL };
static const char *const mapping_strings[] = { "projectSlug", "projectId", "projectName",
					       "description", NULL };
static const char *const override_keys[] = { "projectSlug", "projectId", "projectName", NULL };

static int load_local(struct project_ref *out, const struct target_inputs *in,
		      struct ls_error *err)
{
	json_t *root = NULL;
	int ret = parse_file(&root, in->local_path, in->local_text, in->local_len, err);
	const char *slug, *id;

	if (ret < 0)
		return ret;
	ret = check_keys(root, project_keys, project_strings, in->local_path, in->local_text,
			 in->local_len, NULL, err);
	if (ret < 0)
		goto out;
	slug = jsonx_get_str(root, "slug");
	id = jsonx_get_str(root, "id");
	if (!set(slug) && !set(id)) {
		ls_error_where(err, "%s:1:1", in->local_path);
		ret = ls_error_set(err, LS_EINVALID, "project.json names no project");
		ls_error_hint(err, "add \"slug\" or \"id\"");
		goto out;
	}
	out->slug = dup_or_null(slug);
	out->id = dup_or_null(id);
	out->name = dup_or_null(jsonx_get_str(root, "name"));
out:
	json_decref(root);
	return ret;
}

static void ref_from_mapping(struct project_ref *out, const json_t *m)
{
	out->slug = dup_or_null(jsonx_get_str(m, "projectSlug"));
	out->id = dup_or_null(jsonx_get_str(m, "projectId"));
	out->name = dup_or_null(jsonx_get_str(m, "projectName"));
}

static int check_mapping(const json_t *m, const char *mkey, const struct target_inputs *in,
			 struct ls_error *err)
{
	const char *p = in->registry_path, *t = in->registry_text;
	size_t n = in->registry_len;
	struct buf ctx = BUF_INIT;
	int ret = 0;

	buf_addf(&ctx, "mapping '%s'", mkey);
	if (!json_is_object(m)) {
		ret = file_error(err, p, t, n, mkey, "mapping '%s' must be an object", mkey);
		goto out;
	}
	ret = check_keys(m, mapping_keys, mapping_strings, p, t, n, ctx.buf, err);
	if (ret < 0)
		goto out;
	for (size_t k = 0; k < 2; k++) {
		const char *field = k ? "branchOverrides" : "branches";
		json_t *ov = json_object_get(m, field);
		const char *pat;
		json_t *o;

		if (!ov)
			continue;
		if (!json_is_object(ov)) {
			ret = file_error(err, p, t, n, field, "'%s' must be an object of branch globs", field);
			goto out;
		}
		json_object_foreach(ov, pat, o) {
			if (!json_is_object(o)) {
				ret = file_error(err, p, t, n, pat, "branch override '%s' must be an object", pat);
				goto out;
			}
			ret = check_keys(o, override_keys, override_keys, p, t, n, pat, err);
			if (ret < 0)
				goto out;
		}
	}
	if (!set(jsonx_get_str(m, "projectSlug")) && !set(jsonx_get_str(m, "projectId")) &&
	    !json_object_get(m, "branches") && !json_object_get(m, "branchOverrides")) {
		ret = file_error(err, p, t, n, mkey, "mapping '%s' names no project", mkey);
		ls_error_hint(err, "add \"projectSlug\" or \"projectId\"");
	}
out:
	buf_release(&ctx);
	return ret;
}

/* The branch override that matches, exact names before globs, in file order. */
static const json_t *match_branch(const json_t *m, const char *branch, const char **pattern)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < 2; k++) {
			json_t *ov = json_object_get(m, k ? "branchOverrides" : "branches");
			const char *pat;
			json_t *o;

			json_object_foreach(ov, pat, o) {
				int hit = pass == 0 ? !strcmp(pat, branch) : !fnmatch(pat, branch, 0);

				if (hit) {
					*pattern = pat;
					return o;
				}
			}
		}
	}
	return NULL;
}

static int load_registry(json_t **out, const struct target_inputs *in, struct ls_error *err)
{
	json_t *root = NULL, *def, *maps, *m;
	const char *key;
	int ret = parse_file(&root, in->registry_path, in->registry_text, in->registry_len, err);

	if (ret < 0)
		return ret;
	ret = check_keys(root, registry_keys, NULL, in->registry_path, in->registry_text,
			 in->registry_len, NULL, err);
	if (ret < 0)
		goto fail;
	def = json_object_get(root, "defaultProject");
	if (def) {
		if (!json_is_object(def)) {
			ret = file_error(err, in->registry_path, in->registry_text, in->registry_len,
					 "defaultProject", "'%s' must be an object", "defaultProject");
			goto fail;
		}
		ret = check_keys(def, project_keys, project_strings, in->registry_path,
				 in->registry_text, in->registry_len, "defaultProject", err);
		if (ret < 0)
			goto fail;
	}
	maps = json_object_get(root, "mappings");
	if (maps && !json_is_object(maps)) {
		ret = file_error(err, in->registry_path, in->registry_text, in->registry_len,
				 "mappings", "'%s' must be an object keyed by org/repo", "mappings");
		goto fail;
	}
	json_object_foreach(maps, key, m) {
		ret = check_mapping(m, key, in, err);
		if (ret < 0)
			goto fail;
	}
	*out = root;
	return 0;
fail:
	json_decref(root);
	return ret;
}

static void resolve_simple(char **out, const char **from, const char *cli, const char *env1,
			   const char *env1_name, const char *env2, const char *env2_name)
{
	if (set(cli)) {
		*out = xstrdup(cli);
		*from = "cli";
	} else if (set(env1)) {
		*out = xstrdup(env1);
		*from = env1_name;
	} else if (set(env2)) {
		*out = xstrdup(env2);
		*from = env2_name;
	}
}

static int resolve_project(struct target *t, const struct target_inputs *in, struct ls_error *err)
{
	static const char *const env_names[] = { "LETTA_SYNC_PROJECT", "LETTA_PROJECT",
						 "SMARTY_PROJECT" };
	const char *env_vals[3] = { in->env_sync_project, in->env_letta_project,
				    in->env_smarty_project };
	json_t *reg = NULL, *maps, *m;
	const char *key;
	int ret = 0;

	t->tried[t->ntried++] = TARGET_SRC_CLI;
	if (set(in->cli_project)) {
		t->project_source = TARGET_SRC_CLI;
		t->project_from = xstrdup("--project");
		return project_ref_parse(&t->project, in->cli_project, err);
	}
	t->tried[t->ntried++] = TARGET_SRC_ENV;
	for (int i = 0; i < 3; i++) {
		if (set(env_vals[i])) {
			t->project_source = TARGET_SRC_ENV;
			t->project_from = xstrdup(env_names[i]);
			ret = project_ref_parse(&t->project, env_vals[i], err);
			if (ret < 0)
				ls_error_where(err, "%s", env_names[i]);
			return ret;
		}
	}
	t->tried[t->ntried++] = TARGET_SRC_LOCAL;
	if (in->local_path) {
		ret = load_local(&t->project, in, err);
		if (ret < 0)
			return ret;
		t->project_source = TARGET_SRC_LOCAL;
		t->project_from = xstrdup(in->local_path);
		return 0;
	}
	if (!in->registry_path)
		return 0;
	ret = load_registry(&reg, in, err);
	if (ret < 0)
		return ret;
	t->tried[t->ntried++] = TARGET_SRC_REGISTRY;
	t->repo_key = target_repo_key(in->remote_url);
	maps = json_object_get(reg, "mappings");
	if (t->repo_key) {
		json_object_foreach(maps, key, m) {
			const json_t *ov = NULL;
			const char *pattern = NULL;

			if (strcasecmp(key, t->repo_key))
				continue;
			if (set(in->branch))
				ov = match_branch(m, in->branch, &pattern);
			t->mapping_key = xstrdup(key);
			if (ov) {
				ref_from_mapping(&t->project, ov);
				t->branch_pattern = xstrdup(pattern);
			}
			if (!t->project.slug && !t->project.id) {
				project_ref_release(&t->project);
				ref_from_mapping(&t->project, m);
			}
			if (t->project.slug || t->project.id) {
				t->project_source = TARGET_SRC_REGISTRY;
				t->project_from = xstrdup(in->registry_path);
				goto out;
			}
		}
	}
	t->tried[t->ntried++] = TARGET_SRC_DEFAULT;
	m = json_object_get(reg, "defaultProject");
	if (m && (set(jsonx_get_str(m, "slug")) || set(jsonx_get_str(m, "id")))) {
		t->project.slug = dup_or_null(jsonx_get_str(m, "slug"));
		t->project.id = dup_or_null(jsonx_get_str(m, "id"));
		t->project.name = dup_or_null(jsonx_get_str(m, "name"));
		t->project_source = TARGET_SRC_DEFAULT;
		t->project_from = xstrdup(in->registry_path);
	}
out:
	json_decref(reg);
	return 0;
}

int target_resolve(struct target *out, const struct target_inputs *in, struct ls_error *err)
{
	struct target t;
	int ret;

	memset(&t, 0, sizeof(t));
	ret = resolve_project(&t, in, err);
	if (ret < 0) {
		target_release(&t);
		return ret;
	}
	resolve_simple(&t.org, &t.org_from, in->cli_org, in->env_sync_org, "LETTA_SYNC_ORG",
		       in->env_smarty_org, "SMARTY_ORG");
	resolve_simple(&t.agent, &t.agent_from, in->cli_agent, in->env_sync_agent,
		       "LETTA_SYNC_AGENT", in->env_smarty_agent, "SMARTY_AGENT");
	if (set(in->env_base_url)) {
		t.base_url = xstrdup(in->env_base_url);
		t.base_url_from = "LETTA_BASE_URL";
	} else if (set(in->env_api_url)) {
		t.base_url = xstrdup(in->env_api_url);
		t.base_url_from = "LETTA_API_URL";
	} else {
		t.base_url = xstrdup(TARGET_DEFAULT_BASE_URL);
		t.base_url_from = "default";
	}
	while (strlen(t.base_url) > 1 && t.base_url[strlen(t.base_url) - 1] == '/')
		t.base_url[strlen(t.base_url) - 1] = '\0';
	t.cloud = strstr(t.base_url, "api.letta.com") != NULL;
	t.key_set = set(in->env_api_key);
	t.password_set = set(in->env_server_password);
	*out = t;
	return 0;
}

int target_check_key(const struct target *t, struct ls_error *err)
{
	if (!t->cloud || t->key_set || t->password_set)
		return 0;
	ls_error_set(err, LS_EAUTH, "LETTA_API_KEY is not set: Letta Cloud (%s) needs an API key",
		     t->base_url ? t->base_url : TARGET_DEFAULT_BASE_URL);
	ls_error_hint(err, "export LETTA_API_KEY=<your key>, or point LETTA_BASE_URL at a self-hosted server");
	return LS_EAUTH;
}

void target_release(struct target *t)
{
	if (!t)
		return;
	project_ref_release(&t->project);
	free(t->project_from);
	free(t->repo_key);
	free(t->mapping_key);
	free(t->branch_pattern);
	free(t->org);
	free(t->agent);
	free(t->base_url);
	memset(t, 0, sizeof(*t));
}
