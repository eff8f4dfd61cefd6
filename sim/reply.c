/*
 * Response bodies in the shapes of the digest (docs/contract/letta-api.md) section 2.1, and the
 * request validation that leads to them: pydantic's 422 (a string `detail` holding the Python repr
 * of the error list), the `{"detail": ...}` of most errors and the cloud routes' `{"message":
 * ...}`.
 */
#include "sim.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void resp_set(struct sim_resp *rs, int status, char *body)
{
	free(rs->body);
	rs->status = status;
	rs->body = body;
	rs->content_type = "application/json";
}

void resp_json_take(struct sim_resp *rs, int status, json_t *body)
{
	resp_set(rs, status, json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY));
	json_decref(body);
}

void resp_null(struct sim_resp *rs)
{
	resp_set(rs, 200, xstrdup("null"));
}

void resp_empty(struct sim_resp *rs, int status)
{
	resp_set(rs, status, NULL);
}

static void resp_keyed(struct sim_resp *rs, int status, const char *key, const char *fmt,
		       va_list ap)
{
	struct buf msg = BUF_INIT;
	json_t *o = json_object();

	buf_vaddf(&msg, fmt, ap);
	json_object_set_new(o, key, json_string(msg.buf));
	buf_release(&msg);
	resp_json_take(rs, status, o);
}

void resp_detail(struct sim_resp *rs, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	resp_keyed(rs, status, "detail", fmt, ap);
	va_end(ap);
}

void resp_message(struct sim_resp *rs, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	resp_keyed(rs, status, "message", fmt, ap);
	va_end(ap);
}

void resp_not_found(struct sim_resp *rs, const char *what, const char *id)
{
	resp_detail(rs, 404, "%s with id '%s' not found", what, id);
}

/*
 * The real server's ORM read (letta/orm/sqlalchemy_base.py read_async) raises
 * NoResultFound(f"{cls.__name__} not found with {', '.join(query_conditions)}"), the conditions
 * being f"id='{identifiers}'" (a Python list) and f"access level in {access} for
 * actor='{actor}'"; app.py's handler answers 404 {"detail": str(exc)}. The actor is the default
 * user (its repr cut to its ids).
 */
void resp_orm_not_found(struct sim_resp *rs, const char *model, const char *id)
{
	resp_detail(rs, 404,
		    "%s not found with id='['%s']', access level in ['read'] for "
		    "actor='id='%s' organization_id='%s''",
		    model, id, SIM_USER_ID, SIM_ORG_ID);
}

/*
 * A unique-key clash as the real server reports it: _handle_dbapi_error in
 * letta/orm/sqlalchemy_base.py raises UniqueConstraintViolationError(f"A unique constraint was
 * violated for {cls.__name__}. Check your input for duplicates: {e}") with e the driver's error,
 * and app.py answers 409 {"detail": str(exc)}.
 */
json_t *coll_find_or_404(struct sim_resp *rs, const struct coll *c, const char *model,
			 const char *id)
{
	json_t *o = coll_find(c, id);

	if (!o)
		resp_orm_not_found(rs, model, id);
	return o;
}

void resp_unique(struct sim_resp *rs, const char *model, const char *constraint,
		 const char *cols, const char *vals)
{
	resp_detail(rs, 409,
		    "A unique constraint was violated for %s. Check your input for duplicates: "
		    "(asyncpg.exceptions.UniqueViolationError) duplicate key value violates unique "
		    "constraint \"%s\"\nDETAIL:  Key (%s)=(%s) already exists.",
		    model, constraint, cols, vals);
}

/* The foreign-key twin: ForeignKeyConstraintViolationError, also a 409. */
void resp_foreign_key(struct sim_resp *rs, const char *model, const char *table,
		      const char *col, const char *val, const char *ref_table)
{
	resp_detail(rs, 409,
		    "A foreign key constraint was violated for %s. Check your input for missing or "
		    "invalid references: (asyncpg.exceptions.ForeignKeyViolationError) insert or update "
		    "on table \"%s\" violates foreign key constraint \"%s_%s_fkey\"\nDETAIL:  Key "
		    "(%s)=(%s) is not present in table \"%s\".",
		    model, table, table, col, col, val, ref_table);
}

