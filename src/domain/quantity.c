/*
 * quantity.c — see quantity.h.
 */
#include "domain/quantity.h"
#include "util/errtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int quantity_parse(const char *s, int64_t *out_milli, char *err, size_t errlen)
{
	char sb[48];
	const char *p, *end;
	size_t len;
	int64_t milli = 0;
	int int_digits = 0, frac_digits = 0, seen_dot = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!s || !out_milli) {
		errtext_set(err, errlen, "quantity: is missing");
		return -1;
	}
	len = strnlen(s, QUANTITY_PARSE_MAX_LEN + 1);
	if (len > QUANTITY_PARSE_MAX_LEN) {
		errtext_set(err, errlen, "quantity \"%s\": longer than %d characters",
			errtext_shown(s, sb), QUANTITY_PARSE_MAX_LEN);
		return -1;
	}
	p = s;
	end = s + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (p == end) {
		errtext_set(err, errlen, "quantity \"%s\": is empty", errtext_shown(s, sb));
		return -1;
	}
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			if (seen_dot) {
				if (++frac_digits > 3) {
					errtext_set(err, errlen, "quantity \"%s\": at most 3 decimal "
						"places", errtext_shown(s, sb));
					return -1;
				}
			} else {
				int_digits++;
			}
			/* Past the cap there is nothing to learn from more digits. */
			if (milli <= QUANTITY_MAX_MILLI * 10)
				milli = milli * 10 + (*p - '0');
		} else if (*p == '.' && !seen_dot) {
			seen_dot = 1;
		} else if (*p == '.') {
			errtext_set(err, errlen, "quantity \"%s\": more than one decimal point",
				errtext_shown(s, sb));
			return -1;
		} else if (*p == '-') {
			errtext_set(err, errlen, "quantity \"%s\": must be greater than 0",
				errtext_shown(s, sb));
			return -1;
		} else {
			errtext_set(err, errlen, "quantity \"%s\": not a number (use digits "
				"and one decimal point, e.g. 1.5)", errtext_shown(s, sb));
			return -1;
		}
	}
	if (int_digits + frac_digits == 0) {
		errtext_set(err, errlen, "quantity \"%s\": has no digits", errtext_shown(s, sb));
		return -1;
	}
	for (int i = frac_digits; i < 3; i++)
		if (milli <= QUANTITY_MAX_MILLI * 10)
			milli *= 10;
	if (milli == 0) {
		errtext_set(err, errlen, "quantity \"%s\": must be greater than 0",
			errtext_shown(s, sb));
		return -1;
	}
	if (milli > QUANTITY_MAX_MILLI) {
		errtext_set(err, errlen, "quantity \"%s\": at most 1,000,000", errtext_shown(s, sb));
		return -1;
	}
	*out_milli = milli;
	return 0;
}

int quantity_format(int64_t milli, char *out, size_t outlen)
{
	char buf[32];
	uint64_t mag = milli < 0 ? (uint64_t)0 - (uint64_t)milli : (uint64_t)milli;
	uint64_t whole = mag / 1000;
	unsigned frac = (unsigned)(mag % 1000);
	int n;

	if (!out)
		return -1;
	if (frac == 0)
		n = snprintf(buf, sizeof(buf), "%s%llu", milli < 0 ? "-" : "",
			     (unsigned long long)whole);
	else if (frac % 100 == 0)
		n = snprintf(buf, sizeof(buf), "%s%llu.%u", milli < 0 ? "-" : "",
			     (unsigned long long)whole, frac / 100);
	else if (frac % 10 == 0)
		n = snprintf(buf, sizeof(buf), "%s%llu.%02u", milli < 0 ? "-" : "",
			     (unsigned long long)whole, frac / 10);
	else
		n = snprintf(buf, sizeof(buf), "%s%llu.%03u", milli < 0 ? "-" : "",
			     (unsigned long long)whole, frac);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen)
			out[0] = '\0';
		return -1;
	}
	memcpy(out, buf, (size_t)n + 1);
	return 0;
}

/*
 * |q| * |p| / 1000 without a 128-bit type: split both into thousands and a
 * remainder, q = qa*1000 + qb, p = pa*1000 + pb, so
 *   q*p/1000 = qa*pa*1000 + qa*pb + qb*pa + qb*pb/1000
 * where qb*pb < 10^6 carries the fraction that decides the rounding.
 */
int line_total(int64_t quantity_milli, int64_t unit_price_minor, int64_t *out_minor)
{
	uint64_t q, p, qa, qb, pa, pb, t, sum, r, limit;
	int neg = (quantity_milli < 0) != (unit_price_minor < 0);

	if (!out_minor)
		return -1;
	q = quantity_milli < 0 ? (uint64_t)0 - (uint64_t)quantity_milli
			       : (uint64_t)quantity_milli;
	p = unit_price_minor < 0 ? (uint64_t)0 - (uint64_t)unit_price_minor
				 : (uint64_t)unit_price_minor;
	qa = q / 1000;
	qb = q % 1000;
	pa = p / 1000;
	pb = p % 1000;
	if (__builtin_mul_overflow(qa, pa, &t) || __builtin_mul_overflow(t, 1000, &sum))
		return -1;
	if (__builtin_mul_overflow(qa, pb, &t) || __builtin_add_overflow(sum, t, &sum))
		return -1;
	if (__builtin_mul_overflow(qb, pa, &t) || __builtin_add_overflow(sum, t, &sum))
		return -1;
	r = qb * pb; /* < 10^6 */
	if (__builtin_add_overflow(sum, r / 1000 + (r % 1000 >= 500), &sum))
		return -1;
	limit = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
	if (sum > limit)
		return -1;
	if (neg)
		*out_minor = sum == (uint64_t)1 << 63 ? INT64_MIN : -(int64_t)sum;
	else
		*out_minor = (int64_t)sum;
	return 0;
}
