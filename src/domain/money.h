/*
 * money.h — amounts of money as int64 counts of minor units.
 *
 * An amount is always an int64_t count of the currency's minor unit (paise
 * for INR, cents for USD, yen for JPY, fils for KWD) plus an ISO 4217 code
 * held by the caller.  There is no floating point anywhere in this module:
 * parsing and formatting are done digit by digit.  Every arithmetic helper
 * reports overflow instead of wrapping.
 *
 * Pure functions, no global state, thread-safe.
 */
#ifndef QT_DOMAIN_MONEY_H
#define QT_DOMAIN_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Longest string money_parse() accepts (bytes, excluding the NUL). */
/* The largest amount one entry may carry, in minor units (10^14: a
 * trillion rupees in paise), either sign.  Sums of such amounts are still
 * checked (money_add and friends): many of them overflow int64. */
#define MONEY_AMOUNT_MAX 100000000000000LL
/* The largest credit limit a store or customer may have (10^15 minor units). */
#define MONEY_CREDIT_LIMIT_MAX 1000000000000000LL

#define MONEY_PARSE_MAX_LEN 64

/*
 * Buffer size that always holds money_format() / money_format_plain()
 * output for any int64 amount and any code known to currency_exponent()
 * (largest: "-" + 3-byte symbol or "XXX " + 19 digits + 6 group separators
 * + "." ).  64 bytes leaves room.
 */
#define MONEY_FORMAT_MAX 64

/*
 * *out = a + b, a - b, a * b.  Return 0, or -1 (and leave *out unchanged)
 * when the exact result does not fit in int64_t.  out must not be NULL;
 * it may point at a or b's variable (money_add(sum, x, &sum) accumulates).
 *
 * These are the one checked arithmetic for amounts: every sum of money in
 * C (a balance, a report total, a statement total, a bucket) goes through
 * them and turns -1 into an error the caller can report; none may wrap.
 * (Sums in SQL are the store's: see STORE_OVERFLOW in store/store.h.)
 */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_sub(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t a, int64_t b, int64_t *out);

/*
 * Minor-unit exponent of an ISO 4217 currency code: INR 2, USD 2, EUR 2,
 * JPY 0, KRW 0, KWD 3, BHD 3, CLF 4, ...  The table holds the current
 * ISO 4217 list (including fund codes such as BOV, CHE, USN, UYI) and no
 * withdrawn codes.  Codes whose minor unit is "N.A." (XAU, XDR, XXX, ...)
 * are not money a shop can lend and are reported as unknown.
 * The code must be exactly three upper-case letters.
 * Returns 0..4, or -1 for NULL or an unknown code.
 */
int currency_exponent(const char *code);

/*
 * Display symbol for a code: "₹" INR, "$" USD, "€" EUR, "£" GBP, "¥" JPY
 * (UTF-8 string literals, never freed).  NULL for every other code, in
 * which case money_format() writes the code and a space ("KWD 1.500").
 */
const char *currency_symbol(const char *code);

/*
 * Parse a human-typed decimal amount into minor units for a currency
 * with `exponent` (0..18) decimals.
 *
 * Accepted, in this order:
 *   optional surrounding spaces/tabs;
 *   an optional '-' (only when allow_negative is non-zero);
 *   an optional ISO 4217 code known to currency_exponent() ("KWD 1.500",
 *     as money_format() writes codes without a symbol), then optional spaces;
 *   an optional currency sign "₹", "$", "€", "£", "¥", "Rs" or "Rs."
 *     (any of them, whatever the tenant's currency), then optional spaces;
 *   digits with optional ',' grouping in the integer part: any grouping
 *     ("1,23,456" and "123,456" both), but a comma must sit between two
 *     digits (no leading, trailing or doubled commas);
 *   an optional '.' followed by at most `exponent` digits ("12." and ".5"
 *     are accepted; "." alone is not).  More decimals than the currency has
 *     are rejected, never rounded.
 * Examples (exponent 2): "1234.50" -> 123450, "1,23,456.5" -> 12345650,
 *   "₹ 1,234" -> 123400, " 12 " -> 1200, "-₹5" -> -500 (allow_negative),
 *   "INR 1,234.50" -> 123450.  The code or sign is not checked against the
 *   tenant's currency; the caller's exponent decides the meaning.
 * Rejected: NULL, empty, longer than MONEY_PARSE_MAX_LEN bytes, garbage,
 * several dots, a '-' when !allow_negative, values beyond int64.
 *
 * Returns 0 and sets *out, or -1 with a message in err such as
 *   amount "12.345": at most 2 decimal places
 * (err may be NULL or errlen 0; otherwise it is always NUL-terminated).
 * *out is untouched on error.
 */
int money_parse(const char *s, int exponent, int allow_negative, int64_t *out,
		char *err, size_t errlen);

/*
 * Format an amount for people to read.
 *   locale "en-IN" (and any "xx-IN" / "xx_IN" locale): lakh/crore grouping,
 *     "₹1,23,456.50", "-₹500.00";
 *   any other locale, including NULL: groups of three, "$1,234,567.89".
 * The decimals are the currency's exponent, always all of them ("₹5.00",
 * "¥500").  A code without a symbol is written as the code and a space:
 * "KWD 1,234.500", "-KWD 0.005".  An unknown code is formatted the same
 * way with 2 decimals.
 * Returns 0, or -1 when currency or out is NULL or outlen is too small
 * (MONEY_FORMAT_MAX is always enough); on -1 out holds "" if outlen > 0.
 */
int money_format(int64_t minor, const char *currency, const char *locale,
		 char *out, size_t outlen);

/*
 * Plain decimal without symbol or grouping, exactly `exponent` decimals:
 * 12345 with exponent 2 -> "123.45", -5 -> "-0.05", 7 with exponent 0 ->
 * "7".  For UPI links and CSV; money_parse() reads it back unchanged.
 * exponent must be 0..18.  Returns 0, or -1 on a bad exponent, NULL out or
 * too small outlen (on -1 out holds "" if outlen > 0).
 */
int money_format_plain(int64_t minor, int exponent, char *out, size_t outlen);

#endif