static void py_str(struct buf *out, const char *s)
{
	char q = (strchr(s, '\'') && !strchr(s, '"')) ? '"' : '\'';

	buf_addch(out, q);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\' || c == (unsigned char)q) {
			buf_addch(out, '\\');
			buf_addch(out, (char)c);
		} else if (c == '\n') {
			buf_addstr(out, "\\n");
		} else if (c == '\t') {
			buf_addstr(out, "\\t");
		} else if (c == '\r') {
			buf_addstr(out, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			buf_addf(out, "\\x%02x", c);
		} else {
			buf_addch(out, (char)c);
		}
	}
	buf_addch(out, q);
}

void py_repr(struct buf *out, const json_t *v)
{
	size_t i;
	const char *k;
	json_t *x;
	int first = 1;

	switch (json_typeof(v)) {
	case JSON_NULL:
		buf_addstr(out, "None");
		break;
	case JSON_TRUE:
		buf_addstr(out, "True");
		break;
	case JSON_FALSE:
		buf_addstr(out, "False");
		break;
	case JSON_INTEGER:
		buf_addf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		buf_addf(out, "%.17g", json_real_value(v));
		break;
	case JSON_STRING:
		py_str(out, json_string_value(v));
		break;
	case JSON_ARRAY:
		buf_addch(out, '[');
		json_array_foreach(v, i, x) {
			if (i)
				buf_addstr(out, ", ");
			py_repr(out, x);
		}
		buf_addch(out, ']');
		break;
	case JSON_OBJECT:
		buf_addch(out, '{');
		json_object_foreach((json_t *)v, k, x) {
			if (!first)
				buf_addstr(out, ", ");
			first = 0;
			py_str(out, k);
			buf_addstr(out, ": ");
			py_repr(out, x);
		}
		buf_addch(out, '}');
		break;
	}
}

/* One pydantic error entry; idx >= 0 adds a list index to loc. */
static void py_error(struct buf *d, const char *type, const char *loc, const char *name,
		     long idx, const char *msg, const json_t *input)
{
	json_t *empty = json_object();

	buf_addstr(d, "{'type': ");
	py_str(d, type);
	buf_addstr(d, ", 'loc': (");
	py_str(d, loc);
	if (name) {
		buf_addstr(d, ", ");
		py_str(d, name);
	}
	if (idx >= 0)
		buf_addf(d, ", %ld", idx);
	if (!name && idx < 0)
		buf_addch(d, ',');
	buf_addstr(d, "), 'msg': ");
	py_str(d, msg);
	buf_addstr(d, ", 'input': ");
	py_repr(d, input ? input : empty);
	buf_addch(d, '}');
	json_decref(empty);
}

static void resp_422_raw(struct sim_resp *rs, const char *detail, json_t *examples_take)
{
	json_t *o = json_object();

	json_object_set_new(o, "trace_id", json_string(""));
	json_object_set_new(o, "detail", json_string(detail));
	if (examples_take)
		json_object_set_new(o, "examples", examples_take);
	resp_json_take(rs, 422, o);
}

static void resp_422_at(struct sim_resp *rs, const char *type, const char *loc,
			const char *name, long idx, const char *msg, const json_t *input)
{
	struct buf d = BUF_INIT;

	buf_addch(&d, '[');
	py_error(&d, type, loc, name, idx, msg, input);
	buf_addch(&d, ']');
	resp_422_raw(rs, d.buf, NULL);
	buf_release(&d);
}

void resp_422(struct sim_resp *rs, const char *type, const char *loc, const char *name,
	      const char *msg, const json_t *input, json_t *examples_take)
{
	struct buf d = BUF_INIT;

	buf_addch(&d, '[');
	py_error(&d, type, loc, name, -1, msg, input);
	buf_addch(&d, ']');
	resp_422_raw(rs, d.buf, examples_take);
	buf_release(&d);
}

/* ---- body validation ---- */

struct type_msg {
	const char *type;
	const char *msg;
};

static struct type_msg type_error(enum fld_type t)
{
	switch (t) {
	case F_STR:
		return (struct type_msg){ "string_type", "Input should be a valid string" };
	case F_INT:
		return (struct type_msg){ "int_type", "Input should be a valid integer" };
	case F_NUM:
		return (struct type_msg){ "float_type", "Input should be a valid number" };
	case F_BOOL:
		return (struct type_msg){ "bool_type", "Input should be a valid boolean" };
	case F_OBJ:
		return (struct type_msg){ "dict_type", "Input should be a valid dictionary" };
	default:
		return (struct type_msg){ "list_type", "Input should be a valid list" };
	}
}

