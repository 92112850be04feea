/* sniff.c — see sniff.h. */
#include <string.h>
#include <strings.h>

#include "domain/sniff.h"

static int starts(const unsigned char *p, size_t n, size_t at, const char *sig, size_t len)
{
	return n >= at + len && memcmp(p + at, sig, len) == 0;
}

enum sniff_type sniff_bytes(const unsigned char *p, size_t n)
{
	if (!p || n == 0)
		return SNIFF_UNKNOWN;
	if (starts(p, n, 0, "\xFF\xD8\xFF", 3))
		return SNIFF_JPEG;
	/* The signature, then IHDR, which must be the first chunk. */
	if (starts(p, n, 0, "\x89PNG\r\n\x1A\n", 8) && starts(p, n, 8, "\0\0\0\x0DIHDR", 8))
		return SNIFF_PNG;
	if (starts(p, n, 0, "RIFF", 4) && starts(p, n, 8, "WEBP", 4) &&
	    (starts(p, n, 12, "VP8 ", 4) || starts(p, n, 12, "VP8L", 4) || starts(p, n, 12, "VP8X", 4)))
		return SNIFF_WEBP;
	if (starts(p, n, 0, "%PDF-", 5) && n > 5 && p[5] >= '1' && p[5] <= '9')
		return SNIFF_PDF;
	return SNIFF_UNKNOWN;
}

static const struct {
	const char *mime, *ext;
} types[] = {
	[SNIFF_JPEG] = { "image/jpeg", "jpg" },
	[SNIFF_PNG] = { "image/png", "png" },
	[SNIFF_WEBP] = { "image/webp", "webp" },
	[SNIFF_PDF] = { "application/pdf", "pdf" },
};

const char *sniff_mime(enum sniff_type t)
{
	return t > SNIFF_UNKNOWN && t <= SNIFF_PDF ? types[t].mime : NULL;
}

const char *sniff_extension(enum sniff_type t)
{
	return t > SNIFF_UNKNOWN && t <= SNIFF_PDF ? types[t].ext : NULL;
}

static int ends_with(const char *name, size_t n, const char *ext)
{
	size_t e = strlen(ext);
	return n > e + 1 && name[n - e - 1] == '.' && strncasecmp(name + n - e, ext, e) == 0;
}

int sniff_name_matches(const char *name, enum sniff_type t)
{
	const char *ext = sniff_extension(t);
	if (!name || !ext)
		return 0;
	size_t n = strlen(name);
	return ends_with(name, n, ext) || (t == SNIFF_JPEG && ends_with(name, n, "jpeg"));
}

enum sniff_type sniff_declared(const char *content_type)
{
	static const struct {
		const char *mime;
		enum sniff_type t;
	} known[] = {
		{ "image/jpeg", SNIFF_JPEG }, { "image/jpg", SNIFF_JPEG }, { "image/pjpeg", SNIFF_JPEG },
		{ "image/png", SNIFF_PNG }, { "image/webp", SNIFF_WEBP }, { "application/pdf", SNIFF_PDF },
	};
	if (!content_type)
		return SNIFF_UNKNOWN;
	const char *s = content_type;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strcspn(s, ";");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strlen(known[i].mime) == n && strncasecmp(s, known[i].mime, n) == 0)
			return known[i].t;
	return SNIFF_UNKNOWN;
}
