/* jsonesc.c — see jsonesc.h.  Runs that need no escape are copied whole:
 * audit verification puts every byte of every row through here. */
#include "util/jsonesc.h"

#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (n bytes left, s[0] >= 0x80),
 * 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_escape_append(struct buf *b, const char *s, size_t n, enum json_escape_mode mode)
{
	static const char hex[] = "0123456789ABCDEF";

	if (n == 0) {
		buf_append(b, "\"\"", 2);
		return;
	}
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
	buf_grow(b, n + 2);
	buf_putc(b, '"');
	while (p < end) {
		unsigned char c = *p;
		if (c >= 0x20 && c != '"' && c != '\\' &&
		    (c < 0x80 || mode == JSON_ESCAPE_BYTES)) {
			p++;
			continue;
		}
		if (c >= 0x80) {
			size_t k = utf8_seq(p, (size_t)(end - p));
			if (k) {
				p += k;
				continue;
			}
		}
		if (p > run)
			buf_append(b, run, (size_t)(p - run));
		switch (c) {
		case '\\': buf_append(b, "\\\\", 2); break;
		case '"': buf_append(b, "\\\"", 2); break;
		case '\b': buf_append(b, "\\b", 2); break;
		case '\f': buf_append(b, "\\f", 2); break;
		case '\n': buf_append(b, "\\n", 2); break;
		case '\r': buf_append(b, "\\r", 2); break;
		case '\t': buf_append(b, "\\t", 2); break;
		default:
			if (c >= 0x80) {
				buf_append(b, "\\ufffd", 6);
			} else {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				buf_append(b, u, sizeof u);
			}
		}
		p++;
		run = p;
	}
	if (p > run)
		buf_append(b, run, (size_t)(p - run));
	buf_putc(b, '"');
}