static int type_ok(enum fld_type t, const json_t *v)
{
	switch (t) {
	case F_STR:
		return json_is_string(v);
	case F_INT:
		return json_is_integer(v) ||
		       (json_is_real(v) && json_real_value(v) == (double)(long long)json_real_value(v));
	case F_NUM:
		return json_is_number(v);
	case F_BOOL:
		return json_is_boolean(v);
	case F_OBJ:
		return json_is_object(v);
	case F_ARR:
	case F_ARR_STR:
		return json_is_array(v);
	case F_ANY:
		return 1;
	}
	return 0;
}

static int field_check(struct sim_resp *rs, const json_t *v, const struct fld *f)
{
	struct type_msg tm;
	size_t i;
	json_t *x;

	if (json_is_null(v)) {
		if (f->flags & F_NULLABLE)
			return 0;
	} else if (type_ok(f->type, v)) {
		if (f->type != F_ARR_STR)
			return 0;
		json_array_foreach(v, i, x) {
			if (!json_is_string(x)) {
				resp_422_at(rs, "string_type", "body", f->key, (long)i,
					    "Input should be a valid string", x);
				return -1;
			}
		}
		return 0;
	}
	tm = type_error(f->type);
	resp_422_at(rs, tm.type, "body", f->key, -1, tm.msg, v);
	return -1;
}

int value_check(struct sim_resp *rs, const json_t *v, const struct fld *f)
{
	return field_check(rs, v, f);
}

int body_check(struct sim_req *rq, struct sim_resp *rs, const struct fld *fields, int strict)
{
	if (rq->body_bad) {
		resp_422_raw(rs,
			     "[{'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode "
			     "error', 'input': {}, 'ctx': {'error': 'Expecting value'}}]",
			     NULL);
		return -1;
	}
	if (!rq->json) {
		for (const struct fld *f = fields; f->key; f++) {
			if (f->flags & F_REQUIRED) {
				resp_422_at(rs, "missing", "body", NULL, -1, "Field required", NULL);
				return -1;
			}
		}
		rq->json = json_object();
		return 0;
	}
	return json_check(rs, rq->json, fields, strict);
}

int json_check(struct sim_resp *rs, const json_t *obj, const struct fld *fields, int strict)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj)) {
		resp_422_at(rs, "model_attributes_type", "body", NULL, -1,
			    "Input should be a valid dictionary or object to extract fields from",
			    obj);
		return -1;
	}
	for (const struct fld *f = fields; f->key; f++) {
		v = json_object_get(obj, f->key);
		if (!v) {
			if (f->flags & F_REQUIRED) {
				resp_422_at(rs, "missing", "body", f->key, -1, "Field required",
					    obj);
				return -1;
			}
			continue;
		}
		if (field_check(rs, v, f) < 0)
			return -1;
	}
	if (strict) {
		json_object_foreach((json_t *)obj, k, v) {
			const struct fld *f;
			for (f = fields; f->key; f++) {
				if (!strcmp(f->key, k))
					break;
			}
			if (!f->key) {
				resp_422_at(rs, "extra_forbidden", "body", k, -1,
					    "Extra inputs are not permitted", v);
				return -1;
			}
		}
	}
	return 0;
}

/* ---- query validation ---- */

int query_int(struct sim_req *rq, struct sim_resp *rs, const char *key, long def, long *out)
{
	const char *s = req_arg(rq, key);
	char *end;
	long v;
	json_t *in;

	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno) {
		in = json_string(s);
		resp_422(rs, "int_parsing", "query", key,
			 "Input should be a valid integer, unable to parse string as an integer", in,
			 NULL);
		json_decref(in);
		return -1;
	}
	*out = v;
	return 0;
}

