/* lsn.c — pg_lsn text <-> 64-bit position (util/lsn.h). */
#include "util/lsn.h"

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* 1-8 hex digits from *s up to stop ('/' or NUL); advances *s past them. */
static int half(const char **s, char stop, uint32_t *out)
{
	uint32_t v = 0;
	int n = 0;
	for (; **s && **s != stop; (*s)++, n++) {
		int d = hex_value(**s);
		if (d < 0 || n == 8)
			return -1;
		v = (v << 4) | (uint32_t)d;
	}
	if (n == 0 || **s != stop)
		return -1;
	*out = v;
	return 0;
}

int lsn_parse(const char *s, uint64_t *out)
{
	uint32_t hi, lo;
	if (!s || half(&s, '/', &hi) < 0)
		return -1;
	s++;
	if (half(&s, '\0', &lo) < 0)
		return -1;
	*out = ((uint64_t)hi << 32) | lo;
	return 0;
}

static size_t put_hex(uint32_t v, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	char tmp[8];
	size_t n = 0;
	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

void lsn_format(uint64_t v, char out[LSN_TEXT_MAX])
{
	size_t n = put_hex((uint32_t)(v >> 32), out);
	out[n++] = '/';
	n += put_hex((uint32_t)v, out + n);
	out[n] = '\0';
}

#define WAL_PAGE 8192u
#define WAL_LONG_HEADER 40u

int lsn_reached(uint64_t replayed, uint64_t target)
{
	if (replayed >= target)
		return 1;
	return replayed % WAL_PAGE == 0 && target - replayed <= WAL_LONG_HEADER;
}
