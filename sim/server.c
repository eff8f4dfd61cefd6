/*
 * The HTTP side of letta-sim: libmicrohttpd glue, routing over the resource files' route arrays,
 * auth, trailing-slash redirects, latency and fault injection, request counters and the /_sim admin
 * API.
 *
 * MHD runs one thread per connection, so a request sleeping for --latency-ms never holds up
 * another. Each request's state hangs off the connection pointer (allocated by the URI log
 * callback, which also sees the raw query string) and the answer is given on the last call,
 * when the body is complete (docs/contract/STYLE.md section 8).
 */
#include "sim.h"
#include "server.h"
#include "util/xalloc.h"

#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_BODY (64u * 1024u * 1024u)


pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

/* Request counters, guarded by g_lock; keys are "METHOD /route/{template}". */
static json_t *g_counts;
static unsigned long long g_total, g_writes;
/* Connections whose first request was an API request (not /_sim), since the last reset. */
static unsigned long long g_connections;
/*
 * API connections open now (not reset by /_sim/stats/reset). A request the server received is
 * handled even when its client is gone (a killed client's write still lands, after the
 * latency); the connection closes only after that, so 0 means no API request is in flight.
 */
static unsigned long long g_api_open;

/* Per connection (MHD's socket context): whether its first API request was seen. */
struct conn_sock {
	int seen;
};

/*
 * The route arrays of the resource files, walked in this order; within an array, literal routes
 * come before parameter routes that would also match them ("/v1/agents/count" before
 * "/v1/agents/{agent_id}"), and no two arrays hold routes that match the same request.
 */
static const struct route *const route_tables[] = {
	projects_routes, agents_routes, agentfile_routes, blocks_routes, tools_routes,
	models_routes, folders_routes, identities_routes, mcp_routes, memfs_routes,
};

#define EACH_ROUTE(r)                                                                          \
	for (size_t t_ = 0; t_ < sizeof(route_tables) / sizeof(*route_tables); t_++)          \
		for (const struct route *r = route_tables[t_]; r->method; r++)

/* Path parameters checked against "<prefix>-<uuid4>" (digest section 1 "IDs"). */
static const struct {
	const char *param;
	const char *prefix;
} id_params[] = {
	{ "agent_id", "agent" },     { "block_id", "block" }, { "tool_id", "tool" },
	{ "folder_id", "source" },   { "source_id", "source" }, { "file_id", "file" },
	{ "identity_id", "identity" },
	{ NULL, NULL },
};

struct conn_state {
	struct sim_req rq;
	char *raw_uri;
	int started;
	int too_big;
};

/* ---- request accessors ---- */

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct sim_req *rq = cls;

	(void)kind;
	if (rq->nargs % 16 == 0)
		rq->args = xrealloc(rq->args, (rq->nargs + 16) * sizeof(*rq->args));
	rq->args[rq->nargs].key = xstrdup(key);
	rq->args[rq->nargs].val = xstrdup(value ? value : "");
	rq->nargs++;
	return MHD_YES;
}

static void req_release(struct sim_req *rq)
{
	for (size_t i = 0; i < rq->nparams; i++)
		free(rq->params[i]);
	for (size_t i = 0; i < rq->nargs; i++) {
		free(rq->args[i].key);
		free(rq->args[i].val);
	}
	free(rq->args);
	buf_release(&rq->body);
	json_decref(rq->json);
}

/* ---- routing ---- */

/* Matches path against a template; captures parameters into rq when rq is not NULL. */
static int route_match(const char *tmpl, const char *path, struct sim_req *rq)
{
	const char *t = tmpl, *p = path;
	size_t n = 0;

	while (*t && *p) {
		if (*t == '{') {
			const char *te = strchr(t, '}');
			const char *pe = strchr(p, '/');
			size_t plen = pe ? (size_t)(pe - p) : strlen(p);
			if (!te || plen == 0)
				return 0;
			if (rq && n < 4)
				rq->params[n] = xstrndup(p, plen);
			n++;
			t = te + 1;
			p += plen;
			continue;
		}
		if (*t != *p)
			return 0;
		t++;
		p++;
	}
	if (*t || *p) {
		if (rq) {
			for (size_t i = 0; i < n && i < 4; i++) {
				free(rq->params[i]);
				rq->params[i] = NULL;
			}
		}
		return 0;
	}
	if (rq)
		rq->nparams = n < 4 ? n : 4;
	return 1;
}

