/*
 * A minimal MCP client, so that letta-sim can list the tools of a real MCP server as the real
 * Letta server does when an MCP server is created or refreshed (issue 21 item 5). Only what
 * listing needs: JSON-RPC 2.0 `initialize`, `notifications/initialized` and `tools/list`
 * (following `nextCursor`), over the two HTTP transports of the MCP specification:
 *
 *   - streamable HTTP (2025-03-26): every message is a POST to the server URL with
 *     "Accept: application/json, text/event-stream"; the answer is a JSON body or an SSE
 *     stream carrying it; the Mcp-Session-Id the initialize answer sets is sent back, and the
 *     session is ended with a DELETE;
 *   - HTTP+SSE (2024-11-05): a GET of the server URL opens an event stream whose first event,
 *     "endpoint", names the URL to POST messages to; the answers arrive on the stream as
 *     "message" events.
 *
 * Used only with --mcp-allow-private and a URL whose host is a non-public address (letta-sim
 * has no network otherwise). Runs under the store lock: the timeouts are short.
 */
#include "sim.h"
#include "util/jsonx.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MCP_PROTOCOL "2025-03-26"
#define MCP_TIMEOUT_MS 10000L
#define MCP_MAX_PAGES 100
#define MCP_MAX_BODY (8u << 20)

/* ---- SSE parsing: events separated by a blank line, "event:" and "data:" fields ---- */

struct sse {
	struct buf raw;    /* bytes not yet split into events */
	json_t *messages;  /* JSON-RPC messages received, in order */
	char *endpoint;    /* data of the first "endpoint" event (HTTP+SSE) */
	int too_big;
};

static void sse_event(struct sse *s, const char *ev, size_t len)
{
	struct buf name = BUF_INIT, data = BUF_INIT;
	const char *p = ev, *end = ev + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l && p[l - 1] == '\r')
			l--;
		if (l >= 5 && !strncmp(p, "data:", 5)) {
			size_t off = 5 + (l > 5 && p[5] == ' ');
			if (data.len)
				buf_addch(&data, '\n');
			buf_add(&data, p + off, l - off);
		} else if (l >= 6 && !strncmp(p, "event:", 6)) {
			size_t off = 6 + (l > 6 && p[6] == ' ');
			buf_reset(&name);
			buf_add(&name, p + off, l - off);
		}
		p = nl ? nl + 1 : end;
	}
	if (name.len && !strcmp(name.buf, "endpoint")) {
		if (!s->endpoint && data.len)
			s->endpoint = strdup(data.buf);
	} else if (data.len) {
		json_t *m = json_loads(data.buf, 0, NULL);
		if (json_is_array(m))
			json_array_extend(s->messages, m);
		else if (json_is_object(m))
			json_array_append(s->messages, m);
		json_decref(m);
	}
	buf_release(&name);
	buf_release(&data);
}

/* Splits complete events off s->raw. */
static void sse_feed(struct sse *s, const char *data, size_t len)
{
	size_t start = 0;

	if (s->raw.len + len > MCP_MAX_BODY) {
		s->too_big = 1;
		return;
	}
	buf_add(&s->raw, data, len);
	for (size_t i = 0; i + 1 < s->raw.len; i++) {
		size_t sep = 0;

		if (s->raw.buf[i] == '\n' && s->raw.buf[i + 1] == '\n')
			sep = 2;
		else if (i + 3 < s->raw.len && !memcmp(s->raw.buf + i, "\r\n\r\n", 4))
			sep = 4;
		if (!sep)
			continue;
		sse_event(s, s->raw.buf + start, i - start);
		start = i + sep;
		i = start - 1;
	}
	if (start) {
		memmove(s->raw.buf, s->raw.buf + start, s->raw.len - start);
		buf_setlen(&s->raw, s->raw.len - start);
	}
}

static void sse_init(struct sse *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->raw);
	s->messages = json_array();
}

static void sse_release(struct sse *s)
{
	buf_release(&s->raw);
	json_decref(s->messages);
	free(s->endpoint);
}

