#define _DEFAULT_SOURCE /* explicit_bzero */
/*
 * HTTP transport over one libcurl multi handle. http_run() is the only loop: it starts queued
 * requests up to the concurrency bound, collects finished transfers, decides retries with
 * http_retry_decide(), and between rounds runs the guards of ambiguous creates. Everything a
 * request needs lives in its struct http_req, so a batch is just an array. Connections are
 * kept and reused by every request; on_prereq() keeps libcurl from repeating a write.
 */
#include "api/http.h"

#include "util/interrupt.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef LS_VERSION
#define LS_VERSION "0"
#endif

/* The largest answer we keep; a bigger one is an error, not an allocation failure. */
#define HTTP_MAX_BODY (256UL * 1024 * 1024)
/* How long one poll may sleep, so that Ctrl-C and backoff timers are noticed promptly. */
#define HTTP_POLL_MS 50

enum req_state {
	RS_QUEUED = 0,
	RS_ACTIVE,
	RS_GUARD,
	RS_DONE,
};

struct http_req_priv {
	struct http *h;
	enum req_state state;
	int reported;             /* on_done was called for it */
	CURL *easy;
	struct curl_slist *headers;
	curl_mime *mime;
	char *body_text;          /* the JSON body, serialised once */
	struct buf cur;           /* the path of the current page */
	struct buf url;
	json_t *acc;              /* HTTP_F_PAGED: items so far */
	struct http_pager pager;  /* HTTP_F_PAGED: progress and the page cap */
	char errbuf[CURL_ERROR_SIZE];
	char retry_after[64];     /* header values of the last answer */
	char retry_after_ms[64];
	int too_big;
	int retries;              /* retries of the current page */
	int guard_409;            /* the guard runs because of a 409, not an unknown outcome */
	long limit;               /* HTTP_F_PAGED: the limit= of the current page, 0 if none */
	int sends;                /* this attempt: times libcurl was about to send the request */
	int resend_refused;       /* this attempt: libcurl's silent re-send was stopped */
	long long first_ms;       /* first attempt of the current page */
	long long start_ms;       /* this attempt */
	long long next_ms;        /* earliest start when queued */
};

struct http {
	char *base_url;
	char *ca_bundle;
	char *api_key;
	char *project_slug;
	char *project_id;
	struct http_opts o;
	CURLM *multi;
	CURL **pool;
	size_t npool, apool;
	int depth;
	int https;
	unsigned long long rng;
	long long intr_ms; /* when Ctrl-C was first seen, 0 before */
	unsigned long guard_pass;
	long page_cap; /* a server refused a larger page: limits stay at or under this */
	struct http_stats stats;
	http_done_fn on_done;
	void *on_done_ctx;
};

void http_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupt_requested())
		;
}

/* ---- Options ---- */

static int env_long(long *out, char *(*lookup)(const char *), const char *name, long min,
		    long max, long scale, struct ls_error *err)
{
	const char *v = lookup(name);
	char *end;
	long n;

	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return ls_error_set(err, LS_EUSAGE, "%s must be a whole number from %ld to %ld, not '%s'",
				    name, min, max, v);
	*out = n * scale;
	return 0;
}

int http_opts_env(struct http_opts *o, char *(*lookup)(const char *name), struct ls_error *err)
{
	long v;
	int ret;

	if (!lookup)
		return 0;
	v = o->connect_timeout_ms;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_CONNECT_TIMEOUT", 1, 3600, 1000, err)) < 0)
		return ret;
	o->connect_timeout_ms = v;
	v = o->timeout_ms;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_TIMEOUT", 1, 86400, 1000, err)) < 0)
		return ret;
	o->timeout_ms = v;
	v = o->concurrency;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_CONCURRENCY", 1, 256, 1, err)) < 0)
		return ret;
	o->concurrency = (int)v;
	v = o->max_retries;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_MAX_RETRIES", 0, 100, 1, err)) < 0)
		return ret;
	o->max_retries = (int)v;
	v = o->retry_base_ms;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_RETRY_BASE_MS", 0, 600000, 1, err)) < 0)
		return ret;
	o->retry_base_ms = v;
	v = o->retry_max_ms;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_RETRY_MAX_MS", 0, 600000, 1, err)) < 0)
		return ret;
	o->retry_max_ms = v;
	v = o->retry_total_ms;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_RETRY_TOTAL_MS", 0, 86400000, 1, err)) < 0)
		return ret;
	o->retry_total_ms = v;
	v = o->max_pages > 0 ? o->max_pages : HTTP_MAX_PAGES_DEFAULT;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_MAX_PAGES", 1, 1000000, 1, err)) < 0)
		return ret;
	o->max_pages = v;
	v = 0;
	if ((ret = env_long(&v, lookup, "LETTA_SYNC_TEST_SEED", 0, 2147483647L, 1, err)) < 0)
		return ret;
	if (v)
		o->seed = (unsigned long)v;
	/* A private CA is trusted by naming its file; verification itself is never switched off. */
	if (lookup("LETTA_CA_BUNDLE") && *lookup("LETTA_CA_BUNDLE"))
		o->ca_bundle = lookup("LETTA_CA_BUNDLE");
	else if (lookup("CURL_CA_BUNDLE") && *lookup("CURL_CA_BUNDLE"))
		o->ca_bundle = lookup("CURL_CA_BUNDLE");
	return 0;
}

/* ---- Requests ---- */

void http_req_init(struct http_req *req, const char *method, const char *path, json_t *body)
{
	http_req_init_take(req, method, xstrdup(path), body ? json_incref(body) : NULL);
}

void http_req_init_take(struct http_req *req, const char *method, char *path_take,
			json_t *body_take)
{
	struct http_req init = HTTP_REQ_INIT;

	*req = init;
	req->method = method;
	req->path = path_take;
	req->body = body_take;
	if (!strcmp(method, "DELETE"))
		req->retry = HTTP_RETRY_REMOVE;
	else if (!strcmp(method, "POST"))
		req->retry = HTTP_RETRY_NEVER;
	else
		req->retry = HTTP_RETRY_SAFE;
}

void http_req_what(struct http_req *req, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(req->what);
	req->what = buf_detach(&b);
}

static void priv_free(struct http_req_priv *p)
{
	if (!p)
		return;
	curl_slist_free_all(p->headers);
	curl_mime_free(p->mime);
	free(p->body_text);
	buf_release(&p->cur);
	buf_release(&p->url);
	json_decref(p->acc);
	http_pager_release(&p->pager);
	free(p);
}

