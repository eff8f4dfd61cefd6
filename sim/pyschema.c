/*
 * The JSON schema of a Python tool, derived from its last top-level `def` and the Google-style
 * docstring, as the server does when ToolCreate has no json_schema (docs/contract/letta-api.md
 * section 5.4, docs/contract/PRODUCT.md 7):
 *
 *   def roll(sides: int, times: int = 1) -> str:
 *       """Roll a die.
 *
 *       Args:
 *           sides (int): How many sides.
 *           times (int): How many rolls.
 *       """
 *
 * gives {name:"roll", description:"Roll a die.", parameters:{type:"object", properties:{sides:
 * {type:"integer", description:"How many sides."}, ...}, required:["sides"]}}. Like the server,
 * a parameter without a type annotation or a docstring entry is an error; `self` and the
 * injected `agent_state` are skipped.
 */
#include "sim.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static char *strip(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* The JSON-schema of a Python annotation; NULL for an unsupported one. */
static json_t *py_type(const char *ann)
{
	size_t n = strlen(ann);
	const char *br = strchr(ann, '[');
	char *base = br ? strip(ann, (size_t)(br - ann)) : xstrdup(ann);
	char *inner = NULL;
	json_t *t = NULL;

	if (br && ann[n - 1] == ']')
		inner = strip(br + 1, (size_t)(ann + n - 1 - br - 1));
	if (!strcmp(base, "str"))
		t = json_pack("{s:s}", "type", "string");
	else if (!strcmp(base, "int"))
		t = json_pack("{s:s}", "type", "integer");
	else if (!strcmp(base, "float"))
		t = json_pack("{s:s}", "type", "number");
	else if (!strcmp(base, "bool"))
		t = json_pack("{s:s}", "type", "boolean");
	else if (!strcmp(base, "dict") || !strcmp(base, "Dict") || !strcmp(base, "typing.Dict"))
		t = json_pack("{s:s}", "type", "object");
	else if (!strcmp(base, "list") || !strcmp(base, "List") || !strcmp(base, "typing.List")) {
		t = json_pack("{s:s}", "type", "array");
		if (inner) {
			json_t *it = py_type(inner);
			if (it)
				json_object_set_new(t, "items", it);
		}
	} else if ((!strcmp(base, "Optional") || !strcmp(base, "typing.Optional")) && inner) {
		t = py_type(inner);
	} else if (!strcmp(base, "Literal") && inner) {
		json_t *en = json_array();
		char *save = NULL, *tok;
		for (tok = strtok_r(inner, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char *v = strip(tok, strlen(tok));
			size_t vl = strlen(v);
			if (vl >= 2 && (v[0] == '"' || v[0] == '\''))
				json_array_append_new(en, json_stringn(v + 1, vl - 2));
			free(v);
		}
		t = json_pack("{s:s,s:o}", "type", "string", "enum", en);
	}
	free(base);
	free(inner);
	return t;
}

struct param {
	char *name;
	char *ann; /* NULL when missing */
	int has_default;
};

/* Splits the text between the parentheses at top-level commas. */
static size_t split_params(struct param **out, const char *s, size_t n)
{
	size_t count = 0, alloc = 0, start = 0;
	int depth = 0;
	char quote = 0;
	struct param *ps = NULL;

	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : ',';
		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '[' || c == '(' || c == '{') {
			depth++;
		} else if (c == ']' || c == ')' || c == '}') {
			depth--;
		} else if (c == ',' && depth == 0) {
			char *p = strip(s + start, i - start);
			char *colon, *eq;
			start = i + 1;
			if (!*p || p[0] == '*' || !strcmp(p, "/")) {
				free(p);
				continue;
			}
			eq = strchr(p, '=');
			colon = strchr(p, ':');
			if (colon && eq && colon > eq)
				colon = NULL;
			ps = xgrow(ps, sizeof(*ps), count + 1, &alloc);
			ps[count].has_default = eq != NULL;
			if (eq)
				*eq = '\0';
			ps[count].ann = colon ? strip(colon + 1, strlen(colon + 1)) : NULL;
			if (colon)
				*colon = '\0';
			ps[count].name = strip(p, strlen(p));
			free(p);
			count++;
		}
	}
	*out = ps;
	return count;
}

