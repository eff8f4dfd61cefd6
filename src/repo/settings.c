/* The per-worktree pin file and its .gitignore entry. */
#include "repo/settings.h"
#include "repo/files.h"
#include "repo/git.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define SETTINGS_REL ".letta/settings.local.json"

void settings_root(struct buf *out, const char *dir)
{
	struct git_facts git;

	git_facts_read(&git, dir, NULL);
	if (git.workdir)
		buf_addstr(out, git.workdir);
	else
		files_abspath(out, dir);
	git_facts_release(&git);
}

static void settings_path(struct buf *out, const char *root)
{
	buf_addf(out, "%s/%s", root, SETTINGS_REL);
}

int settings_load(json_t **out, const char *root, struct ls_error *err)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	json_error_t jerr;
	json_t *obj = NULL;
	int ret = 0;

	settings_path(&path, root);
	if (!files_exists(path.buf)) {
		*out = json_object();
		goto out;
	}
	ret = files_read(&text, path.buf, 1 << 20, err);
	if (ret < 0)
		goto out;
	obj = json_loadb(text.buf, text.len, 0, &jerr);
	if (!obj || !json_is_object(obj)) {
		ls_error_where(err, "%s:%d:%d", path.buf, obj ? 1 : jerr.line, obj ? 1 : jerr.column);
		ret = ls_error_set(err, LS_EINVALID, "%s", obj ? "expected a JSON object" : jerr.text);
		ls_error_hint(err, "fix or remove '%s'", path.buf);
		json_decref(obj);
		goto out;
	}
	*out = obj;
out:
	buf_release(&path);
	buf_release(&text);
	return ret;
}

int settings_last_agent(char **out, const char *root, struct ls_error *err)
{
	json_t *obj = NULL;
	json_t *v;
	int ret = settings_load(&obj, root, err);

	*out = NULL;
	if (ret < 0)
		return ret;
	v = json_object_get(obj, "lastAgent");
	if (json_is_string(v) && json_string_length(v))
		*out = xstrdup(json_string_value(v));
	json_decref(obj);
	return 0;
}

char *settings_server_key(const char *base_url)
{
	const char *p = strstr(base_url, "://");
	size_t n;
	char *out;

	p = p ? p + 3 : base_url;
	n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	out = xmalloc(n + 1);
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* obj[key] as an object whose agentId is agent_id (other fields kept, conversationId not). */
static void set_session(json_t *obj, const char *key, const char *agent_id)
{
	json_t *s = json_object_get(obj, key);

	if (!json_is_object(s)) {
		s = json_object();
		json_object_set_new(obj, key, s);
	}
	json_object_set_new(s, "agentId", json_string(agent_id));
	json_object_del(s, "conversationId"); /* the old agent's conversation */
}

int settings_pin_agent(const char *root, const char *agent_id, const char *base_url,
		       struct ls_error *err)
{
	json_t *obj = NULL;
	char *text = NULL;
	int ret = settings_load(&obj, root, err);

	if (ret < 0)
		goto out;
	json_object_set_new(obj, "lastAgent", agent_id ? json_string(agent_id) : json_null());
	if (agent_id && base_url) {
		json_t *by = json_object_get(obj, "sessionsByServer");
		char *key = settings_server_key(base_url);

		if (!json_is_object(by)) {
			by = json_object();
			json_object_set_new(obj, "sessionsByServer", by);
		}
		set_session(by, key, agent_id);
		set_session(obj, "lastSession", agent_id);
		free(key);
	}
	text = json_dumps(obj, JSON_INDENT(2));
	{
		struct buf data = BUF_INIT;

		buf_addstr(&data, text);
		buf_addch(&data, '\n');
		ret = files_write_inside(root, ".letta/settings.local.json", data.buf, data.len,
					 err);
		buf_release(&data);
	}
out:
	free(text);
	json_decref(obj);
	return ret;
}

static int line_ignores(const char *line, size_t len)
{
	static const char *const forms[] = { ".letta/settings.local.json",
					     "/.letta/settings.local.json",
					     "**/.letta/settings.local.json",
					     "settings.local.json",
					     "**/settings.local.json",
					     ".letta/", "/.letta/", ".letta", "/.letta", NULL };

	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	for (int i = 0; forms[i]; i++)
		if (strlen(forms[i]) == len && !strncmp(forms[i], line, len))
			return 1;
	return 0;
}

int gitignore_ensure_settings(const char *root, struct ls_error *err)
{
	struct git_facts git;
	struct buf path = BUF_INIT, text = BUF_INIT;
	int ret = 0;

	git_facts_read(&git, root, NULL);
	if (!git.workdir)
		goto out;
	buf_addf(&path, "%s/.gitignore", git.workdir);
	if (files_exists(path.buf)) {
		const char *p;

		ret = files_read(&text, path.buf, 4 << 20, err);
		if (ret < 0)
			goto out;
		for (p = text.buf; *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			if (line_ignores(p, len))
				goto out; /* ret = 0: already ignored */
			p += len + (nl ? 1 : 0);
		}
		if (text.len && text.buf[text.len - 1] != '\n')
			buf_addch(&text, '\n');
		if (text.len)
			buf_addch(&text, '\n');
	}
	buf_addstr(&text, "# Letta Code local settings (per-worktree agent pinning)\n"
			  "**/.letta/settings.local.json\n");
	ret = files_write_inside(git.workdir, ".gitignore", text.buf, text.len, err);
	if (ret == 0)
		ret = 1;
out:
	git_facts_release(&git);
	buf_release(&path);
	buf_release(&text);
	return ret;
}