void http_req_release(struct http_req *req)
{
	struct http_req init = HTTP_REQ_INIT;

	if (!req)
		return;
	free(req->path);
	json_decref(req->body);
	free(req->upload_file);
	free(req->upload_name);
	json_decref(req->upload_fields);
	free(req->what);
	if (req->guard_ctx_free)
		req->guard_ctx_free(req->guard_ctx);
	json_decref(req->json);
	buf_release(&req->raw);
	if (req->priv && req->priv->easy)
		BUG("releasing a request that is still running");
	priv_free(req->priv);
	*req = init;
}

json_t *http_req_take_json(struct http_req *req)
{
	json_t *j = req->json;

	req->json = NULL;
	return j;
}

/* ---- Client ---- */

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

int http_new(struct http **out, const struct http_opts *opts, struct ls_error *err)
{
	struct http *h;
	size_t n;

	if (!opts->base_url || !*opts->base_url)
		return ls_error_set(err, LS_EUSAGE, "no base URL for the Letta API");
	if (strncmp(opts->base_url, "http://", 7) && strncmp(opts->base_url, "https://", 8))
		return ls_error_set(err, LS_EUSAGE, "base URL '%s' must start with http:// or https://",
				    opts->base_url);
	h = xcalloc(1, sizeof(*h));
	h->o = *opts;
	h->base_url = xstrdup(opts->base_url);
	n = strlen(h->base_url);
	while (n > 0 && h->base_url[n - 1] == '/')
		h->base_url[--n] = '\0';
	h->api_key = dup_or_null(opts->api_key);
	h->ca_bundle = dup_or_null(opts->ca_bundle);
	h->o.ca_bundle = h->ca_bundle;
	h->project_slug = dup_or_null(opts->project_slug);
	h->project_id = dup_or_null(opts->project_id);
	h->o.base_url = h->base_url;
	h->o.api_key = h->api_key;
	h->o.project_slug = h->project_slug;
	h->o.project_id = h->project_id;
	if (h->o.concurrency < 1)
		h->o.concurrency = 1;
	if (h->o.max_retries < 0)
		h->o.max_retries = 0;
	h->https = !strncmp(h->base_url, "https://", 8);
	h->rng = opts->seed ? opts->seed : (unsigned long long)time(NULL) ^
						   ((unsigned long long)getpid() << 32);
	if (!h->rng)
		h->rng = 0x9e3779b97f4a7c15ULL;
	redact_secret(h->api_key);
	h->multi = curl_multi_init();
	if (!h->multi) {
		http_free(h);
		return ls_error_set(err, LS_EINTERNAL, "cannot start libcurl");
	}
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)h->o.concurrency);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->o.concurrency * 2);
	*out = h;
	return 0;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	free(h->pool);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	free(h->base_url);
	free(h->ca_bundle);
	free(h->api_key);
	free(h->project_slug);
	free(h->project_id);
	free(h);
}

const struct http_opts *http_get_opts(const struct http *h)
{
	return &h->o;
}

void http_set_project(struct http *h, const char *slug, const char *id)
{
	char *s = dup_or_null(slug), *i = dup_or_null(id);

	free(h->project_slug);
	free(h->project_id);
	h->project_slug = s;
	h->project_id = i;
	h->o.project_slug = s;
	h->o.project_id = i;
}

unsigned long http_guard_pass(const struct http *h)
{
	return h->guard_pass;
}

void http_get_stats(const struct http *h, struct http_stats *out)
{
	*out = h->stats;
}

static double rng_unit(struct http *h)
{
	/* xorshift64*: jitter only, not security. */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return (double)((h->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* ---- Pure helpers ---- */

void http_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_addch(out, (char)c);
		} else {
			buf_addch(out, '%');
			buf_addch(out, hex[c >> 4]);
			buf_addch(out, hex[c & 15]);
		}
	}
}

void http_query_add(struct buf *path, const char *key, const char *value)
{
	if (!value)
		return;
	buf_addch(path, strchr(path->buf, '?') ? '&' : '?');
	http_escape(path, key);
	buf_addch(path, '=');
	http_escape(path, value);
}

void http_query_addl(struct buf *path, const char *key, long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", value);
	http_query_add(path, key, num);
}

void http_query_del(struct buf *path, const char *key)
{
	char *q = strchr(path->buf, '?');
	struct buf out = BUF_INIT;
	size_t klen = strlen(key);
	const char *p;
	int first = 1;

	if (!q)
		return;
	buf_add(&out, path->buf, (size_t)(q - path->buf));
	p = q + 1;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);

		if (len && !(len >= klen + 1 && !strncmp(p, key, klen) && p[klen] == '=') &&
		    !(len == klen && !strncmp(p, key, klen))) {
			buf_addch(&out, first ? '?' : '&');
			buf_add(&out, p, len);
			first = 0;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	buf_release(path);
	*path = out;
}

/* Appends s without control characters, cut at max bytes on a UTF-8 boundary. */
static void add_printable(struct buf *out, const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	if (n < len)
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf_addch(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	if (n < len)
		buf_addstr(out, "...");
}

static void add_json_compact(struct buf *out, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s) {
		add_printable(out, s, strlen(s), 300);
		free(s);
	}
}

/* One FastAPI validation item: "body.label: Field required". */
static void add_detail_item(struct buf *out, const json_t *item)
{
	const char *msg = jsonx_get_str(item, "msg");
	const json_t *loc = json_object_get(item, "loc");

	if (json_is_string(item)) {
		buf_addstr(out, json_string_value(item));
		return;
	}
	if (!msg)
		msg = jsonx_get_str(item, "message");
	if (!msg) {
		add_json_compact(out, item);
		return;
	}
	if (json_is_array(loc) && json_array_size(loc)) {
		size_t i;
		json_t *part;

		json_array_foreach(loc, i, part) {
			if (i)
				buf_addch(out, '.');
			if (json_is_string(part))
				buf_addstr(out, json_string_value(part));
			else if (json_is_integer(part))
				buf_addf(out, "%lld", (long long)json_integer_value(part));
		}
		buf_addstr(out, ": ");
	}
	buf_addstr(out, msg);
}

