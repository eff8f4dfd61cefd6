#include "core/semver.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_num(long *out, const char **p)
{
	const char *s = *p;
	long v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	if (s[0] == '0' && isdigit((unsigned char)s[1]))
		return -1; /* no leading zeros */
	while (isdigit((unsigned char)*s)) {
		if (v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
		s++;
	}
	*out = v;
	*p = s;
	return 0;
}

int semver_parse(struct semver *out, const char *text)
{
	const char *p = text;
	struct semver v;
	size_t n = 0;

	memset(&v, 0, sizeof(v));
	if (*p == 'v' || *p == 'V')
		p++;
	if (parse_num(&v.major, &p) || *p++ != '.' || parse_num(&v.minor, &p) || *p++ != '.' ||
	    parse_num(&v.patch, &p))
		return -1;
	if (*p == '-') {
		p++;
		while (*p && *p != '+') {
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
				return -1;
			if (n + 1 >= sizeof(v.pre))
				return -1;
			v.pre[n++] = *p++;
		}
		if (!n || v.pre[0] == '.' || v.pre[n - 1] == '.')
			return -1;
	}
	if (*p == '+') {
		p++;
		if (!*p)
			return -1;
		while (*p) {
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
				return -1;
			p++;
		}
	}
	if (*p)
		return -1;
	*out = v;
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* Pre-release precedence: dot-separated identifiers, numeric ones compared as numbers. */
static int pre_cmp(const char *a, const char *b)
{
	if (!*a || !*b)
		return !*a && !*b ? 0 : !*a ? 1 : -1; /* a release ranks above a pre-release */
	for (;;) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		int na = all_digits(a, la), nb = all_digits(b, lb);
		int c;

		if (na && nb) {
			long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);

			c = x < y ? -1 : x > y;
		} else if (na != nb) {
			c = na ? -1 : 1;
		} else {
			c = strncmp(a, b, la < lb ? la : lb);
			if (!c)
				c = la < lb ? -1 : la > lb;
		}
		if (c)
			return c;
		a += la;
		b += lb;
		if (!*a || !*b)
			return !*a && !*b ? 0 : !*a ? -1 : 1;
		a++;
		b++;
	}
}

int semver_cmp(const struct semver *a, const struct semver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return pre_cmp(a->pre, b->pre);
}

void semver_format(char *buf, unsigned long size, const struct semver *v)
{
	snprintf(buf, size, "%ld.%ld.%ld%s%s", v->major, v->minor, v->patch, v->pre[0] ? "-" : "",
		 v->pre);
}

int semver_is_release(const struct semver *v)
{
	return v->pre[0] == '\0';
}
