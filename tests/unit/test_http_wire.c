/*
 * api/ against a scripted HTTP server on a loopback socket: the flows letta-sim cannot show
 * (a self-hosted server without /v1/projects, Retry-After dates, exact wire bytes of uploads),
 * and the guard of an ambiguous create, in one process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/apply.h"
#include "api/http.h"
#include "api/letta.h"
#include "core/remote.h"
#include "util/buf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* One scripted answer: the request must start with `expect` ("GET /v1/projects?"). */
struct step {
	const char *expect;
	int status;          /* 0: close the connection without answering */
	const char *headers; /* extra header lines, each ending in \r\n */
	const char *body;
};

/* As a step's headers: answer and keep the connection open; the next step reads from it. */
#define KEEP "Connection: keep-alive\r\n"


struct server {
	int fd;
	int port;
	const struct step *steps;
	size_t nsteps, next;
	struct buf log; /* every request received, head and body */
	pthread_t thread;
};

static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return hay;
	return NULL;
}

static void read_request(int c, struct buf *req)
{
	char chunk[4096];
	size_t head_end = 0, want = 0;

	for (;;) {
		ssize_t n = recv(c, chunk, sizeof(chunk), 0);
		const char *cl;
		char *eoh;

		if (n <= 0)
			return;
		buf_add(req, chunk, (size_t)n);
		if (!head_end && (eoh = strstr(req->buf, "\r\n\r\n"))) {
			head_end = (size_t)(eoh - req->buf) + 4;
			cl = find_ci(req->buf, "\r\nContent-Length:");
			want = cl && cl < eoh ? strtoul(cl + 17, NULL, 10) : 0;
		}
		if (head_end && req->len >= head_end + want)
			return;
	}
}

static void *serve(void *arg)
{
	struct server *s = arg;
	int c = -1;

	while (s->next < s->nsteps) {
		const struct step *st = &s->steps[s->next++];
		struct buf req = BUF_INIT, resp = BUF_INIT;
		int keep = st->headers && !strcmp(st->headers, KEEP);

		if (c < 0 && (c = accept(s->fd, NULL, NULL)) < 0)
			break;
		read_request(c, &req);
		if (!req.len) {
			/* A connection closed before any request (a client that gave up): not a step. */
			close(c);
			c = -1;
			s->next--;
			buf_release(&req);
			continue;
		}
		buf_add(&s->log, req.buf, req.len);
		buf_addstr(&s->log, "\n----\n");
		if (strncmp(req.buf, st->expect, strlen(st->expect))) {
			fprintf(stderr, "scripted server: expected '%s', got '%.60s'\n", st->expect,
				req.buf);
			buf_addf(&resp, "HTTP/1.1 599 Unexpected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
		} else if (st->status) {
			buf_addf(&resp, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%sContent-Length: %zu\r\n%s\r\n%s",
				 st->status, st->headers && !keep ? st->headers : "", strlen(st->body),
				 keep ? "" : "Connection: close\r\n", st->body);
		}
		if (resp.len && send(c, resp.buf, resp.len, 0) < 0)
			perror("send");
		if (!keep || !st->status) {
			close(c);
			c = -1;
		}
		buf_release(&req);
		buf_release(&resp);
	}
	if (c >= 0)
		close(c);
	return NULL;
}

static void server_start(struct server *s, const struct step *steps, size_t n)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	buf_init(&s->log);
	s->steps = steps;
	s->nsteps = n;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	getsockname(s->fd, (struct sockaddr *)&a, &len);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->thread, NULL, serve, s);
}

static void server_stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
	buf_release(&s->log);
}

/*
 * Starts S on STEPS (N of them) and returns a client of it with API key KEY (NULL: none), retries
 * of 1-5 ms, pages of 2 and CONCURRENCY transfers at once (0: the default). wire_close() ends
 * both.
 */
