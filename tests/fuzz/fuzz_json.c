/*
 * libFuzzer target for strict JSON request validation (http/jsonin.c):
 * arbitrary bytes as a request body against the customer field rules.
 * Properties: never crashes; either an object that passed every rule comes
 * back, or a 4xx problem is recorded; never both, never neither.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/jsonin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct jfield fields[] = {
	{ "name", JF_STRING, 1, 0, 120 },
	{ "phone", JF_STRING, 0, 0, 32 },
	{ "apartment", JF_STRING, 0, 1, 5 },
	{ "credit_limit_minor", JF_INTEGER, 0, 1, 0 },
	{ "reminders_opt_out", JF_BOOLEAN, 0, 0, 0 },
	{ "items", JF_ARRAY, 0, 1, 0 },
	{ "meta", JF_OBJECT, 0, 0, 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req r;
	if (size > 1 << 16)
		return 0;
	memset(&r, 0, sizeof r);
	r.arena = arena_new();
	buf_init(&r.body);
	buf_append(&r.body, data, size);
	json_t *o = jsonin_object(&r, fields, sizeof fields / sizeof fields[0]);
	if (o) {
		if (r.problem.status != 0)
			abort();
		if (!json_is_string(json_object_get(o, "name")))
			abort();
		json_decref(o);
	} else if (r.problem.status < 400 || r.problem.status > 499 || !r.problem.code) {
		abort();
	}
	if (r.problem.errors)
		json_decref(r.problem.errors);
	if (r.problem.extra)
		json_decref(r.problem.extra);
	buf_release(&r.body);
	arena_free(r.arena);
	return 0;
}