void http_error_detail(struct buf *out, const char *body, size_t len)
{
	struct buf d = BUF_INIT;
	json_t *root, *detail, *e;

	while (len && (body[len - 1] == '\n' || body[len - 1] == '\r' || body[len - 1] == ' '))
		len--;
	if (!len)
		return;
	root = json_loadb(body, len, JSON_DECODE_ANY, NULL);
	if (json_is_object(root)) {
		detail = json_object_get(root, "detail");
		if (json_is_string(detail) && *json_string_value(detail)) {
			buf_addstr(&d, json_string_value(detail));
		} else if (json_is_array(detail) && json_array_size(detail)) {
			size_t i;

			json_array_foreach(detail, i, e) {
				if (i)
					buf_addstr(&d, "; ");
				add_detail_item(&d, e);
			}
		} else if (json_is_object(detail)) {
			add_detail_item(&d, detail);
		} else if (jsonx_get_str(root, "message") && *jsonx_get_str(root, "message")) {
			buf_addstr(&d, jsonx_get_str(root, "message"));
		} else if ((e = json_object_get(root, "error")) && jsonx_get_str(e, "message")) {
			buf_addstr(&d, jsonx_get_str(e, "message"));
		} else if (json_is_string(e)) {
			buf_addstr(&d, json_string_value(e));
		}
	} else if (json_is_string(root)) {
		buf_addstr(&d, json_string_value(root));
	}
	json_decref(root);
	if (d.len)
		add_printable(out, d.buf, d.len, 300);
	else
		add_printable(out, body, len, 200);
	buf_release(&d);
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

long http_retry_after_ms(const char *retry_after, const char *retry_after_ms, long long now)
{
	if (retry_after_ms && *retry_after_ms) {
		char *end;
		double v;

		errno = 0;
		v = strtod(retry_after_ms, &end);
		while (*end == ' ')
			end++;
		if (!errno && end != retry_after_ms && !*end && v >= 0 && v < 1e9)
			return (long)v;
	}
	if (retry_after && *retry_after) {
		time_t t;

		if (all_digits(retry_after)) {
			long long s = strlen(retry_after) > 9 ? 999999999LL
							      : strtoll(retry_after, NULL, 10);
			return s > HTTP_RETRY_AFTER_CAP_MS ? HTTP_RETRY_AFTER_CAP_MS * 1000 : (long)s * 1000;
		}
		t = curl_getdate(retry_after, NULL);
		if (t != (time_t)-1) {
			long long d = ((long long)t - now) * 1000;

			if (d < 0)
				d = 0;
			if (d > 1000000000LL)
				d = 1000000000LL;
			return (long)d;
		}
	}
	return -1;
}

long http_backoff_ms(long base_ms, long max_ms, int retry, long retry_after_ms, double u)
{
	long d = base_ms < 0 ? 0 : base_ms;

	if (retry_after_ms >= 0)
		return retry_after_ms > HTTP_RETRY_AFTER_CAP_MS ? HTTP_RETRY_AFTER_CAP_MS
							: retry_after_ms;
	for (int i = 1; i < retry && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	if (u < 0)
		u = 0;
	if (u >= 1)
		u = 0.999999;
	return d - (long)((double)d * 0.25 * u);
}

enum http_next http_retry_decide(enum http_retry_class cls, const struct http_attempt *a)
{
	int create = cls == HTTP_RETRY_CREATE || cls == HTTP_RETRY_CREATE_UNIQUE;

	if (!a->curl_code && a->status >= 200 && a->status < 300)
		return HTTP_NEXT_DONE;
	if (a->curl_code || !a->status) {
		/* No answer: only a request that never left is certainly not applied. */
		if (!a->sent)
			return HTTP_NEXT_RETRY;
		if (create)
			return HTTP_NEXT_GUARD;
		return cls == HTTP_RETRY_NEVER ? HTTP_NEXT_FAIL : HTTP_NEXT_RETRY;
	}
	switch (a->status) {
	case 404:
		return cls == HTTP_RETRY_REMOVE && a->attempt > 1 ? HTTP_NEXT_GONE : HTTP_NEXT_FAIL;
	case 409:
		/* Lock and deadlock 409s say when to retry; unique-key clashes are permanent. */
		if (a->retry_after)
			return HTTP_NEXT_RETRY;
		return cls == HTTP_RETRY_CREATE_UNIQUE ? HTTP_NEXT_GUARD : HTTP_NEXT_FAIL;
	case 429:
		/* Refused before any work: safe for every class. */
		return HTTP_NEXT_RETRY;
	case 408:
	case 500:
	case 502:
	case 503:
	case 504:
		if (create)
			return HTTP_NEXT_GUARD;
		if (cls == HTTP_RETRY_NEVER)
			return a->status == 503 || a->status == 408 ? HTTP_NEXT_RETRY
								    : HTTP_NEXT_FAIL;
		return HTTP_NEXT_RETRY;
	default:
		return HTTP_NEXT_FAIL;
	}
}

/* "METHOD /path" without the query. */
static void set_where(struct ls_error *err, const char *method, const char *path)
{
	size_t n = strcspn(path, "?");

	snprintf(err->where, sizeof(err->where), "%s %.*s", method, (int)(n > 200 ? 200 : n), path);
}

int http_error_from_status(struct ls_error *err, const char *method, const char *path,
			   const char *what, long status, const char *body, size_t len,
			   const char *base_url, int key_set)
{
	struct buf detail = BUF_INIT, obj = BUF_INIT;
	const char *sep;
	int code;

	if (!err)
		return status == 404 ? LS_ENOTFOUND : LS_EAPI;
	ls_error_clear(err);
	http_error_detail(&detail, body, len);
	redact_buf(&detail);
	if (what && *what)
		buf_addstr(&obj, what);
	else
		buf_addf(&obj, "'%.*s'", (int)strcspn(path, "?"), path);
	sep = detail.len ? ": " : "";
	switch (status) {
	case 401:
		if (key_set) {
			code = ls_error_set(err, LS_EAUTH, "LETTA_API_KEY was rejected by %s (401)",
					    base_url);
			ls_error_hint(err, "check LETTA_API_KEY, and that LETTA_BASE_URL is the server it belongs to");
		} else {
			code = ls_error_set(err, LS_EAUTH, "%s requires an API key (401)", base_url);
			/* A self-hosted server asks for a key only when started with --secure. */
			ls_error_hint(err, "set LETTA_API_KEY (or LETTA_SERVER_PASSWORD for a self-hosted server started with --secure)");
		}
		break;
	case 403:
		code = ls_error_set(err, LS_EAUTH, "access to %s was refused by %s (403)%s%s", obj.buf,
				    base_url, sep, detail.buf);
		ls_error_hint(err, "check that LETTA_API_KEY belongs to the organisation and project that own it");
		break;
	case 404:
		/* The server's words stay: they may name something other than the object. */
		code = ls_error_set(err, LS_ENOTFOUND, "%s not found (404)%s%s", obj.buf, sep,
				    detail.buf);
		ls_error_hint(err, "it was deleted or never existed; run 'letta-sync diff' to re-read the server");
		break;
	case 409:
		code = ls_error_set(err, LS_ECONFLICT, "conflict on %s (409)%s%s", obj.buf, sep,
				    detail.buf);
		ls_error_hint(err, "another object already uses this name, or it changed meanwhile; run 'letta-sync diff' again");
		break;
	case 400:
	case 415:
	case 422:
		code = ls_error_set(err, LS_EAPI, "%s was rejected by the server (%ld)%s%s", obj.buf,
				    status, sep, detail.buf);
		ls_error_hint(err, "the request does not fit the server's schema; check the manifest's fields");
		break;
	case 301:
	case 302:
	case 307:
	case 308:
		/* Redirects are never followed: a key must not travel to another host. */
		code = ls_error_set(err, LS_EAPI, "%s redirected the request for %s (%ld)", base_url,
				    obj.buf, status);
		ls_error_hint(err, "check LETTA_BASE_URL: scheme, host and no path after it");
		break;
	case 429:
		code = ls_error_set(err, LS_EAPI, "rate limited by %s (429) on %s%s%s", base_url,
				    obj.buf, sep, detail.buf);
		ls_error_hint(err, "retry later, or lower LETTA_SYNC_CONCURRENCY");
		break;
	default:
		if (status >= 500)
			code = ls_error_set(err, LS_EAPI, "server error %ld on %s%s%s", status, obj.buf,
					    sep, detail.buf);
		else
			code = ls_error_set(err, LS_EAPI, "unexpected answer %ld on %s%s%s", status,
					    obj.buf, sep, detail.buf);
		ls_error_hint(err, "retry later; if it persists, check the server's logs");
		break;
	}
	err->http_status = status;
	set_where(err, method, path);
	buf_release(&detail);
	buf_release(&obj);
	return code;
}

/* Whether the detail names one of the path's ids ("block-1", "agent-<uuid>"). */
static int detail_names_path_id(const char *path, const char *detail)
{
	size_t end = strcspn(path, "?");
	const char *p = path, *stop = path + end;

	while (p < stop) {
		size_t n = strcspn(p, "/?");
		struct buf seg = BUF_INIT;
		int hit;

		if (p + n > stop)
			n = (size_t)(stop - p);
		buf_add(&seg, p, n);
		hit = n >= 3 && memchr(p, '-', n) && strstr(detail, seg.buf);
		buf_release(&seg);
		if (hit)
			return 1;
		p += n + 1;
	}
	return 0;
}

/* "Agent not found", "Identity not found": the object itself, without its id. */
static int bare_not_found(const char *detail)
{
	const char *sp = strchr(detail, ' ');

	return sp && !strcmp(sp, " not found");
}

int http_error_reference(struct ls_error *err, const char *path, const char *what,
			 const char *body, size_t len)
{
	struct buf detail = BUF_INIT;
	int ref;

	if (!err || err->code != LS_ENOTFOUND || err->http_status != 404)
		return 0;
	http_error_detail(&detail, body, len);
	redact_buf(&detail);
	ref = detail.len && !detail_names_path_id(path, detail.buf) && !bare_not_found(detail.buf);
	if (ref) {
		if (what && *what)
			ls_error_set(err, LS_ENOTFOUND, "%s refers to something the server does not have (404): %s",
				     what, detail.buf);
		else
			ls_error_set(err, LS_ENOTFOUND, "'%.*s' refers to something the server does not have (404): %s",
				     (int)strcspn(path, "?"), path, detail.buf);
		snprintf(err->hint, sizeof(err->hint), "%s",
			 "check the names, ids and handles it refers to (the server's words above name it), then run 'letta-sync diff'");
	}
	buf_release(&detail);
	return ref;
}

/* The "after" value in a path's query, still escaped; NULL when absent. */
static const char *query_value(const char *path, const char *key, size_t *len)
{
	const char *p = strchr(path, '?');
	size_t klen = strlen(key);

	while (p) {
		p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			*len = strcspn(p + klen + 1, "&");
			return p + klen + 1;
		}
		p = strchr(p, '&');
	}
	return NULL;
}

/*
 * A set of strings for the pager: a strmap (no jansson object, and no hash insert of its own,
 * per item; issue 26) over copies of the keys, which outlive the pages they came from.
 */
struct http_keyset {
	struct strmap map;
	char **keys; /* the copies, freed with the set */
	size_t n, cap;
};

static void keyset_free(struct http_keyset *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ks->n; i++)
		free(ks->keys[i]);
	free(ks->keys);
	strmap_release(&ks->map);
	free(ks);
}

