/* Unit tests of the pure parts of api/http.c: errors, retry policy, backoff, paging, queries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/http.h"
#include "util/redact.h"

#include <stdlib.h>
#include <string.h>

static char *detail_of(const char *body)
{
	struct buf b = BUF_INIT;

	http_error_detail(&b, body, strlen(body));
	return buf_detach(&b);
}

static void test_http__error_detail_shapes(void **state)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
		{ "{\"detail\":\"Unauthorized\"}", "Unauthorized" },
		{ "{\"trace_id\":\"\",\"detail\":\"[{'type': 'missing', 'loc': ('body', 'label')}]\"}",
		  "[{'type': 'missing', 'loc': ('body', 'label')}]" },
		{ "{\"detail\":[{\"loc\":[\"body\",\"label\"],\"msg\":\"Field required\"},{\"loc\":[\"query\",\"limit\",0],\"msg\":\"bad\"}]}",
		  "body.label: Field required; query.limit.0: bad" },
		{ "{\"detail\":{\"message\":\"nested\"}}", "nested" },
		{ "{\"detail\":{\"code\":7}}", "{\"code\":7}" },
		{ "{\"message\":\"Project not found\"}", "Project not found" },
		{ "{\"error\":{\"type\":\"x\",\"message\":\"llm failed\"}}", "llm failed" },
		{ "{\"detail\":\"\",\"message\":\"fallback\"}", "fallback" },
		{ "<html>Bad\nGateway</html>\n", "<html>Bad Gateway</html>" },
		{ "\"just a string\"", "just a string" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = detail_of(cases[i].body);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void test_http__error_detail_is_capped(void **state)
{
	char body[1000];
	char *got;

	(void)state;
	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	got = detail_of(body);
	assert_int_equal(strlen(got), 203);
	assert_string_equal(got + 200, "...");
	free(got);
}

/* Issue 21 item 3: a 404 about something the body refers to names it, not the object written. */
static void test_http__error_reference(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	const char *handle = "{\"detail\":\"Handle openai/x not found\"}";
	const char *self = "{\"detail\":\"Agent with id 'agent-1' not found\"}";
	const char *block = "{\"detail\":\"Block with id 'block-9' not found\"}";

	(void)state;
	http_error_from_status(&err, "POST", "/v1/agents/", "agent 'review-bot'", 404, handle,
			       strlen(handle), "http://h", 1);
	assert_int_equal(http_error_reference(&err, "/v1/agents/", "agent 'review-bot'", handle,
					      strlen(handle)),
			 1);
	assert_int_equal(err.code, LS_ENOTFOUND);
	assert_string_equal(err.msg, "agent 'review-bot' refers to something the server does not have (404): Handle openai/x not found");
	assert_null(strstr(err.msg, "review-bot' not found"));
	assert_string_equal(err.where, "POST /v1/agents/");

	/* The detail names the path's id: the object itself is missing. */
	http_error_from_status(&err, "PATCH", "/v1/agents/agent-1", "agent 'agent-1'", 404, self,
			       strlen(self), "http://h", 1);
	assert_int_equal(http_error_reference(&err, "/v1/agents/agent-1", "agent 'agent-1'", self,
					      strlen(self)),
			 0);
	assert_string_equal(err.msg, "agent 'agent-1' not found (404): Agent with id 'agent-1' not found");

	/* An id in the body that is not in the path is a reference. */
	http_error_from_status(&err, "PATCH", "/v1/agents/agent-1", "agent 'agent-1'", 404, block,
			       strlen(block), "http://h", 1);
	assert_int_equal(http_error_reference(&err, "/v1/agents/agent-1", "agent 'agent-1'", block,
					      strlen(block)),
			 1);
	assert_non_null(strstr(err.msg, "Block with id 'block-9' not found"));

	/* Other statuses are left alone. */
	http_error_from_status(&err, "POST", "/v1/agents/", "agent 'a'", 409, handle, strlen(handle),
			       "http://h", 1);
	assert_int_equal(http_error_reference(&err, "/v1/agents/", "agent 'a'", handle, strlen(handle)),
			 0);
}

