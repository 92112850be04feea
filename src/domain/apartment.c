/*
 * apartment.c — see apartment.h.
 */
#include "domain/apartment.h"
#include "util/errtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int building_layout_valid(const struct building_layout *l, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!l)
		return 0;
	if (l->towers < 0 || l->towers > 99) {
		errtext_set(err, errlen, "building layout towers %d: must be 1-99 "
			"(or 0 for not set)", l->towers);
		return -1;
	}
	if (l->floors < 0 || l->floors > 100) {
		errtext_set(err, errlen, "building layout floors %d: must be 1-100 "
			"(or 0 for not set)", l->floors);
		return -1;
	}
	if (l->units < 0 || l->units > 9) {
		errtext_set(err, errlen, "building layout units %d: must be 1-9 "
			"(or 0 for not set)", l->units);
		return -1;
	}
	return 0;
}

int apartment_parse(const char *s, const struct building_layout *layout,
		    struct apartment_number *out, char *err, size_t errlen)
{
	char sb[48];
	int tower, floor, unit;

	if (err && errlen)
		err[0] = '\0';
	if (!s || !out) {
		errtext_set(err, errlen, "apartment: is missing");
		return -1;
	}
	if (strnlen(s, 6) != 5 || !is_digit(s[0]) || !is_digit(s[1]) ||
	    !is_digit(s[2]) || !is_digit(s[3]) || !is_digit(s[4])) {
		errtext_set(err, errlen, "apartment \"%s\": must be 5 digits (TTFFU)",
			errtext_shown(s, sb));
		return -1;
	}
	if (building_layout_valid(layout, err, errlen) != 0)
		return -1;
	tower = (s[0] - '0') * 10 + (s[1] - '0');
	floor = (s[2] - '0') * 10 + (s[3] - '0');
	unit = s[4] - '0';
	if (tower == 0) {
		errtext_set(err, errlen, "apartment \"%s\": tower must be 01-99", s);
		return -1;
	}
	if (unit == 0) {
		errtext_set(err, errlen, "apartment \"%s\": unit must be 1-9", s);
		return -1;
	}
	if (layout && layout->towers && tower > layout->towers) {
		errtext_set(err, errlen, "apartment \"%s\": tower %d is beyond the "
			"building's %d tower%s", s, tower, layout->towers,
			layout->towers == 1 ? "" : "s");
		return -1;
	}
	if (layout && layout->floors && floor >= layout->floors) {
		errtext_set(err, errlen, "apartment \"%s\": floor %02d is beyond the "
			"building's %d floor%s (00-%02d)", s, floor, layout->floors,
			layout->floors == 1 ? "" : "s", layout->floors - 1);
		return -1;
	}
	if (layout && layout->units && unit > layout->units) {
		errtext_set(err, errlen, "apartment \"%s\": unit %d is beyond the "
			"building's %d unit%s per floor", s, unit, layout->units,
			layout->units == 1 ? "" : "s");
		return -1;
	}
	out->tower = tower;
	out->floor = floor;
	out->unit = unit;
	memcpy(out->text, s, 5);
	out->text[5] = '\0';
	return 0;
}

int apartment_prefix_valid(const char *prefix)
{
	size_t n;

	if (!prefix)
		return -1;
	n = strnlen(prefix, 6);
	if (n < 1 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(prefix[i]))
			return -1;
	if (n >= 2 && prefix[0] == '0' && prefix[1] == '0')
		return -1;
	if (n == 5 && prefix[4] == '0')
		return -1;
	return 0;
}
