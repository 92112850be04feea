/*
 * libFuzzer target for phone_normalize.  Properties: never crashes; a
 * success is "+" and 8-15 digits, +91 numbers are India mobiles, and
 * normalizing the result again gives the same number.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ccs[] = { "+91", "+1", "+44", "+971", "+7", "+880", "+0", "91" };
	char *s, out[PHONE_E164_MAX], again[PHONE_E164_MAX], err[160];
	const char *cc;

	if (size < 1)
		return 0;
	cc = ccs[data[0] % 8];
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	if (phone_normalize(s, cc, out, sizeof(out), err, sizeof(err)) == 0) {
		size_t n = strlen(out);
		if (phone_country_code_valid(cc) != 0)
			abort();
		if (out[0] != '+' || n < 9 || n > 16 || out[1] == '0')
			abort();
		for (size_t i = 1; i < n; i++)
			if (out[i] < '0' || out[i] > '9')
				abort();
		if (out[1] == '9' && out[2] == '1' && (n != 13 || out[3] < '6'))
			abort();
		if (phone_normalize(out, cc, again, sizeof(again), NULL, 0) != 0 ||
		    strcmp(out, again) != 0)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	free(s);
	return 0;
}