static void test_http__error_messages(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	const char *b404 = "{\"detail\":\"Block not found\"}";
	const char *b409 = "{\"detail\":\"UNIQUE constraint failed: folder name 'docs'\"}";
	const char *b422 = "{\"trace_id\":\"\",\"detail\":\"[{'msg': 'Field required'}]\"}";
	int code;

	(void)state;
	code = http_error_from_status(&err, "GET", "/v1/blocks/block-1?x=1", "block 'block-1'", 404,
				      b404, strlen(b404), "http://h", 1);
	assert_int_equal(code, LS_ENOTFOUND);
	assert_string_equal(err.msg, "block 'block-1' not found (404): Block not found");
	assert_string_equal(err.where, "GET /v1/blocks/block-1");
	assert_int_equal(err.http_status, 404);
	/* Not a reference: "<Kind> not found" is the object itself. */
	assert_int_equal(http_error_reference(&err, "/v1/blocks/block-1", "block 'block-1'", b404,
					      strlen(b404)),
			 0);

	code = http_error_from_status(&err, "GET", "/v1/blocks/", NULL, 401, "{}", 2, "https://api.letta.com", 1);
	assert_int_equal(code, LS_EAUTH);
	assert_string_equal(err.msg, "LETTA_API_KEY was rejected by https://api.letta.com (401)");
	assert_non_null(strstr(err.hint, "LETTA_BASE_URL"));

	code = http_error_from_status(&err, "GET", "/v1/blocks/", NULL, 401, "", 0, "http://h", 0);
	assert_int_equal(code, LS_EAUTH);
	assert_non_null(strstr(err.hint, "set LETTA_API_KEY"));

	code = http_error_from_status(&err, "DELETE", "/v1/identities/identity-1", "identity 'identity-1'",
				      403, "{\"detail\":\"Forbidden\"}", 22, "http://h", 1);
	assert_int_equal(code, LS_EAUTH);
	assert_string_equal(err.msg, "access to identity 'identity-1' was refused by http://h (403): Forbidden");

	code = http_error_from_status(&err, "POST", "/v1/folders/", "folder 'docs'", 409, b409,
				      strlen(b409), "http://h", 1);
	assert_int_equal(code, LS_ECONFLICT);
	assert_string_equal(err.msg, "conflict on folder 'docs' (409): UNIQUE constraint failed: folder name 'docs'");
	assert_string_equal(err.where, "POST /v1/folders/");

	code = http_error_from_status(&err, "POST", "/v1/blocks/", "block 'persona'", 422, b422,
				      strlen(b422), "http://h", 1);
	assert_int_equal(code, LS_EAPI);
	assert_string_equal(err.msg, "block 'persona' was rejected by the server (422): [{'msg': 'Field required'}]");

	code = http_error_from_status(&err, "GET", "/v1/tools", NULL, 307, "", 0, "http://h", 1);
	assert_int_equal(code, LS_EAPI);
	assert_string_equal(err.msg, "http://h redirected the request for '/v1/tools' (307)");

	code = http_error_from_status(&err, "GET", "/v1/tools/", NULL, 503, "", 0, "http://h", 1);
	assert_int_equal(code, LS_EAPI);
	assert_string_equal(err.msg, "server error 503 on '/v1/tools/'");
}

static void test_http__error_never_shows_the_key(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	const char *body = "{\"detail\":\"bad key sk-secret-123456\"}";

	(void)state;
	redact_secret("sk-secret-123456");
	http_error_from_status(&err, "GET", "/v1/agents/", NULL, 422, body, strlen(body), "http://h", 1);
	assert_null(strstr(err.msg, "sk-secret-123456"));
	assert_non_null(strstr(err.msg, "[REDACTED]"));
	redact_reset();
}