static const struct route *route_find(const char *method, const char *path, int *path_only)
{
	*path_only = 0;
	EACH_ROUTE(r) {
		if (route_match(r->tmpl, path, NULL)) {
			if (!strcmp(r->method, method))
				return r;
			*path_only = 1;
		}
	}
	return NULL;
}

/* ---- counters and faults ---- */

static int is_write(const char *method)
{
	return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH") ||
	       !strcmp(method, "DELETE");
}

/* Counts a request and returns its 1-based ordinal on that key. Caller holds g_lock. */
static unsigned long long count_request(const char *method, const char *key_path)
{
	struct buf key = BUF_INIT;
	json_t *v;
	unsigned long long n;

	buf_addf(&key, "%s %s", method, key_path);
	v = json_object_get(g_counts, key.buf);
	n = (v ? (unsigned long long)json_integer_value(v) : 0) + 1;
	json_object_set_new(g_counts, key.buf, json_integer((json_int_t)n));
	g_total++;
	if (is_write(method))
		g_writes++;
	buf_release(&key);
	return n;
}

/* A uniform number in [0,1) from (seed, "METHOD template", n, salt): the same every run. */
static double fault_draw(unsigned long long seed, const char *method, const char *tmpl,
			 unsigned long long n, unsigned salt)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (const char *s = method; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h = (h ^ ' ') * 0x100000001b3ULL;
	for (const char *s = tmpl; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h = splitmix64(h ^ splitmix64(seed + salt * 0x632be59bd9b4e019ULL) ^ splitmix64(n));
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

enum fault {
	FAULT_NONE,
	FAULT_DROP,
	FAULT_ERROR,
	FAULT_THROTTLE,
	FAULT_CONFLICT,
	FAULT_LOST_REPLY,
};

static enum fault fault_decide(const struct sim_faults *f, const char *method, const char *tmpl,
			       unsigned long long n)
{
	double u = fault_draw(f->seed, method, tmpl, n, 1), acc = 0;
	struct buf key = BUF_INIT;
	int listed;

	if (f->routes[0]) {
		buf_addf(&key, "\n%s %s\n", method, tmpl);
		listed = strstr(f->routes, key.buf) != NULL;
		buf_release(&key);
		if (!listed)
			return FAULT_NONE;
	}

	if (u < (acc += f->drop_rate))
		return FAULT_DROP;
	if (u < (acc += f->error_rate))
		return FAULT_ERROR;
	if (u < (acc += f->throttle_rate))
		return FAULT_THROTTLE;
	if (u < (acc += f->conflict_rate))
		return FAULT_CONFLICT;
	if (u < (acc += f->lost_reply_rate))
		return FAULT_LOST_REPLY;
	return FAULT_NONE;
}

static void sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0)
		;
}

/* ---- admin API ---- */

static json_t *faults_json(const struct sim_faults *f)
{
	json_t *rl = json_array();
	const char *r = f->routes;

	while (*r == '\n' && r[1]) {
		const char *e = strchr(r + 1, '\n');
		json_array_append_new(rl, json_stringn(r + 1, (size_t)(e - r - 1)));
		r = e;
	}
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "error_rate", f->error_rate,
			 "throttle_rate", f->throttle_rate, "drop_rate", f->drop_rate,
			 "lost_reply_rate", f->lost_reply_rate, "conflict_rate", f->conflict_rate,
			 "latency_ms", (json_int_t)f->latency_ms, "jitter_ms",
			 (json_int_t)f->jitter_ms, "retry_after_s", (json_int_t)f->retry_after_s,
			 "max_page", (json_int_t)f->max_page, "max_limit", (json_int_t)f->max_limit,
			 "connect_latency_ms", (json_int_t)f->connect_latency_ms, "seed",
			 (json_int_t)f->seed, "routes", rl);
}