/* Takes the message answering id out of s->messages (a new reference) or NULL. */
static json_t *sse_take(struct sse *s, long id)
{
	size_t i;
	json_t *m;

	json_array_foreach(s->messages, i, m) {
		json_t *mid = json_object_get(m, "id");
		if (json_is_integer(mid) && json_integer_value(mid) == id &&
		    (json_object_get(m, "result") || json_object_get(m, "error"))) {
			json_incref(m);
			json_array_remove(s->messages, i);
			return m;
		}
	}
	return NULL;
}

/* ---- one HTTP exchange ---- */

struct resp {
	struct buf body;
	char ctype[128];
	char session[256];
	long status;
	int too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;

	if (r->body.len + size * n > MCP_MAX_BODY) {
		r->too_big = 1;
		return 0;
	}
	buf_add(&r->body, p, size * n);
	return size * n;
}

static void header_value(char *out, size_t outsz, const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);

	if (len <= nl + 1 || strncasecmp(line, name, nl) || line[nl] != ':')
		return;
	line += nl + 1;
	len -= nl + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	if (len >= outsz)
		len = outsz - 1;
	memcpy(out, line, len);
	out[len] = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;

	header_value(r->ctype, sizeof(r->ctype), p, size * n, "content-type");
	header_value(r->session, sizeof(r->session), p, size * n, "mcp-session-id");
	return size * n;
}

/* The request headers every message carries: the server's auth and custom headers. */
static struct curl_slist *base_headers(const json_t *headers)
{
	struct curl_slist *h = NULL;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)headers, k, v) {
		struct buf line = BUF_INIT;
		if (!json_is_string(v))
			continue;
		buf_addf(&line, "%s: %s", k, json_string_value(v));
		h = curl_slist_append(h, line.buf);
		buf_release(&line);
	}
	return h;
}

static CURL *easy(const char *url, struct resp *r, struct curl_slist *h, long timeout_ms)
{
	CURL *c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "letta-sim");
	return c;
}

/*
 * POSTs one JSON-RPC message. With session (streamable HTTP), Mcp-Session-Id goes along and
 * the answer (JSON or SSE) is returned when want_id >= 0; without, only the status counts.
 */
static int post(json_t **answer, const char *url, const json_t *msg, const json_t *headers,
		char *session, size_t session_sz, long want_id, struct buf *err)
{
	struct resp r;
	struct curl_slist *h = base_headers(headers);
	char *text = json_dumps(msg, JSON_COMPACT);
	CURLcode cc;
	CURL *c;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	buf_init(&r.body);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json, text/event-stream");
	if (session && *session) {
		struct buf line = BUF_INIT;
		buf_addf(&line, "Mcp-Session-Id: %s", session);
		h = curl_slist_append(h, line.buf);
		buf_release(&line);
		h = curl_slist_append(h, "MCP-Protocol-Version: " MCP_PROTOCOL);
	}
	c = easy(url, &r, h, MCP_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	if (cc != CURLE_OK) {
		buf_addf(err, "POST %s: %s", url, r.too_big ? "answer too large" : curl_easy_strerror(cc));
	} else if (r.status < 200 || r.status > 299) {
		buf_addf(err, "POST %s: HTTP %ld", url, r.status);
	} else if (want_id < 0) {
		ret = 0;
	} else {
		struct sse s;

		sse_init(&s);
		if (!strncasecmp(r.ctype, "text/event-stream", 17)) {
			sse_feed(&s, r.body.buf ? r.body.buf : "", r.body.len);
			sse_feed(&s, "\n\n", 2);
		} else {
			json_t *m = json_loadb(r.body.buf ? r.body.buf : "", r.body.len, 0, NULL);
			if (json_is_array(m))
				json_array_extend(s.messages, m);
			else if (m)
				json_array_append(s.messages, m);
			json_decref(m);
		}
		*answer = sse_take(&s, want_id);
		if (*answer)
			ret = 0;
		else
			buf_addf(err, "POST %s: no answer to request %ld", url, want_id);
		sse_release(&s);
		if (session && r.session[0])
			snprintf(session, session_sz, "%s", r.session);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	buf_release(&r.body);
	free(text);
	return ret;
}

static json_t *rpc(long id, const char *method, json_t *params_take)
{
	json_t *m = json_pack("{s:s,s:I,s:s}", "jsonrpc", "2.0", "id", (json_int_t)id, "method",
			      method);
	json_object_set_new(m, "params", params_take ? params_take : json_object());
	return m;
}

static json_t *init_params(void)
{
	return json_pack("{s:s,s:{},s:{s:s,s:s}}", "protocolVersion", MCP_PROTOCOL,
			 "capabilities", "clientInfo", "name", "letta-sim", "version", "1");
}

/* The result of an answer, or NULL after naming its error. */
static const json_t *result_of(const json_t *answer, const char *method, struct buf *err)
{
	const json_t *res = json_object_get(answer, "result");

	if (json_is_object(res))
		return res;
	buf_addf(err, "%s: %s", method,
		 jsonx_get_str(json_object_get(answer, "error"), "message")
			 ? jsonx_get_str(json_object_get(answer, "error"), "message")
			 : "no result");
	return NULL;
}

/* Appends the tools of one tools/list result; returns its nextCursor (borrowed) or NULL. */
static const char *add_tools(json_t *out, const json_t *res)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(res, "tools"), i, t) {
		if (jsonx_get_str(t, "name"))
			json_array_append(out, t);
	}
	return jsonx_get_str(res, "nextCursor");
}

