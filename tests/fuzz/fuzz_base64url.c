/*
 * fuzz_base64url — strict decoding of arbitrary text must never crash and,
 * when it succeeds, re-encoding must give back exactly the input (the
 * decoder accepts only canonical text).  Arbitrary bytes must survive
 * encode → decode unchanged.
 */
#include "util/base64url.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Room for decoding the input and for the round trip of size bytes. */
	size_t cap = BASE64URL_DECODED_MAX(size);
	if (cap < size)
		cap = size;
	uint8_t *dec = malloc(cap ? cap : 1);
	size_t enc_cap = BASE64URL_ENCODED_LEN(size) + 1;
	char *enc = malloc(enc_cap);
	if (!dec || !enc)
		abort();

	size_t n;
	if (base64url_decode((const char *)data, size, dec, cap, &n) == 0) {
		char *again = malloc(BASE64URL_ENCODED_LEN(n) + 1);
		size_t m = base64url_encode(dec, n, again, BASE64URL_ENCODED_LEN(n) + 1);
		if (m != size || memcmp(again, data, size) != 0)
			abort();
		free(again);
	}
	/* A too-small output buffer must be reported, not overrun. */
	if (size >= 4) {
		int rc = base64url_decode((const char *)data, size, dec, 1, &n);
		if (rc == 0 && n > 1)
			abort();
	}

	size_t len = base64url_encode(data, size, enc, enc_cap);
	if (len != BASE64URL_ENCODED_LEN(size) || strlen(enc) != len)
		abort();
	if (base64url_decode(enc, len, dec, cap, &n) != 0 || n != size ||
	    (size && memcmp(dec, data, size) != 0))
		abort();

	free(dec);
	free(enc);
	return 0;
}
