/*
 * jsonw.h — JSON written straight into a buffer, for the hot routes'
 * responses (a customer, a ledger entry, their lists): no tree, no
 * allocation beyond the buffer's own growth.
 *
 *	struct jw w;
 *	jw_init(&w, &r->resp.body);
 *	jw_obj(&w);
 *	jw_key(&w, "id"); jw_str(&w, c->id);
 *	jw_key(&w, "balance_minor"); jw_int(&w, c->balance_minor);
 *	jw_end(&w);
 *
 * The text is byte for byte what jansson's json_dumps(JSON_COMPACT) writes
 * for the same object with its keys in the same order: strings through
 * json_escape_append (util/jsonesc.h, the same escaping rules), integers
 * in decimal, no spaces.  tests/fuzz/fuzz_jsonw.c holds the writer to
 * jansson's parser and serializer.  Strings must be UTF-8 (what the
 * database holds was checked on the way in); keys are the caller's
 * literals.  Nesting is at most JW_MAX_DEPTH (asserted).
 */
#ifndef QT_UTIL_JSONW_H
#define QT_UTIL_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define JW_MAX_DEPTH 16

struct jw {
	struct buf *b;
	int depth;
	/* bit d: a value was already written at depth d (a comma is due) */
	uint32_t had;
	/* bit d: the container opened at depth d is an array */
	uint32_t arrays;
	int after_key;
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w);
void jw_arr(struct jw *w);
/* Close the innermost object or array. */
void jw_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
/* NULL writes null. */
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* A value that is already JSON text (n bytes, compact), copied as is. */
void jw_raw(struct jw *w, const char *json, size_t n);

/* v in decimal into out (at least 21 bytes); returns the length. */
size_t jw_format_int(int64_t v, char *out);

#endif
