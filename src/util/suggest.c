#include "util/suggest.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
	size_t r;

#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ne = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t v = D(i - 1, j) + 1;

			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + (size_t)ne < v)
				v = D(i - 1, j - 1) + (size_t)ne;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t wlen = strlen(word);

	/* A long word is no typo, and the distance is quadratic: do not spend time on it. */
	if (wlen > SUGGEST_MAX_LEN)
		return NULL;
	for (size_t i = 0; candidates && candidates[i]; i++) {
		size_t clen = strlen(candidates[i]);
		size_t dist;

		if (clen > SUGGEST_MAX_LEN)
			continue;
		if (wlen >= 3 && !strncmp(candidates[i], word, wlen)) {
			/* A prefix of a long option is a likely abbreviation too. */
			dist = clen == wlen ? 0 : 1;
		} else if ((clen > wlen ? clen - wlen : wlen - clen) > 2) {
			continue; /* the distance is at least the difference in length */
		} else {
			dist = suggest_distance(word, candidates[i]);
		}
		if (dist < best_d) {
			best_d = dist;
			best = candidates[i];
		}
	}
	if (!best || best_d == 0 || best_d > 2 || best_d * 2 > wlen + 1)
		return best_d == 0 ? best : NULL;
	return best;
}
