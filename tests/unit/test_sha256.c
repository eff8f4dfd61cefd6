/* util/sha256: FIPS 180-4 / NIST test vectors, and chunked updates agree with one-shot. */
#include "util/sha256.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static const struct {
	const char *in;
	const char *want;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "The quick brown fox jumps over the lazy dog",
	  "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592" },
};

static void test_sha256__nist_vectors(void **state)
{
	char hex[SHA256_HEX_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		sha256_hex(hex, vectors[i].in, strlen(vectors[i].in));
		assert_string_equal(hex, vectors[i].want);
	}
}

static void test_sha256__million_a(void **state)
{
	static const char want[] =
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	unsigned char d[32];
	char a[1000], hex[65];
	struct sha256 s;
	int i;

	(void)state;
	memset(a, 'a', sizeof(a));
	sha256_init(&s);
	for (i = 0; i < 1000; i++)
		sha256_update(&s, a, sizeof(a));
	sha256_final(&s, d);
	for (i = 0; i < 32; i++) {
		hex[2 * i] = "0123456789abcdef"[d[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	hex[64] = '\0';
	assert_string_equal(hex, want);
}

static void test_sha256__chunked_equals_one_shot(void **state)
{
	unsigned char data[300], d1[32], d2[32];
	struct sha256 s;
	size_t len, cut;

	(void)state;
	for (len = 0; len < sizeof(data); len++)
		data[len] = (unsigned char)(len * 7 + 3);
	for (len = 0; len <= sizeof(data); len += 13) {
		sha256_init(&s);
		sha256_update(&s, data, len);
		sha256_final(&s, d1);
		for (cut = 0; cut <= len; cut += 5) {
			sha256_init(&s);
			sha256_update(&s, data, cut);
			sha256_update(&s, data + cut, len - cut);
			sha256_final(&s, d2);
			assert_memory_equal(d1, d2, 32);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256__nist_vectors),
		cmocka_unit_test(test_sha256__million_a),
		cmocka_unit_test(test_sha256__chunked_equals_one_shot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
