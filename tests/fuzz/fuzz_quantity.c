/*
 * libFuzzer target for quantity_parse / quantity_format / line_total.
 * Properties: never crashes; a parsed quantity is in (0, 1,000,000] and
 * survives format -> parse; line_total agrees with a 128-bit reference.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference: exact product in 128 bits, rounded half away from zero. */
static int reference_total(int64_t q, int64_t p, int64_t *out)
{
	__int128 prod = (__int128)q * p;
	__int128 mag = prod < 0 ? -prod : prod;
	__int128 r = mag / 1000 + (mag % 1000 >= 500);

	if (prod < 0)
		r = -r;
	if (r > INT64_MAX || r < INT64_MIN)
		return -1;
	*out = (int64_t)r;
	return 0;
}

static void check_total(int64_t q, int64_t p)
{
	int64_t a = 0, b = 0;
	int ra = line_total(q, p, &a), rb = reference_total(q, p, &b);

	if (ra != rb || (ra == 0 && a != b))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, buf[32], err[128];
	int64_t m = 0, back = 0;

	if (size >= 16) {
		int64_t q, p;
		memcpy(&q, data, 8);
		memcpy(&p, data + 8, 8);
		check_total(q, p);
		check_total(q % 1000000001, p);
	}
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (quantity_parse(s, &m, err, sizeof(err)) == 0) {
		if (m <= 0 || m > QUANTITY_MAX_MILLI)
			abort();
		if (quantity_format(m, buf, sizeof(buf)) != 0 ||
		    quantity_parse(buf, &back, NULL, 0) != 0 || back != m)
			abort();
		check_total(m, 12345);
		check_total(m, INT64_MAX / 1000);
	} else if (err[0] == '\0') {
		abort();
	}
	free(s);
	return 0;
}