/* Adds key; returns 1 when it was not in the set yet. */
static int keyset_add(struct http_keyset *ks, const char *key)
{
	char *copy;

	if (strmap_get(&ks->map, 0, key))
		return 0;
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 256;
		ks->keys = xrealloc(ks->keys, ks->cap * sizeof(*ks->keys));
	}
	copy = ks->keys[ks->n++] = xstrdup(key);
	strmap_put(&ks->map, 0, copy, 0, NULL);
	return 1;
}

void http_pager_release(struct http_pager *pg)
{
	keyset_free(pg->seen);
	pg->seen = NULL;
	pg->pages = 0;
}

int http_pager_step(struct http_pager *pg, const json_t *items, const char *what,
		    struct ls_error *err)
{
	long max = pg->max_pages > 0 ? pg->max_pages : HTTP_MAX_PAGES_DEFAULT;
	size_t i, fresh = 0;
	const json_t *e;

	if (!pg->seen)
		pg->seen = xcalloc(1, sizeof(*pg->seen));
	pg->pages++;
	json_array_foreach(items, i, e) {
		const char *id = json_is_string(e) ? json_string_value(e) : jsonx_get_str(e, "id");
		char *canon = id ? NULL : jsonx_canonical(e);
		const char *key = id ? id : canon ? canon : "";

		fresh += (size_t)keyset_add(pg->seen, key);
		free(canon);
	}
	if (json_array_size(items) && !fresh) {
		ls_error_set(err, LS_EAPI,
			     "page %ld of %s brought no new item: the server repeats pages, so the "
			     "list would never end",
			     pg->pages, what);
		ls_error_hint(err, "the server's paging is broken; report it to its operator");
		return LS_EAPI;
	}
	if (pg->pages >= max && json_array_size(items)) {
		ls_error_set(err, LS_EAPI, "%s did not end after %ld pages", what, pg->pages);
		ls_error_hint(err, "a list this long is a server bug; LETTA_SYNC_MAX_PAGES raises the "
				   "cap");
		return LS_EAPI;
	}
	return 0;
}

int http_page_step(json_t **acc, struct buf *path, json_t *page, struct http_pager *pg,
		   struct ls_error *err)
{
	struct buf esc = BUF_INIT;
	const char *cursor, *prev;
	json_t *last;
	size_t n, plen = 0;

