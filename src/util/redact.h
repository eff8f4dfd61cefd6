#ifndef LS_UTIL_REDACT_H
#define LS_UTIL_REDACT_H

#include "util/buf.h"

/*
 * Secrets registered here are replaced by "[REDACTED]" in every line util/log.c prints and in
 * every string passed to redact_buf(). Values shorter than 4 bytes are not registered (they would
 * mangle ordinary text); such keys are never printed anyway.
 */
void redact_secret(const char *secret);
/*
 * Replaces the registered secrets in b, and in every URL in b ("scheme://...") its user-info
 * ("http://[REDACTED]@host/") and the value of each query parameter whose name says it holds a
 * credential (key, token, secret, pass, auth, sig, credential, in any case), whatever their
 * length (issue 20: LETTA_BASE_URL=http://admin:PW@host leaked "PW").
 */
void redact_buf(struct buf *b);
/* Clears the registry (tests). */
void redact_reset(void);

#endif