/* Applies a JSON object of knobs; writes a 400 and returns -1 on a bad one. */
static int faults_apply(struct sim_faults *f, const json_t *body, struct sim_resp *rs)
{
	struct sim_faults nf = *f;
	const char *k;
	json_t *v;

	if (!json_is_object(body)) {
		resp_detail(rs, 400, "the body must be a JSON object of fault knobs");
		return -1;
	}
	json_object_foreach((json_t *)body, k, v) {
		double *d = !strcmp(k, "error_rate")        ? &nf.error_rate
			    : !strcmp(k, "throttle_rate")   ? &nf.throttle_rate
			    : !strcmp(k, "drop_rate")       ? &nf.drop_rate
			    : !strcmp(k, "lost_reply_rate") ? &nf.lost_reply_rate
			    : !strcmp(k, "conflict_rate")   ? &nf.conflict_rate
							    : NULL;
		long *l = !strcmp(k, "latency_ms")      ? &nf.latency_ms
			  : !strcmp(k, "jitter_ms")     ? &nf.jitter_ms
			  : !strcmp(k, "retry_after_s") ? &nf.retry_after_s
			  : !strcmp(k, "max_page")      ? &nf.max_page
			  : !strcmp(k, "max_limit")     ? &nf.max_limit
			  : !strcmp(k, "connect_latency_ms") ? &nf.connect_latency_ms
							: NULL;
		if (d) {
			if (!json_is_number(v) || json_number_value(v) < 0 ||
			    json_number_value(v) > 1) {
				resp_detail(rs, 400, "'%s' must be a number from 0 to 1", k);
				return -1;
			}
			*d = json_number_value(v);
		} else if (l) {
			if (!json_is_integer(v) || json_integer_value(v) < 0) {
				resp_detail(rs, 400, "'%s' must be a non-negative integer", k);
				return -1;
			}
			*l = (long)json_integer_value(v);
		} else if (!strcmp(k, "routes")) {
			/* Which routes the rates apply to: ["POST /v1/blocks/", ...]; [] = all. */
			struct buf all = BUF_INIT;
			size_t i;
			json_t *x;
			if (!json_is_array(v)) {
				resp_detail(rs, 400, "'routes' must be an array of \"METHOD /route\" strings");
				return -1;
			}
			json_array_foreach(v, i, x) {
				if (!json_is_string(x) || strchr(json_string_value(x), '\n')) {
					resp_detail(rs, 400, "'routes' must be an array of \"METHOD /route\" strings");
					buf_release(&all);
					return -1;
				}
				buf_addf(&all, "%s%s\n", all.len ? "" : "\n", json_string_value(x));
			}
			if (all.len >= sizeof(nf.routes)) {
				resp_detail(rs, 400, "'routes' is too long");
				buf_release(&all);
				return -1;
			}
			memcpy(nf.routes, all.buf, all.len + 1);
			buf_release(&all);
		} else if (!strcmp(k, "seed")) {
			if (!json_is_integer(v)) {
				resp_detail(rs, 400, "'seed' must be an integer");
				return -1;
			}
			nf.seed = (unsigned long long)json_integer_value(v);
		} else {
			resp_detail(rs, 400, "unknown fault knob '%s'", k);
			return -1;
		}
	}
	*f = nf;
	return 0;
}

static void stats_reset(void)
{
	json_decref(g_counts);
	g_counts = json_object();
	g_total = 0;
	g_writes = 0;
	g_connections = 0;
}

static int has_suffix_rewrite(const char *p)
{
	size_t n = strlen(p), k = strlen("/rewrite");

	return n > 10 + k && !strcmp(p + n - k, "/rewrite") && !memchr(p + 10, '/', n - 10 - k);
}