static void test_http__retry_policy_table(void **state)
{
	static const struct {
		enum http_retry_class cls;
		int curl_code, sent;
		long status;
		int retry_after, attempt;
		enum http_next want;
	} cases[] = {
		/* Success is success for every class. */
		{ HTTP_RETRY_SAFE, 0, 1, 200, 0, 1, HTTP_NEXT_DONE },
		{ HTTP_RETRY_CREATE, 0, 1, 200, 0, 3, HTTP_NEXT_DONE },
		{ HTTP_RETRY_REMOVE, 0, 1, 204, 0, 1, HTTP_NEXT_DONE },
		/* Transient answers. */
		{ HTTP_RETRY_SAFE, 0, 1, 500, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_SAFE, 0, 1, 502, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_SAFE, 0, 1, 503, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_SAFE, 0, 1, 504, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_SAFE, 0, 1, 408, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_SAFE, 0, 1, 429, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_SAFE, 28, 1, 0, 0, 1, HTTP_NEXT_RETRY },
		/* Permanent answers. */
		{ HTTP_RETRY_SAFE, 0, 1, 400, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_SAFE, 0, 1, 401, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_SAFE, 0, 1, 403, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_SAFE, 0, 1, 404, 0, 2, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_SAFE, 0, 1, 422, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_SAFE, 0, 1, 501, 0, 1, HTTP_NEXT_FAIL },
		/* 409: retried only with Retry-After; unique clashes go to the guard. */
		{ HTTP_RETRY_SAFE, 0, 1, 409, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_SAFE, 0, 1, 409, 1, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_CREATE, 0, 1, 409, 1, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_CREATE, 0, 1, 409, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_CREATE_UNIQUE, 0, 1, 409, 0, 1, HTTP_NEXT_GUARD },
		/* A repeated delete or detach that finds nothing is done; the first one is not. */
		{ HTTP_RETRY_REMOVE, 0, 1, 404, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_REMOVE, 0, 1, 404, 0, 2, HTTP_NEXT_GONE },
		{ HTTP_RETRY_REMOVE, 56, 1, 0, 0, 1, HTTP_NEXT_RETRY },
		/* Creates are never repeated blindly. */
		{ HTTP_RETRY_CREATE, 52, 1, 0, 0, 1, HTTP_NEXT_GUARD },
		{ HTTP_RETRY_CREATE, 28, 1, 0, 0, 1, HTTP_NEXT_GUARD },
		{ HTTP_RETRY_CREATE, 7, 0, 0, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_CREATE, 0, 1, 500, 0, 1, HTTP_NEXT_GUARD },
		{ HTTP_RETRY_CREATE, 0, 1, 503, 0, 1, HTTP_NEXT_GUARD },
		{ HTTP_RETRY_CREATE, 0, 1, 429, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_CREATE_UNIQUE, 56, 1, 0, 0, 1, HTTP_NEXT_GUARD },
		{ HTTP_RETRY_CREATE, 0, 1, 422, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_NEVER, 52, 1, 0, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_NEVER, 7, 0, 0, 0, 1, HTTP_NEXT_RETRY },
		{ HTTP_RETRY_NEVER, 0, 1, 500, 0, 1, HTTP_NEXT_FAIL },
		{ HTTP_RETRY_NEVER, 0, 1, 429, 0, 1, HTTP_NEXT_RETRY },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_attempt a = { cases[i].curl_code, cases[i].sent, cases[i].status,
					  cases[i].retry_after, cases[i].attempt };

		if (http_retry_decide(cases[i].cls, &a) != cases[i].want)
			fail_msg("case %zu: class %d curl %d status %ld gave %d, want %d", i,
				 (int)cases[i].cls, cases[i].curl_code, cases[i].status,
				 (int)http_retry_decide(cases[i].cls, &a), (int)cases[i].want);
	}
}

