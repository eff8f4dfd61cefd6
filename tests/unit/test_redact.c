/* util/redact: registered secrets, and credentials in URLs, never reach a printed line (issue 20). */
#include "util/redact.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static const struct {
	const char *in;
	const char *want;
} cases[] = {
	/* User-info, however short, in text, -v traces and JSON strings. */
	{ "base URL:  http://admin:PW@127.0.0.1:1 (LETTA_BASE_URL, self-hosted)",
	  "base URL:  http://[REDACTED]@127.0.0.1:1 (LETTA_BASE_URL, self-hosted)" },
	{ "cannot reach http://admin:PW@127.0.0.1:1/v1/projects: refused",
	  "cannot reach http://[REDACTED]@127.0.0.1:1/v1/projects: refused" },
	{ "\"value\": \"https://tok@api.example.com\",", "\"value\": \"https://[REDACTED]@api.example.com\"," },
	{ "http://a:b@c@host/x@y", "http://[REDACTED]@host/x@y" },
	/* A quoted URL inside a JSON string keeps the escape of its closing quote. */
	{ "\"message\": \"cannot reach \\\"http://h/?token=abc\\\"\"",
	  "\"message\": \"cannot reach \\\"http://h/?token=[REDACTED]\\\"\"" },
	/* Query parameters named like credentials, in any case; others untouched. */
	{ "GET https://h/v1/x?name=demo&api_key=s3&Token=t;offset=0#frag",
	  "GET https://h/v1/x?name=demo&api_key=[REDACTED]&Token=[REDACTED];offset=0#frag" },
	{ "http://h/?key=abc", "http://h/?key=[REDACTED]" },
	{ "http://u:p@h/?password=x&sig=y&design=z",
	  "http://[REDACTED]@h/?password=[REDACTED]&sig=[REDACTED]&design=z" },
	/* Two URLs in one line; text without a URL or credentials is unchanged. */
	{ "from http://a:1@x to https://b:2@y.", "from http://[REDACTED]@x to https://[REDACTED]@y." },
	{ "GET /v1/projects?name=demo&offset=0 -> 200", "GET /v1/projects?name=demo&offset=0 -> 200" },
	{ "http://127.0.0.1:8283/v1/agents?limit=100", "http://127.0.0.1:8283/v1/agents?limit=100" },
	{ "mail me@example.com, see ://", "mail me@example.com, see ://" },
};

static void test_redact__url_credentials_are_masked(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;

		buf_addstr(&b, cases[i].in);
		redact_buf(&b);
		assert_string_equal(b.buf, cases[i].want);
		/* Masking twice changes nothing. */
		redact_buf(&b);
		assert_string_equal(b.buf, cases[i].want);
		buf_release(&b);
	}
}

static void test_redact__registered_secret_is_masked(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	redact_secret("sk-let-abcdef");
	redact_secret("ab"); /* too short to register */
	buf_addstr(&b, "key sk-let-abcdef, ab");
	redact_buf(&b);
	assert_string_equal(b.buf, "key [REDACTED], ab");
	buf_release(&b);
	redact_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact__url_credentials_are_masked),
		cmocka_unit_test(test_redact__registered_secret_is_masked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
