/*
 * base64url.c — see base64url.h.  libsodium does the coding (constant
 * time, no table lookups on secret data); this file holds only the
 * contract: buffer sizes checked before libsodium is called (it aborts on
 * a too-small encode buffer), no characters ignored on decode, and bytes
 * 0x80-0xff refused here: libsodium (1.0.18 in Debian 12, and its current
 * source too) reads each character into a plain char, so where char is
 * signed (x86-64) a byte >= 0x80 becomes a negative int that its
 * constant-time comparisons, written for 0..255, take for an alphabet
 * character; "Zm\x80v" then decodes instead of failing.  Found by
 * tests/fuzz/fuzz_base64url.c (corpus file high_bytes).
 */
#include "util/base64url.h"

#include <sodium.h>

#define VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

size_t base64url_encode(const uint8_t *in, size_t n, char *out, size_t outcap)
{
	if (n > (SIZE_MAX - 4) / 4 * 3 || outcap < BASE64URL_ENCODED_LEN(n) + 1) {
		if (outcap)
			out[0] = '\0';
		return 0;
	}
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	sodium_bin2base64(out, outcap, in, n, VARIANT);
	return BASE64URL_ENCODED_LEN(n);
}

int base64url_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
		     size_t *outlen)
{
	size_t len;
	unsigned char high = 0;

	/* n % 4 == 1 leaves 6 bits, never a whole byte: no text decodes to it. */
	if (n % 4 == 1)
		return -1;
	if (n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > outcap)
		return -2;
	for (size_t i = 0; i < n; i++)
		high |= (unsigned char)in[i];
	if (high & 0x80)
		return -1;
	/* ignore = NULL: whitespace and '=' are invalid characters; b64_end =
	 * NULL: all n characters must be consumed.  libsodium also refuses
	 * set bits below the last whole byte (non-canonical text). */
	if (sodium_base642bin(out, outcap, in, n, NULL, &len, NULL, VARIANT) != 0)
		return -1;
	*outlen = len;
	return 0;
}