/*
 * One client session over either transport: call sends a request and gets its answer, notify
 * sends a notification (no answer). session_tools() runs the same conversation over both.
 */
struct link {
	int (*call)(struct link *l, const json_t *msg, long id, json_t **answer, struct buf *err);
	int (*notify)(struct link *l, const json_t *msg, struct buf *err);
	const char *url; /* streamable HTTP: the endpoint; HTTP+SSE: where messages are POSTed */
	const json_t *headers;
	char session[256];   /* streamable HTTP: the Mcp-Session-Id the server gave */
	struct stream *st;   /* HTTP+SSE: the event stream the answers come on */
	int initialized;     /* initialize answered and notifications/initialized sent */
};

/* initialize, notifications/initialized, then tools/list page by page. */
static json_t *session_tools(struct link *l, struct buf *err)
{
	json_t *answer = NULL, *msg, *out = NULL;
	const json_t *res;
	char *cursor = NULL;
	long id = 1;

	msg = rpc(id, "initialize", init_params());
	if (l->call(l, msg, id, &answer, err) < 0 || !result_of(answer, "initialize", err))
		goto out;
	json_decref(msg);
	json_decref(answer);
	answer = NULL;
	msg = json_pack("{s:s,s:s}", "jsonrpc", "2.0", "method", "notifications/initialized");
	if (l->notify(l, msg, err) < 0)
		goto out;
	l->initialized = 1;
	out = json_array();
	for (int page = 0; page < MCP_MAX_PAGES; page++) {
		const char *next;

		json_decref(msg);
		json_decref(answer);
		answer = NULL;
		msg = rpc(++id, "tools/list", cursor ? json_pack("{s:s}", "cursor", cursor) : NULL);
		free(cursor);
		cursor = NULL;
		if (l->call(l, msg, id, &answer, err) < 0 ||
		    !(res = result_of(answer, "tools/list", err))) {
			json_decref(out);
			out = NULL;
			break;
		}
		if (!(next = add_tools(out, res)))
			break;
		cursor = strdup(next);
	}
	free(cursor);
out:
	json_decref(msg);
	json_decref(answer);
	return out;
}

static int streamable_call(struct link *l, const json_t *msg, long id, json_t **answer,
			   struct buf *err)
{
	return post(answer, l->url, msg, l->headers, l->session, sizeof(l->session), id, err);
}

static int streamable_notify(struct link *l, const json_t *msg, struct buf *err)
{
	return post(NULL, l->url, msg, l->headers, l->session, sizeof(l->session), -1, err);
}

static json_t *list_streamable(const char *url, const json_t *headers, struct buf *err)
{
	struct link l = { streamable_call, streamable_notify, url, headers, "", NULL, 0 };
	json_t *out = session_tools(&l, err);

	if (l.initialized && l.session[0]) {
		/* Ends the session (best-effort: a server may answer 405). */
		struct resp r;
		struct curl_slist *h = base_headers(headers);
		struct buf line = BUF_INIT;
		CURL *c;

		memset(&r, 0, sizeof(r));
		buf_init(&r.body);
		buf_addf(&line, "Mcp-Session-Id: %s", l.session);
		h = curl_slist_append(h, line.buf);
		c = easy(url, &r, h, 2000);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
		curl_easy_perform(c);
		curl_easy_cleanup(c);
		curl_slist_free_all(h);
		buf_release(&line);
		buf_release(&r.body);
	}
	return out;
}

