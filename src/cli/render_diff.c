/* Renders a plan as a field-level unified diff or as the JSON of docs/json-output.md. */
#include "cli/render_diff.h"
#include "cli/output.h"
#include "core/ownership.h"
#include "util/jsonx.h"

#include <stdlib.h>
#include <string.h>

static const char *action_sigil(enum plan_change c)
{
	switch (c) {
	case CHANGE_CREATE:
		return "+";
	case CHANGE_UPDATE:
		return "~";
	case CHANGE_DELETE:
	case CHANGE_ORPHAN:
		return "-";
	case CHANGE_CONFLICT:
	case CHANGE_DOWNGRADE:
		return "!";
	default:
		return "i";
	}
}

static const char *action_color(enum plan_change c)
{
	switch (c) {
	case CHANGE_CREATE:
		return "green";
	case CHANGE_UPDATE:
		return "yellow";
	case CHANGE_DELETE:
	case CHANGE_ORPHAN:
		return "red";
	case CHANGE_CONFLICT:
	case CHANGE_DOWNGRADE:
		return "red";
	default:
		return "cyan";
	}
}

/* A value on one line: strings quoted, everything else compact JSON. */
static void add_value(struct buf *out, const json_t *v)
{
	char *s = json_dumps(v ? v : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);

	buf_addstr(out, s ? s : "null");
	free(s);
}

static int is_multiline(const json_t *v)
{
	return json_is_string(v) && strchr(json_string_value(v), '\n');
}

static void add_lines(struct buf *out, const char *indent, const char *sigil, const char *color,
		      const char *text)
{
	const char *p = text;

	while (*p || p == text) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		buf_addf(out, "%s%s%s %.*s%s\n", indent, output_color(color), sigil, (int)len, p,
			 output_color("reset"));
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void add_field(struct buf *out, const json_t *f)
{
	const char *path = jsonx_get_str(f, "path");
	const json_t *from = json_object_get(f, "from"), *to = json_object_get(f, "to");
	int has_from = from && !json_is_null(from), has_to = to && !json_is_null(to);

	if (!path || !path[0])
		path = "(value)";
	if (is_multiline(from) || is_multiline(to)) {
		const char *sig = has_from && has_to ? "~" : has_to ? "+" : "-";

		buf_addf(out, "    %s%s %s:%s\n",
			 output_color(has_from && has_to ? "yellow" : has_to ? "green" : "red"), sig,
			 path, output_color("reset"));
		if (has_from)
			add_lines(out, "        ", "-", "red", json_string_value(from));
		if (has_to)
			add_lines(out, "        ", "+", "green", json_string_value(to));
		return;
	}
	if (has_from && has_to) {
		buf_addf(out, "    %s~ %s: ", output_color("yellow"), path);
		add_value(out, from);
		buf_addstr(out, " -> ");
		add_value(out, to);
	} else if (has_to) {
		buf_addf(out, "    %s+ %s: ", output_color("green"), path);
		add_value(out, to);
	} else {
		buf_addf(out, "    %s- %s: ", output_color("red"), path);
		add_value(out, from);
	}
	buf_addf(out, "%s\n", output_color("reset"));
}

/* Unchanged fields of view that the change does not touch (diff --full). */
static void add_unchanged(struct buf *out, const json_t *view, const json_t *fields)
{
	const char *k;
	json_t *v, *f;
	size_t i;

	json_object_foreach((json_t *)view, k, v)
	{
		int touched = 0;

		json_array_foreach(fields, i, f)
		{
			const char *p = jsonx_get_str(f, "path");
			size_t kl = strlen(k);

			if (p && !strncmp(p, k, kl) && (p[kl] == '\0' || p[kl] == '.'))
				touched = 1;
		}
		if (touched)
			continue;
		buf_addf(out, "    %s  %s: ", output_color("dim"), k);
		add_value(out, v);
		buf_addf(out, "%s\n", output_color("reset"));
	}
}

static void add_header(struct buf *out, const char *sigil, const char *color, const char *kind,
		       const char *name, const char *agent, const char *section, const char *what)
{
	buf_addf(out, "%s%s%s %s/%s", output_color(color), output_color("bold"), sigil, kind, name);
	if (agent && strcmp(agent, name))
		buf_addf(out, " (agent %s)", agent);
	if (section)
		buf_addf(out, " [%s]", section);
	buf_addf(out, ": %s%s\n", what, output_color("reset"));
}

static void add_action(struct buf *out, const struct plan_action *a, unsigned flags)
{
	size_t i;
	json_t *f;

	add_header(out, action_sigil(a->change), action_color(a->change), own_kind_name(a->kind),
		   a->name, a->agent, a->section, plan_change_name(a->change));
	if (a->reason && a->change != CHANGE_CREATE && a->change != CHANGE_UPDATE)
		buf_addf(out, "    %s# %s%s\n", output_color("dim"), a->reason,
			 output_color("reset"));
	if (a->breaking)
		buf_addf(out, "    %s# breaking%s\n", output_color("red"), output_color("reset"));
	json_array_foreach(a->fields, i, f)
		add_field(out, f);
	if ((flags & RENDER_FULL) && a->view)
		add_unchanged(out, a->view, a->fields);
}

void render_diff_summary(struct buf *out, const struct plan *p)
{
	size_t n[CHANGE_DRIFT + 1] = { 0 };
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].internal)
			n[p->items[i].change]++;
	if (!plan_count_changes(p)) {
		buf_addf(out, "No changes: %zu object(s) up to date.", p->unchanged);
	} else {
		buf_addf(out, "Plan: %zu to create, %zu to update, %zu to delete", n[CHANGE_CREATE],
			 n[CHANGE_UPDATE], n[CHANGE_DELETE]);
		if (n[CHANGE_ORPHAN])
			buf_addf(out, ", %zu orphan(s)", n[CHANGE_ORPHAN]);
		if (n[CHANGE_CONFLICT])
			buf_addf(out, ", %zu conflict(s)", n[CHANGE_CONFLICT]);
		if (n[CHANGE_DOWNGRADE])
			buf_addf(out, ", %zu downgrade(s)", n[CHANGE_DOWNGRADE]);
		buf_addf(out, "; %zu unchanged.", p->unchanged);
	}
	if (n[CHANGE_DRIFT])
		buf_addf(out, " %zu seed object(s) drifted (info).", n[CHANGE_DRIFT]);
}

