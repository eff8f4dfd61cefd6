/* Rollout waves: parsing and deterministic assignment (waves.h). */
#include "core/waves.h"

#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int waves_parse(struct wave_spec **out, size_t *n, const char *spec, struct ls_error *err)
{
	struct wave_spec *w = xcalloc(strlen(spec) / 2 + 2, sizeof(*w));
	const char *p = spec;
	size_t k = 0;
	double prev_pct = 0;
	long prev_count = 0;

	*out = NULL;
	*n = 0;
	for (;;) {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < 1 || (*end == '%' && v > 100)) {
			free(w);
			ls_error_set(err, LS_EUSAGE, "--waves '%s': entry %zu is not a count (1, 5) "
						     "or a percentage (10%%, 100%%)", spec, k + 1);
			return LS_EUSAGE;
		}
		w[k].value = v;
		w[k].percent = *end == '%';
		if (w[k].percent ? v < prev_pct : (prev_pct == 0 && v < prev_count)) {
			free(w);
			ls_error_set(err, LS_EUSAGE, "--waves '%s': entry %zu is smaller than the one "
						     "before (waves are cumulative)", spec, k + 1);
			return LS_EUSAGE;
		}
		if (w[k].percent)
			prev_pct = v;
		else
			prev_count = v;
		end += w[k].percent;
		k++;
		if (*end == '\0')
			break;
		if (*end != ',') {
			free(w);
			ls_error_set(err, LS_EUSAGE, "--waves '%s': expected ',' after entry %zu",
				     spec, k);
			return LS_EUSAGE;
		}
		p = end + 1;
	}
	if (!w[k - 1].percent || w[k - 1].value != 100) {
		free(w);
		ls_error_set(err, LS_EUSAGE, "--waves '%s': the last wave must be 100%%", spec);
		ls_error_hint(err, "e.g. --waves 1,10%%,100%%");
		return LS_EUSAGE;
	}
	*out = w;
	*n = k;
	return 0;
}

size_t waves_upto(const struct wave_spec *w, size_t nw, size_t k, size_t total)
{
	size_t i, best = 0;

	for (i = 0; i <= k && i < nw; i++) {
		size_t c = w[i].percent ? ((size_t)w[i].value * total + 99) / 100 : (size_t)w[i].value;

		if (c > total)
			c = total;
		if (c > best)
			best = c;
	}
	return best;
}

unsigned long long waves_hash(const char *s)
{
	unsigned long long h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct order {
	const char *id;
	int canary;
	unsigned long long h;
	size_t i;
};

static int cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->canary != y->canary)
		return x->canary ? -1 : 1;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return strcmp(x->id, y->id);
}

void waves_assign(size_t *wave_of, const char *const *ids, const int *canary, size_t n,
		  const struct wave_spec *w, size_t nw)
{
	struct order *o = xcalloc(n + 1, sizeof(*o));
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		o[i].id = ids[i];
		o[i].canary = canary && canary[i];
		o[i].h = waves_hash(ids[i]);
		o[i].i = i;
	}
	qsort(o, n, sizeof(*o), cmp_order);
	for (i = 0; i < n; i++) {
		while (k + 1 < nw && i >= waves_upto(w, nw, k, n))
			k++;
		wave_of[o[i].i] = k;
	}
	free(o);
}
