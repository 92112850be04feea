/*
 * money.c — see money.h.  Digit-by-digit parsing and formatting: a float
 * would lose paise on large amounts, so none is used.
 */
#include "domain/money.h"
#include "util/errtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct currency {
	char code[4];
	signed char exponent;
};

/* ISO 4217 list one (active codes with a minor unit), sorted by code. */
static const struct currency currencies[] = {
	{"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2},
	{"ARS", 2}, {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2},
	{"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
	{"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
	{"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2},
	{"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2},
	{"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0},
	{"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
	{"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
	{"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2},
	{"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2},
	{"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0},
	{"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
	{"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2},
	{"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2},
	{"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
	{"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2},
	{"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2},
	{"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2},
	{"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2},
	{"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2},
	{"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2},
	{"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2},
	{"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2},
	{"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0},
	{"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0},
	{"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
	{"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

static const struct {
	const char *code;
	const char *symbol;
} symbols[] = {
	{"INR", "\xe2\x82\xb9"}, /* ₹ */
	{"USD", "$"},
	{"EUR", "\xe2\x82\xac"}, /* € */
	{"GBP", "\xc2\xa3"},     /* £ */
	{"JPY", "\xc2\xa5"},     /* ¥ */
};

/* Signs money_parse() skips; longest first where one is a prefix of another. */
static const char *const parse_signs[] = {
	"\xe2\x82\xb9", "$", "\xe2\x82\xac", "\xc2\xa3", "\xc2\xa5", "Rs.", "Rs",
};

#define POW2_63 ((uint64_t)1 << 63)

int money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int money_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

static int code_shape_ok(const char *code)
{
	for (int i = 0; i < 3; i++)
		if (code[i] < 'A' || code[i] > 'Z')
			return 0;
	return code[3] == '\0';
}

int currency_exponent(const char *code)
{
	size_t lo = 0, hi = sizeof(currencies) / sizeof(currencies[0]);

	if (!code || !code_shape_ok(code))
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(code, currencies[mid].code, 3);
		if (c == 0)
			return currencies[mid].exponent;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *currency_symbol(const char *code)
{
	if (!code)
		return NULL;
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
		if (strcmp(code, symbols[i].code) == 0)
			return symbols[i].symbol;
	return NULL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int money_parse(const char *s, int exponent, int allow_negative, int64_t *out,
		char *err, size_t errlen)
{
	char sb[48];
	const char *p, *end;
	size_t len;
	uint64_t mag = 0;
	int int_digits = 0, frac_digits = 0, seen_dot = 0, prev_comma = 0;
	int neg = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!s) {
		errtext_set(err, errlen, "amount: is missing");
		return -1;
	}
	if (exponent < 0 || exponent > 18) {
		errtext_set(err, errlen, "currency exponent %d: must be 0-18", exponent);
		return -1;
	}
	len = strnlen(s, MONEY_PARSE_MAX_LEN + 1);
	if (len > MONEY_PARSE_MAX_LEN) {
		errtext_set(err, errlen, "amount \"%s\": longer than %d characters",
			errtext_shown(s, sb), MONEY_PARSE_MAX_LEN);
		return -1;
	}
	p = s;
	end = s + len;
	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	if (p == end) {
		errtext_set(err, errlen, "amount \"%s\": is empty", errtext_shown(s, sb));
		return -1;
	}
	if (*p == '-') {
		if (!allow_negative) {
			errtext_set(err, errlen, "amount \"%s\": must not be negative",
				errtext_shown(s, sb));
			return -1;
		}
		neg = 1;
		p++;
	}
	/* A known ISO code, as money_format() writes it for codes without a symbol. */
	if (end - p >= 3 && p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z' &&
	    p[2] >= 'A' && p[2] <= 'Z') {
		char code[4] = { p[0], p[1], p[2], '\0' };
		if (currency_exponent(code) >= 0) {
			p += 3;
			while (p < end && is_blank(*p))
				p++;
		}
	}
	for (size_t i = 0; i < sizeof(parse_signs) / sizeof(parse_signs[0]); i++) {
		size_t n = strlen(parse_signs[i]);
		if ((size_t)(end - p) >= n && memcmp(p, parse_signs[i], n) == 0) {
			p += n;
			while (p < end && is_blank(*p))
				p++;
			break;
		}
	}
	for (; p < end; p++) {
		char c = *p;
		if (c >= '0' && c <= '9') {
			unsigned d = (unsigned)(c - '0');
			if (seen_dot && ++frac_digits > exponent) {
				if (exponent == 0)
					errtext_set(err, errlen, "amount \"%s\": must be a whole number "
						"(this currency has no decimals)", errtext_shown(s, sb));
				else
					errtext_set(err, errlen, "amount \"%s\": at most %d decimal "
						"place%s", errtext_shown(s, sb), exponent,
						exponent == 1 ? "" : "s");
				return -1;
			}
			if (!seen_dot)
				int_digits++;
			if (mag > (POW2_63 - d) / 10)
				goto too_large;
			mag = mag * 10 + d;
			prev_comma = 0;
		} else if (c == ',') {
			if (seen_dot || int_digits == 0 || prev_comma) {
				errtext_set(err, errlen, "amount \"%s\": misplaced comma",
					errtext_shown(s, sb));
				return -1;
			}
			prev_comma = 1;
		} else if (c == '.') {
			if (seen_dot) {
				errtext_set(err, errlen, "amount \"%s\": more than one decimal point",
					errtext_shown(s, sb));
				return -1;
			}
			if (prev_comma) {
				errtext_set(err, errlen, "amount \"%s\": misplaced comma",
					errtext_shown(s, sb));
				return -1;
			}
			seen_dot = 1;
		} else {
			errtext_set(err, errlen, "amount \"%s\": not a number (use digits, "
				"commas and one decimal point)", errtext_shown(s, sb));
			return -1;
		}
	}
	if (prev_comma) {
		errtext_set(err, errlen, "amount \"%s\": misplaced comma", errtext_shown(s, sb));
		return -1;
	}
	if (int_digits + frac_digits == 0) {
		errtext_set(err, errlen, "amount \"%s\": has no digits", errtext_shown(s, sb));
		return -1;
	}
	for (int i = frac_digits; i < exponent; i++) {
		if (mag > POW2_63 / 10)
			goto too_large;
		mag *= 10;
	}
	if (mag > (neg ? POW2_63 : POW2_63 - 1))
		goto too_large;
	if (neg)
		*out = mag == POW2_63 ? INT64_MIN : -(int64_t)mag;
	else
		*out = (int64_t)mag;
	return 0;

too_large:
	errtext_set(err, errlen, "amount \"%s\": too large", errtext_shown(s, sb));
	return -1;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Decimal digits of v, at least min_digits (zero-padded), into buf[24]. */
static size_t digits_of(uint64_t v, int min_digits, char *buf)
{
	char rev[24];
	size_t n = 0;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < (size_t)min_digits)
		rev[n++] = '0';
	for (size_t i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	return n;
}

static int put(char *out, size_t outlen, const char *s, size_t n)
{
	if (n >= outlen) {
		if (outlen)
			out[0] = '\0';
		return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int money_format_plain(int64_t minor, int exponent, char *out, size_t outlen)
{
	char digits[24], buf[32];
	size_t nd, n = 0;

	if (!out)
		return -1;
	if (exponent < 0 || exponent > 18) {
		if (outlen)
			out[0] = '\0';
		return -1;
	}
	nd = digits_of(magnitude(minor), exponent + 1, digits);
	if (minor < 0)
		buf[n++] = '-';
	memcpy(buf + n, digits, nd - (size_t)exponent);
	n += nd - (size_t)exponent;
	if (exponent > 0) {
		buf[n++] = '.';
		memcpy(buf + n, digits + nd - exponent, (size_t)exponent);
		n += (size_t)exponent;
	}
	return put(out, outlen, buf, n);
}

static int indian_locale(const char *locale)
{
	size_t n;

	if (!locale)
		return 0;
	n = strlen(locale);
	return n >= 3 && (locale[n - 3] == '-' || locale[n - 3] == '_') &&
	       locale[n - 2] == 'I' && locale[n - 1] == 'N';
}

int money_format(int64_t minor, const char *currency, const char *locale,
		 char *out, size_t outlen)
{
	char digits[24], buf[96];
	const char *symbol;
	size_t nd, nint, n = 0;
	int exponent, indian;

	if (!out)
		return -1;
	if (!currency) {
		if (outlen)
			out[0] = '\0';
		return -1;
	}
	exponent = currency_exponent(currency);
	if (exponent < 0)
		exponent = 2;
	indian = indian_locale(locale);
	symbol = currency_symbol(currency);

	nd = digits_of(magnitude(minor), exponent + 1, digits);
	nint = nd - (size_t)exponent;
	if (minor < 0)
		buf[n++] = '-';
	if (symbol) {
		size_t sl = strlen(symbol);
		memcpy(buf + n, symbol, sl);
		n += sl;
	} else {
		/* An unknown code is shown as given, at most 8 bytes of it. */
		size_t cl = strnlen(currency, 8);
		memcpy(buf + n, currency, cl);
		n += cl;
		buf[n++] = ' ';
	}
	for (size_t i = 0; i < nint; i++) {
		size_t left = nint - i; /* digits from here to the decimal point */
		if (i > 0) {
			int sep = indian ? (left == 3 || (left > 3 && (left - 3) % 2 == 0))
					 : left % 3 == 0;
			if (sep)
				buf[n++] = ',';
		}
		buf[n++] = digits[i];
	}
	if (exponent > 0) {
		buf[n++] = '.';
		memcpy(buf + n, digits + nint, (size_t)exponent);
		n += (size_t)exponent;
	}
	return put(out, outlen, buf, n);
}
