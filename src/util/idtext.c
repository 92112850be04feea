#include "util/idtext.h"

#include <stdint.h>
#include <string.h>

static int slug_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

int slug_valid(const char *s)
{
	if (!s || !s[0] || s[0] == '-' || !slug_char(s[0]))
		return 0;
	size_t n = 1;
	for (; s[n]; n++) {
		if (n >= 63 || !slug_char(s[n]))
			return 0;
	}
	return n >= 2;
}

int utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp, min;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4; cp = c & 0x07; min = 0x10000;
		} else {
			return 0;  /* continuation byte, C0/C1 overlong lead, > F4 */
		}
		if (n - i < len)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

size_t utf8_length(const char *s)
{
	if (!s)
		return 0;
	size_t count = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			count++;
	return count;
}

int text_has_control_chars(const char *s)
{
	if (!s)
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 1;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 1;
	}
	return 0;
}

int email_valid(const char *s)
{
	if (!s)
		return 0;
	size_t n = strlen(s);
	if (n < 3 || n > 254 || !utf8_valid(s, n))
		return 0;
	const char *at = NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f)
			return 0;
		if (c == '@') {
			if (at)
				return 0;
			at = s + i;
		}
	}
	if (!at)
		return 0;
	size_t local = (size_t)(at - s);
	const char *domain = at + 1;
	size_t dlen = n - local - 1;
	if (local == 0 || local > 64 || dlen == 0)
		return 0;
	const char *dot = memchr(domain, '.', dlen);
	if (!dot || domain[0] == '.' || domain[dlen - 1] == '.')
		return 0;
	if (strstr(domain, ".."))
		return 0;
	return 1;
}

int hostname_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 253 || !strchr(s, '.') || s[0] == '.' || s[0] == '-' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
		if (c == '.' && s[i + 1] == '.')
			return 0;
	}
	return 1;
}