int query_bool(struct sim_req *rq, struct sim_resp *rs, const char *key, int def, int *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on", "t", "y", NULL };
	static const char *const no[] = { "false", "0", "no", "off", "f", "n", NULL };
	const char *s = req_arg(rq, key);
	json_t *in;

	*out = def;
	if (!s)
		return 0;
	for (int i = 0; yes[i]; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
	}
	for (int i = 0; no[i]; i++) {
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	in = json_string(s);
	resp_422(rs, "bool_parsing", "query", key,
		 "Input should be a valid boolean, unable to interpret input", in, NULL);
	json_decref(in);
	return -1;
}

int query_str(struct sim_req *rq, struct sim_resp *rs, const char *key, const char *charset,
	      size_t minlen, size_t maxlen, const char **out)
{
	const char *s = req_arg(rq, key);
	size_t len;
	struct buf msg = BUF_INIT;
	json_t *in;

	*out = NULL;
	if (!s)
		return 0;
	len = strlen(s);
	in = json_string(s);
	if (len < minlen) {
		buf_addf(&msg, "String should have at least %zu character%s", minlen,
			 minlen == 1 ? "" : "s");
		resp_422(rs, "string_too_short", "query", key, msg.buf, in, NULL);
		goto bad;
	}
	if (maxlen && len > maxlen) {
		buf_addf(&msg, "String should have at most %zu characters", maxlen);
		resp_422(rs, "string_too_long", "query", key, msg.buf, in, NULL);
		goto bad;
	}
	if (charset) {
		for (const char *p = s; *p; p++) {
			int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				 (*p >= '0' && *p <= '9') || strchr(charset, *p);
			if (!ok) {
				buf_addf(&msg, "String should match pattern '^[a-zA-Z0-9%s]+$'",
					 charset);
				resp_422(rs, "string_pattern_mismatch", "query", key, msg.buf, in,
					 NULL);
				goto bad;
			}
		}
	}
	json_decref(in);
	*out = s;
	return 0;
bad:
	json_decref(in);
	buf_release(&msg);
	return -1;
}

int page_parse(struct page *out, struct sim_req *rq, struct sim_resp *rs, long def_limit,
	       int def_desc, const char *const *order_by_allowed)
{
	const char *order = req_arg(rq, "order");
	const char *order_by = req_arg(rq, "order_by");
	json_t *in;

	static const char *const by_created[] = { "created_at", NULL };

	memset(out, 0, sizeof(*out));
	if (!order_by_allowed)
		order_by_allowed = by_created;
	if (query_int(rq, rs, "limit", def_limit, &out->limit) < 0)
		return -1;
	if (g_store.faults.max_limit > 0 && out->limit > g_store.faults.max_limit) {
		/* *sim*: a server whose Query(le=N) refuses large pages, as FastAPI words it. */
		struct buf msg = BUF_INIT;

		buf_addf(&msg, "Input should be less than or equal to %ld", g_store.faults.max_limit);
		in = json_string(req_arg(rq, "limit"));
		resp_422(rs, "less_than_equal", "query", "limit", msg.buf, in, NULL);
		json_decref(in);
		buf_release(&msg);
		return -1;
	}
	out->after = req_arg(rq, "after");
	out->before = req_arg(rq, "before");
	out->desc = def_desc;
	if (order) {
		if (strcmp(order, "asc") && strcmp(order, "desc")) {
			in = json_string(order);
			resp_422(rs, "enum", "query", "order", "Input should be 'asc' or 'desc'", in,
				 NULL);
			json_decref(in);
			return -1;
		}
		out->desc = !strcmp(order, "desc");
	}
	out->order_by = order_by_allowed[0];
	if (order_by) {
		int found = 0;
		struct buf msg = BUF_INIT;
		for (int i = 0; order_by_allowed[i]; i++) {
			if (!strcmp(order_by, order_by_allowed[i])) {
				out->order_by = order_by_allowed[i];
				found = 1;
			}
			buf_addf(&msg, "%s'%s'", i ? (order_by_allowed[i + 1] ? ", " : " or ") : "",
				 order_by_allowed[i]);
		}
		if (!found) {
			struct buf full = BUF_INIT;
			buf_addf(&full, "Input should be %s", msg.buf);
			in = json_string(order_by);
			resp_422(rs, "literal_error", "query", "order_by", full.buf, in, NULL);
			json_decref(in);
			buf_release(&full);
			buf_release(&msg);
			return -1;
		}
		buf_release(&msg);
	}
	return 0;
}
