/*
 * quantity.h — line-item quantities in thousandths, and line totals.
 *
 * A quantity is an int64 count of thousandths of a unit ("milli"):
 * 2 -> 2000, 1.5 -> 1500, 0.125 -> 125.  No floating point anywhere.
 * Pure functions, thread-safe.
 */
#ifndef QT_DOMAIN_QUANTITY_H
#define QT_DOMAIN_QUANTITY_H

#include <stddef.h>
#include <stdint.h>

#define QUANTITY_MAX_MILLI  ((int64_t)1000000 * 1000) /* 1,000,000 units */
#define QUANTITY_PARSE_MAX_LEN 32

/*
 * Parse "2", "1.5", "0.125", " 3 " into thousandths.
 * Accepted: optional surrounding spaces/tabs, digits, an optional '.' with
 * at most 3 digits after it ("2." and ".5" are accepted).  No sign, no
 * commas, no exponent.  The value must be > 0 and at most 1,000,000 units
 * (QUANTITY_MAX_MILLI); more than 3 decimals is rejected, never rounded.
 * Input longer than QUANTITY_PARSE_MAX_LEN bytes is rejected.
 * Returns 0 and sets *out_milli, or -1 with a message in err such as
 *   quantity "0": must be greater than 0
 * (err may be NULL/0; otherwise always NUL-terminated).
 */
int quantity_parse(const char *s, int64_t *out_milli, char *err, size_t errlen);

/*
 * Shortest decimal for a quantity: 1500 -> "1.5", 2000 -> "2",
 * 125 -> "0.125", 1050 -> "1.05"; negative values get a '-'.
 * Returns 0, or -1 when out is NULL or outlen is too small (32 bytes is
 * always enough); on -1 out holds "" if outlen > 0.
 */
int quantity_format(int64_t milli, char *out, size_t outlen);

/*
 * *out_minor = quantity_milli * unit_price_minor / 1000, rounded half away
 * from zero to a whole minor unit (1.5 x 3 paise = 4.5 -> 5 paise;
 * 0.333 x 100 = 33.3 -> 33).  Any signs are allowed; the result's sign is
 * the product's.  Exact for every int64 input (no intermediate overflow).
 * Returns 0, or -1 when the rounded result does not fit in int64 or
 * out_minor is NULL.
 */
int line_total(int64_t quantity_milli, int64_t unit_price_minor, int64_t *out_minor);

#endif
