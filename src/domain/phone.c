/*
 * phone.c — see phone.h.
 */
#include "domain/phone.h"
#include "util/errtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int phone_country_code_valid(const char *cc)
{
	size_t n;

	if (!cc || cc[0] != '+')
		return -1;
	for (n = 1; cc[n]; n++)
		if (cc[n] < '0' || cc[n] > '9' || n > 3)
			return -1;
	return (n >= 2 && cc[1] != '0') ? 0 : -1;
}

int phone_normalize(const char *in, const char *country_code, char *out,
		    size_t outlen, char *err, size_t errlen)
{
	char sb[48];
	char digits[PHONE_INPUT_MAX_LEN + 1]; /* the digits of the input */
	char e164[PHONE_INPUT_MAX_LEN + 8];   /* digits of the result, no '+' */
	size_t len, nd = 0, ne = 0, i;
	int plus = 0;

	if (err && errlen)
		err[0] = '\0';
	if (out && outlen)
		out[0] = '\0';
	if (!in || !out) {
		errtext_set(err, errlen, "phone: is missing");
		return -1;
	}
	if (phone_country_code_valid(country_code) != 0) {
		errtext_set(err, errlen, "country code \"%s\": must be + and 1-3 digits",
			country_code ? errtext_shown(country_code, sb) : "");
		return -1;
	}
	len = strnlen(in, PHONE_INPUT_MAX_LEN + 1);
	if (len > PHONE_INPUT_MAX_LEN) {
		errtext_set(err, errlen, "phone \"%s\": longer than %d characters",
			errtext_shown(in, sb), PHONE_INPUT_MAX_LEN);
		return -1;
	}
	for (i = 0; i < len; i++) {
		char c = in[i];
		if (c >= '0' && c <= '9') {
			digits[nd++] = c;
		} else if (c == '+' && nd == 0 && !plus) {
			plus = 1;
		} else if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' ||
			   c == ')') {
			continue;
		} else {
			errtext_set(err, errlen, "phone \"%s\": may contain only digits, spaces, "
				"dashes, dots, parentheses and a leading +", errtext_shown(in, sb));
			return -1;
		}
	}
	if (nd == 0) {
		errtext_set(err, errlen, "phone \"%s\": %s", errtext_shown(in, sb),
			len ? "has no digits" : "is empty");
		return -1;
	}

	if (plus) {
		memcpy(e164, digits, nd);
		ne = nd;
	} else if (nd > 2 && digits[0] == '0' && digits[1] == '0') {
		memcpy(e164, digits + 2, nd - 2);
		ne = nd - 2;
	} else if (strcmp(country_code, "+91") == 0) {
		const char *national = NULL;
		if (nd == 10)
			national = digits;
		else if (nd == 11 && digits[0] == '0')
			national = digits + 1;
		else if (nd == 12 && digits[0] == '9' && digits[1] == '1')
			national = digits + 2;
		if (!national) {
			errtext_set(err, errlen, "phone \"%s\": must be a 10-digit mobile number "
				"or +country code and number", errtext_shown(in, sb));
			return -1;
		}
		memcpy(e164, "91", 2);
		memcpy(e164 + 2, national, 10);
		ne = 12;
	} else {
		size_t cl = strlen(country_code) - 1, skip = 0;
		if (strcmp(country_code, "+1") == 0 && nd == 11 && digits[0] == '1')
			skip = 1;
		else if (digits[0] == '0')
			skip = 1;
		memcpy(e164, country_code + 1, cl);
		memcpy(e164 + cl, digits + skip, nd - skip);
		ne = cl + nd - skip;
		if (ne - cl < 4) {
			errtext_set(err, errlen, "phone \"%s\": must be a national number or "
				"+country code and number", errtext_shown(in, sb));
			return -1;
		}
	}

	if (ne < 8 || ne > 15) {
		errtext_set(err, errlen, "phone \"%s\": must have 8 to 15 digits including "
			"the country code", errtext_shown(in, sb));
		return -1;
	}
	if (e164[0] == '0') {
		errtext_set(err, errlen, "phone \"%s\": country code must not start with 0",
			errtext_shown(in, sb));
		return -1;
	}
	/* 91 is India's code and country codes are prefix-free. */
	if (e164[0] == '9' && e164[1] == '1' &&
	    (ne != 12 || e164[2] < '6')) {
		errtext_set(err, errlen, "phone \"%s\": India mobile numbers are 10 digits "
			"starting with 6-9", errtext_shown(in, sb));
		return -1;
	}
	if (ne + 2 > outlen) {
		if (outlen)
			out[0] = '\0';
		errtext_set(err, errlen, "phone \"%s\": output buffer too small",
			errtext_shown(in, sb));
		return -1;
	}
	out[0] = '+';
	memcpy(out + 1, e164, ne);
	out[ne + 1] = '\0';
	return 0;
}
