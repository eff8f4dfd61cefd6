/* YAML and JSON text to jansson values with a position table; see yamlx.h. */
#include "util/yamlx.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct yctx {
	yaml_parser_t parser;
	json_t *anchors;   /* name -> [value, node count] */
	size_t nodes;      /* nodes produced so far, aliases expanded */
	size_t bytes;      /* scalar bytes produced so far, aliases expanded */
	int depth;
	struct buf ptr;    /* JSON pointer of the node being parsed (with positions only) */
	json_t *positions; /* of the current document */
	int positions_on;  /* 0: YAMLX_NO_POSITIONS, no table and no pointers */
	struct ls_error *err;
	int err_line, err_col;
};

void yamlx_pointer_add(struct buf *ptr, const char *key)
{
	buf_addch(ptr, '/');
	for (const char *s = key; *s; s++) {
		if (*s == '~')
			buf_addstr(ptr, "~0");
		else if (*s == '/')
			buf_addstr(ptr, "~1");
		else
			buf_addch(ptr, *s);
	}
}

int yamlx_lookup(const json_t *positions, const char *pointer, int *line, int *col)
{
	struct buf p = BUF_INIT;
	int exact = 1;

	*line = 0;
	*col = 0;
	if (!positions)
		return 0;
	buf_addstr(&p, pointer);
	for (;;) {
		json_t *v = json_object_get(positions, p.buf);
		char *slash;

		if (json_is_integer(v)) {
			long long packed = json_integer_value(v);

			*line = yamlx_pos_line(packed);
			*col = yamlx_pos_col(packed);
			break;
		}
		exact = 0;
		if (!p.len)
			break;
		slash = strrchr(p.buf, '/');
		buf_setlen(&p, slash ? (size_t)(slash - p.buf) : 0);
	}
	buf_release(&p);
	return exact && *line;
}

static void set_pos(struct yctx *c, yaml_mark_t m)
{
	if (!c->positions_on)
		return;
	json_object_set_new(c->positions, c->ptr.buf,
			    json_integer(yamlx_pos_pack((int)m.line + 1, (int)m.column + 1)));
}

static int fail_at(struct yctx *c, yaml_mark_t m, const char *msg)
{
	c->err_line = (int)m.line + 1;
	c->err_col = (int)m.column + 1;
	return ls_error_set(c->err, LS_EINVALID, "%s", msg);
}

static int parser_fail(struct yctx *c)
{
	yaml_parser_t *p = &c->parser;
	yaml_mark_t m = p->problem_mark;

	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a line. */
		c->err_line = 0;
		c->err_col = 0;
		return ls_error_set(c->err, LS_EINVALID, "%s at byte %zu",
				    p->problem ? p->problem : "cannot read the text", p->problem_offset);
	}
	if (p->error == YAML_MEMORY_ERROR)
		return ls_error_set(c->err, LS_EINVALID, "out of memory while parsing");
	c->err_line = (int)m.line + 1;
	c->err_col = (int)m.column + 1;
	if (p->context)
		return ls_error_set(c->err, LS_EINVALID, "%s %s", p->problem ? p->problem : "syntax error",
				    p->context);
	return ls_error_set(c->err, LS_EINVALID, "%s", p->problem ? p->problem : "syntax error");
}

static int next_event(struct yctx *c, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&c->parser, ev))
		return parser_fail(c);
	return 0;
}

static int count_node(struct yctx *c, yaml_mark_t m, size_t n, size_t bytes)
{
	c->nodes += n;
	c->bytes += bytes;
	if (c->nodes > YAMLX_MAX_NODES)
		return fail_at(c, m, "too many nodes (more than 200000 after expanding aliases)");
	if (c->bytes > YAMLX_MAX_BYTES)
		return fail_at(c, m, "too much text (more than 32 MiB after expanding aliases)");
	return 0;
}

int yamlx_only_chars(const char *s, const char *set)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr(set, *s))
			return 0;
	return 1;
}

