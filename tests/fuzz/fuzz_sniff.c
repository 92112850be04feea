/*
 * libFuzzer target for domain/sniff.c (what a document's bytes are) and
 * sniff_declared (what its Content-Type says).
 * Properties: never crashes or reads past the input; the verdict depends
 * on the first SNIFF_HEAD_BYTES only, and once a prefix is recognised
 * every longer input is the same kind; a recognised kind has a MIME type
 * that declares that same kind and an extension that names it; the input
 * read as a Content-Type value declares at most a known kind, whose MIME
 * type it then starts with (spaces and case aside).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sniff_type t = sniff_bytes(data, size);
	if (t < SNIFF_UNKNOWN || t > SNIFF_PDF)
		abort();
	size_t head = size < SNIFF_HEAD_BYTES ? size : SNIFF_HEAD_BYTES;
	if (sniff_bytes(data, head) != t)
		abort();
	for (size_t n = 0; n <= head; n++) {
		enum sniff_type p = sniff_bytes(data, n);
		if (p != SNIFF_UNKNOWN && p != t)
			abort();
	}
	if (t != SNIFF_UNKNOWN) {
		const char *mime = sniff_mime(t), *ext = sniff_extension(t);
		if (!mime || !ext || sniff_declared(mime) != t)
			abort();
		char name[16];
		snprintf(name, sizeof name, "x.%s", ext);
		if (!sniff_name_matches(name, t))
			abort();
	} else if (sniff_mime(t) || sniff_extension(t)) {
		abort();
	}

	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	enum sniff_type d = sniff_declared(text);
	if (d < SNIFF_UNKNOWN || d > SNIFF_PDF)
		abort();
	if (d != SNIFF_UNKNOWN) {
		const char *s = text;
		while (*s == ' ' || *s == '\t')
			s++;
		/* Declared as JPEG by one of its aliases, or by the MIME type itself. */
		if (d != SNIFF_JPEG && strncasecmp(s, sniff_mime(d), strlen(sniff_mime(d))) != 0)
			abort();
		if (d == SNIFF_JPEG && strncasecmp(s, "image/", 6) != 0)
			abort();
	}
	free(text);
	return 0;
}