/* Google-style docstring: the description and each Args entry. */
static void parse_doc(const char *doc, struct buf *desc, json_t *argdocs)
{
	const char *p = doc;
	int section = 0; /* 0 description, 1 args, 2 other */
	struct buf cur = BUF_INIT, shortd = BUF_INIT, longd = BUF_INIT;
	char *curname = NULL;
	int arg_indent = -1, first = 1, blank_after_short = 0, seen_blank = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line = strip(p, len);
		int indent = 0;

		while (indent < (int)len && (p[indent] == ' ' || p[indent] == '\t'))
			indent++;
		if (!strcmp(line, "Args:") || !strcmp(line, "Arguments:") ||
		    !strcmp(line, "Parameters:")) {
			section = 1;
		} else if (!strcmp(line, "Returns:") || !strcmp(line, "Raises:") ||
			   !strcmp(line, "Yields:") || !strcmp(line, "Example:") ||
			   !strcmp(line, "Examples:") || !strcmp(line, "Note:")) {
			section = 2;
		} else if (section == 0) {
			if (!*line) {
				if (shortd.len)
					seen_blank = 1;
			} else if (first) {
				buf_addstr(&shortd, line);
				first = 0;
			} else {
				if (!longd.len)
					blank_after_short = seen_blank;
				if (longd.len)
					buf_addch(&longd, '\n');
				buf_addstr(&longd, line);
			}
		} else if (section == 1 && *line) {
			char *colon = strchr(line, ':');
			if (arg_indent < 0)
				arg_indent = indent;
			if (indent <= arg_indent && colon) {
				char *paren;
				if (curname) {
					json_object_set_new(argdocs, curname, json_string(cur.buf));
					free(curname);
				}
				*colon = '\0';
				paren = strchr(line, '(');
				if (paren)
					*paren = '\0';
				curname = strip(line, strlen(line));
				buf_reset(&cur);
				{
					char *d = strip(colon + 1, strlen(colon + 1));
					buf_addstr(&cur, d);
					free(d);
				}
			} else if (curname) {
				if (cur.len)
					buf_addch(&cur, '\n');
				buf_addstr(&cur, line);
			}
		}
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	if (curname) {
		json_object_set_new(argdocs, curname, json_string(cur.buf));
		free(curname);
	}
	buf_addstr(desc, shortd.buf);
	if (longd.len) {
		buf_addstr(desc, blank_after_short ? "\n\n" : "\n");
		buf_addstr(desc, longd.buf);
	}
	buf_release(&cur);
	buf_release(&shortd);
	buf_release(&longd);
}

/* The last top-level `def` (or `async def`); NULL when none. */
static const char *find_def(const char *src)
{
	const char *last = NULL, *p = src;

	while (p && *p) {
		if (!strncmp(p, "def ", 4))
			last = p + 4;
		else if (!strncmp(p, "async def ", 10))
			last = p + 10;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return last;
}

int tool_derive_schema(json_t **out, const char *src, struct buf *err)
{
	const char *d = find_def(src), *open, *close, *body, *q;
	char *name = NULL, *doc = NULL;
	struct param *ps = NULL;
	size_t np = 0;
	int depth = 0, ret = -1;
	json_t *props = json_object(), *req = json_array(), *argdocs = json_object();
	struct buf desc = BUF_INIT;

	if (!d) {
		buf_addstr(err, "Failed to derive the tool schema: no function definition found in source_code");
		goto out;
	}
	open = strchr(d, '(');
	if (!open) {
		buf_addstr(err, "Failed to derive the tool schema: malformed function definition");
		goto out;
	}
	name = strip(d, (size_t)(open - d));
	for (close = open; *close; close++) {
		if (*close == '(')
			depth++;
		else if (*close == ')' && --depth == 0)
			break;
	}
	if (!*close) {
		buf_addstr(err, "Failed to derive the tool schema: unbalanced parentheses");
		goto out;
	}
	np = split_params(&ps, open + 1, (size_t)(close - open - 1));
	body = strchr(close, ':');
	body = body ? strchr(body, '\n') : NULL;
	while (body && *body && isspace((unsigned char)*body))
		body++;
	if (body && (!strncmp(body, "\"\"\"", 3) || !strncmp(body, "'''", 3))) {
		char quote[4] = { body[0], body[0], body[0], 0 };
		q = strstr(body + 3, quote);
		if (q)
			doc = xstrndup(body + 3, (size_t)(q - body - 3));
	}
	if (!doc) {
		buf_addf(err, "Function '%s' has no docstring", name);
		goto out;
	}
	parse_doc(doc, &desc, argdocs);
	for (size_t i = 0; i < np; i++) {
		json_t *t;
		const char *pd;
		if (!strcmp(ps[i].name, "self") || !strcmp(ps[i].name, "agent_state"))
			continue;
		if (!ps[i].ann) {
			buf_addf(err, "Parameter '%s' in function '%s' lacks a type annotation",
				 ps[i].name, name);
			goto out;
		}
		pd = json_string_value(json_object_get(argdocs, ps[i].name));
		if (!pd || !*pd) {
			buf_addf(err,
				 "Parameter '%s' in function '%s' lacks a description in the docstring",
				 ps[i].name, name);
			goto out;
		}
		t = py_type(ps[i].ann);
		if (!t) {
			buf_addf(err, "Parameter '%s' in function '%s' has an unsupported type '%s'",
				 ps[i].name, name, ps[i].ann);
			goto out;
		}
		json_object_set_new(t, "description", json_string(pd));
		json_object_set_new(props, ps[i].name, t);
		if (!ps[i].has_default)
			json_array_append_new(req, json_string(ps[i].name));
	}
	*out = json_pack("{s:s,s:s,s:{s:s,s:O,s:O}}", "name", name, "description", desc.buf,
			 "parameters", "type", "object", "properties", props, "required", req);
	ret = 0;
out:
	for (size_t i = 0; i < np; i++) {
		free(ps[i].name);
		free(ps[i].ann);
	}
	free(ps);
	free(name);
	free(doc);
	json_decref(props);
	json_decref(req);
	json_decref(argdocs);
	buf_release(&desc);
	return ret;
}
