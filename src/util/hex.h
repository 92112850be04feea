/*
 * hex.h — lowercase hexadecimal text for bytes (hashes, keys), over
 * libsodium's constant-time sodium_bin2hex / sodium_hex2bin.
 */
#ifndef QT_UTIL_HEX_H
#define QT_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Write 2n lowercase hex digits and a NUL to out (2n+1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decode exactly n characters of hex (either case) into out.  Returns 0 and
 * sets *outlen (n/2) on success; -1 if n is odd or a character is not a hex
 * digit (whitespace and "0x" included); -2 if outcap < n/2 (checked before
 * the characters).  outlen may be NULL.
 */
int hex_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
	       size_t *outlen);

#endif
