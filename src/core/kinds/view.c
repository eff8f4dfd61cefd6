/*
 * What the kind files build their views with: normalisation (null and absent alike, sorted
 * sets, user metadata without our markers) and spec look-ups. See view.h.
 */
#include "core/kinds/view.h"
#include "core/markers.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const field_layers[] = { "base", "org", "project", NULL };

/* A deep copy without null object members (null and absent mean the same). */
json_t *view_norm(const json_t *v)
{
	json_t *out;
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach((json_t *)v, k, x)
			if (!json_is_null(x))
				json_object_set_new(out, k, view_norm(x));
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, x)
			json_array_append_new(out, view_norm(x));
		return out;
	}
	if (!v)
		return json_null();
	return json_deep_copy(v);
}

json_t *view_str(const json_t *v)
{
	return json_string(json_is_string(v) ? json_string_value(v) : "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted, de-duplicated array of the strings in arr, without those drop() rejects. */
json_t *view_strset(const json_t *arr, int (*drop)(const char *))
{
	const char **v = NULL;
	size_t i, n = 0;
	json_t *out = json_array(), *x;

	v = xmalloc((json_array_size(arr) + 1) * sizeof(*v));
	json_array_foreach(arr, i, x)
	{
		if (json_is_string(x) && !(drop && drop(json_string_value(x))))
			v[n++] = json_string_value(x);
	}
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]))
			json_array_append_new(out, json_string(v[i]));
	free(v);
	return out;
}

/* The sorted keys of an object, as an array. */
json_t *view_keys(const json_t *obj)
{
	json_t *keys = json_array(), *out;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v)
		json_array_append_new(keys, json_string(k));
	out = view_strset(keys, NULL);
	json_decref(keys);
	return out;
}

int view_is_marker_key(const char *k)
{
	return !strcmp(k, "managed_by") || !strcmp(k, "source") || !strcmp(k, "project") ||
	       !strcmp(k, "hash") || !strcmp(k, OWN_HASH_VERSION_KEY) || !strcmp(k, "files");
}

/* metadata without the ownership markers. */
json_t *view_user_metadata(const json_t *m)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)m, k, v)
		if (!view_is_marker_key(k) && !json_is_null(v))
			json_object_set_new(out, k, view_norm(v));
	return out;
}

int view_is_own_tag(const char *t)
{
	return !strcmp(t, OWN_TAG) || !strcmp(t, OWN_LEGACY_TAG) || !strcmp(t, OWN_LEGACY_TOOL_TAG);
}

const char *view_spec_str(const struct resource *r, const char *key)
{
	return jsonx_get_str(r->spec, key);
}

const char *view_meta_str(const struct resource *r, const char *key)
{
	return jsonx_get_str(json_object_get(r->doc, "metadata"), key);
}

const char *view_first_str(const char *a, const char *b, const char *c)
{
	return a ? a : b ? b : c ? c : "";
}

void view_vwarn(json_t *warnings, const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	buf_vaddf(&b, fmt, ap);
	json_array_append_new(warnings, json_string(b.buf));
	buf_release(&b);
}

void view_pull_warn(const struct kind_pull *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	view_vwarn(x->warnings, fmt, ap);
	va_end(ap);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* As pull writes values: a deep copy without nulls, object keys sorted. */
json_t *view_sorted_copy(const json_t *v)
{
	if (json_is_object(v)) {
		const char **keys = xmalloc((json_object_size(v) + 1) * sizeof(*keys));
		json_t *out = json_object(), *x;
		const char *k;
		size_t n = 0, i;

		json_object_foreach((json_t *)v, k, x)
			if (!json_is_null(x))
				keys[n++] = k;
		qsort(keys, n, sizeof(*keys), cmp_key);
		for (i = 0; i < n; i++)
			json_object_set_new(out, keys[i],
					    view_sorted_copy(json_object_get(v, keys[i])));
		free(keys);
		return out;
	}
	if (json_is_array(v)) {
		json_t *out = json_array(), *x;
		size_t i;

		json_array_foreach(v, i, x)
			json_array_append_new(out, view_sorted_copy(x));
		return out;
	}
	return v ? json_deep_copy(v) : json_null();
}
