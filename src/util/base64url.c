#include "util/base64url.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64url_encode(const uint8_t *in, size_t n, char *out, size_t outcap)
{
	if (n > (SIZE_MAX - 4) / 4 * 3) {
		if (outcap)
			out[0] = '\0';
		return 0;
	}
	size_t need = BASE64URL_ENCODED_LEN(n);
	if (outcap < need + 1) {
		if (outcap)
			out[0] = '\0';
		return 0;
	}
	size_t i = 0, o = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
	}
	out[o] = '\0';
	return o;
}

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

int base64url_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
		     size_t *outlen)
{
	if (n % 4 == 1)
		return -1;
	size_t need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
	for (size_t k = 0; k < n; k++)
		if (b64_value((unsigned char)in[k]) < 0)
			return -1;
	if (need > outcap)
		return -2;

	size_t i = 0, o = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t v = (uint32_t)b64_value((unsigned char)in[i]) << 18 |
			     (uint32_t)b64_value((unsigned char)in[i + 1]) << 12 |
			     (uint32_t)b64_value((unsigned char)in[i + 2]) << 6 |
			     (uint32_t)b64_value((unsigned char)in[i + 3]);
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	if (n - i == 2) {
		int a = b64_value((unsigned char)in[i]);
		int b = b64_value((unsigned char)in[i + 1]);
		if (b & 0x0f)
			return -1;  /* non-canonical: unused bits set */
		out[o++] = (uint8_t)(a << 2 | b >> 4);
	} else if (n - i == 3) {
		int a = b64_value((unsigned char)in[i]);
		int b = b64_value((unsigned char)in[i + 1]);
		int c = b64_value((unsigned char)in[i + 2]);
		if (c & 0x03)
			return -1;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		out[o++] = (uint8_t)((b & 0x0f) << 4 | c >> 2);
	}
	*outlen = o;
	return 0;
}
