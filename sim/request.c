/*
 * What a handler reads from its request: path parameters, query arguments (repeats kept,
 * docs/contract/letta-api.md section 1 "Query arrays"), headers and the parts of a
 * multipart/form-data body. server.c fills struct sim_req; every resource file reads it through
 * these.
 */
#include "sim.h"
#include "util/xalloc.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

const char *req_param(const struct sim_req *rq, size_t i)
{
	return i < rq->nparams ? rq->params[i] : "";
}

const char *req_arg(const struct sim_req *rq, const char *key)
{
	for (size_t i = 0; i < rq->nargs; i++) {
		if (!strcmp(rq->args[i].key, key))
			return rq->args[i].val;
	}
	return NULL;
}

json_t *req_args_all(const struct sim_req *rq, const char *key, int split_commas)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < rq->nargs; i++) {
		const char *v = rq->args[i].val;
		if (strcmp(rq->args[i].key, key))
			continue;
		if (!split_commas) {
			json_array_append_new(arr, json_string(v));
			continue;
		}
		while (*v) {
			const char *c = strchr(v, ',');
			size_t n = c ? (size_t)(c - v) : strlen(v);
			if (n)
				json_array_append_new(arr, json_stringn(v, n));
			v += n;
			if (*v == ',')
				v++;
		}
	}
	return arr;
}

const char *req_header(const struct sim_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

static const char *find_mem(const char *hay, size_t hl, const char *needle, size_t nl)
{
	if (nl > hl)
		return NULL;
	for (size_t i = 0; i + nl <= hl; i++) {
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, nl))
			return hay + i;
	}
	return NULL;
}

/* A header parameter (`boundary=`, `filename=`), quoted or not; caller frees. */
static char *header_param(const char *h, size_t hl, const char *key)
{
	size_t kl = strlen(key);
	const char *p = h, *end = h + hl, *s;

	while ((p = find_mem(p, (size_t)(end - p), key, kl)) != NULL) {
		if (p > h && p[-1] != ' ' && p[-1] != ';' && p[-1] != '\t') {
			p += kl;
			continue;
		}
		p += kl;
		if (p < end && *p == '"') {
			s = ++p;
			while (p < end && *p != '"')
				p++;
		} else {
			s = p;
			while (p < end && *p != ';' && *p != '\r' && *p != '\n' && *p != ' ')
				p++;
		}
		return xstrndup(s, (size_t)(p - s));
	}
	return NULL;
}

/*
 * Finds the form part named field; data and len point into the body. Returns its filename
 * ("upload" when it has none), NULL when there is no such part.
 */
char *sim_multipart(const struct sim_req *rq, const char *field, const char **data, size_t *len)
{
	char *boundary = NULL, *fname = NULL;
	struct buf delim = BUF_INIT;
	const char *body = rq->body.buf, *end = rq->body.buf + rq->body.len, *p, *hend, *next;

	if (!rq->content_type || strncasecmp(rq->content_type, "multipart/form-data", 19))
		return NULL;
	boundary = header_param(rq->content_type, strlen(rq->content_type), "boundary=");
	if (!boundary)
		return NULL;
	buf_addf(&delim, "--%s", boundary);
	p = find_mem(body, rq->body.len, delim.buf, delim.len);
	while (p) {
		p += delim.len;
		if (p + 2 <= end && !strncmp(p, "--", 2))
			break;
		if (p + 2 <= end && !strncmp(p, "\r\n", 2))
			p += 2;
		hend = find_mem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!hend)
			break;
		next = find_mem(hend + 4, (size_t)(end - hend - 4), delim.buf, delim.len);
		if (!next)
			break;
		{
			char *name = header_param(p, (size_t)(hend - p), "name=");
			int is_file = name && !strcmp(name, field);
			free(name);
			if (is_file) {
				fname = header_param(p, (size_t)(hend - p), "filename=");
				if (!fname)
					fname = xstrdup("upload");
				*data = hend + 4;
				*len = (size_t)(next - *data);
				if (*len >= 2 && !strncmp(next - 2, "\r\n", 2))
					*len -= 2;
				break;
			}
		}
		p = next;
	}
	free(boundary);
	buf_release(&delim);
	return fname;
}
