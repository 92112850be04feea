/*
 * libFuzzer target for civil_parse_date / civil_parse_rfc3339 and the
 * formatters.  Properties: never crashes; a parsed date formats back to
 * the same text; a parsed RFC 3339 time formats to text that parses to
 * the same instant; any day count survives ymd conversion.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/civil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, date[11], stamp[25];
	int64_t days = 0, ms = 0, back = 0;

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (civil_parse_date(s, &days) == 0) {
		civil_format_date(days, date);
		if (strcmp(date, s) != 0)
			abort();
	}
	if (civil_parse_rfc3339(s, &ms) == 0) {
		civil_format_rfc3339(ms, stamp);
		/* Offsets can carry year 0000 / 9999 times past the formatter's clamp. */
		if (ms >= civil_days_from_ymd(0, 1, 1) * CIVIL_DAY_MS &&
		    ms < civil_days_from_ymd(10000, 1, 1) * CIVIL_DAY_MS) {
			if (civil_parse_rfc3339(stamp, &back) != 0 || back != ms)
				abort();
		}
	}
	if (size >= 8) {
		int64_t d;
		int y, m, dd;
		memcpy(&d, data, 8);
		d %= (int64_t)1 << 39;
		civil_ymd_from_days(d, &y, &m, &dd);
		if (m < 1 || m > 12 || dd < 1 || dd > 31 || civil_days_from_ymd(y, m, dd) != d)
			abort();
		civil_format_rfc3339(d, stamp);
		civil_format_date(d, date);
	}
	free(s);
	return 0;
}
