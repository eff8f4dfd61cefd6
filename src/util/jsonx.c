#include "util/jsonx.h"
#include "util/buf.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <string.h>

const char *jsonx_get_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

long long jsonx_get_int(const json_t *obj, const char *key, long long def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

int jsonx_get_bool(const json_t *obj, const char *key, int def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

json_t *jsonx_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int jsonx_array_has_str(const json_t *arr, const char *s)
{
	const json_t *t;
	size_t i;

	json_array_foreach(arr, i, t)
		if (json_is_string(t) && !strcmp(json_string_value(t), s))
			return 1;
	return 0;
}

const char *jsonx_array_prefixed(const json_t *arr, const char *prefix)
{
	size_t i, l = strlen(prefix);
	const json_t *t;

	json_array_foreach(arr, i, t)
		if (json_is_string(t) && !strncmp(json_string_value(t), prefix, l))
			return json_string_value(t) + l;
	return NULL;
}

const json_t *jsonx_array_find(const json_t *arr, const char *key, const char *value)
{
	const json_t *o;
	size_t i;

	if (!value)
		return NULL;
	json_array_foreach(arr, i, o)
		if (jsonx_get_str(o, key) && !strcmp(jsonx_get_str(o, key), value))
			return o;
	return NULL;
}

json_t *jsonx_array_pluck_str(const json_t *arr, const char *key)
{
	json_t *out = json_array();
	const json_t *o;
	size_t i;

	json_array_foreach(arr, i, o)
		if (jsonx_get_str(o, key))
			json_array_append_new(out, json_string(jsonx_get_str(o, key)));
	return out;
}

void jsonx_array_addf(json_t *arr, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!arr)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_string(b.buf));
	buf_release(&b);
}

void jsonx_key_pos(const char *text, size_t len, const char *key, int *line, int *col)
{
	struct buf needle = BUF_INIT;
	size_t klen;

	*line = 1;
	*col = 1;
	buf_addf(&needle, "\"%s\"", key);
	klen = needle.len;
	for (size_t i = 0; i + klen <= len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
			continue;
		}
		if (!memcmp(text + i, needle.buf, klen)) {
			buf_release(&needle);
			return;
		}
		(*col)++;
	}
	*line = 1;
	*col = 1;
	buf_release(&needle);
}

char *jsonx_canonical(const json_t *v)
{
	return json_dumps(v, JSONX_CANONICAL_FLAGS);
}

json_t *jsonx_str_lossy(const char *s)
{
	struct buf b = BUF_INIT;
	json_t *v;

	if (!s)
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	while (*s) {
		size_t n = utf8_seq_len(s);

		if (n) {
			buf_add(&b, s, n);
			s += n;
		} else {
			buf_addf(&b, "\\x%02x", (unsigned)(unsigned char)*s);
			s++;
		}
	}
	v = json_string(b.buf);
	buf_release(&b);
	return v;
}
