/*
 * libFuzzer target for money_parse / money_format / money_format_plain.
 * Properties: parsing never crashes; whatever parses formats back (plain
 * and display) to text that parses to the same amount; any int64 survives
 * format_plain -> parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"

static void round_trip(int64_t v, int exponent, const char *currency)
{
	char buf[MONEY_FORMAT_MAX];
	int64_t back = 0;

	if (money_format_plain(v, exponent, buf, sizeof(buf)) != 0)
		abort();
	if (money_parse(buf, exponent, 1, &back, NULL, 0) != 0 || back != v)
		abort();
	if (currency) {
		if (money_format(v, currency, "en-IN", buf, sizeof(buf)) != 0)
			abort();
		if (money_parse(buf, exponent, 1, &back, NULL, 0) != 0 || back != v)
			abort();
		if (money_format(v, currency, "en-US", buf, sizeof(buf)) != 0)
			abort();
		if (money_parse(buf, exponent, 1, &back, NULL, 0) != 0 || back != v)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const codes[] = { "INR", "JPY", "KWD", "CLF", "USD", "EUR", "GBP" };
	static const int exps[] = { 2, 0, 3, 4, 2, 2, 2 };
	char *s, err[128];
	int64_t v = 0;
	unsigned sel;

	if (size < 1)
		return 0;
	sel = data[0] % 7;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	if (money_parse(s, exps[sel], data[0] & 0x80, &v, err, sizeof(err)) == 0) {
		if (!(data[0] & 0x80) && v < 0)
			abort();
		round_trip(v, exps[sel], codes[sel]);
	} else if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0') {
		abort();
	}
	if (size >= 9) {
		int64_t x;
		memcpy(&x, data + 1, sizeof(x));
		round_trip(x, exps[sel], codes[sel]);
		round_trip(x, data[0] % 19, NULL);
	}
	free(s);
	return 0;
}