void render_diff_human(struct buf *out, const struct plan *p, unsigned flags)
{
	size_t i;
	json_t *s;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].internal && p->items[i].change != CHANGE_DRIFT)
			add_action(out, &p->items[i], flags);
	if (flags & RENDER_FULL) {
		json_array_foreach(p->same, i, s)
		{
			add_header(out, " ", "dim", jsonx_get_str(s, "kind"), jsonx_get_str(s, "name"),
				   jsonx_get_str(s, "agent"), jsonx_get_str(s, "section"),
				   "unchanged");
			add_unchanged(out, json_object_get(s, "view"), NULL);
		}
	}
	for (i = 0; i < p->n; i++) {
		if (p->items[i].change != CHANGE_DRIFT)
			continue;
		add_action(out, &p->items[i], flags);
	}
	render_diff_summary(out, p);
	buf_addch(out, '\n');
}

#define FIELD_SHORT_MAX 72

/* A value, cut at FIELD_SHORT_MAX bytes (on a UTF-8 boundary) with "...". */
static void add_short(struct buf *out, const json_t *v)
{
	char *s = json_dumps(v ? v : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	size_t n = s ? strlen(s) : 0;

	if (!s) {
		buf_addstr(out, "null");
	} else if (n <= FIELD_SHORT_MAX) {
		buf_addstr(out, s);
	} else {
		n = FIELD_SHORT_MAX - 3;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		buf_add(out, s, n);
		buf_addstr(out, "...");
	}
	free(s);
}

static int array_has(const json_t *arr, const json_t *v)
{
	size_t i;
	const json_t *e;

	json_array_foreach(arr, i, e)
		if (json_equal(e, v))
			return 1;
	return 0;
}

/* Two lists: what was removed and what was added, and how many stayed. */
static void add_list_change(struct buf *out, const json_t *from, const json_t *to)
{
	size_t i, kept = 0, nchanged = 0;
	const json_t *e;

	json_array_foreach(from, i, e)
		if (!array_has(to, e)) {
			buf_addstr(out, nchanged++ ? ", -" : "-");
			add_short(out, e);
		}
	json_array_foreach(to, i, e) {
		if (!array_has(from, e)) {
			buf_addstr(out, nchanged++ ? ", +" : "+");
			add_short(out, e);
		} else {
			kept++;
		}
	}
	if (!nchanged)
		buf_addf(out, "the same %zu element(s), reordered", json_array_size(to));
	else
		buf_addf(out, " (%zu unchanged)", kept);
}

/* A string window of at most FIELD_SHORT_MAX bytes that starts near at ("..." marks cuts). */
static void add_window(struct buf *out, const char *s, size_t at)
{
	size_t n = strlen(s), start = at > 24 ? at - 24 : 0, len;
	struct buf tmp = BUF_INIT;
	json_t *v;
	char *q;

	while (start && ((unsigned char)s[start] & 0xC0) == 0x80)
		start--;
	len = n - start > FIELD_SHORT_MAX - 8 ? FIELD_SHORT_MAX - 8 : n - start;
	while (start + len < n && len && ((unsigned char)s[start + len] & 0xC0) == 0x80)
		len--;
	buf_add(&tmp, s + start, len);
	v = json_string(tmp.buf);
	q = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (!q) {
		buf_addstr(out, "\"...\"");
	} else {
		/* "...text..." inside the quotes. */
		buf_addch(out, '"');
		if (start)
			buf_addstr(out, "...");
		buf_add(out, q + 1, strlen(q) - 2);
		if (start + len < n)
			buf_addstr(out, "...");
		buf_addch(out, '"');
	}
	free(q);
	json_decref(v);
	buf_release(&tmp);
}

void render_field_short(struct buf *out, const json_t *from, const json_t *to)
{
	char *a = json_dumps(from ? from : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	char *b = json_dumps(to ? to : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	int long_ = (a && strlen(a) > FIELD_SHORT_MAX) || (b && strlen(b) > FIELD_SHORT_MAX);

	if (long_ && json_is_array(from) && json_is_array(to)) {
		add_list_change(out, from, to);
	} else if (long_ && json_is_string(from) && json_is_string(to)) {
		const char *x = json_string_value(from), *y = json_string_value(to);
		size_t at = 0;

		while (x[at] && x[at] == y[at])
			at++;
		add_window(out, x, at);
		buf_addstr(out, " -> ");
		add_window(out, y, at);
	} else {
		add_short(out, from);
		buf_addstr(out, " -> ");
		add_short(out, to);
	}
	free(a);
	free(b);
}

/* A table cell: no pipes or newlines. */
static void add_cell(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			buf_addstr(out, "\\|");
		else if (*s == '\n')
			buf_addch(out, ' ');
		else
			buf_addch(out, *s);
	}
}

void render_diff_markdown(struct buf *out, const struct plan *p)
{
	struct buf text = BUF_INIT;
	size_t i, nbreaking = 0;
	int was_color = output_color("bold")[0] != '\0';

	for (i = 0; i < p->n; i++)
		if (!p->items[i].internal && p->items[i].breaking)
			nbreaking++;
	if (!plan_count_changes(p)) {
		buf_addf(out, ":white_check_mark: No changes: %zu object(s) up to date.\n",
			 p->unchanged);
	} else {
		render_diff_summary(&text, p);
		buf_addf(out, "%s**%zu change(s)**%s. %s\n\n", nbreaking ? ":warning: " : "",
			 plan_count_changes(p),
			 nbreaking ? " including breaking ones" : "", text.buf);
		buf_addstr(out, "| | Kind | Name | Agent | Section | Action | Breaking |\n");
		buf_addstr(out, "|---|---|---|---|---|---|---|\n");
		for (i = 0; i < p->n; i++) {
			const struct plan_action *a = &p->items[i];

			if (a->internal || a->change == CHANGE_DRIFT)
				continue;
			buf_addf(out, "| `%s` | %s | ", action_sigil(a->change), own_kind_name(a->kind));
			add_cell(out, a->name);
			buf_addstr(out, " | ");
			add_cell(out, a->agent ? a->agent : "");
			buf_addf(out, " | %s | %s | %s |\n", a->section ? a->section : "",
				 plan_change_name(a->change), a->breaking ? ":warning: yes" : "");
		}
	}
	buf_reset(&text);
	output_set_color(0);
	render_diff_human(&text, p, 0);
	output_set_color(was_color);
	if (p->n) {
		buf_addstr(out, "\n<details><summary>Field-level diff</summary>\n\n```diff\n");
		/* A fence inside the text would end the block early. */
		for (i = 0; i < text.len; i++) {
			if (!strncmp(text.buf + i, "```", 3)) {
				buf_addstr(out, "'''");
				i += 2;
			} else {
				buf_addch(out, text.buf[i]);
			}
		}
		buf_addstr(out, "```\n\n</details>\n");
	}
	buf_release(&text);
}

json_t *render_action_json(const struct plan_action *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(own_kind_name(a->kind)));
	json_object_set_new(o, "name", json_string(a->name));
	json_object_set_new(o, "agent", a->agent ? json_string(a->agent) : json_null());
	json_object_set_new(o, "section", a->section ? json_string(a->section) : json_null());
	json_object_set_new(o, "action", json_string(plan_change_name(a->change)));
	json_object_set_new(o, "breaking", json_boolean(a->breaking));
	json_object_set(o, "fields", a->fields);
	json_object_set_new(o, "reason", a->reason ? json_string(a->reason) : json_null());
	return o;
}

json_t *render_diff_data(const struct plan *p)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].internal && p->items[i].change != CHANGE_DRIFT)
			json_array_append_new(out, render_action_json(&p->items[i]));
	return out;
}

json_t *render_diff_info(const struct plan *p)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->items[i].change == CHANGE_DRIFT)
			json_array_append_new(out, render_action_json(&p->items[i]));
	return out;
}