	if (!json_is_array(page))
		return ls_error_set(err, LS_EAPI, "the server answered a list request with a %s, not an array",
				    json_is_object(page) ? "object" : "non-list value");
	if (!*acc)
		*acc = json_array();
	n = json_array_size(page);
	if (!n)
		return 0;
	last = json_array_get(page, n - 1);
	cursor = json_is_string(last) ? json_string_value(last) : jsonx_get_str(last, "id");
	if (!cursor || !*cursor)
		return ls_error_set(err, LS_EAPI, "a list item has no id to page from");
	http_escape(&esc, cursor);
	prev = query_value(path->buf, "after", &plen);
	if (prev && plen == esc.len && !strncmp(prev, esc.buf, plen)) {
		buf_release(&esc);
		return ls_error_set(err, LS_EAPI, "the server ignored the 'after' cursor and sent the same page again");
	}
	buf_release(&esc);
	if (pg && http_pager_step(pg, page, "the list", err) < 0)
		return LS_EAPI;
	json_array_extend(*acc, page);
	http_query_del(path, "after");
	http_query_add(path, "after", cursor);
	return 1;
}

int http_page_ends(size_t got, long limit)
{
	return limit > 0 && got > 0 && got < (size_t)limit && got % 50 != 0;
}

/* ---- Transfers ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct http_req *req = ud;
	size_t n = size * nmemb;

	if (req->raw.len + n > HTTP_MAX_BODY) {
		req->priv->too_big = 1;
		return 0;
	}
	buf_add(&req->raw, data, n);
	return n;
}

static void header_value(char *dst, size_t cap, const char *line, size_t n, size_t off)
{
	size_t len;

	while (off < n && (line[off] == ' ' || line[off] == '\t'))
		off++;
	len = n - off;
	while (len && (line[off + len - 1] == '\r' || line[off + len - 1] == '\n' ||
		       line[off + len - 1] == ' '))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, line + off, len);
	dst[len] = '\0';
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
	struct http_req *req = ud;
	struct http_req_priv *p = req->priv;
	size_t n = size * nmemb;

	if (n >= 5 && !strncmp(line, "HTTP/", 5)) {
		/* A new response (after a 100 Continue, say): forget the previous one's headers. */
		p->retry_after[0] = p->retry_after_ms[0] = '\0';
	} else if (n > 12 && !strncasecmp(line, "Retry-After:", 12)) {
		header_value(p->retry_after, sizeof(p->retry_after), line, n, 12);
	} else if (n > 15 && !strncasecmp(line, "retry-after-ms:", 15)) {
		header_value(p->retry_after_ms, sizeof(p->retry_after_ms), line, n, 15);
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct http_req *req = ud;
	struct http *h = req->priv->h;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (!interrupt_requested())
		return 0;
	if (!h->intr_ms)
		h->intr_ms = mono_ms();
	return mono_ms() - h->intr_ms > h->o.interrupt_grace_ms;
}

/*
 * Called by libcurl right before it sends the request on a connection, new or reused, each
 * time it sends it. A second call in one attempt is libcurl's own silent repeat after a
 * reused connection died before any answer: the first copy may have been applied (the
 * server made the object, then the reply was lost). Safe requests (reads, PATCH, upserts,
 * attach) may repeat; for the others the attempt ends here, unanswered, and
 * http_retry_decide() treats it as sent with no answer: a create goes to its guard (re-read
 * by natural key before any new create), a delete or detach is repeated by us so that a
 * 404 counts as done, and a NEVER request fails.
 */