static int is_float(const char *s)
{
	/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9') {
		s++;
		digits++;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			s++;
			digits++;
		}
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static int resolve_scalar(struct yctx *c, const yaml_event_t *ev, json_t **out)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

	if (len > YAMLX_MAX_SCALAR)
		return fail_at(c, ev->start_mark, "scalar too long (more than 1 MiB)");
	if (memchr(s, '\0', len))
		return fail_at(c, ev->start_mark, "string contains a NUL character");
	if (tag && (!strcmp(tag, "!") || !strcmp(tag, YAML_STR_TAG)))
		plain = 0;
	if (plain) {
		const char *digits = s;

		if (!len || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
		    !strcmp(s, "NULL")) {
			*out = json_null();
			return 0;
		}
		if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
			*out = json_true();
			return 0;
		}
		if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
			*out = json_false();
			return 0;
		}
		if (*digits == '-' || *digits == '+')
			digits++;
		if (yamlx_only_chars(digits, "0123456789") ||
		    (!strncmp(s, "0x", 2) && yamlx_only_chars(s + 2, "0123456789abcdefABCDEF")) ||
		    (!strncmp(s, "0o", 2) && yamlx_only_chars(s + 2, "01234567"))) {
			long long v;
			char *end;

			errno = 0;
			if (!strncmp(s, "0o", 2))
				v = strtoll(s + 2, &end, 8);
			else
				v = strtoll(s, &end, !strncmp(s, "0x", 2) ? 16 : 10);
			if (errno == ERANGE)
				return fail_at(c, ev->start_mark, "integer out of range");
			*out = json_integer(v);
			return 0;
		}
		if (is_float(s)) {
			double d;

			errno = 0;
			d = strtod(s, NULL);
			if (errno == ERANGE)
				return fail_at(c, ev->start_mark, "number out of range");
			*out = json_real(d);
			if (*out)
				return 0;
		}
	}
	*out = json_stringn(s, len);
	if (!*out)
		return fail_at(c, ev->start_mark, "invalid UTF-8 in a string");
	return 0;
}

static int parse_node(struct yctx *c, yaml_event_t *ev, json_t **out);

static void add_anchor(struct yctx *c, const yaml_char_t *anchor, json_t *v, size_t count,
		       size_t bytes)
{
	if (!anchor)
		return;
	json_object_set_new(c->anchors, (const char *)anchor,
			    json_pack("[O, I, I]", v, (json_int_t)count, (json_int_t)bytes));
}

static int parse_sequence(struct yctx *c, yaml_event_t *start, json_t **out)
{
	json_t *arr = json_array();
	size_t base = c->ptr.len;
	yaml_event_t ev;
	int ret = 0;

	for (size_t i = 0;; i++) {
		json_t *item = NULL;

		ret = next_event(c, &ev);
		if (ret < 0)
			break;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (c->positions_on) {
			buf_addf(&c->ptr, "/%zu", i);
			set_pos(c, ev.start_mark);
		}
		ret = parse_node(c, &ev, &item);
		yaml_event_delete(&ev);
		buf_setlen(&c->ptr, base);
		if (ret < 0)
			break;
		json_array_append_new(arr, item);
	}
	(void)start;
	if (ret < 0) {
		json_decref(arr);
		return ret;
	}
	*out = arr;
	return 0;
}

/* Applies "<<: *base" (or a list of them): keys not set explicitly are copied. */
static int apply_merge(struct yctx *c, json_t *obj, json_t *merge, yaml_mark_t m)
{
	json_t *list = json_is_array(merge) ? merge : NULL;
	size_t n = list ? json_array_size(list) : 1;

	for (size_t i = 0; i < n; i++) {
		json_t *src = list ? json_array_get(list, i) : merge;
		const char *k;
		json_t *v;

		if (!json_is_object(src))
			return fail_at(c, m, "a '<<' merge key needs a mapping or a list of mappings");
		json_object_foreach(src, k, v) {
			if (!json_object_get(obj, k))
				json_object_set(obj, k, v);
		}
	}
	return 0;
}

static int parse_mapping(struct yctx *c, yaml_event_t *start, json_t **out)
{
	json_t *obj = json_object();
	json_t *merge = NULL;
	yaml_mark_t merge_mark = start->start_mark;
	size_t base = c->ptr.len;
	yaml_event_t kev, vev;
	int ret = 0;

	for (;;) {
		json_t *val = NULL;
		const char *key;
		int is_merge;

		ret = next_event(c, &kev);
		if (ret < 0)
			break;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		if (kev.type != YAML_SCALAR_EVENT) {
			ret = fail_at(c, kev.start_mark, kev.type == YAML_ALIAS_EVENT ?
				      "an alias cannot be a mapping key" :
				      "mapping keys must be scalars");
			yaml_event_delete(&kev);
			break;
		}
		if (memchr(kev.data.scalar.value, '\0', kev.data.scalar.length) ||
		    kev.data.scalar.length > 4096) {
			ret = fail_at(c, kev.start_mark, "invalid mapping key");
			yaml_event_delete(&kev);
			break;
		}
		/* libyaml's scalar is NUL-terminated (and has no NUL inside): the key, kept with kev. */
		key = (const char *)kev.data.scalar.value;
		is_merge = !strcmp(key, "<<") && kev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (!is_merge && json_object_get(obj, key)) {
			ret = fail_at(c, kev.start_mark, "duplicate key");
			ls_error_set(c->err, LS_EINVALID, "duplicate key '%s'", key);
			yaml_event_delete(&kev);
			break;
		}
		if (!is_merge) {
			if (c->positions_on) {
				yamlx_pointer_add(&c->ptr, key);
				set_pos(c, kev.start_mark);
			}
		} else {
			merge_mark = kev.start_mark;
		}
		ret = count_node(c, kev.start_mark, 0, kev.data.scalar.length);
		if (ret == 0)
			ret = next_event(c, &vev);
		if (ret < 0) {
			yaml_event_delete(&kev);
			buf_setlen(&c->ptr, base);
			break;
		}
		ret = parse_node(c, &vev, &val);
		yaml_event_delete(&vev);
		buf_setlen(&c->ptr, base);
		if (ret < 0) {
			yaml_event_delete(&kev);
			break;
		}
		if (is_merge) {
			json_decref(merge);
			merge = val;
		} else {
			json_object_set_new(obj, key, val);
		}
		yaml_event_delete(&kev);
	}
	if (ret == 0 && merge)
		ret = apply_merge(c, obj, merge, merge_mark);
	json_decref(merge);
	if (ret < 0) {
		json_decref(obj);
		return ret;
	}
	*out = obj;
	return 0;
}

