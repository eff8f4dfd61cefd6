#ifndef LS_CORE_CHANNEL_H
#define LS_CORE_CHANNEL_H

/*
 * Release channels and version selection for upgrade (docs/contract/PRODUCT.md section 4): stable = newest
 * release tag, beta = newest tag including pre-releases, pinned = moves only with --target.
 * Pure: versions come in as strings ("1.2.0", "2.0.0-beta.1").
 */
#include "util/error.h"

#include <stddef.h>

enum channel { CHANNEL_STABLE = 0, CHANNEL_BETA, CHANNEL_PINNED };

/* -1 when unknown. */
int channel_parse(const char *name);
const char *channel_name(enum channel c);

/*
 * The channel of an agent: flag when given, else its "channel:<name>" tag, else stable.
 * tags is an array of n strings. An unknown channel tag counts as stable.
 */
enum channel channel_resolve(const char *flag, const char *const *tags, size_t n);

/*
 * The version an agent on channel should move to, from the available versions: *out points
 * into versions (or is NULL when none applies). With target (with or without "v"), that
 * version, which must exist (LS_ENOTFOUND otherwise, listing the closest).
 */
int channel_pick(const char **out, const char *const *versions, size_t n, enum channel channel,
		 const char *target, struct ls_error *err);

/* <0, 0, >0 comparing two version strings; unparsable ones sort first. */
int version_cmp(const char *a, const char *b);

#endif
