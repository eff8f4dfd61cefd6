#ifndef LS_CORE_WAVES_H
#define LS_CORE_WAVES_H

/*
 * Rollout waves (issue 28): "1,10%,100%" parsed into cumulative sizes, and a deterministic
 * assignment of agents to waves: agents with the canary tag first, then by a stable hash of
 * the agent id (FNV-1a, ties by id), so a re-run puts every agent in the same wave. Pure.
 */
#include "util/error.h"

#include <stddef.h>

struct wave_spec {
	long value;  /* an agent count, or a percentage when percent */
	int percent;
};

/*
 * Parses a comma-separated list of counts (>= 1) and percentages (1%..100%), non-decreasing,
 * the last one 100%. *out is xmalloc'd. Returns 0 or LS_EUSAGE (err says which entry).
 */
int waves_parse(struct wave_spec **out, size_t *n, const char *spec, struct ls_error *err);

/* How many agents the first k+1 waves cover, out of total (never more than total). */
size_t waves_upto(const struct wave_spec *w, size_t nw, size_t k, size_t total);

/* FNV-1a 64 of s: the stable hash that orders agents. */
unsigned long long waves_hash(const char *s);

/*
 * wave_of[i] gets agent i's wave (0-based): canary[i] non-zero first, then by waves_hash(ids[i]).
 */
void waves_assign(size_t *wave_of, const char *const *ids, const int *canary, size_t n,
		  const struct wave_spec *w, size_t nw);

#endif