/* Parses the node that ev starts; ev stays the caller's. */
static int parse_node(struct yctx *c, yaml_event_t *ev, json_t **out)
{
	size_t before = c->nodes, bytes_before = c->bytes;
	const yaml_char_t *anchor = NULL;
	int ret;

	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		json_t *a = json_object_get(c->anchors, (const char *)ev->data.alias.anchor);

		if (!a)
			return fail_at(c, ev->start_mark, "unknown alias");
		ret = count_node(c, ev->start_mark, (size_t)json_integer_value(json_array_get(a, 1)),
				 (size_t)json_integer_value(json_array_get(a, 2)));
		if (ret < 0)
			return ret;
		*out = json_deep_copy(json_array_get(a, 0));
		return 0;
	}
	case YAML_SCALAR_EVENT:
		ret = count_node(c, ev->start_mark, 1, ev->data.scalar.length);
		if (ret == 0)
			ret = resolve_scalar(c, ev, out);
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		ret = count_node(c, ev->start_mark, 1, 0);
		if (ret < 0)
			return ret;
		if (++c->depth > YAMLX_MAX_DEPTH)
			return fail_at(c, ev->start_mark, "nesting too deep (more than 64 levels)");
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			anchor = ev->data.sequence_start.anchor;
			ret = parse_sequence(c, ev, out);
		} else {
			anchor = ev->data.mapping_start.anchor;
			ret = parse_mapping(c, ev, out);
		}
		c->depth--;
		break;
	default:
		return fail_at(c, ev->start_mark, "unexpected YAML event");
	}
	if (ret == 0)
		add_anchor(c, anchor, *out, c->nodes - before, c->bytes - bytes_before);
	return ret;
}