static void test_http__backoff_doubles_caps_and_jitters(void **state)
{
	(void)state;
	assert_int_equal(http_backoff_ms(500, 8000, 1, -1, 0.0), 500);
	assert_int_equal(http_backoff_ms(500, 8000, 2, -1, 0.0), 1000);
	assert_int_equal(http_backoff_ms(500, 8000, 3, -1, 0.0), 2000);
	assert_int_equal(http_backoff_ms(500, 8000, 5, -1, 0.0), 8000);
	assert_int_equal(http_backoff_ms(500, 8000, 40, -1, 0.0), 8000);
	/* At most 25 % jitter, always below the nominal delay. */
	assert_int_equal(http_backoff_ms(1000, 8000, 1, -1, 0.5), 875);
	assert_true(http_backoff_ms(1000, 8000, 1, -1, 0.9999) >= 750);
	/* The server's Retry-After wins, zero included, and is capped. */
	assert_int_equal(http_backoff_ms(500, 8000, 1, 0, 0.3), 0);
	assert_int_equal(http_backoff_ms(500, 8000, 1, 3000, 0.3), 3000);
	assert_int_equal(http_backoff_ms(500, 8000, 1, 10000000, 0.3), HTTP_RETRY_AFTER_CAP_MS);
	assert_int_equal(http_backoff_ms(0, 0, 3, -1, 0.5), 0);
}

static void test_http__retry_after_parsing(void **state)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT */
	long long now = 784111777;

	(void)state;
	assert_int_equal(http_retry_after_ms(NULL, NULL, now), -1);
	assert_int_equal(http_retry_after_ms("", "", now), -1);
	assert_int_equal(http_retry_after_ms("0", NULL, now), 0);
	assert_int_equal(http_retry_after_ms("1", NULL, now), 1000);
	assert_int_equal(http_retry_after_ms("120", NULL, now), 120000);
	assert_int_equal(http_retry_after_ms("1", "250", now), 250);
	assert_int_equal(http_retry_after_ms("1", "12.5", now), 12);
	assert_int_equal(http_retry_after_ms("2", "junk", now), 2000);
	assert_int_equal(http_retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", NULL, now), 10000);
	assert_int_equal(http_retry_after_ms("Sunday, 06-Nov-94 08:49:40 GMT", NULL, now), 3000);
	/* A date in the past means now. */
	assert_int_equal(http_retry_after_ms("Sun, 06 Nov 1994 08:00:00 GMT", NULL, now), 0);
	assert_int_equal(http_retry_after_ms("soon", NULL, now), -1);
	assert_int_equal(http_retry_after_ms("-5", NULL, now), -1);
}

static void test_http__query_building(void **state)
{
	struct buf p = BUF_INIT;

	(void)state;
	buf_addstr(&p, "/v1/blocks/");
	http_query_add(&p, "label", "a b/c&d");
	http_query_add(&p, "skip", NULL);
	http_query_addl(&p, "limit", 50);
	http_query_add(&p, "tags", "x");
	http_query_add(&p, "tags", "y");
	assert_string_equal(p.buf, "/v1/blocks/?label=a%20b%2Fc%26d&limit=50&tags=x&tags=y");
	http_query_del(&p, "tags");
	assert_string_equal(p.buf, "/v1/blocks/?label=a%20b%2Fc%26d&limit=50");
	http_query_del(&p, "label");
	assert_string_equal(p.buf, "/v1/blocks/?limit=50");
	http_query_del(&p, "limit");
	assert_string_equal(p.buf, "/v1/blocks/");
	http_query_del(&p, "limit");
	assert_string_equal(p.buf, "/v1/blocks/");
	buf_reset(&p);
	http_escape(&p, "block-1~_.é");
	assert_string_equal(p.buf, "block-1~_.%C3%A9");
	buf_release(&p);
}

static void test_http__paging_follows_cursor_until_empty_page(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	struct buf path = BUF_INIT;
	json_t *acc = NULL, *page;
	int ret;

	(void)state;
	buf_addstr(&path, "/v1/blocks/?label=x&limit=2");
	page = json_pack("[{ss}{ss}]", "id", "block-1", "id", "block-2");
	ret = http_page_step(&acc, &path, page, NULL, &err);
	json_decref(page);
	assert_int_equal(ret, 1);
	assert_string_equal(path.buf, "/v1/blocks/?label=x&limit=2&after=block-2");
	/* A short page is not the end (the tools list drops rows after applying limit). */
	page = json_pack("[{ss}]", "id", "block-3");
	ret = http_page_step(&acc, &path, page, NULL, &err);
	json_decref(page);
	assert_int_equal(ret, 1);
	assert_string_equal(path.buf, "/v1/blocks/?label=x&limit=2&after=block-3");
	page = json_array();
	ret = http_page_step(&acc, &path, page, NULL, &err);
	json_decref(page);
	assert_int_equal(ret, 0);
	assert_int_equal(json_array_size(acc), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(acc, 2), "id")), "block-3");
	json_decref(acc);
	buf_release(&path);
}

