/* document.c — see document.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "domain/document.h"
#include "util/idtext.h"

/* The code point of the well-formed UTF-8 sequence at s (n bytes left),
 * its length in *len; -1 (and *len 1) when the byte there starts none. */
static int32_t next_code_point(const unsigned char *s, size_t n, size_t *len)
{
	size_t k = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 :
		(s[0] & 0xF8) == 0xF0 ? 4 : 0;
	*len = 1;
	if (k == 0 || k > n || !utf8_valid((const char *)s, k))
		return -1;
	*len = k;
	if (k == 1)
		return s[0];
	int32_t cp = s[0] & (0x7F >> k);
	for (size_t i = 1; i < k; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	return cp;
}

static int replaced(int32_t cp)
{
	if (cp < 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
		return 1;
	if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF)
		return 1;
	return cp < 0x80 && strchr("<>:\"|?*", (int)cp) != NULL;
}

void document_filename(const char *given, enum sniff_type t, char out[DOCUMENT_NAME_CAP])
{
	const char *base = given ? given : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	const unsigned char *s = (const unsigned char *)base;
	size_t n = strlen(base), o = 0;
	/* Leading spaces and dots go first. */
	while (n > 0 && (*s == ' ' || *s == '.')) {
		s++;
		n--;
	}
	while (n > 0) {
		size_t len;
		int32_t cp = next_code_point(s, n, &len);
		const char *piece = (const char *)s;
		size_t plen = len;
		if (replaced(cp)) {
			piece = "_";
			plen = 1;
		}
		if (o + plen > DOCUMENT_NAME_MAX)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		s += len;
		n -= len;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
	if (o == 0)
		snprintf(out, DOCUMENT_NAME_CAP, "document");
	const char *ext = sniff_extension(t);
	if (ext && !sniff_name_matches(out, t)) {
		size_t len = strlen(out);
		snprintf(out + len, DOCUMENT_NAME_CAP - len, ".%s", ext);
	}
}
