#include "util/redact.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SECRETS 8

static char *secrets[MAX_SECRETS];
static size_t nsecrets;

void redact_secret(const char *secret)
{
	if (!secret || strlen(secret) < 4 || nsecrets == MAX_SECRETS)
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (!strcmp(secrets[i], secret))
			return;
	secrets[nsecrets++] = xstrdup(secret);
}

void redact_reset(void)
{
	for (size_t i = 0; i < nsecrets; i++)
		free(secrets[i]);
	nsecrets = 0;
}

static const char mask[] = "[REDACTED]";

/*
 * Where a URL printed in running text ends: white space, quotes, angle brackets, NUL, and a
 * backslash (a JSON document escapes the quote that closes a quoted URL: keep that escape).
 */
static int url_stop(char c)
{
	return !c || isspace((unsigned char)c) || strchr("\"'<>`\\", c);
}

static int ieq_contains(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= n; i++) {
		size_t j = 0;

		while (j < w && tolower((unsigned char)s[i + j]) == word[j])
			j++;
		if (j == w)
			return 1;
	}
	return 0;
}

/* Whether a query parameter named s[0..n) carries a credential. */
static int secret_param(const char *s, size_t n)
{
	static const char *const words[] = { "key", "token", "secret", "pass", "auth", "credential",
					     "pwd" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (ieq_contains(s, n, words[i]))
			return 1;
	return n == 3 && ieq_contains(s, n, "sig");
}

/* Copies the URL body u[0..n) (after "://") to out, its user-info and secret parameters masked. */
static void redact_url_body(struct buf *out, const char *u, size_t n)
{
	size_t auth = 0, at = 0, i, q;
	int has_at = 0;

	while (auth < n && !strchr("/?#", u[auth]))
		auth++;
	for (i = 0; i < auth; i++)
		if (u[i] == '@') {
			at = i;
			has_at = 1;
		}
	if (has_at) {
		buf_addstr(out, mask);
		i = at;
	} else {
		i = 0;
	}
	for (q = i; q < n && u[q] != '?' && u[q] != '#'; q++)
		;
	buf_add(out, u + i, q - i);
	if (q == n || u[q] == '#') {
		buf_add(out, u + q, n - q);
		return;
	}
	/* The query: name=value pairs separated by '&' or ';', up to a '#'. */
	i = q;
	while (i < n) {
		size_t start, eq, end;

		buf_addch(out, u[i]); /* '?', '&' or ';' */
		start = ++i;
		for (end = start; end < n && !strchr("&;#", u[end]); end++)
			;
		for (eq = start; eq < end && u[eq] != '='; eq++)
			;
		if (eq < end && secret_param(u + start, eq - start)) {
			buf_add(out, u + start, eq + 1 - start);
			buf_addstr(out, mask);
		} else {
			buf_add(out, u + start, end - start);
		}
		i = end;
		if (i < n && u[i] == '#') {
			buf_add(out, u + i, n - i);
			return;
		}
	}
}

static void redact_urls(struct buf *b)
{
	struct buf out = BUF_INIT;
	const char *p = b->buf, *hit;

	if (!strstr(p, "://"))
		return;
	while ((hit = strstr(p, "://"))) {
		const char *u = hit + 3, *e = u;

		while (!url_stop(*e))
			e++;
		buf_add(&out, p, (size_t)(u - p));
		redact_url_body(&out, u, (size_t)(e - u));
		p = e;
	}
	buf_addstr(&out, p);
	buf_release(b);
	*b = out;
}

void redact_buf(struct buf *b)
{
	for (size_t i = 0; i < nsecrets; i++) {
		size_t slen = strlen(secrets[i]);
		char *hit;

		while ((hit = strstr(b->buf, secrets[i]))) {
			struct buf out = BUF_INIT;
			size_t pre = (size_t)(hit - b->buf);

			buf_add(&out, b->buf, pre);
			buf_addstr(&out, mask);
			buf_addstr(&out, hit + slen);
			buf_release(b);
			*b = out;
		}
	}
	redact_urls(b);
}