/* Caller holds g_lock. */
static void admin(struct sim_req *rq, struct sim_resp *rs)
{
	const char *p = rq->path, *m = rq->method;
	struct buf err = BUF_INIT;

	if (!strcmp(p, "/_sim/stats") && !strcmp(m, "GET")) {
		resp_json_take(rs, 200,
			       json_pack("{s:O,s:I,s:I,s:I,s:I}", "requests", g_counts, "total",
					 (json_int_t)g_total, "writes", (json_int_t)g_writes,
					 "connections", (json_int_t)g_connections, "open_connections",
					 (json_int_t)g_api_open));
	} else if (!strcmp(p, "/_sim/routes") && !strcmp(m, "GET")) {
		json_t *list = json_array();
		struct buf k = BUF_INIT;
		EACH_ROUTE(r) {
			buf_reset(&k);
			buf_addf(&k, "%s %s", r->method, r->tmpl);
			json_array_append_new(list, json_string(k.buf));
		}
		buf_release(&k);
		resp_json_take(rs, 200, list);
	} else if (!strcmp(p, "/_sim/stats/reset") && !strcmp(m, "POST")) {
		stats_reset();
		resp_json_take(rs, 200, json_pack("{s:b}", "ok", 1));
	} else if (!strcmp(p, "/_sim/faults") && !strcmp(m, "GET")) {
		resp_json_take(rs, 200, faults_json(&g_store.faults));
	} else if (!strcmp(p, "/_sim/faults") && !strcmp(m, "PUT")) {
		if (rq->body_bad || !rq->json) {
			resp_detail(rs, 400, "the body must be a JSON object of fault knobs");
		} else if (faults_apply(&g_store.faults, rq->json, rs) == 0) {
			resp_json_take(rs, 200, faults_json(&g_store.faults));
		}
	} else if (!strcmp(p, "/_sim/reset") && !strcmp(m, "POST")) {
		state_reset();
		stats_reset();
		resp_json_take(rs, 200, json_pack("{s:b}", "ok", 1));
	} else if (!strcmp(p, "/_sim/state") && !strcmp(m, "GET")) {
		resp_json_take(rs, 200, state_dump());
	} else if (!strcmp(p, "/_sim/state") && !strcmp(m, "PUT")) {
		if (!rq->json || state_load_json(rq->json, &err) < 0)
			resp_detail(rs, 400, "bad state: %s", err.len ? err.buf : "no JSON body");
		else
			resp_json_take(rs, 200, json_pack("{s:b}", "ok", 1));
	} else if (!strncmp(p, "/_sim/git/", 10) && has_suffix_rewrite(p) && !strcmp(m, "POST")) {
		/* letta-code#2203: the server replaces main with a new root commit, same files. */
		char *id = xstrndup(p + 10, strlen(p) - 10 - strlen("/rewrite"));
		memfs_admin_rewrite(id, rs);
		free(id);
	} else if (!strcmp(p, "/_sim/save") && !strcmp(m, "POST")) {
		if (!g_opts.state_path)
			resp_detail(rs, 400, "letta-sim was started without --state");
		else if (state_save_file(g_opts.state_path, &err) < 0)
			resp_detail(rs, 500, "%s", err.buf);
		else
			resp_json_take(rs, 200, json_pack("{s:b,s:s}", "ok", 1, "path",
							  g_opts.state_path));
	} else {
		resp_detail(rs, 404, "Not Found");
	}
	buf_release(&err);
}

/* ---- the MHD callbacks ---- */

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct conn_state *st = xcalloc(1, sizeof(*st));

	(void)cls;
	(void)conn;
	st->raw_uri = xstrdup(uri ? uri : "");
	buf_init(&st->rq.body);
	return st;
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_state *st = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!st)
		return;
	req_release(&st->rq);
	free(st->raw_uri);
	free(st);
	*con_cls = NULL;
}

