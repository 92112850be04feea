/*
 * apartment.h — apartment numbers in TTFFU form: tower (2 digits), floor
 * (2 digits), unit (1 digit).  "36194" is tower 36, floor 19, unit 4;
 * "42012" is tower 42, floor 01, unit 2.
 *
 * Pure functions, thread-safe.
 */
#ifndef QT_DOMAIN_APARTMENT_H
#define QT_DOMAIN_APARTMENT_H

#include <stddef.h>

/*
 * A tenant's building layout.  Each field 0 = not set (only the generic
 * range applies to that part).  When set:
 *   towers  1-99:  towers are numbered 01..towers;
 *   floors  1-100: floors are numbered 00..floors-1 (floor 00 is the
 *                  ground floor, so floors=20 allows 00-19);
 *   units   1-9:   units on each floor are numbered 1..units.
 */
struct building_layout {
	int towers;
	int floors;
	int units;
};

struct apartment_number {
	int tower;    /* 1-99 */
	int floor;    /* 0-99 */
	int unit;     /* 1-9 */
	char text[6]; /* the five digits, NUL-terminated: "36194" */
};

/*
 * Parse an apartment number: exactly 5 ASCII digits, nothing around them
 * (trim before calling).  Tower 01-99, floor 00-99, unit 1-9, narrowed by
 * layout (may be NULL) as described at struct building_layout; an invalid
 * layout is itself an error.
 * Returns 0 and fills *out, or -1 with a message in err such as
 *   apartment "3619": must be 5 digits (TTFFU)
 *   apartment "51194": tower 51 is beyond the building's 50 towers
 * (err may be NULL/0; otherwise always NUL-terminated).  *out is untouched
 * on error.
 */
int apartment_parse(const char *s, const struct building_layout *layout,
		    struct apartment_number *out, char *err, size_t errlen);

/*
 * 0 if every field is 0 or in range (towers 1-99, floors 1-100, units
 * 1-9), -1 with a message such as
 *   building layout towers 120: must be 1-99 (or 0 for not set)
 * NULL means "no layout" and is valid.
 */
int building_layout_valid(const struct building_layout *l, char *err, size_t errlen);

/*
 * 0 if prefix (1-5 ASCII digits) can begin a valid apartment number under
 * the generic ranges: "3", "36", "361", "3619", "36194", "0" and "05" are
 * valid; "00" (no tower 00), "36190" (no unit 0), "", "3a" and "361945"
 * are not.  -1 otherwise (including NULL).  Used by search ("361" = tower
 * 36, floor 1x).  Test with `== 0`.
 */
int apartment_prefix_valid(const char *prefix);

#endif