static int on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	struct http_req *req = ud;
	struct http_req_priv *p = req->priv;

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (p->sends++ > 0 && req->retry != HTTP_RETRY_SAFE) {
		p->resend_refused = 1;
		log_verbose("http: %s %s: the reused connection closed before any answer; not re-sent blindly",
			    req->method, p->cur.buf);
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

static void add_header(struct curl_slist **list, const char *name, const char *value)
{
	struct buf b = BUF_INIT;
	struct curl_slist *l;

	buf_addf(&b, "%s: %s", name, value);
	l = curl_slist_append(*list, b.buf);
	buf_release(&b);
	if (!l)
		BUG("curl_slist_append failed");
	*list = l;
}

static CURL *easy_get(struct http *h)
{
	CURL *e;

	if (h->npool) {
		e = h->pool[--h->npool];
		curl_easy_reset(e);
		return e;
	}
	e = curl_easy_init();
	if (!e)
		BUG("curl_easy_init failed");
	return e;
}

static void easy_put(struct http *h, CURL *e)
{
	h->pool = xgrow(h->pool, sizeof(*h->pool), h->npool + 1, &h->apool);
	h->pool[h->npool++] = e;
}

static int start(struct http *h, struct http_req *req, struct ls_error *err)
{
	struct http_req_priv *p = req->priv;
	CURL *e = easy_get(h);

	buf_reset(&req->raw);
	p->errbuf[0] = p->retry_after[0] = p->retry_after_ms[0] = '\0';
	p->too_big = 0;
	buf_reset(&p->url);
	buf_addstr(&p->url, h->base_url);
	buf_addstr(&p->url, p->cur.buf);
	curl_slist_free_all(p->headers);
	p->headers = NULL;
	curl_mime_free(p->mime);
	p->mime = NULL;

	curl_easy_setopt(e, CURLOPT_URL, p->url.buf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "letta-sync/" LS_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.timeout_ms);
	/* TLS verification is never switched off; these are the defaults, stated. */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_bundle);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, req);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, req);
	curl_easy_setopt(e, CURLOPT_PRIVATE, req);
	if (h->https)
		curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	/*
	 * Every request reuses connections, writes included (issue 26). libcurl re-sends a
	 * request by itself when a reused connection turns out dead before any answer; the
	 * pre-request callback sees every send and stops such a repeat of a request that is not
	 * safe to repeat, so that our own rules decide (on_prereq()).
	 * A write stopped there reaches http_retry_decide() as sent without an answer, and the
	 * class letta_write_class() (api/letta.c) gave it settles it: a create re-reads its object
	 * by natural key before any new send.
	 */
	p->sends = 0;
	p->resend_refused = 0;
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, req);

	add_header(&p->headers, "Accept", "application/json");
	/* No "Expect: 100-continue" round trip before bodies. */
	p->headers = curl_slist_append(p->headers, "Expect:");
	if (h->api_key) {
		struct buf auth = BUF_INIT;

		buf_addf(&auth, "Bearer %s", h->api_key);
		add_header(&p->headers, "Authorization", auth.buf);
		buf_release(&auth);
	}
	if ((req->flags & HTTP_F_PROJECT) && h->project_slug)
		add_header(&p->headers, "X-Project", h->project_slug);
	if ((req->flags & HTTP_F_PROJECT_ID) && h->project_id)
		add_header(&p->headers, "X-Project-Id", h->project_id);

	if (req->upload_file) {
		curl_mimepart *part;

		p->mime = curl_mime_init(e);
		part = curl_mime_addpart(p->mime);
		curl_mime_name(part, "file");
		if (curl_mime_filedata(part, req->upload_file) != CURLE_OK) {
			easy_put(h, e);
			return ls_error_set(err, LS_EINVALID, "cannot read '%s'", req->upload_file);
		}
		if (req->upload_name)
			curl_mime_filename(part, req->upload_name);
		{
			const char *k;
			json_t *v;

			json_object_foreach(req->upload_fields, k, v) {
				if (!json_is_string(v))
					continue;
				part = curl_mime_addpart(p->mime);
				curl_mime_name(part, k);
				curl_mime_data(part, json_string_value(v), CURL_ZERO_TERMINATED);
			}
		}
		curl_easy_setopt(e, CURLOPT_MIMEPOST, p->mime);
	} else if (req->body) {
		if (!p->body_text)
			p->body_text = json_dumps(req->body, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!p->body_text)
			BUG("cannot serialise a request body");
		add_header(&p->headers, "Content-Type", "application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(p->body_text));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->body_text);
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "POST"))
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	else if (!strcmp(req->method, "POST") && !req->body && !req->upload_file) {
		add_header(&p->headers, "Content-Type", "application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);

	p->easy = e;
	p->state = RS_ACTIVE;
	p->start_ms = mono_ms();
	if (!p->first_ms)
		p->first_ms = p->start_ms;
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
		BUG("curl_multi_add_handle failed");
	h->stats.requests++;
	req->attempts++;
	return 0;
}

static void finish_ok(struct http_req *req)
{
	req->priv->state = RS_DONE;
	req->ret = 0;
	ls_error_clear(&req->err);
}

static void finish_err(struct http_req *req)
{
	req->priv->state = RS_DONE;
	req->ret = req->err.code ? (int)req->err.code : LS_EFAIL;
	if (!req->err.code)
		req->err.code = LS_EFAIL;
}

/* A certificate that is refused: repeating the request cannot help. */
static int tls_trust_error(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_ISSUER_ERROR ||
	       rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

static void network_error(struct http *h, struct http_req *req, CURLcode rc, int sent)
{
	struct http_req_priv *p = req->priv;
	const char *why = p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc);
	size_t n = strcspn(p->cur.buf, "?");

	ls_error_clear(&req->err);
	if (rc == CURLE_ABORTED_BY_CALLBACK && interrupt_requested()) {
		ls_error_set(&req->err, LS_EINTERRUPTED, "interrupted while waiting for %s",
			     req->what ? req->what : p->cur.buf);
	} else if (p->too_big) {
		ls_error_set(&req->err, LS_EAPI, "the answer from %s%.*s is larger than %lu MiB",
			     h->base_url, (int)n, p->cur.buf, HTTP_MAX_BODY >> 20);
	} else if (tls_trust_error(rc)) {
		ls_error_set(&req->err, LS_ENETWORK, "the TLS certificate of %s is not trusted: %s",
			     h->base_url, why);
		ls_error_hint(&req->err, h->ca_bundle
			? "the certificate must be signed by a CA in LETTA_CA_BUNDLE (or CURL_CA_BUNDLE) and name the host; verification is never switched off"
			: "the certificate must be signed by a CA the system trusts and name the host; for a private CA set LETTA_CA_BUNDLE=/path/to/ca.pem (verification is never switched off)");
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		ls_error_set(&req->err, LS_ENETWORK, "no answer from %s%.*s: %s", h->base_url, (int)n,
			     p->cur.buf, why);
		ls_error_hint(&req->err, "the server is slow or unreachable; LETTA_SYNC_TIMEOUT and LETTA_SYNC_CONNECT_TIMEOUT set the limits (seconds)");
	} else {
		ls_error_set(&req->err, LS_ENETWORK, "cannot reach %s%.*s: %s", h->base_url, (int)n,
			     p->cur.buf, why);
		ls_error_hint(&req->err, "check LETTA_BASE_URL and the network");
	}
	if (sent && (req->retry == HTTP_RETRY_CREATE || req->retry == HTTP_RETRY_CREATE_UNIQUE ||
		     req->retry == HTTP_RETRY_NEVER))
		snprintf(req->err.hint, sizeof(req->err.hint), "%s",
			 "the request was sent but no answer came back, so the object may exist now; run 'letta-sync diff' before trying again");
	set_where(&req->err, req->method, p->cur.buf);
}

static void gave_up(struct http_req *req)
{
	size_t len = strlen(req->err.msg);

	if (req->attempts > 1 && len + 32 < sizeof(req->err.msg))
		snprintf(req->err.msg + len, sizeof(req->err.msg) - len, " (after %d attempts)",
			 req->attempts);
}

/* Sets req->json from the answer; 0 or an error in req->err. */
/*
 * An agent's secrets (AgentState.secrets: [{key, value, ...}], and the deprecated
 * tool_exec_environment_variables that mirrors them) keep only their keys: values are never
 * kept, logged or printed. One agent or a list of them. Returns whether a value was dropped.
 */
static int scrub_agent(json_t *a)
{
	static const char *const keys[] = { "secrets", "tool_exec_environment_variables" };
	int hit = 0;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_t *arr = json_object_get(a, keys[k]), *v;
		size_t i;

		json_array_foreach(arr, i, v) {
			if (json_is_object(v) && json_object_get(v, "value")) {
				json_object_del(v, "value");
				hit = 1;
			}
		}
	}
	return hit;
}

static int scrub_secrets(json_t *j)
{
	json_t *v;
	size_t i;
	int hit = 0;

	if (json_is_object(j))
		return scrub_agent(j);
	json_array_foreach(j, i, v)
		if (json_is_object(v))
			hit |= scrub_agent(v);
	return hit;
}

