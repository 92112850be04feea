/*
 * jsonesc.h — the product's one hand-written JSON string writer, for the
 * two places that build JSON text without jansson because they run for
 * every request or every audit row: the access log (http/server.c) and the
 * audit chain's canonical rows (store/store_audit.c).  Everything else
 * builds JSON with jansson.
 *
 * The text is byte for byte what jansson's json_dumps() writes for the same
 * string with no flags (JSON_COMPACT and JSON_SORT_KEYS do not change
 * strings): \" \\ \b \f \n \r \t, every other byte below 0x20 as \u00XX
 * with upper-case hex, everything else (DEL and '/' included) as is.  The
 * audit chain depends on this: rows hashed through jansson by earlier
 * builds are verified through this function (tests/unit/test_jsonesc.c
 * and test_audit_canonical.c hold the two side by side).
 */
#ifndef QT_UTIL_JSONESC_H
#define QT_UTIL_JSONESC_H

#include <stddef.h>

#include "util/buf.h"

enum json_escape_mode {
	/*
	 * Bytes >= 0x80 are copied as they are.  For text already known to
	 * be UTF-8 (what jansson accepted, ids, the audit chain, whose hash
	 * must cover exactly the stored bytes).
	 */
	JSON_ESCAPE_BYTES,
	/*
	 * Each byte that does not start a valid UTF-8 sequence (overlong
	 * forms, surrogates, above U+10FFFF, truncated or stray continuation
	 * bytes) becomes \ufffd, so the output is valid JSON whatever the
	 * input: for text from the wire, like a percent-decoded path.
	 * Identical to JSON_ESCAPE_BYTES on valid UTF-8.
	 */
	JSON_ESCAPE_REPAIR_UTF8,
};

/*
 * Append the n bytes at s to b as one JSON string, with its quotes.  s may
 * hold NUL bytes (written as \u0000) and may be NULL when n == 0.  Never
 * fails (buf aborts on OOM).
 */
void json_escape_append(struct buf *b, const char *s, size_t n, enum json_escape_mode mode);

#endif
