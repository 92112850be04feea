/* jsonesc.c — see jsonesc.h.  Runs that need no escape are copied whole:
 * audit verification puts every byte of every row through here. */
#include "util/jsonesc.h"

#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* Bytes the escape of c adds to c itself: 0 (copied), 1 (\" \\ \n …) or
 * 5 (\u00XX); a table, since every byte of an audit row is looked up. */
#define X5 5, 5, 5, 5, 5, 5, 5, 5
#define Z8 0, 0, 0, 0, 0, 0, 0, 0
#define Z64 Z8, Z8, Z8, Z8, Z8, Z8, Z8, Z8
static const unsigned char escape_extra[256] = {
	5, 5, 5, 5, 5, 5, 5, 5, 1 /* \b */, 1 /* \t */, 1 /* \n */, 5, 1 /* \f */, 1 /* \r */, 5, 5,
	X5, X5,
	0, 0, 1 /* " */, 0, 0, 0, 0, 0, Z8, Z8, Z8,
	Z8, Z8, Z8, 0, 0, 0, 0, 1 /* \\ */, 0, 0, 0, Z8, Z8, Z8, Z8,
	Z64, Z64,
};
#undef X5
#undef Z8
#undef Z64

/* JSON_ESCAPE_BYTES in one pass straight into the buffer: grown first by
 * the worst case (6 bytes a byte) for a short string, whose room a reused
 * buffer already has, else by exactly what a first scan counts.  (The
 * audit chain puts every byte of every row through here, and its JSON
 * payloads are full of quotes.) */
static void escape_bytes(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *end = p + n;

	if (n <= 4096) {
		buf_grow(b, 6 * n + 2);
	} else {
		size_t extra = 0;
		for (size_t i = 0; i < n; i++)
			extra += escape_extra[p[i]];
		buf_grow(b, n + extra + 2);
	}
	char *o = b->data + b->len;
	*o++ = '"';
	for (; p < end; p++) {
		unsigned char c = *p;
#ifdef __SSE2__
		/* 16 bytes at a time up to the next byte to escape: stored
		 * whole (the room above holds them: every input byte left makes
		 * at least one output byte), kept up to that byte. */
		if (end - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)p);
			__m128i low = _mm_cmplt_epi8(_mm_xor_si128(v, _mm_set1_epi8((char)0x80)),
				_mm_set1_epi8((char)(0x20 ^ 0x80)));
			__m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
			__m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
			unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(quote, slash)));
			_mm_storeu_si128((__m128i *)o, v);
			if (!mask) {
				o += 16;
				p += 15;
				continue;
			}
			unsigned k = (unsigned)__builtin_ctz(mask);
			o += k;
			p += k;
			c = *p;
		}
#endif
		if (!escape_extra[c]) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '\\': *o++ = '\\'; break;
		case '"': *o++ = '"'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

void json_escape_append(struct buf *b, const char *s, size_t n, enum json_escape_mode mode)
{
	static const char hex[] = "0123456789ABCDEF";

	if (n == 0) {
		buf_append(b, "\"\"", 2);
		return;
	}
	if (mode == JSON_ESCAPE_BYTES) {
		escape_bytes(b, (const unsigned char *)s, n);
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
