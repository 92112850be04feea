/*
 * sniff.h — what a document's bytes are, whatever its name or declared
 * Content-Type says: JPEG, PNG, WebP or PDF, the only kinds a customer's
 * documents may be (SPEC section 2, "Documents").  Anything else, HTML
 * and SVG included, is SNIFF_UNKNOWN.
 *
 * The signatures are those of the WHATWG MIME Sniffing Standard (section
 * 6.1, "Matching an image type pattern", and the PDF pattern of 7.1),
 * made stricter where the format allows it, so a file merely starting
 * with a few lucky bytes is not taken for an image:
 *
 *   JPEG  FF D8 FF (SOI, then the first marker's FF)
 *   PNG   89 'PNG' 0D 0A 1A 0A, then the IHDR chunk: length 13, "IHDR"
 *   WebP  "RIFF" <size> "WEBP", then a "VP8 ", "VP8L" or "VP8X" chunk
 *   PDF   "%PDF-" and a version digit, at offset 0
 *
 * Pure functions, no I/O, thread-safe; fuzzed by tests/fuzz/fuzz_sniff.c.
 */
#ifndef QT_DOMAIN_SNIFF_H
#define QT_DOMAIN_SNIFF_H

#include <stddef.h>

enum sniff_type {
	SNIFF_UNKNOWN = 0,
	SNIFF_JPEG,
	SNIFF_PNG,
	SNIFF_WEBP,
	SNIFF_PDF,
};

/* How many leading bytes sniff_bytes() looks at, at most: a caller that
 * receives a file in pieces keeps this many. */
#define SNIFF_HEAD_BYTES 16

/* The type of a file that starts with the n bytes at p (the whole file,
 * or at least its first SNIFF_HEAD_BYTES).  p may be NULL when n is 0. */
enum sniff_type sniff_bytes(const unsigned char *p, size_t n);

/* "image/jpeg", "image/png", "image/webp", "application/pdf"; NULL for
 * SNIFF_UNKNOWN. */
const char *sniff_mime(enum sniff_type t);

/* The usual file name extension, without the dot ("jpg", "png", "webp",
 * "pdf"); NULL for SNIFF_UNKNOWN. */
const char *sniff_extension(enum sniff_type t);

/* Does the file name `name` end in an extension of type t (".jpg" and
 * ".jpeg" for JPEG; compared without case)?  1 or 0. */
int sniff_name_matches(const char *name, enum sniff_type t);

/*
 * The type a Content-Type header value declares: its media type (before
 * any ';' parameters, surrounding spaces ignored, compared without case)
 * when it is one of the four; SNIFF_UNKNOWN for anything else, NULL and
 * "" included.  "image/jpg" and "image/pjpeg", which some cameras and old
 * browsers send, count as JPEG.
 */
enum sniff_type sniff_declared(const char *content_type);

#endif