static struct letta *wire_open_n(struct server *s, const struct step *steps, size_t n,
				 const char *key, int concurrency)
{
	struct letta_opts o = LETTA_OPTS_INIT;
	struct ls_error err = LS_ERROR_INIT;
	struct letta *api = NULL;
	char url[64];

	server_start(s, steps, n);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", s->port);
	o.http.base_url = url;
	o.http.api_key = key;
	o.http.retry_base_ms = 1;
	o.http.retry_max_ms = 5;
	o.page_limit = 2;
	if (concurrency)
		o.http.concurrency = concurrency;
	assert_int_equal(letta_new(&api, &o, &err), 0);
	return api;
}

static struct letta *wire_open(struct server *s, const struct step *steps, size_t n,
			       const char *key)
{
	return wire_open_n(s, steps, n, key, 0);
}

static void wire_close(struct server *s, struct letta *api)
{
	letta_free(api);
	server_stop(s);
}

/* The create body of the managed Block "p" (label persona) that the lost-reply tests send. */
static json_t *persona_body(void)
{
	return json_pack("{sssss{ssss}}", "label", "persona", "value", "v", "metadata",
			 "managed_by", "letta-sync", "source", "Block/p");
}

static void test_wire__self_hosted_server_has_no_projects(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/projects?name=demo&limit=2 ", 404, NULL, "{\"detail\":\"Not Found\"}" },
		{ "GET /v1/blocks/?limit=2 ", 200, NULL, "[]" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct server s;
	struct letta *api;
	json_t *list = NULL;

	(void)state;
	api = wire_open(&s, steps, 2, "key-1234567");
	assert_int_equal(letta_project_resolve(api, "demo", NULL, &err), 0);
	assert_false(letta_has_projects(api));
	assert_null(letta_project_id(api));
	/* Nothing is scoped afterwards: no project_id query. */
	assert_int_equal(letta_list(&list, api, LETTA_BLOCK, NULL, &err), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	wire_close(&s, api);
}

/* The first page goes without offset=0, which fails the spec's oneOf (issue 20). */
static void test_wire__project_slug_found_on_a_later_page(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/projects?name=demo&limit=2 ", 200, NULL,
		  "{\"projects\":[{\"id\":\"u1\",\"name\":\"Demo 2\",\"slug\":\"demo-2\"},{\"id\":\"u2\",\"name\":\"x\",\"slug\":\"demox\"}],\"hasNextPage\":true}" },
		{ "GET /v1/projects?name=demo&offset=2&limit=2 ", 200, NULL,
		  "{\"projects\":[{\"id\":\"u3\",\"name\":\"Demo\",\"slug\":\"demo\"}],\"hasNextPage\":false}" },
		{ "GET /v1/blocks/?project_id=u3&limit=2 ", 200, NULL, "[]" },
		{ "POST /v1/agents/ ", 200, NULL, "{\"id\":\"agent-1\",\"name\":\"a\"}" },
		{ "GET /v1/projects?name=nope&limit=2 ", 200, NULL, "{\"projects\":[],\"hasNextPage\":false}" },
		/* Not by name: every project is checked for the slug before giving up. */
		{ "GET /v1/projects?limit=2 ", 200, NULL,
		  "{\"projects\":[{\"id\":\"u9\",\"name\":\"Nope Not\",\"slug\":\"nope-not\"}],\"hasNextPage\":false}" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct server s;
	struct letta *api;
	json_t *list = NULL, *agent = NULL, *body = json_pack("{ss}", "name", "a");

	(void)state;
	api = wire_open(&s, steps, 6, NULL);
	assert_int_equal(letta_project_resolve(api, "demo", NULL, &err), 0);
	assert_string_equal(letta_project_id(api), "u3");
	assert_int_equal(letta_list(&list, api, LETTA_BLOCK, NULL, &err), 0);
	assert_int_equal(letta_create(&agent, api, LETTA_AGENT, body, NULL, NULL, &err), 0);
	assert_string_equal(json_string_value(json_object_get(agent, "id")), "agent-1");
	assert_int_equal(letta_project_resolve(api, "nope", NULL, &err), LS_ENOTFOUND);
	assert_string_equal(err.msg, "project 'nope' not found");
	/* X-Project carries the slug on agent creates; no key means no Authorization. */
	assert_non_null(strstr(s.log.buf, "X-Project: demo\r\n"));
	assert_null(strstr(s.log.buf, "Authorization"));
	assert_non_null(strstr(s.log.buf, "User-Agent: letta-sync/"));
	json_decref(list);
	json_decref(agent);
	json_decref(body);
	wire_close(&s, api);
}

static void test_wire__retry_after_and_headers(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/tools/?limit=2 ", 429, "Retry-After: 0\r\n", "{\"detail\":\"slow down\"}" },
		{ "GET /v1/tools/?limit=2 ", 503, "retry-after-ms: 3\r\n", "{\"detail\":\"busy\"}" },
		{ "GET /v1/tools/?limit=2 ", 200, NULL, "[{\"id\":\"tool-1\"},{\"id\":\"tool-2\"}]" },
		{ "GET /v1/tools/?limit=2&after=tool-2 ", 200, NULL, "[{\"id\":\"tool-3\"}]" },
		{ "GET /v1/tools/?limit=2&after=tool-3 ", 200, NULL, "[]" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct http_stats st;
	struct server s;
	struct letta *api;
	json_t *list = NULL;

	(void)state;
	api = wire_open(&s, steps, 5, "sk-wire-secret");
	assert_int_equal(letta_list(&list, api, LETTA_TOOL, NULL, &err), 0);
	assert_int_equal(json_array_size(list), 3);
	http_get_stats(letta_http(api), &st);
	assert_int_equal(st.requests, 5);
	assert_int_equal(st.retries, 2);
	assert_non_null(strstr(s.log.buf, "Authorization: Bearer sk-wire-secret\r\n"));
	assert_non_null(strstr(s.log.buf, "Accept: application/json\r\n"));
	json_decref(list);
	wire_close(&s, api);
}

static void test_wire__lost_reply_on_create_adopts_instead_of_duplicating(void **state)
{
	static const struct step steps[] = {
		/* The block is made, then the connection drops: the outcome is unknown. */
		{ "POST /v1/blocks/ ", 0, NULL, NULL },
		{ "GET /v1/blocks/?label=persona&limit=2 ", 200, NULL,
		  "[{\"id\":\"block-9\",\"label\":\"persona\",\"metadata\":{\"source\":\"Block/other\"}},"
		  "{\"id\":\"block-1\",\"label\":\"persona\",\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/p\"}}]" },
		{ "GET /v1/blocks/?label=persona&limit=2&after=block-1 ", 200, NULL, "[]" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct http_stats st;
	struct server s;
	struct letta *api;
	json_t *out = NULL;
	json_t *body = persona_body();

	(void)state;
	api = wire_open(&s, steps, 3, NULL);
	assert_int_equal(letta_create(&out, api, LETTA_BLOCK, body, NULL, NULL, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "id")), "block-1");
	http_get_stats(letta_http(api), &st);
	assert_int_equal(st.guards, 1);
	assert_int_equal(st.adopted, 1);
	assert_int_equal(st.requests, 3);
	json_decref(out);
	json_decref(body);
	wire_close(&s, api);
}

static void test_wire__lost_reply_then_absent_creates_once_more(void **state)
{
	static const struct step steps[] = {
		{ "POST /v1/folders/ ", 0, NULL, NULL },
		/* A short page (1 of 2) ends the list: no empty page after it (issue 26). */
		{ "GET /v1/folders/?name=kb&limit=2 ", 200, NULL, "[{\"id\":\"source-2\",\"name\":\"kb2\"}]" },
		{ "POST /v1/folders/ ", 200, NULL, "{\"id\":\"source-1\",\"name\":\"kb\"}" },
		/* A 409 whose clashing folder is not ours is a conflict. */
		{ "POST /v1/folders/ ", 409, NULL, "{\"detail\":\"Folder with name 'kb' already exists\"}" },
		{ "GET /v1/folders/?name=kb&limit=2 ", 200, NULL, "[{\"id\":\"source-1\",\"name\":\"kb\",\"metadata\":{}}]" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct server s;
	struct letta *api;
	json_t *out = NULL;
	json_t *body = json_pack("{sss{ss}}", "name", "kb", "metadata", "source", "Folder/kb");

	(void)state;
	api = wire_open(&s, steps, 5, NULL);
	assert_int_equal(letta_create(&out, api, LETTA_FOLDER, body, NULL, NULL, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "id")), "source-1");
	json_decref(out);
	out = NULL;
	assert_int_equal(letta_create(&out, api, LETTA_FOLDER, body, NULL, NULL, &err), LS_ECONFLICT);
	assert_null(out);
	assert_string_equal(err.msg, "conflict on folder 'kb' (409): Folder with name 'kb' already exists");
	assert_string_equal(err.where, "POST /v1/folders/");
	json_decref(body);
	wire_close(&s, api);
}

/*
 * Issue 21 item 1: identities are created with POST; a 409 (the key appeared meanwhile) adopts
 * the identity whose marker property matches, found by identifier key.
 */
static void test_wire__identity_409_adopts_ours(void **state)
{
	static const struct step steps[] = {
		{ "POST /v1/identities/ ", 409, NULL,
		  "{\"detail\":\"A unique constraint was violated for Identity. Check your input for duplicates\"}" },
		{ "GET /v1/identities/?identifier_key=team%3Aeng&limit=2 ", 200, NULL,
		  "[{\"id\":\"identity-1\",\"identifier_key\":\"team:eng\",\"properties\":"
		  "[{\"key\":\"letta_sync\",\"value\":{\"managed_by\":\"letta-sync\",\"source\":\"Identity/eng\"},\"type\":\"json\"}]}]" },
		/* A short page (1 of 2) ends the list (issue 26). */
	};
	struct ls_error err = LS_ERROR_INIT;
	struct server s;
	struct letta *api;
	json_t *out = NULL;
	json_t *body = json_pack("{ss ss ss s[{ss s{ssss} ss}]}", "identifier_key", "team:eng", "name",
				 "Eng", "identity_type", "org", "properties", "key", "letta_sync",
				 "value", "managed_by", "letta-sync", "source", "Identity/eng", "type",
				 "json");

	(void)state;
	api = wire_open(&s, steps, 2, NULL);
	assert_int_equal(letta_create(&out, api, LETTA_IDENTITY, body, NULL, NULL, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "id")), "identity-1");
	json_decref(out);
	json_decref(body);
	wire_close(&s, api);
}

static void test_wire__repeated_delete_404_is_done(void **state)
{
	static const struct step steps[] = {
		{ "DELETE /v1/blocks/block-1 ", 0, NULL, NULL },
		{ "DELETE /v1/blocks/block-1 ", 404, NULL, "{\"detail\":\"Block not found\"}" },
		{ "PATCH /v1/agents/agent-1/core-memory/blocks/detach/block-2 ", 404, NULL, "{\"detail\":\"not attached\"}" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct server s;
	struct letta *api;

	(void)state;
	api = wire_open(&s, steps, 3, NULL);
	assert_int_equal(letta_delete(api, LETTA_BLOCK, "block-1", &err), 0);
	/* A first detach that finds nothing attached is reported. */
	assert_int_equal(letta_agent_attach(api, "agent-1", LETTA_BLOCK, "block-2", 0, &err),
			 LS_ENOTFOUND);
	assert_string_equal(err.msg, "block 'block-2' on agent 'agent-1' not found (404): not attached");
	wire_close(&s, api);
}

static void test_wire__upload_is_multipart(void **state)
{
	static const struct step steps[] = {
		{ "POST /v1/folders/source-1/upload?duplicate_handling=replace&name=notes.txt ", 200, NULL,
		  "{\"id\":\"file-1\",\"processing_status\":\"pending\"}" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct server s;
	struct letta *api;
	json_t *out = NULL;
	char path[] = "/tmp/ls-upload-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello file\n", 11), 11);
	close(fd);
	api = wire_open(&s, steps, 1, NULL);
	assert_int_equal(letta_folder_upload(&out, api, "source-1", path, "notes.txt", NULL, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "id")), "file-1");
	assert_non_null(strstr(s.log.buf, "Content-Type: multipart/form-data; boundary="));
	assert_non_null(strstr(s.log.buf, "name=\"file\"; filename=\"notes.txt\""));
	assert_non_null(strstr(s.log.buf, "hello file\n"));
	json_decref(out);
	wire_close(&s, api);
	unlink(path);
}

static void test_wire__open_from_a_target_with_only_an_id(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/projects?limit=100 ", 200, NULL,
		  "{\"projects\":[{\"id\":\"u7\",\"name\":\"Seven\",\"slug\":\"seven\"}],\"hasNextPage\":false}" },
		{ "POST /v1/agents/ ", 200, NULL, "{\"id\":\"agent-1\"}" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct target t;
	struct server s;
	struct letta *api = NULL;
	struct letta_opts o = LETTA_OPTS_INIT;
	json_t *out = NULL, *body = json_pack("{ss}", "name", "a");
	char url[64];

	(void)state;
	server_start(&s, steps, 2);
	memset(&t, 0, sizeof(t));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", s.port);
	t.base_url = url;
	t.project.id = (char *)"u7";
	o.http.api_key = "sk-open-1234";
	assert_int_equal(letta_open(&api, &t, &o, 1, &err), 0);
	assert_string_equal(letta_project_id(api), "u7");
	assert_int_equal(letta_create(&out, api, LETTA_AGENT, body, NULL, NULL, &err), 0);
	assert_non_null(strstr(s.log.buf, "X-Project: seven\r\n"));
	assert_non_null(strstr(s.log.buf, "Authorization: Bearer sk-open-1234\r\n"));
	json_decref(out);
	json_decref(body);
	wire_close(&s, api);
}

/* Counts "METHOD " at the start of the requests in a server's log. */
static int count_requests(const struct server *s, const char *method_sp)
{
	int n = 0;
	const char *p = s->log.buf;
	size_t len = strlen(method_sp);

	if (!strncmp(p, method_sp, len))
		n++;
	while ((p = strstr(p, "\n----\n")) != NULL) {
		p += 6;
		if (!strncmp(p, method_sp, len))
			n++;
	}
	return n;
}

/*
 * Issue 26: writes reuse connections. A create sent on a kept-alive connection that then
 * closes without an answer (the server made the block, the reply was lost) is not re-sent
 * by libcurl: the guard re-reads by label and adopts the block. One POST in all.
 */
static void test_wire__lost_reply_on_a_reused_connection_goes_to_the_guard(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/blocks/block-0 ", 200, KEEP, "{\"id\":\"block-0\"}" },
		{ "POST /v1/blocks/ ", 0, NULL, NULL },
		{ "GET /v1/blocks/?label=persona&limit=2 ", 200, NULL,
		  "[{\"id\":\"block-1\",\"label\":\"persona\",\"metadata\":{\"managed_by\":\"letta-sync\",\"source\":\"Block/p\"}}]" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct http_stats st;
	struct server s;
	struct letta *api;
	json_t *out = NULL;
	json_t *body = persona_body();

	(void)state;
	api = wire_open(&s, steps, 3, NULL);
	assert_int_equal(letta_fetch(&out, api, LETTA_BLOCK, "block-0", &err), 0);
	json_decref(out);
	out = NULL;
	assert_int_equal(letta_create(&out, api, LETTA_BLOCK, body, NULL, NULL, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "id")), "block-1");
	http_get_stats(letta_http(api), &st);
	assert_int_equal(st.guards, 1);
	assert_int_equal(st.adopted, 1);
	assert_int_equal(count_requests(&s, "POST "), 1);
	json_decref(out);
	json_decref(body);
	wire_close(&s, api);
}

/*
 * The same for a delete: libcurl's silent repeat would turn the lost first success into a
 * first-attempt 404 (an error); our own repeat's 404 counts as done.
 */
static void test_wire__delete_on_a_reused_connection_that_dies_is_done(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/blocks/block-0 ", 200, KEEP, "{\"id\":\"block-0\"}" },
		{ "DELETE /v1/blocks/block-1 ", 0, NULL, NULL },
		{ "DELETE /v1/blocks/block-1 ", 404, NULL, "{\"detail\":\"Block not found\"}" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct server s;
	struct letta *api;
	json_t *out = NULL;

	(void)state;
	api = wire_open(&s, steps, 3, NULL);
	assert_int_equal(letta_fetch(&out, api, LETTA_BLOCK, "block-0", &err), 0);
	json_decref(out);
	assert_int_equal(letta_delete(api, LETTA_BLOCK, "block-1", &err), 0);
	assert_int_equal(count_requests(&s, "DELETE "), 2);
	wire_close(&s, api);
}

/* The target of the project-check tests: the project id "u7", given alone. */
static struct target target_u7(void)
{
	struct target t;

	memset(&t, 0, sizeof(t));
	t.project.id = (char *)"u7";
	return t;
}

/*
 * Starts S on STEPS (N of them) and reads the first lists into RS with a client at concurrency
 * 1 (the server sees the batch in order) whose target is target_u7(): the project check goes
 * out with the lists. *RET is apply_resolve_read_remote()'s code; returns the client.
 */
static struct letta *read_u7(struct server *s, const struct step *steps, size_t n,
			     struct remote_state *rs, int *ret, struct ls_error *err)
{
	struct target t = target_u7();
	struct letta *api = wire_open_n(s, steps, n, NULL, 1);

	remote_state_init(rs);
	*ret = apply_resolve_read_remote(rs, api, &t, 0, err);
	return api;
}

/*
 * A project given by id is checked in the same round as the first lists (issue 26). At
 * concurrency 1 the scripted server sees them in the batch's order: the project list first,
 * then the lists scoped by the id. Here the server is self-hosted (404 on /v1/projects): the
 * lists went out scoped to an id that means nothing there, so they are read again unscoped.
 */
static void test_wire__project_check_with_the_lists_self_hosted(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/projects?limit=2 ", 404, NULL, "{\"detail\":\"Not Found\"}" },
		{ "GET /v1/blocks/?project_id=u7&limit=2 ", 200, NULL, "[]" },
		{ "GET /v1/agents/?project_id=u7&", 200, NULL, "[]" },
		{ "GET /v1/blocks/?limit=2 ", 200, NULL, "[{\"id\":\"block-1\",\"label\":\"b\"}]" },
		{ "GET /v1/agents/?include=", 200, NULL, "[]" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct remote_state rs;
	struct server s;
	struct letta *api;
	int ret;

	(void)state;
	api = read_u7(&s, steps, 5, &rs, &ret, &err);
	assert_int_equal(ret, 0);
	assert_false(letta_has_projects(api));
	assert_null(letta_project_id(api));
	assert_int_equal(json_array_size(rs.blocks), 1);
	assert_int_equal(count_requests(&s, "GET "), 5);
	remote_state_release(&rs);
	wire_close(&s, api);
}

/*
 * An id the server does not know: the lists went out with the check, but the error is the
 * check's, as letta_resolve_target() gives it, and nothing is kept of what they read.
 */
static void test_wire__project_check_with_the_lists_refuses_an_unknown_id(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/projects?limit=2 ", 200, NULL,
		  "{\"projects\":[{\"id\":\"u1\",\"name\":\"One\",\"slug\":\"one\"}],\"hasNextPage\":false}" },
		{ "GET /v1/blocks/?project_id=u7&limit=2 ", 200, NULL, "[{\"id\":\"block-1\"}]" },
		{ "GET /v1/agents/?project_id=u7&", 200, NULL, "[]" },
		/* The same check alone, for the error to compare with. */
		{ "GET /v1/projects?limit=2 ", 200, NULL,
		  "{\"projects\":[{\"id\":\"u1\",\"name\":\"One\",\"slug\":\"one\"}],\"hasNextPage\":false}" },
	};
	struct ls_error err = LS_ERROR_INIT, alone = LS_ERROR_INIT;
	struct target t = target_u7();
	struct remote_state rs;
	struct server s;
	struct letta *api;
	int ret;

	(void)state;
	api = read_u7(&s, steps, 4, &rs, &ret, &err);
	assert_int_equal(ret, LS_ENOTFOUND);
	assert_string_equal(err.msg, "project id 'u7' not found on the server");
	assert_int_equal(json_array_size(rs.blocks), 0);
	assert_int_equal(letta_resolve_target(api, &t, &alone), LS_ENOTFOUND);
	assert_memory_equal(&err, &alone, sizeof(err));
	assert_int_equal(count_requests(&s, "GET "), 4);
	remote_state_release(&rs);
	wire_close(&s, api);
}

/* The check passes and names the slug; a project list of two pages reads its second after. */
static void test_wire__project_check_with_the_lists_pages_on(void **state)
{
	static const struct step steps[] = {
		{ "GET /v1/projects?limit=2 ", 200, NULL,
		  "{\"projects\":[{\"id\":\"u1\",\"slug\":\"one\"},{\"id\":\"u2\",\"slug\":\"two\"}],\"hasNextPage\":true}" },
		{ "GET /v1/blocks/?project_id=u7&limit=2 ", 200, NULL, "[{\"id\":\"block-1\"}]" },
		{ "GET /v1/agents/?project_id=u7&", 200, NULL, "[]" },
		{ "GET /v1/projects?offset=2&limit=2 ", 200, NULL,
		  "{\"projects\":[{\"id\":\"u7\",\"slug\":\"seven\"}],\"hasNextPage\":false}" },
	};
	struct ls_error err = LS_ERROR_INIT;
	struct remote_state rs;
	struct server s;
	struct letta *api;
	int ret;

	(void)state;
	api = read_u7(&s, steps, 4, &rs, &ret, &err);
	assert_int_equal(ret, 0);
	assert_string_equal(letta_project_id(api), "u7");
	assert_string_equal(letta_project_slug(api), "seven");
	assert_int_equal(json_array_size(rs.blocks), 1);
	assert_int_equal(count_requests(&s, "GET "), 4);
	remote_state_release(&rs);
	wire_close(&s, api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire__self_hosted_server_has_no_projects),
		cmocka_unit_test(test_wire__project_slug_found_on_a_later_page),
		cmocka_unit_test(test_wire__retry_after_and_headers),
		cmocka_unit_test(test_wire__lost_reply_on_create_adopts_instead_of_duplicating),
		cmocka_unit_test(test_wire__lost_reply_then_absent_creates_once_more),
		cmocka_unit_test(test_wire__lost_reply_on_a_reused_connection_goes_to_the_guard),
		cmocka_unit_test(test_wire__delete_on_a_reused_connection_that_dies_is_done),
		cmocka_unit_test(test_wire__identity_409_adopts_ours),
		cmocka_unit_test(test_wire__repeated_delete_404_is_done),
		cmocka_unit_test(test_wire__upload_is_multipart),
		cmocka_unit_test(test_wire__open_from_a_target_with_only_an_id),
		cmocka_unit_test(test_wire__project_check_with_the_lists_self_hosted),
		cmocka_unit_test(test_wire__project_check_with_the_lists_refuses_an_unknown_id),
		cmocka_unit_test(test_wire__project_check_with_the_lists_pages_on),
	};

	http_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