static size_t utf8_len(const unsigned char *s, size_t left)
{
	/* Length of a well-formed UTF-8 sequence at s, or 0 (RFC 3629, no surrogates). */
	unsigned char b = s[0];
	size_t n;
	uint32_t cp;

	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		n = 2, cp = b & 0x1F;
	else if (b >= 0xE0 && b <= 0xEF)
		n = 3, cp = b & 0x0F;
	else if (b >= 0xF0 && b <= 0xF4)
		n = 4, cp = b & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

int yamlx_check_text(const char *text, size_t len, int *line, int *col, struct ls_error *err)
{
	const unsigned char *s = (const unsigned char *)text;
	int l = 1, c = 1;

	for (size_t i = 0; i < len;) {
		size_t n;

		if (s[i] == '\0') {
			*line = l;
			*col = c;
			return ls_error_set(err, LS_EINVALID, "binary file (NUL byte at offset %zu)", i);
		}
		n = utf8_len(s + i, len - i);
		if (!n) {
			*line = l;
			*col = c;
			return ls_error_set(err, LS_EINVALID, "invalid UTF-8 (byte 0x%02x at offset %zu)",
					    s[i], i);
		}
		if (s[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
		i += n;
	}
	return 0;
}

static void docs_add(struct yamlx_docs *out, json_t *value, json_t *positions, int line, int col)
{
	out->items = xgrow(out->items, sizeof(*out->items), out->n + 1, &out->alloc);
	out->items[out->n].value = value;
	out->items[out->n].positions = positions;
	out->items[out->n].line = line;
	out->items[out->n].col = col;
	out->n++;
}

static int check_input(struct yamlx_docs *out, const char *text, size_t len, struct ls_error *err)
{
	if (len > YAMLX_MAX_INPUT)
		return ls_error_set(err, LS_EINVALID, "file too large (%zu bytes; the limit is %u)", len,
				    YAMLX_MAX_INPUT);
	return yamlx_check_text(text, len, &out->err_line, &out->err_col, err);
}

int yamlx_parse(struct yamlx_docs *out, const char *text, size_t len, struct ls_error *err)
{
	return yamlx_parse_flags(out, text, len, 0, err);
}

int yamlx_parse_flags(struct yamlx_docs *out, const char *text, size_t len, unsigned flags,
		      struct ls_error *err)
{
	struct yctx c;
	yaml_event_t ev;
	int ret;

	ret = check_input(out, text, len, err);
	if (ret < 0)
		return ret;
	memset(&c, 0, sizeof(c));
	c.err = err;
	c.positions_on = !(flags & YAMLX_NO_POSITIONS);
	buf_init(&c.ptr);
	if (!yaml_parser_initialize(&c.parser))
		return ls_error_set(err, LS_EINVALID, "cannot start the YAML parser");
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&c.parser, YAML_UTF8_ENCODING);
	for (;;) {
		json_t *value = NULL;
		yaml_mark_t m;

		ret = next_event(&c, &ev);
		if (ret < 0)
			break;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type != YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue; /* STREAM_START */
		}
		yaml_event_delete(&ev);
		if (out->n >= YAMLX_MAX_DOCS) {
			ret = ls_error_set(err, LS_EINVALID, "too many documents (more than %d)",
					   YAMLX_MAX_DOCS);
			break;
		}
		/* Anchors are scoped to their document. */
		json_decref(c.anchors);
		c.anchors = json_object();
		c.positions = c.positions_on ? json_object() : NULL;
		ret = next_event(&c, &ev);
		if (ret < 0) {
			json_decref(c.positions);
			break;
		}
		m = ev.start_mark;
		buf_reset(&c.ptr);
		set_pos(&c, m);
		ret = parse_node(&c, &ev, &value);
		yaml_event_delete(&ev);
		if (ret < 0) {
			json_decref(c.positions);
			break;
		}
		docs_add(out, value, c.positions, (int)m.line + 1, (int)m.column + 1);
		c.positions = NULL;
		ret = next_event(&c, &ev); /* DOCUMENT_END */
		if (ret < 0)
			break;
		yaml_event_delete(&ev);
	}
	if (ret < 0) {
		out->err_line = c.err_line;
		out->err_col = c.err_col;
	}
	json_decref(c.anchors);
	buf_release(&c.ptr);
	yaml_parser_delete(&c.parser);
	return ret;
}

static int check_json_value(const json_t *v, int depth, size_t *nodes)
{
	size_t i;
	const char *k;
	json_t *x;

	if (++*nodes > YAMLX_MAX_NODES || depth > YAMLX_MAX_DEPTH)
		return -1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (check_json_value(x, depth + 1, nodes) < 0)
				return -1;
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
			if (check_json_value(x, depth + 1, nodes) < 0)
				return -1;
	}
	return 0;
}

int yamlx_parse_json(struct yamlx_docs *out, const char *text, size_t len, struct ls_error *err)
{
	return yamlx_parse_json_flags(out, text, len, 0, err);
}

int yamlx_parse_json_flags(struct yamlx_docs *out, const char *text, size_t len, unsigned flags,
			   struct ls_error *err)
{
	json_error_t jerr;
	json_t *value;
	struct yamlx_docs pos = YAMLX_DOCS_INIT;
	struct ls_error ignored = LS_ERROR_INIT;
	size_t nodes = 0;
	int ret;

	ret = check_input(out, text, len, err);
	if (ret < 0)
		return ret;
	value = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!value) {
		out->err_line = jerr.line > 0 ? jerr.line : 0;
		out->err_col = jerr.column > 0 ? jerr.column : 0;
		return ls_error_set(err, LS_EINVALID, "%s", jerr.text);
	}
	if (check_json_value(value, 0, &nodes) < 0) {
		json_decref(value);
		out->err_line = 1;
		out->err_col = 1;
		return ls_error_set(err, LS_EINVALID,
				    "nesting too deep or too many nodes (limits: 64 levels, %d nodes)",
				    YAMLX_MAX_NODES);
	}
	/*
	 * jansson gives the values; libyaml, reading the same text as YAML flow style, gives the
	 * positions. JSON it cannot read (rare escapes) simply has no positions.
	 */
	if (yamlx_parse_flags(&pos, text, len, flags, &ignored) == 0 && pos.n == 1) {
		docs_add(out, value, pos.items[0].positions, pos.items[0].line, pos.items[0].col);
		pos.items[0].positions = NULL;
	} else {
		docs_add(out, value, (flags & YAMLX_NO_POSITIONS) ? NULL : json_object(), 1, 1);
	}
	yamlx_docs_release(&pos);
	return 0;
}

void yamlx_docs_release(struct yamlx_docs *docs)
{
	if (!docs)
		return;
	for (size_t i = 0; i < docs->n; i++) {
		json_decref(docs->items[i].value);
		json_decref(docs->items[i].positions);
	}
	free(docs->items);
	docs->items = NULL;
	docs->n = docs->alloc = 0;
}
