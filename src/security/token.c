#include "security/token.h"

#include "util/base64url.h"
#include "util/hex.h"

#include <sodium.h>
#include <string.h>

void token_random(char out[44])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof(raw));
	base64url_encode(raw, sizeof(raw), out, 44);
	sodium_memzero(raw, sizeof(raw));
}

void sha256_hex(const void *data, size_t n, char out[65])
{
	uint8_t digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, data, n);
	hex_encode(digest, sizeof(digest), out);
}

void token_hash(const char *token, char out[65])
{
	sha256_hex(token, strlen(token), out);
}

int token_equal(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	size_t n = strlen(a);
	if (n != strlen(b))
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}
