#include "util/redact.h"
#include "util/xalloc.h"

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

void redact_buf(struct buf *b)
{
	static const char mask[] = "[REDACTED]";

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
}
