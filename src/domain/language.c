/* language.c — our two languages, a locale's language, Accept-Language. */
#include <string.h>

#include "domain/language.h"

const char *language_code(enum language l)
{
	switch (l) {
	case LANGUAGE_EN: return "en";
	case LANGUAGE_HI: return "hi";
	case LANGUAGE_NONE: break;
	}
	return NULL;
}

enum language language_from_code(const char *code)
{
	if (!code)
		return LANGUAGE_NONE;
	if (strcmp(code, "en") == 0)
		return LANGUAGE_EN;
	if (strcmp(code, "hi") == 0)
		return LANGUAGE_HI;
	return LANGUAGE_NONE;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* The primary subtag of s[0..n) is exactly "hi" (any case). */
static int primary_is(const char *s, size_t n, const char *two)
{
	return n >= 2 && lower(s[0]) == two[0] && lower(s[1]) == two[1] &&
		(n == 2 || s[2] == '-' || s[2] == '_');
}

enum language language_of_locale(const char *locale)
{
	if (!locale)
		return LANGUAGE_EN;
	return primary_is(locale, strlen(locale), "hi") ? LANGUAGE_HI : LANGUAGE_EN;
}

/* What one range of the header said. */
struct range {
	enum { RANGE_OTHER, RANGE_EN, RANGE_HI, RANGE_ANY } what;
	int q;          /* weight in thousandths, 0-1000 */
};

static int is_ows(int c)
{
	return c == ' ' || c == '\t';
}

/* A language range, RFC 4647 2.1: 1*8ALPHA *("-" 1*8alphanum) / "*".
 * Returns 0 with *out filled, -1 when s[0..n) is not one. */
static int parse_range(const char *s, size_t n, struct range *out)
{
	if (n == 1 && s[0] == '*') {
		out->what = RANGE_ANY;
		return 0;
	}
	size_t i = 0, sub = 0;
	while (i < n && is_alpha((unsigned char)s[i]))
		i++;
	if (i == 0 || i > 8)
		return -1;
	size_t primary = i;
	while (i < n) {
		if (s[i] != '-')
			return -1;
		i++;
		sub = 0;
		while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]))) {
			i++;
			sub++;
		}
		if (sub == 0 || sub > 8)
			return -1;
	}
	if (primary == 2 && primary_is(s, n, "en"))
		out->what = RANGE_EN;
	else if (primary == 2 && primary_is(s, n, "hi"))
		out->what = RANGE_HI;
	else
		out->what = RANGE_OTHER;
	return 0;
}

/* A weight, RFC 9110 12.4.2: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"], into
 * thousandths.  -1 when s[0..n) is not one. */
static int parse_qvalue(const char *s, size_t n)
{
	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* One element between commas: range [OWS ";" OWS "q=" qvalue].  Any
 * other parameter, or anything malformed, drops the element. */
static int parse_element(const char *s, size_t n, struct range *out)
{
	while (n > 0 && is_ows((unsigned char)s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_ows((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return -1;
	const char *semi = memchr(s, ';', n);
	size_t rlen = semi ? (size_t)(semi - s) : n;
	while (rlen > 0 && is_ows((unsigned char)s[rlen - 1]))
		rlen--;
	if (parse_range(s, rlen, out) < 0)
		return -1;
	out->q = 1000;
	if (!semi)
		return 0;
	const char *p = semi + 1, *end = s + n;
	while (p < end && is_ows((unsigned char)*p))
		p++;
	if (end - p < 2 || lower(p[0]) != 'q' || p[1] != '=')
		return -1;
	p += 2;
	int q = parse_qvalue(p, (size_t)(end - p));
	if (q < 0)
		return -1;
	out->q = q;
	return 0;
}

enum language language_from_accept(const char *value, size_t len)
{
	struct range ranges[LANGUAGE_ACCEPT_MAX_RANGES];
	int nranges = 0;

	if (!value)
		return LANGUAGE_NONE;
	/* A NUL ends the value, wherever len says it ends. */
	const char *nul = memchr(value, '\0', len);
	if (nul)
		len = (size_t)(nul - value);
	size_t blank = 0;
	while (blank < len && is_ows((unsigned char)value[blank]))
		blank++;
	if (blank == len)
		return LANGUAGE_NONE;
	if (len > LANGUAGE_ACCEPT_MAX)
		return LANGUAGE_EN;

	size_t at = 0;
	while (at <= len && nranges < LANGUAGE_ACCEPT_MAX_RANGES) {
		const char *comma = memchr(value + at, ',', len - at);
		size_t n = comma ? (size_t)(comma - (value + at)) : len - at;
		if (parse_element(value + at, n, &ranges[nranges]) == 0)
			nranges++;
		if (!comma)
			break;
		at += n + 1;
	}

	/* Only ranges that name one of our languages decide; "*" says any
	 * language will do, which leaves the choice to the caller's own. */
	enum language best = LANGUAGE_NONE;
	int best_q = 0, any = 0;
	for (int i = 0; i < nranges; i++) {
		const struct range *g = &ranges[i];
		enum language l = g->what == RANGE_EN ? LANGUAGE_EN : g->what == RANGE_HI ? LANGUAGE_HI
			: LANGUAGE_NONE;
		if (g->what == RANGE_ANY && g->q > 0)
			any = 1;
		if (l != LANGUAGE_NONE && g->q > best_q) {
			best = l;
			best_q = g->q;
		}
	}
	if (best == LANGUAGE_NONE && any)
		return LANGUAGE_NONE;
	return best == LANGUAGE_NONE ? LANGUAGE_EN : best;
}