static void test_http__paging_string_lists_and_errors(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	struct buf path = BUF_INIT;
	json_t *acc = NULL, *page;

	(void)state;
	buf_addstr(&path, "/v1/tags/");
	page = json_pack("[ss]", "a:b", "c d");
	assert_int_equal(http_page_step(&acc, &path, page, NULL, &err), 1);
	assert_string_equal(path.buf, "/v1/tags/?after=c%20d");
	/* The same page again means the server ignores the cursor: an error, not a loop. */
	assert_int_equal(http_page_step(&acc, &path, page, NULL, &err), LS_EAPI);
	assert_non_null(strstr(err.msg, "cursor"));
	json_decref(page);
	page = json_pack("{s[]}", "projects");
	assert_int_equal(http_page_step(&acc, &path, page, NULL, &err), LS_EAPI);
	json_decref(page);
	page = json_pack("[{ss}]", "name", "no id");
	assert_int_equal(http_page_step(&acc, &path, page, NULL, &err), LS_EAPI);
	json_decref(page);
	json_decref(acc);
	buf_release(&path);
}

/*
 * The pager's set of keys (issue 26: no allocation per item) across its growth: pages of 1,000
 * new ids, then a page that repeats ids of every earlier page (nothing new: refused), then one
 * with a single new id among old ones (progress).
 */
static void test_http__pager_remembers_thousands_of_ids(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	struct http_pager pg = HTTP_PAGER_INIT;
	json_t *page;
	char id[32];

	(void)state;
	for (int p = 0; p < 5; p++) {
		page = json_array();
		for (int i = 0; i < 1000; i++) {
			snprintf(id, sizeof(id), "block-%d", p * 1000 + i);
			json_array_append_new(page, json_pack("{ss}", "id", id));
		}
		assert_int_equal(http_pager_step(&pg, page, "x", &err), 0);
		json_decref(page);
	}
	page = json_array();
	for (int i = 0; i < 5000; i += 7) {
		snprintf(id, sizeof(id), "block-%d", i);
		json_array_append_new(page, json_pack("{ss}", "id", id));
	}
	assert_int_equal(http_pager_step(&pg, page, "the block list", &err), LS_EAPI);
	assert_non_null(strstr(err.msg, "page 6 of the block list brought no new item"));
	json_array_append_new(page, json_string("block-5000"));
	ls_error_clear(&err);
	assert_int_equal(http_pager_step(&pg, page, "x", &err), 0);
	json_decref(page);
	http_pager_release(&pg);
}

