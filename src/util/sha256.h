#ifndef LS_UTIL_SHA256_H
#define LS_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4), for the content hashes letta-sync records on the objects it manages.
 * Not for anything secret: there is no constant-time claim.
 */
struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	unsigned char block[64];
	size_t fill;  /* bytes in block */
};

#define SHA256_HEX_LEN 64

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* sha256_final() as lower-case hex: out gets 64 characters and a NUL. */
void sha256_final_hex(struct sha256 *s, char out[SHA256_HEX_LEN + 1]);
/* The lower-case hex digest of data: out gets 64 characters and a NUL. */
void sha256_hex(char out[SHA256_HEX_LEN + 1], const void *data, size_t len);

#endif
