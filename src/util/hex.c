/* hex.c — see hex.h; libsodium's constant-time codec under our contract. */
#include "util/hex.h"

#include <sodium.h>

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	if (n == 0) {
		out[0] = '\0';
		return;
	}
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

int hex_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
	       size_t *outlen)
{
	size_t len;

	if (n % 2)
		return -1;
	if (n / 2 > outcap)
		return -2;
	/* No ignored characters, and every one of the n must be consumed. */
	if (sodium_hex2bin(out, outcap, in, n, NULL, &len, NULL) != 0 || len != n / 2)
		return -1;
	if (outlen)
		*outlen = len;
	return 0;
}
