/*
 * fuzz_jwt — jwt_verify() on arbitrary bytes with a fixed key must never
 * crash, and may only accept what carries a valid HS256 signature.  The
 * same input also seeds claims for a sign → verify round trip, which must
 * succeed and return the claims unchanged.
 */
#include "security/jwt.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t fuzz_key[] = "fuzz-key-0123456789abcdef0123456789";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fill_id(char *dst, size_t cap, const uint8_t **p, size_t *n)
{
	static const char alphabet[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
	size_t len = 1;
	if (*n) {
		len = 1 + (**p % (cap - 1));
		(*p)++, (*n)--;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t c = 0;
		if (*n) {
			c = **p;
			(*p)++, (*n)--;
		}
		dst[i] = alphabet[c % 64];
	}
	dst[len] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}

	/* 1. Arbitrary input: verify at a fixed time, must not crash. */
	struct jwt_claims c;
	int rc = jwt_verify((const char *)data, size, fuzz_key, sizeof(fuzz_key) - 1,
			   1700000000, &c);
	if (rc == JWT_OK && (c.sub[0] == '\0' || c.jti[0] == '\0'))
		abort();

	/* 2. Round trip with claims derived from the input. */
	static const char *const roles[] = { "owner", "admin", "member", "viewer" };
	const uint8_t *p = data;
	size_t n = size;
	struct jwt_claims in, out;
	memset(&in, 0, sizeof(in));
	in.op = n && (*p & 1);
	fill_id(in.sub, sizeof(in.sub), &p, &n);
	fill_id(in.jti, sizeof(in.jti), &p, &n);
	if (!in.op) {
		fill_id(in.tid, sizeof(in.tid), &p, &n);
		memcpy(in.role, roles[size % 4], strlen(roles[size % 4]) + 1);
	}
	int64_t iat = 0;
	for (int i = 0; i < 5 && n; i++, p++, n--)
		iat = iat << 8 | *p;
	in.iat = iat;
	in.exp = iat + 1 + (int64_t)(size % 100000);

	char tok[JWT_MAX_LEN];
	int len = jwt_sign(&in, fuzz_key, sizeof(fuzz_key) - 1, tok, sizeof(tok));
	if (len <= 0)
		abort();
	rc = jwt_verify(tok, (size_t)len, fuzz_key, sizeof(fuzz_key) - 1, in.iat, &out);
	if (rc != JWT_OK || strcmp(in.sub, out.sub) || strcmp(in.tid, out.tid) ||
	    strcmp(in.role, out.role) || strcmp(in.jti, out.jti) ||
	    in.iat != out.iat || in.exp != out.exp || in.op != out.op)
		abort();
	/* A flipped signature bit must be caught. */
	tok[len - 2] = tok[len - 2] == 'A' ? 'B' : 'A';
	if (jwt_verify(tok, (size_t)len, fuzz_key, sizeof(fuzz_key) - 1, in.iat, &out) == JWT_OK)
		abort();
	return 0;
}