static void conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = xcalloc(1, sizeof(struct conn_sock));
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		struct conn_sock *cs = *socket_context;

		if (cs && cs->seen) {
			pthread_mutex_lock(&g_lock);
			g_api_open--;
			pthread_mutex_unlock(&g_lock);
		}
		free(*socket_context);
		*socket_context = NULL;
	}
}

static int detect_v1_client(struct MHD_Connection *conn)
{
	const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");

	/* Digest 1.2: the three ways a request counts as coming from a "1.0 client". */
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Stainless-Package-Version"))
		return 1;
	if (!ua)
		return 1;
	return !strncmp(ua, "letta-client/1.", 15) || !strncmp(ua, "@letta-ai/letta-client/1.", 25);
}

static int auth_ok(struct MHD_Connection *conn)
{
	const char *h;
	struct buf want = BUF_INIT;
	int ok;

	if (!g_opts.api_key)
		return 1;
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	if (!h)
		return 0;
	buf_addf(&want, "Bearer %s", g_opts.api_key);
	ok = !strcmp(h, want.buf);
	buf_release(&want);
	return ok;
}

static int path_ids_ok(struct sim_req *rq, struct sim_resp *rs)
{
	const char *t = rq->route->tmpl;
	size_t i = 0;

	while ((t = strchr(t, '{')) != NULL) {
		const char *e = strchr(t, '}');
		size_t len = (size_t)(e - t - 1);
		for (int k = 0; id_params[k].param; k++) {
			struct buf msg = BUF_INIT, ex = BUF_INIT;
			json_t *in;
			if (strlen(id_params[k].param) != len ||
			    strncmp(id_params[k].param, t + 1, len))
				continue;
			if (id_valid(id_params[k].prefix, req_param(rq, i)))
				break;
			buf_addf(&msg,
				 "String should match pattern '^%s-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'",
				 id_params[k].prefix);
			buf_addf(&ex, "%s-123e4567-e89b-42d3-8456-426614174000",
				 id_params[k].prefix);
			in = json_string(req_param(rq, i));
			resp_422(rs, "string_pattern_mismatch", "path", id_params[k].param,
				 msg.buf, in, json_pack("[s]", ex.buf));
			json_decref(in);
			buf_release(&msg);
			buf_release(&ex);
			return 0;
		}
		i++;
		t = e + 1;
	}
	return 1;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct sim_resp *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len = rs->body ? (rs->body_len ? rs->body_len : strlen(rs->body)) : 0;

	r = MHD_create_response_from_buffer(len, rs->body ? rs->body : (char *)"",
					    rs->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	rs->body = NULL;
	if (len || rs->status != 204)
		MHD_add_response_header(r, "Content-Type",
					rs->content_type ? rs->content_type
					: rs->ctype[0]	 ? rs->ctype
							 : "application/json");
	if (rs->no_cache) {
		MHD_add_response_header(r, "Expires", "Fri, 01 Jan 1980 00:00:00 GMT");
		MHD_add_response_header(r, "Pragma", "no-cache");
		MHD_add_response_header(r, "Cache-Control", "no-cache, max-age=0, must-revalidate");
	}
	if (rs->www_auth)
		MHD_add_response_header(r, "WWW-Authenticate", "Basic realm=\"Letta\"");
	if (rs->location[0])
		MHD_add_response_header(r, "Location", rs->location);
	if (rs->retry_after[0])
		MHD_add_response_header(r, "Retry-After", rs->retry_after);
	if (rs->upload_result)
		MHD_add_response_header(r, "X-Upload-Result", rs->upload_result);
	ret = MHD_queue_response(conn, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void redirect_to(struct sim_resp *rs, struct MHD_Connection *conn, const char *path,
			const char *raw_uri)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	const char *q = strchr(raw_uri, '?');

	snprintf(rs->location, sizeof(rs->location), "%s://%s%s%s",
		 g_opts.tls_cert ? "https" : "http", host ? host : "127.0.0.1", path, q ? q : "");
	resp_empty(rs, 307);
}

/*
 * The first API request on a connection counts the connection and pays --connect-latency-ms,
 * as a new TCP + TLS connection over a real link would (a proxy adding delay per connect). A
 * connection opened only for /_sim admin calls is neither counted nor slowed.
 */
static void first_request(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_sock *cs = ci ? ci->socket_context : NULL;
	long ms;

	if (!cs || cs->seen)
		return;
	cs->seen = 1;
	pthread_mutex_lock(&g_lock);
	g_connections++;
	g_api_open++;
	ms = g_store.faults.connect_latency_ms;
	pthread_mutex_unlock(&g_lock);
	sleep_ms(ms);
}

static enum MHD_Result handle(struct conn_state *st, struct MHD_Connection *conn,
			      const char *url, const char *method)
{
	struct sim_req *rq = &st->rq;
	struct sim_resp rs = { 0 };
	const struct route *r;
	int path_only = 0, lost = 0;
	enum fault fault = FAULT_NONE;
	struct sim_faults f;
	unsigned long long n;
	enum MHD_Result ret;
	const char *ct;

	rq->method = method;
	rq->path = url;
	rq->conn = conn;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, rq);
	rq->v1_client = detect_v1_client(conn);
	rq->x_project = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Project");
	rq->x_project_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Project-Id");
	ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	rq->content_type = ct;
	if (rq->body.len && !(ct && !strncasecmp(ct, "multipart/", 10)) &&
	    strncmp(url, "/v1/git/", 8)) {
		rq->json = json_loadb(rq->body.buf, rq->body.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
				      NULL);
		rq->body_bad = rq->json == NULL;
	}
	if (st->too_big) {
		resp_detail(&rs, 413, "Request Entity Too Large");
		return send_resp(conn, &rs);
	}

	if (strncmp(url, "/_sim/", 6))
		first_request(conn);
	if (!strncmp(url, "/_sim/", 6)) {
		pthread_mutex_lock(&g_lock);
		admin(rq, &rs);
		pthread_mutex_unlock(&g_lock);
		return send_resp(conn, &rs);
	}

	r = route_find(method, url, &path_only);
	if (!r) {
		/* Starlette's redirect_slashes: toggle the slash; any path match redirects. */
		struct buf alt = BUF_INIT;
		int alt_only = 0;
		size_t ul = strlen(url);

		if (ul > 1 && url[ul - 1] == '/')
			buf_add(&alt, url, ul - 1);
		else
			buf_addf(&alt, "%s/", url);
		pthread_mutex_lock(&g_lock);
		if (!path_only && (route_find(method, alt.buf, &alt_only) || alt_only)) {
			count_request(method, "(redirect)");
			redirect_to(&rs, conn, alt.buf, st->raw_uri);
		} else {
			count_request(method, "(no route)");
			if (path_only)
				resp_detail(&rs, 405, "Method Not Allowed");
			else
				resp_detail(&rs, 404, "Not Found");
		}
		pthread_mutex_unlock(&g_lock);
		buf_release(&alt);
		return send_resp(conn, &rs);
	}
	rq->route = r;
	route_match(r->tmpl, url, rq);

	pthread_mutex_lock(&g_lock);
	n = count_request(method, r->tmpl);
	f = g_store.faults;
	pthread_mutex_unlock(&g_lock);

	if ((r->flags & R_GIT) &&
	    !memfs_auth_ok(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
			   g_opts.api_key)) {
		/* docs/contract/memfs.md "Auth": Basic letta:<key> or Bearer <key>; the challenge lets git retry. */
		resp_detail(&rs, 401, "Unauthorized");
		rs.www_auth = 1;
		return send_resp(conn, &rs);
	}
	if (!(r->flags & (R_NOAUTH | R_GIT)) && !auth_ok(conn)) {
		resp_detail(&rs, 401, "Unauthorized");
		return send_resp(conn, &rs);
	}
	if (f.latency_ms > 0 || f.jitter_ms > 0) {
		long j = f.jitter_ms > 0
				 ? (long)(fault_draw(f.seed, method, r->tmpl, n, 2) *
					  (double)(f.jitter_ms + 1))
				 : 0;
		sleep_ms(f.latency_ms + j);
	}
	if (!(r->flags & R_NOFAULT))
		fault = fault_decide(&f, method, r->tmpl, n);
	switch (fault) {
	case FAULT_DROP:
		return MHD_NO; /* closes the connection before anything changed */
	case FAULT_ERROR:
		if (fault_draw(f.seed, method, r->tmpl, n, 3) < 0.5)
			resp_detail(&rs, 500, "An unknown error occurred");
		else
			resp_detail(&rs, 503, "Service Unavailable");
		return send_resp(conn, &rs);
	case FAULT_THROTTLE:
		snprintf(rs.retry_after, sizeof(rs.retry_after), "%ld", f.retry_after_s);
		resp_detail(&rs, 429, "Rate limit exceeded");
		return send_resp(conn, &rs);
	case FAULT_CONFLICT:
		snprintf(rs.retry_after, sizeof(rs.retry_after), "1");
		resp_detail(&rs, 409,
			    "Conflict: the row was updated by another transaction. Please retry "
			    "your request.");
		return send_resp(conn, &rs);
	case FAULT_LOST_REPLY:
		lost = 1;
		break;
	case FAULT_NONE:
		break;
	}

	/* An unknown agent on a git route is a 404 like any other (the handler says so). */
	if ((r->flags & R_GIT) || path_ids_ok(rq, &rs)) {
		pthread_mutex_lock(&g_lock);
		/* A slug first seen in X-Project becomes a project (docs/contract/PRODUCT.md section 7). */
		if (rq->x_project && *rq->x_project)
			project_resolve_slug(rq->x_project);
		r->fn(rq, &rs);
		/*
		 * docs/contract/memfs.md: an API write to a MemFS agent's blocks becomes a commit at once. Only
		 * agent and block routes change which blocks an agent has or what they hold.
		 */
		if (!(r->flags & R_GIT) && is_write(method) && rs.status >= 200 && rs.status < 300 &&
		    (!strncmp(r->tmpl, "/v1/agents/", 11) || !strncmp(r->tmpl, "/v1/blocks/", 11)))
			memfs_after_write();
		pthread_mutex_unlock(&g_lock);
	}
	if (lost) {
		free(rs.body);
		return MHD_NO; /* the change is made; the reply never leaves */
	}
	if (!rs.status)
		resp_detail(&rs, 500, "An unknown error occurred");
	ret = send_resp(conn, &rs);
	return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version, const char *upload_data,
				 size_t *upload_data_size, void **con_cls)
{
	struct conn_state *st = *con_cls;

	(void)cls;
	(void)version;
	if (!st)
		return MHD_NO;
	if (!st->started) {
		/* Do never respond on the first call (MHD's minimal_example.c). */
		st->started = 1;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (st->rq.body.len + *upload_data_size > MAX_BODY)
			st->too_big = 1;
		else
			buf_add(&st->rq.body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return handle(st, conn, url, method);
}

struct MHD_Daemon *server_start(int port, const char *cert_pem, const char *key_pem,
				int *bound_port)
{
	struct MHD_Daemon *d;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL;

	if (!g_counts)
		g_counts = json_object();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (cert_pem)
		flags |= MHD_USE_TLS;
	/* MHD reads the options up to MHD_OPTION_END; without TLS the key and cert are skipped. */
	d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, access_cb, NULL,
			     MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
			     MHD_OPTION_NOTIFY_CONNECTION, conn_notify, NULL,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
			     MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
			     MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
			     cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert_pem,
			     MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
	if (!d)
		return NULL;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound_port = info ? (int)info->port : port;
	return d;
}

void server_stop(struct MHD_Daemon *d)
{
	MHD_stop_daemon(d);
	json_decref(g_counts);
	g_counts = NULL;
}
