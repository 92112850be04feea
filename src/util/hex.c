#include "util/hex.h"

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
	       size_t *outlen)
{
	if (n % 2)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (hex_value(in[i]) < 0)
			return -1;
	if (n / 2 > outcap)
		return -2;
	for (size_t i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(hex_value(in[2 * i]) << 4 | hex_value(in[2 * i + 1]));
	if (outlen)
		*outlen = n / 2;
	return 0;
}
