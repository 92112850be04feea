/*
 * document.h — rules for a customer's documents that need no storage
 * (SPEC section 2, "Documents"): the size limit, and the name a file is
 * kept and offered under.  The kinds allowed are domain/sniff.h's.
 */
#ifndef QT_DOMAIN_DOCUMENT_H
#define QT_DOMAIN_DOCUMENT_H

#include <stddef.h>

#include "domain/sniff.h"

/* At most 10 MiB per file. */
#define DOCUMENT_MAX_BYTES (10 * 1024 * 1024)

/* The longest name kept, in bytes, before the extension that may be
 * added; names are cut on a character boundary. */
#define DOCUMENT_NAME_MAX 200
/* What document_filename writes at most, with its NUL. */
#define DOCUMENT_NAME_CAP (DOCUMENT_NAME_MAX + 8)

/*
 * The name a file of type t is kept under, from the name its uploader
 * gave (NULL or "" for none), into out (DOCUMENT_NAME_CAP bytes):
 *   - only the last path segment (after the last '/' or '\\');
 *   - bytes that are not UTF-8, control characters (C0, DEL, C1), the
 *     invisible direction and zero-width marks that can disguise an
 *     extension (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF),
 *     and the characters Windows refuses in names (<>:"|?*) become '_';
 *   - spaces and dots at either end are dropped;
 *   - at most DOCUMENT_NAME_MAX bytes;
 *   - "document" when nothing is left;
 *   - and the type's extension added when the name does not already end
 *     in one of it ("scan.pdf" holding a PNG is kept as "scan.pdf.png"),
 *     so a downloaded file opens as what it is.
 * Always writes a valid, non-empty, NUL-terminated name.
 */
void document_filename(const char *given, enum sniff_type t, char out[DOCUMENT_NAME_CAP]);

#endif