/* Issue 20: a page that brings nothing new, or one page too many, stops the list. */
static void test_http__pager_stops_on_no_progress_and_at_the_cap(void **state)
{
	struct ls_error err = LS_ERROR_INIT;
	struct http_pager pg = HTTP_PAGER_INIT;
	struct buf path = BUF_INIT;
	json_t *acc = NULL, *p1 = json_pack("[{ss}{ss}]", "id", "a", "id", "b");
	json_t *p2 = json_pack("[{ss}{ss}]", "id", "c", "id", "d");
	json_t *p3 = json_pack("[{ss}{ss}]", "id", "a", "id", "e");
	json_t *p4 = json_pack("[{ss}{ss}]", "id", "c", "id", "d");

	(void)state;
	/* A cursor cycle a,b | c,d | a,e | c,d: the fourth page brings nothing new. */
	buf_addstr(&path, "/v1/blocks/");
	assert_int_equal(http_page_step(&acc, &path, p1, &pg, &err), 1);
	assert_int_equal(http_page_step(&acc, &path, p2, &pg, &err), 1);
	assert_int_equal(http_page_step(&acc, &path, p3, &pg, &err), 1);
	assert_int_equal(http_page_step(&acc, &path, p4, &pg, &err), LS_EAPI);
	assert_non_null(strstr(err.msg, "page 4 of the list brought no new item"));
	assert_int_equal(json_array_size(acc), 6);
	http_pager_release(&pg);
	/* Items without ids count by content; an empty page is the end, not an error. */
	ls_error_clear(&err);
	pg.max_pages = 3;
	assert_int_equal(http_pager_step(&pg, p1, "x", &err), 0);
	assert_int_equal(http_pager_step(&pg, p2, "x", &err), 0);
	json_decref(p4);
	p4 = json_array();
	assert_int_equal(http_pager_step(&pg, p4, "x", &err), 0);
	/* The third page with items reaches the cap. */
	assert_int_equal(http_pager_step(&pg, p3, "the agent list", &err), LS_EAPI);
	assert_string_equal(err.msg, "the agent list did not end after 4 pages");
	http_pager_release(&pg);
	json_decref(p1);
	json_decref(p2);
	json_decref(p3);
	json_decref(p4);
	json_decref(acc);
	buf_release(&path);
}

static const char *fake_env[][2] = {
	{ "LETTA_SYNC_CONNECT_TIMEOUT", "3" },
	{ "LETTA_SYNC_TIMEOUT", "7" },
	{ "LETTA_SYNC_MAX_RETRIES", "9" },
	{ "LETTA_SYNC_RETRY_BASE_MS", "5" },
	{ "LETTA_SYNC_RETRY_MAX_MS", "40" },
	{ "LETTA_SYNC_CONCURRENCY", "16" },
};
static const char *bad_env_value;

static char *fake_getenv(const char *name)
{
	if (bad_env_value && !strcmp(name, "LETTA_SYNC_TIMEOUT"))
		return (char *)bad_env_value;
	for (size_t i = 0; i < sizeof(fake_env) / sizeof(fake_env[0]); i++)
		if (!strcmp(name, fake_env[i][0]))
			return (char *)fake_env[i][1];
	return NULL;
}

static void test_http__options_from_environment(void **state)
{
	struct http_opts o = HTTP_OPTS_INIT;
	struct ls_error err = LS_ERROR_INIT;

	(void)state;
	assert_int_equal(o.concurrency, 8);
	assert_int_equal(http_opts_env(&o, fake_getenv, &err), 0);
	assert_int_equal(o.connect_timeout_ms, 3000);
	assert_int_equal(o.timeout_ms, 7000);
	assert_int_equal(o.max_retries, 9);
	assert_int_equal(o.retry_base_ms, 5);
	assert_int_equal(o.retry_max_ms, 40);
	assert_int_equal(o.concurrency, 16);
	assert_int_equal(o.retry_total_ms, 120000);
	bad_env_value = "ten";
	assert_int_equal(http_opts_env(&o, fake_getenv, &err), LS_EUSAGE);
	assert_non_null(strstr(err.msg, "LETTA_SYNC_TIMEOUT"));
	bad_env_value = "0";
	assert_int_equal(http_opts_env(&o, fake_getenv, &err), LS_EUSAGE);
	bad_env_value = NULL;
}

static void test_http__request_lifecycle(void **state)
{
	struct http_req req;
	json_t *body = json_pack("{ss}", "label", "x");

	(void)state;
	http_req_init(&req, "POST", "/v1/blocks/", body);
	assert_int_equal(req.retry, HTTP_RETRY_NEVER);
	assert_int_equal(body->refcount, 2);
	http_req_what(&req, "block '%s'", "x");
	assert_string_equal(req.what, "block 'x'");
	http_req_release(&req);
	assert_int_equal(body->refcount, 1);
	assert_null(req.path);
	http_req_release(&req);
	json_decref(body);
	http_req_init(&req, "DELETE", "/v1/blocks/b", NULL);
	assert_int_equal(req.retry, HTTP_RETRY_REMOVE);
	http_req_release(&req);
	http_req_init(&req, "PATCH", "/v1/blocks/b", NULL);
	assert_int_equal(req.retry, HTTP_RETRY_SAFE);
	http_req_release(&req);
}