static int parse_answer(struct http *h, struct http_req *req, json_t **out)
{
	json_error_t jerr;
	size_t len = req->raw.len;

	*out = NULL;
	while (len && (req->raw.buf[len - 1] == '\n' || req->raw.buf[len - 1] == ' '))
		len--;
	if (!len || (req->flags & HTTP_F_NO_BODY)) {
		*out = json_null();
		return 0;
	}
	*out = json_loadb(req->raw.buf, len, JSON_DECODE_ANY, &jerr);
	if (*out) {
		if (scrub_secrets(*out))
			explicit_bzero(req->raw.buf, req->raw.len);
		return 0;
	}
	ls_error_clear(&req->err);
	ls_error_set(&req->err, LS_EAPI, "the answer from %s is not JSON: %s", h->base_url, jerr.text);
	set_where(&req->err, req->method, req->priv->cur.buf);
	return LS_EAPI;
}

static void schedule_retry(struct http *h, struct http_req *req, long retry_after_ms)
{
	struct http_req_priv *p = req->priv;
	long long now = mono_ms();
	long d;

	p->retries++;
	d = http_backoff_ms(h->o.retry_base_ms, h->o.retry_max_ms, p->retries, retry_after_ms,
			    rng_unit(h));
	p->next_ms = now + d;
	p->state = RS_QUEUED;
	h->stats.retries++;
}

static int can_retry(struct http *h, struct http_req *req)
{
	struct http_req_priv *p = req->priv;

	return p->retries < h->o.max_retries &&
	       mono_ms() - p->first_ms < h->o.retry_total_ms && !interrupt_requested();
}

static void done_transfer(struct http *h, struct http_req *req, CURLcode rc)
{
	struct http_req_priv *p = req->priv;
	struct http_attempt a = { 0 };
	long status = 0;
	long long ms = mono_ms() - p->start_ms;
	long ra;
	json_t *page = NULL;
	size_t got;
	int step;

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(h->multi, p->easy);
	easy_put(h, p->easy);
	p->easy = NULL;
	curl_mime_free(p->mime);
	p->mime = NULL;

	if (p->resend_refused) {
		/* Stopped by on_prereq(): the first copy went out and no answer came back. */
		rc = CURLE_GOT_NOTHING;
		snprintf(p->errbuf, sizeof(p->errbuf), "%s",
			 "the connection closed before any answer");
	}
	a.curl_code = (int)rc;
	/*
	 * A request counts as sent once libcurl was about to send it (on_prereq()), on any
	 * connection: before that nothing left, so repeating it cannot repeat a write.
	 */
	a.sent = rc == CURLE_OK || p->sends > 0;
	a.status = rc == CURLE_OK ? status : 0;
	a.retry_after = p->retry_after[0] || p->retry_after_ms[0];
	a.attempt = p->retries + 1;
	req->status = a.status;
	if (rc == CURLE_OK)
		log_verbose("http: %s %s -> %ld (%lld ms, attempt %d)", req->method, p->cur.buf, status,
			    ms, a.attempt);
	else
		log_verbose("http: %s %s -> %s (%lld ms, attempt %d)", req->method, p->cur.buf,
			    p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc), ms, a.attempt);

	if (rc == CURLE_ABORTED_BY_CALLBACK || p->too_big || tls_trust_error(rc)) {
		network_error(h, req, rc, a.sent);
		finish_err(req);
		return;
	}
	if ((req->flags & HTTP_F_PAGED) && (a.status == 400 || a.status == 422) &&
	    p->limit > HTTP_PAGE_FALLBACK) {
		/*
		 * A server may refuse a large page (FastAPI's Query(le=N) answers 422): ask again
		 * with the page size that every Letta list serves, and keep to it from now on.
		 */
		log_verbose("http: %s %s: the server refused limit=%ld; asking for %d", req->method,
			    p->cur.buf, p->limit, HTTP_PAGE_FALLBACK);
		h->page_cap = HTTP_PAGE_FALLBACK;
		p->limit = HTTP_PAGE_FALLBACK;
		http_query_del(&p->cur, "limit");
		http_query_addl(&p->cur, "limit", p->limit);
		p->next_ms = 0;
		p->state = RS_QUEUED;
		return;
	}
	switch (http_retry_decide(req->retry, &a)) {
	case HTTP_NEXT_DONE:
		if (parse_answer(h, req, &page) < 0) {
			finish_err(req);
			return;
		}
		if (!(req->flags & HTTP_F_PAGED)) {
			json_decref(req->json);
			req->json = page;
			finish_ok(req);
			return;
		}
		req->pages++;
		ls_error_clear(&req->err);
		got = json_is_array(page) ? json_array_size(page) : 0;
		step = http_page_step(&p->acc, &p->cur, page, &p->pager, &req->err);
		json_decref(page);
		if (step == 1 && (req->flags & HTTP_F_SHORT_ENDS) &&
		    http_page_ends(got, p->limit))
			step = 0;
		if (step < 0) {
			set_where(&req->err, req->method, p->cur.buf);
			finish_err(req);
		} else if (step == 0) {
			json_decref(req->json);
			req->json = p->acc;
			p->acc = NULL;
			finish_ok(req);
		} else {
			/* The next page starts with a fresh retry budget. */
			p->retries = 0;
			p->first_ms = 0;
			p->next_ms = 0;
			p->state = RS_QUEUED;
		}
		return;
	case HTTP_NEXT_GONE:
		req->gone = 1;
		json_decref(req->json);
		req->json = json_null();
		finish_ok(req);
		return;
	case HTTP_NEXT_RETRY:
		if (can_retry(h, req)) {
			ra = http_retry_after_ms(p->retry_after, p->retry_after_ms, (long long)time(NULL));
			schedule_retry(h, req, ra);
			return;
		}
		break;
	case HTTP_NEXT_GUARD:
		if (req->guard && (p->retries < h->o.max_retries || a.status == 409) &&
		    !interrupt_requested()) {
			/* Keep the error: a 409 whose object is not ours is reported as it came. */
			if (a.status)
				http_error_from_status(&req->err, req->method, p->cur.buf, req->what,
						       a.status, req->raw.buf, req->raw.len,
						       h->base_url, h->api_key != NULL);
			else
				network_error(h, req, rc, a.sent);
			p->guard_409 = a.status == 409;
			p->state = RS_GUARD;
			return;
		}
		break;
	case HTTP_NEXT_FAIL:
		break;
	}
	if (a.status) {
		http_error_from_status(&req->err, req->method, p->cur.buf, req->what, a.status,
				       req->raw.buf, req->raw.len, h->base_url, h->api_key != NULL);
		/* A 404 on a request with a body can be about an id or handle inside that body. */
		if (req->body && a.status == 404)
			http_error_reference(&req->err, p->cur.buf, req->what, req->raw.buf,
					     req->raw.len);
	} else
		network_error(h, req, rc, a.sent);
	gave_up(req);
	finish_err(req);
}

static void drain(struct http *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left))) {
		struct http_req *req = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&req);
		if (!req)
			BUG("transfer without its request");
		done_transfer(h, req, m->data.result);
	}
}

