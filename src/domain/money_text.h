/*
 * money_text.h — amounts of money as people read them in a message:
 * the `{balance}`, `{overdue}`, `{amount}` and `{new_balance}` of a
 * reminder or receipt, in the store's locale and currency.
 *
 *   en-IN, hi-IN (any "xx-IN" or "xx_IN", and bare "hi"): lakh and crore
 *     grouping, "₹1,23,456.50", "-₹5,00,000.00"; Hindi text uses the same
 *     (Latin) digits, as Indian banks and UPI apps do;
 *   every other locale, and NULL: groups of three, "$1,234.50".
 * Symbols: INR ₹, USD $, EUR €, GBP £, JPY ¥, and AED written "AED " (the
 * Arabic abbreviation is right-to-left and reorders the digits next to it
 * in a left-to-right sentence, and the new dirham sign U+20C3 is too
 * recent for phones to show).  Any other currency known to
 * currency_exponent() is its code and a space: "KWD 1,234.500".
 * The decimals are always the currency's exponent (money.h): "¥1,500",
 * "KWD 0.005", "₹5.00".  Negative amounts carry a leading minus before the
 * symbol.  Exact for every int64, INT64_MIN included: the digits come
 * from money_format_plain(), never from floating point.
 *
 * Unlike money_format() (money.h), which falls back to two decimals for a
 * code it does not know, this refuses an unknown currency: a reminder
 * that shows the wrong amount is worse than one that is not sent.
 *
 * Pure functions, no global state, thread-safe.
 */
#ifndef QT_DOMAIN_MONEY_TEXT_H
#define QT_DOMAIN_MONEY_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Always enough for money_text_format(): "-", "AED " or a 3-byte symbol,
 * 19 digits, 9 group separators, ".", NUL. */
#define MONEY_TEXT_MAX 48

/*
 * Format minor units of currency (ISO 4217, upper case) for locale (a BCP
 * 47 tag such as "en-IN"; only the rule above is read from it) into out.
 * Returns 0, or -1 when currency is NULL or unknown to currency_exponent(),
 * out is NULL, or outlen is too small (out then holds "" if outlen > 0).
 */
int money_text_format(int64_t minor, const char *currency, const char *locale,
		      char *out, size_t outlen);

/* The prefix money_text_format() writes for currency: "₹", "$", "€", "£",
 * "¥", "AED " or "<code> "; a static string for the table's codes, "" for
 * NULL.  For codes outside the table it returns NULL: the caller writes
 * the code itself. */
const char *money_text_symbol(const char *currency);

/* 1 when locale groups digits the Indian way (see above), else 0. */
int money_text_indian_grouping(const char *locale);

#endif
