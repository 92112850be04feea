/* jsonin.c — see jsonin.h. */
#include <string.h>

#include "http/jsonin.h"
#include "util/idtext.h"

static const char *type_name(enum jf_type t)
{
	switch (t) {
	case JF_STRING: return "a string";
	case JF_INTEGER: return "an integer";
	case JF_BOOLEAN: return "true or false";
	case JF_OBJECT: return "an object";
	case JF_ARRAY: return "an array";
	default: return "a value";
	}
}

static int type_ok(json_t *v, enum jf_type t)
{
	switch (t) {
	case JF_STRING: return json_is_string(v);
	case JF_INTEGER: return json_is_integer(v);
	case JF_BOOLEAN: return json_is_boolean(v);
	case JF_OBJECT: return json_is_object(v);
	case JF_ARRAY: return json_is_array(v);
	default: return 1;
	}
}

json_t *jsonin_parse(struct req *r, const char *text, size_t len)
{
	json_error_t e;

	if (len == 0) {
		req_fail(r, 400, "invalid_json", "request body is empty; a JSON object is required");
		return NULL;
	}
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!v) {
		req_failf(r, 400, "invalid_json", "malformed JSON at line %d column %d: %s",
			e.line, e.column, e.text);
		return NULL;
	}
	return v;
}

int jsonin_check(struct req *r, json_t *o, const char *prefix,
	const struct jfield *fields, size_t nfields)
{
	const char *key;
	json_t *v;
	char path[160];

	if (!json_is_object(o)) {
		if (prefix[0])
			return req_fail_field(r, 422, "validation_failed", prefix, "must be an object");
		return req_fail(r, 400, "invalid_json", "request body must be a JSON object");
	}
	json_object_foreach(o, key, v) {
		size_t i;
		for (i = 0; i < nfields; i++)
			if (strcmp(fields[i].name, key) == 0)
				break;
		snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
		if (i == nfields)
			return req_fail_field(r, 400, "unknown_field", path, "is not a known field");
		const struct jfield *f = &fields[i];
		if (json_is_null(v)) {
			if (!f->nullable)
				return req_fail_field(r, 422, "validation_failed", path,
					arena_printf(r->arena, "must be %s, not null", type_name(f->type)));
			continue;
		}
		if (!type_ok(v, f->type))
			return req_fail_field(r, 422, "validation_failed", path,
				arena_printf(r->arena, "must be %s", type_name(f->type)));
		if (f->type == JF_STRING) {
			size_t max = f->max_chars ? f->max_chars : 1000;
			if (utf8_length(json_string_value(v)) > max)
				return req_fail_field(r, 422, "validation_failed", path,
					arena_printf(r->arena, "must be at most %zu characters", max));
		}
	}
	for (size_t i = 0; i < nfields; i++) {
		if (fields[i].required && !json_object_get(o, fields[i].name)) {
			snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", fields[i].name);
			return req_fail_field(r, 422, "validation_failed", path, "is required");
		}
	}
	return 0;
}

json_t *jsonin_object(struct req *r, const struct jfield *fields, size_t nfields)
{
	/* The body is JSON whatever Content-Type says (curl -d sends a form
	 * type); anything that is not JSON is refused by the parser. */
	json_t *o = jsonin_parse(r, r->body.data ? r->body.data : "", r->body.len);
	if (!o)
		return NULL;
	if (jsonin_check(r, o, "", fields, nfields) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

const char *jsonin_str(json_t *o, const char *name, const char *dflt)
{
	json_t *v = json_object_get(o, name);
	return json_is_string(v) ? json_string_value(v) : dflt;
}

int64_t jsonin_int(json_t *o, const char *name, int64_t dflt)
{
	json_t *v = json_object_get(o, name);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

int jsonin_bool(json_t *o, const char *name, int dflt)
{
	json_t *v = json_object_get(o, name);
	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

int jsonin_has(json_t *o, const char *name)
{
	return json_object_get(o, name) != NULL;
}

int jsonin_is_null(json_t *o, const char *name)
{
	return json_is_null(json_object_get(o, name));
}
