#ifndef LS_UTIL_REDACT_H
#define LS_UTIL_REDACT_H

#include "util/buf.h"

/*
 * Secrets registered here are replaced by "[REDACTED]" in every line util/log.c prints and in
 * every string passed to redact_buf(). Values shorter than 4 bytes are not registered (they would
 * mangle ordinary text); such keys are never printed anyway.
 */
void redact_secret(const char *secret);
void redact_buf(struct buf *b);
/* Clears the registry (tests). */
void redact_reset(void);

#endif
