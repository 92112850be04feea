/*
 * jsonin.h — strict decoding of JSON request bodies.
 *
 * A handler describes the fields it accepts; jsonin_object() parses the
 * body and refuses, with a problem naming the field: malformed JSON (400
 * invalid_json), a body that is not an object (400), an unknown field (400
 * unknown_field), a missing required field, a wrong type, or a string longer
 * than its limit in characters (422 validation_failed).  Strings are valid
 * UTF-8 without NUL (jansson guarantees both).
 */
#ifndef QT_HTTP_JSONIN_H
#define QT_HTTP_JSONIN_H

#include <jansson.h>
#include "http/request.h"

enum jf_type {
	JF_STRING,
	JF_INTEGER,
	JF_BOOLEAN,
	JF_OBJECT,
	JF_ARRAY,
	JF_ANY,
};

struct jfield {
	const char *name;
	enum jf_type type;
	int required;
	int nullable;       /* JSON null accepted */
	size_t max_chars;   /* strings: limit in code points; 0 = 1000 */
};

/* Parse r->body against fields.  Returns a new reference (caller
 * json_decref's) or NULL with a problem recorded in r. */
json_t *jsonin_object(struct req *r, const struct jfield *fields, size_t nfields);

/* Parse arbitrary JSON text (no field rules); NULL with a problem on error. */
json_t *jsonin_parse(struct req *r, const char *text, size_t len);

/* Typed getters for a validated object: absent or null give the default. */
const char *jsonin_str(json_t *o, const char *name, const char *dflt);
int64_t jsonin_int(json_t *o, const char *name, int64_t dflt);
int jsonin_bool(json_t *o, const char *name, int dflt);
/* 1 when the member is present (even if null). */
int jsonin_has(json_t *o, const char *name);
int jsonin_is_null(json_t *o, const char *name);

/* Check a parsed value against field rules (used for nested objects such
 * as line items); `prefix` names the path ("items[2]"). */
int jsonin_check(struct req *r, json_t *o, const char *prefix,
	const struct jfield *fields, size_t nfields);

#endif