/* ---- HTTP+SSE: the event stream is driven with a multi handle between POSTs ---- */

struct stream {
	CURLM *multi;
	CURL *get;
	struct sse sse;
	struct curl_slist *h;
	int done; /* the stream ended */
};

static size_t on_stream(char *p, size_t size, size_t n, void *ud)
{
	struct stream *st = ud;

	sse_feed(&st->sse, p, size * n);
	return st->sse.too_big ? 0 : size * n;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drives the stream until the endpoint is known (want_id < 0) or the answer to want_id came. */
static json_t *stream_wait(struct stream *st, long want_id, int *ok, struct buf *err)
{
	long deadline = now_ms() + MCP_TIMEOUT_MS;
	json_t *m = NULL;

	*ok = 0;
	for (;;) {
		int running = 0;

		if (want_id < 0 ? st->sse.endpoint != NULL : (m = sse_take(&st->sse, want_id)) != NULL) {
			*ok = 1;
			return m;
		}
		if (st->done || now_ms() > deadline)
			break;
		curl_multi_perform(st->multi, &running);
		if (!running)
			st->done = 1;
		else
			curl_multi_poll(st->multi, NULL, 0, 100, NULL);
	}
	buf_addf(err, "the event stream %s before %s", st->done ? "ended" : "timed out",
		 want_id < 0 ? "naming its endpoint" : "answering");
	return NULL;
}

static int sse_call(struct link *l, const json_t *msg, long id, json_t **answer,
		    struct buf *err)
{
	int ok;

	if (post(NULL, l->url, msg, l->headers, NULL, 0, -1, err) < 0 ||
	    !(*answer = stream_wait(l->st, id, &ok, err)))
		return -1;
	return 0;
}

static int sse_notify(struct link *l, const json_t *msg, struct buf *err)
{
	return post(NULL, l->url, msg, l->headers, NULL, 0, -1, err);
}

static json_t *list_sse(const char *url, const json_t *headers, struct buf *err)
{
	struct stream st;
	struct resp r;
	json_t *out = NULL;
	char *post_url = NULL;
	CURLU *u = NULL;
	int ok;

	memset(&st, 0, sizeof(st));
	memset(&r, 0, sizeof(r));
	buf_init(&r.body);
	sse_init(&st.sse);
	st.h = base_headers(headers);
	st.h = curl_slist_append(st.h, "Accept: text/event-stream");
	st.multi = curl_multi_init();
	st.get = easy(url, &r, st.h, 0);
	curl_easy_setopt(st.get, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(st.get, CURLOPT_WRITEDATA, &st);
	curl_multi_add_handle(st.multi, st.get);
	stream_wait(&st, -1, &ok, err);
	if (!ok)
		goto out;
	/* The endpoint is relative to the stream's URL. */
	u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, st.sse.endpoint, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &post_url, 0) != CURLUE_OK) {
		buf_addf(err, "bad endpoint '%s'", st.sse.endpoint);
		goto out;
	}
	{
		struct link l = { sse_call, sse_notify, post_url, headers, "", &st, 0 };
		out = session_tools(&l, err);
	}
out:
	curl_free(post_url);
	curl_url_cleanup(u);
	curl_multi_remove_handle(st.multi, st.get);
	curl_easy_cleanup(st.get);
	curl_multi_cleanup(st.multi);
	curl_slist_free_all(st.h);
	sse_release(&st.sse);
	buf_release(&r.body);
	return out;
}

json_t *mcp_client_tools(const char *type, const char *url, const json_t *headers,
			 struct buf *err)
{
	if (!strcmp(type, "sse"))
		return list_sse(url, headers, err);
	return list_streamable(url, headers, err);
}

void mcp_client_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void mcp_client_cleanup(void)
{
	curl_global_cleanup();
}