/* Calls on_done for each request of the outermost batch that finished since the last call. */
static void report_done(struct http *h, struct http_req *reqs, size_t n)
{
	if (!h->on_done || h->depth != 1)
		return;
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].priv->state == RS_DONE && !reqs[i].priv->reported) {
			reqs[i].priv->reported = 1;
			h->on_done(h->on_done_ctx, &reqs[i], i);
		}
	}
}

void http_set_on_done(struct http *h, http_done_fn fn, void *ctx)
{
	h->on_done = fn;
	h->on_done_ctx = ctx;
}

/* One round: runs every queued request until none is queued or active. */
static void run_round(struct http *h, struct http_req *reqs, size_t n)
{
	for (;;) {
		long long now = mono_ms(), wake = -1;
		size_t active = 0, queued = 0;
		int running, timeout;

		if (interrupt_requested() && !h->intr_ms)
			h->intr_ms = now;
		for (size_t i = 0; i < n; i++) {
			struct http_req_priv *p = reqs[i].priv;

			if (p->state == RS_ACTIVE)
				active++;
		}
		for (size_t i = 0; i < n; i++) {
			struct http_req *req = &reqs[i];
			struct http_req_priv *p = req->priv;

			if (p->state != RS_QUEUED)
				continue;
			if (interrupt_requested()) {
				ls_error_clear(&req->err);
				ls_error_set(&req->err, LS_EINTERRUPTED, "interrupted before %s %s was sent",
					     req->method, p->cur.buf);
				set_where(&req->err, req->method, p->cur.buf);
				finish_err(req);
				continue;
			}
			queued++;
			if (p->next_ms > now) {
				if (wake < 0 || p->next_ms < wake)
					wake = p->next_ms;
				continue;
			}
			if ((int)active >= h->o.concurrency)
				continue;
			if (start(h, req, &req->err) < 0) {
				set_where(&req->err, req->method, p->cur.buf);
				finish_err(req);
				continue;
			}
			active++;
		}
		if (!active && !queued)
			return;
		/*
		 * Poll, then perform, then collect: a finished transfer frees its slot before the next
		 * round of starts, so the pipe stays full. New handles make curl_multi_poll() return at
		 * once (their timeout is zero).
		 */
		timeout = HTTP_POLL_MS;
		if (wake >= 0 && wake - mono_ms() < timeout)
			timeout = wake - mono_ms() < 0 ? 0 : (int)(wake - mono_ms());
		if (active)
			curl_multi_poll(h->multi, NULL, 0, timeout, NULL);
		else if (timeout > 0)
			sleep_ms(timeout);
		curl_multi_perform(h->multi, &running);
		drain(h);
		report_done(h, reqs, n);
	}
}

/* Runs the guards of creates whose outcome was unknown; returns how many were re-queued. */
static size_t run_guards(struct http *h, struct http_req *reqs, size_t n)
{
	size_t requeued = 0;

	for (size_t i = 0; i < n; i++) {
		if (reqs[i].priv->state == RS_GUARD) {
			h->guard_pass++;
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct http_req *req = &reqs[i];
		struct http_req_priv *p = req->priv;
		struct ls_error gerr = LS_ERROR_INIT;
		json_t *found = NULL;
		int ret;

		if (p->state != RS_GUARD)
			continue;
		if (interrupt_requested()) {
			ls_error_clear(&req->err);
			ls_error_set(&req->err, LS_EINTERRUPTED, "interrupted before checking whether %s was created",
				     req->what ? req->what : p->cur.buf);
			set_where(&req->err, req->method, p->cur.buf);
			finish_err(req);
			continue;
		}
		h->stats.guards++;
		ret = req->guard(&found, h, req, &gerr);
		log_verbose("http: %s %s: looked for an existing object: %s", req->method, p->cur.buf,
			    ret < 0 ? "failed" : found ? "found, adopted" : "none");
		if (ret < 0) {
			req->err = gerr;
			finish_err(req);
		} else if (found) {
			json_decref(req->json);
			req->json = found;
			req->adopted = 1;
			h->stats.adopted++;
			finish_ok(req);
		} else if (p->guard_409) {
			/* The clashing object is not ours: report the 409 as the server gave it. */
			finish_err(req);
		} else if (p->retries < h->o.max_retries) {
			schedule_retry(h, req, -1);
			requeued++;
		} else {
			gave_up(req);
			finish_err(req);
		}
	}
	return requeued;
}

int http_run(struct http *h, struct http_req *reqs, size_t n, struct ls_error *err)
{
	size_t ok = 0, interrupted = 0;
	int ret = 0;

	if (h->depth > 1)
		BUG("http_run nested more than once");
	h->depth++;
	for (size_t i = 0; i < n; i++) {
		struct http_req *req = &reqs[i];
		struct http_req_priv *p;

		if (!req->method || !req->path || req->path[0] != '/')
			BUG("request without a method or an absolute path");
		priv_free(req->priv);
		p = req->priv = xcalloc(1, sizeof(*p));
		p->h = h;
		p->pager.max_pages = h->o.max_pages;
		buf_addstr(&p->cur, req->path);
		if ((req->flags & HTTP_F_PAGED) && req->page_limit > 0) {
			p->limit = req->page_limit;
			if (h->page_cap > 0 && p->limit > h->page_cap)
				p->limit = h->page_cap;
			http_query_del(&p->cur, "limit");
			http_query_addl(&p->cur, "limit", p->limit);
		}
		req->ret = 0;
		ls_error_clear(&req->err);
		req->status = 0;
		json_decref(req->json);
		req->json = NULL;
		req->attempts = req->adopted = req->gone = req->pages = 0;
	}
	do
		run_round(h, reqs, n);
	while (run_guards(h, reqs, n) > 0);
	report_done(h, reqs, n);

	for (size_t i = 0; i < n; i++) {
		if (reqs[i].priv->state != RS_DONE)
			BUG("request left unfinished");
		if (!reqs[i].ret)
			ok++;
		else if (reqs[i].ret == LS_EINTERRUPTED)
			interrupted++;
		else if (!ret) {
			ret = reqs[i].ret;
			if (err)
				*err = reqs[i].err;
		}
	}
	if (interrupted || (interrupt_requested() && ok < n)) {
		ls_error_clear(err);
		ret = ls_error_set(err, LS_EINTERRUPTED, "interrupted: %zu of %zu requests completed", ok, n);
	}
	h->depth--;
	return ret;
}

int http_run1(struct http *h, struct http_req *req, struct ls_error *err)
{
	return http_run(h, req, 1, err);
}
