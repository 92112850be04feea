/*
 * money_text.c — see money_text.h.
 */
#include "domain/money_text.h"
#include "domain/money.h"

#include <string.h>

static const struct {
	const char *code;
	const char *prefix;
} prefixes[] = {
	{ "INR", "\xe2\x82\xb9" }, /* ₹ */
	{ "USD", "$" },
	{ "EUR", "\xe2\x82\xac" }, /* € */
	{ "GBP", "\xc2\xa3" },     /* £ */
	{ "JPY", "\xc2\xa5" },     /* ¥ */
	{ "AED", "AED " },
};

const char *money_text_symbol(const char *currency)
{
	if (!currency)
		return "";
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strcmp(currency, prefixes[i].code) == 0)
			return prefixes[i].prefix;
	return NULL;
}

int money_text_indian_grouping(const char *locale)
{
	size_t n;

	if (!locale)
		return 0;
	n = strlen(locale);
	if (n == 2 && (locale[0] == 'h' || locale[0] == 'H') && (locale[1] == 'i' || locale[1] == 'I'))
		return 1;
	return n >= 3 && (locale[n - 3] == '-' || locale[n - 3] == '_') &&
	       (locale[n - 2] == 'I' || locale[n - 2] == 'i') &&
	       (locale[n - 1] == 'N' || locale[n - 1] == 'n');
}

int money_text_format(int64_t minor, const char *currency, const char *locale,
		      char *out, size_t outlen)
{
	char plain[32], buf[MONEY_TEXT_MAX + 16];
	const char *digits, *dot, *prefix;
	size_t nint, n = 0;
	int exponent, indian;

	if (!out)
		return -1;
	if (outlen)
		out[0] = '\0';
	exponent = currency_exponent(currency);
	if (exponent < 0)
		return -1;
	if (money_format_plain(minor, exponent, plain, sizeof(plain)) != 0)
		return -1;
	indian = money_text_indian_grouping(locale);
	prefix = money_text_symbol(currency);

	digits = plain[0] == '-' ? plain + 1 : plain;
	dot = strchr(digits, '.');
	nint = dot ? (size_t)(dot - digits) : strlen(digits);
	if (minor < 0)
		buf[n++] = '-';
	if (prefix) {
		memcpy(buf + n, prefix, strlen(prefix));
		n += strlen(prefix);
	} else {
		memcpy(buf + n, currency, 3);
		n += 3;
		buf[n++] = ' ';
	}
	for (size_t i = 0; i < nint; i++) {
		size_t left = nint - i; /* digits from here to the decimal point */
		if (i > 0 && (indian ? (left == 3 || (left > 3 && (left - 3) % 2 == 0))
				     : left % 3 == 0))
			buf[n++] = ',';
		buf[n++] = digits[i];
	}
	if (dot) {
		size_t fl = strlen(dot);
		memcpy(buf + n, dot, fl);
		n += fl;
	}
	if (n + 1 > outlen)
		return -1;
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}
