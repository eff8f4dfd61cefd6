/* UTF-8 helpers (see utf8.h). */
#include "util/utf8.h"

size_t utf8_count(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}
