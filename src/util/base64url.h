/*
 * base64url.h — RFC 4648 §5 base64url without padding (as in JWTs and the
 * product's opaque tokens), over libsodium's sodium_bin2base64 and
 * sodium_base642bin (variant URLSAFE_NO_PADDING).  Decoding is strict: no
 * padding, no whitespace, no characters outside [A-Za-z0-9_-], no length
 * ≡ 1 (mod 4), and the unused low bits of the last character must be zero
 * (exactly one text per byte string).  tests/unit/test_base64url.c and
 * tests/fuzz/fuzz_base64url.c (against a reference decoder) hold this.
 */
#ifndef QT_UTIL_BASE64URL_H
#define QT_UTIL_BASE64URL_H

#include <stddef.h>
#include <stdint.h>

/* Characters base64url_encode() writes for n bytes, excluding the NUL. */
#define BASE64URL_ENCODED_LEN(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))
/* Upper bound of bytes decoded from n characters. */
#define BASE64URL_DECODED_MAX(n) (((n) / 4) * 3 + 2)

/*
 * Encode n bytes of in (in may be NULL when n == 0) into out, followed by a
 * NUL.  Returns the text length, or 0 (with out[0] = '\0' when outcap > 0)
 * if outcap < BASE64URL_ENCODED_LEN(n) + 1.  n == 0 returns 0 too.
 */
size_t base64url_encode(const uint8_t *in, size_t n, char *out, size_t outcap);

/*
 * Decode exactly n characters of in into out (which need not be
 * NUL-terminated).  On success returns 0 and sets *outlen.  Returns -2 if
 * outcap is smaller than what n characters decode to (checked first, from n
 * alone), -1 on invalid input (see above).  out may be written partially on
 * failure.  n == 0 decodes to zero bytes.
 */
int base64url_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
		     size_t *outlen);

#endif
