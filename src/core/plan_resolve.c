/* Resolving the references of a plan's requests once earlier actions have run (plan.h). */
#include "core/plan.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int parse_index(const char *s, size_t *out)
{
	size_t v = 0;

	if (!*s)
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (size_t)(*s - '0');
	*out = v;
	return 0;
}

/* The id a reference string names, or NULL; *is_ref says whether s was a reference. */
static const char *ref_id(const char *s, const struct plan_results *res, size_t self,
			  int *is_ref, size_t *len)
{
	size_t n;

	*is_ref = 0;
	if (!strncmp(s, "@self", 5)) {
		*is_ref = 1;
		*len = 5;
		return self < res->n ? res->ids[self] : NULL;
	}
	if (!strncmp(s, "@ref:", 5)) {
		const char *p = s + 5;

		*is_ref = 1;
		if (parse_index(p, &n) < 0)
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
		*len = (size_t)(p - s);
		return n < res->n ? res->ids[n] : NULL;
	}
	return NULL;
}

char *plan_resolve_id(const char *path, const struct plan_results *res, size_t self,
			struct ls_error *err)
{
	struct buf out = BUF_INIT;
	const char *p = path;

	while (*p) {
		const char *at = strchr(p, '@');
		const char *id;
		int is_ref;
		size_t len = 0;

		if (!at) {
			buf_addstr(&out, p);
			break;
		}
		buf_add(&out, p, (size_t)(at - p));
		id = ref_id(at, res, self, &is_ref, &len);
		if (!is_ref) {
			buf_addch(&out, '@');
			p = at + 1;
			continue;
		}
		if (!id) {
			ls_error_set(err, LS_EFAIL, "'%s' depends on an object that was not created",
				     path);
			buf_release(&out);
			return NULL;
		}
		buf_addstr(&out, id);
		p = at + len;
	}
	return buf_detach(&out);
}

/* Resolves v; returns a new reference, json_null() for a dropped @if, NULL on error. */
static json_t *resolve(const json_t *v, const struct plan_results *res, size_t self,
		       struct ls_error *err)
{
	json_t *out, *x, *y;
	const char *k;
	size_t i;

	if (json_is_string(v)) {
		int is_ref;
		size_t len = 0;
		const char *id = ref_id(json_string_value(v), res, self, &is_ref, &len);

		if (!is_ref || json_string_value(v)[len] != '\0')
			return json_incref((json_t *)v);
		if (!id) {
			ls_error_set(err, LS_EFAIL, "a reference to an object that was not created");
			return NULL;
		}
		return json_string(id);
	}
	if (json_is_object(v)) {
		const json_t *cond = json_object_get(v, "@if");

		if (json_is_integer(cond)) {
			size_t n = (size_t)json_integer_value(cond);
			int ok = n < res->n && res->ok[n] == 1;

			return resolve(json_object_get(v, ok ? "then" : "else")
					       ? json_object_get(v, ok ? "then" : "else")
					       : json_null(),
				       res, self, err);
		}
		out = json_object();
		json_object_foreach((json_t *)v, k, x)
		{
			if (!(y = resolve(x, res, self, err))) {
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, k, y);
		}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, x)
		{
			int cond = json_is_object(x) && json_object_get(x, "@if");

			if (!(y = resolve(x, res, self, err))) {
				json_decref(out);
				return NULL;
			}
			if (cond && json_is_null(y))
				json_decref(y);
			else
				json_array_append_new(out, y);
		}
		return out;
	}
	return json_incref((json_t *)v);
}

json_t *plan_resolve_body(const json_t *body, unsigned flags, const struct plan_results *res,
			  size_t self, struct ls_error *err)
{
	json_t *out;

	if (!body)
		return NULL;
	out = resolve(body, res, self, err);
	if (out && (flags & REQ_STRINGIFY_VALUE) && !json_is_string(json_object_get(out, "value"))) {
		char *text = json_dumps(json_object_get(out, "value"), JSON_COMPACT);

		json_object_set_new(out, "value", json_string(text ? text : ""));
		free(text);
	}
	return out;
}
