/*
 * fuzz_base64url — base64url.c is a thin layer over libsodium; this target
 * holds it to our contract.  Every input is decoded by base64url_decode and
 * by reference_decode below (a plain, table-free statement of the contract:
 * the URL-safe alphabet only, no padding or whitespace, length not ≡ 1 mod
 * 4, unused low bits zero); the two must agree on acceptance and on the
 * bytes.  Accepted text must re-encode to exactly the input (one text per
 * byte string), a too-small output buffer must be reported, not overrun,
 * and arbitrary bytes must survive encode → decode unchanged.  The same is
 * done for hex.
 */
#include "util/base64url.h"
#include "util/hex.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* The contract, bit by bit: 0 and *outlen, or -1.  out holds n bytes. */
static int reference_decode(const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value(in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (acc & ((1u << bits) - 1))
		return -1;  /* non-canonical: unused bits set */
	*outlen = o;
	return 0;
}

static int hex_digit(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void check_hex(const uint8_t *data, size_t size, uint8_t *dec, size_t cap, char *enc)
{
	int valid = size % 2 == 0;
	for (size_t i = 0; valid && i < size; i++)
		valid = hex_digit(data[i]);
	size_t n = 0;
	int rc = hex_decode((const char *)data, size, dec, cap, &n);
	if ((rc == 0) != valid || (rc == 0 && n != size / 2))
		abort();
	if (rc == 0) {
		/* Lowercase re-encoding equals the input folded to lowercase. */
		hex_encode(dec, n, enc);
		for (size_t i = 0; i < size; i++) {
			unsigned char c = data[i];
			if (c >= 'A' && c <= 'F')
				c = (unsigned char)(c - 'A' + 'a');
			if ((unsigned char)enc[i] != c)
				abort();
		}
	}
	if (size >= 4 && hex_decode((const char *)data, size, dec, 1, &n) == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Room for decoding the input and for the round trip of size bytes. */
	size_t cap = BASE64URL_DECODED_MAX(size);
	if (cap < size)
		cap = size;
	uint8_t *dec = malloc(cap ? cap : 1);
	uint8_t *ref = malloc(size ? size : 1);
	size_t enc_cap = BASE64URL_ENCODED_LEN(size) + 1;
	if (enc_cap < 2 * size + 1)
		enc_cap = 2 * size + 1;
	char *enc = malloc(enc_cap);
	if (!dec || !ref || !enc)
		abort();

	size_t n = 0, rn = 0;
	int rc = base64url_decode((const char *)data, size, dec, cap, &n);
	int rrc = reference_decode(data, size, ref, &rn);
	if (rc != rrc || (rc == 0 && (n != rn || (n && memcmp(dec, ref, n) != 0))))
		abort();
	if (rc == 0) {
		char *again = malloc(BASE64URL_ENCODED_LEN(n) + 1);
		size_t m = base64url_encode(dec, n, again, BASE64URL_ENCODED_LEN(n) + 1);
		if (m != size || memcmp(again, data, size) != 0)
			abort();
		free(again);
	}
	/* A too-small output buffer must be reported, not overrun. */
	if (size >= 4) {
		rc = base64url_decode((const char *)data, size, dec, 1, &n);
		if (rc != -2 && rc != -1)
			abort();
	}

	size_t len = base64url_encode(data, size, enc, enc_cap);
	if (len != BASE64URL_ENCODED_LEN(size) || strlen(enc) != len)
		abort();
	if (base64url_decode(enc, len, dec, cap, &n) != 0 || n != size ||
	    (size && memcmp(dec, data, size) != 0))
		abort();
	/* Encoding into one byte too few refuses (libsodium would abort). */
	if (base64url_encode(data, size, enc, len) != 0 || (len && enc[0] != '\0'))
		abort();

	check_hex(data, size, dec, cap, enc);

	free(dec);
	free(ref);
	free(enc);
	return 0;
}