static void test_http__new_rejects_bad_base_urls(void **state)
{
	struct http_opts o = HTTP_OPTS_INIT;
	struct ls_error err = LS_ERROR_INIT;
	struct http *h = NULL;

	(void)state;
	assert_int_equal(http_new(&h, &o, &err), LS_EUSAGE);
	o.base_url = "ftp://x";
	assert_int_equal(http_new(&h, &o, &err), LS_EUSAGE);
	o.base_url = "http://127.0.0.1:1/";
	assert_int_equal(http_new(&h, &o, &err), 0);
	assert_string_equal(http_get_opts(h)->base_url, "http://127.0.0.1:1");
	http_free(h);
}

/* Nothing listens on port 1: a connection error, reported with the URL and retried. */
static void test_http__connection_refused_is_a_network_error(void **state)
{
	struct http_opts o = HTTP_OPTS_INIT;
	struct ls_error err = LS_ERROR_INIT;
	struct http_stats st;
	struct http_req req;
	struct http *h = NULL;

	(void)state;
	o.base_url = "http://127.0.0.1:1";
	o.max_retries = 2;
	o.retry_base_ms = 1;
	o.retry_max_ms = 2;
	assert_int_equal(http_new(&h, &o, &err), 0);
	http_req_init(&req, "GET", "/v1/blocks/", NULL);
	assert_int_equal(http_run1(h, &req, &err), LS_ENETWORK);
	assert_non_null(strstr(err.msg, "cannot reach http://127.0.0.1:1/v1/blocks/"));
	assert_non_null(strstr(err.msg, "after 3 attempts"));
	assert_string_equal(err.where, "GET /v1/blocks/");
	assert_int_equal(req.attempts, 3);
	http_get_stats(h, &st);
	assert_int_equal(st.requests, 3);
	assert_int_equal(st.retries, 2);
	http_req_release(&req);
	http_free(h);
}

/* Issue 26: a short page ends a list, unless it may be a server's silent cap. */
static void test_http__short_page_ends_a_list(void **state)
{
	(void)state;
	assert_true(http_page_ends(201, 1000));
	assert_true(http_page_ends(1, 2));
	assert_true(http_page_ends(999, 1000));
	assert_false(http_page_ends(0, 1000));    /* the empty page: the old rule ends it */
	assert_false(http_page_ends(1000, 1000)); /* a full page */
	assert_false(http_page_ends(50, 1000));   /* maybe capped at 50 */
	assert_false(http_page_ends(100, 1000));
	assert_false(http_page_ends(500, 1000));
	assert_false(http_page_ends(7, 0));       /* no limit asked: no way to tell */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http__short_page_ends_a_list),
		cmocka_unit_test(test_http__error_detail_shapes),
		cmocka_unit_test(test_http__error_detail_is_capped),
		cmocka_unit_test(test_http__error_messages),
		cmocka_unit_test(test_http__error_reference),
		cmocka_unit_test(test_http__error_never_shows_the_key),
		cmocka_unit_test(test_http__retry_policy_table),
		cmocka_unit_test(test_http__backoff_doubles_caps_and_jitters),
		cmocka_unit_test(test_http__retry_after_parsing),
		cmocka_unit_test(test_http__query_building),
		cmocka_unit_test(test_http__paging_follows_cursor_until_empty_page),
		cmocka_unit_test(test_http__paging_string_lists_and_errors),
		cmocka_unit_test(test_http__pager_stops_on_no_progress_and_at_the_cap),
		cmocka_unit_test(test_http__pager_remembers_thousands_of_ids),
		cmocka_unit_test(test_http__options_from_environment),
		cmocka_unit_test(test_http__request_lifecycle),
		cmocka_unit_test(test_http__new_rejects_bad_base_urls),
		cmocka_unit_test(test_http__connection_refused_is_a_network_error),
	};

	http_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
