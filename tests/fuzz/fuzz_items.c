/*
 * libFuzzer target for items_check (domain/items.c): any JSON value as the
 * items list.  Properties: never crashes or leaks; a refusal names a field
 * under "items" and says why; an accepted list's total is the sum of its
 * canonical line totals, and the canonical items (without line totals)
 * are accepted again with the same total.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/items.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct items_error err;
	int64_t total = 0, again = 0, sum = 0;
	json_t *canon = NULL, *canon2 = NULL;

	if (size > 64 * 1024)
		return 0;
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!v)
		return 0;
	memset(&err, 0, sizeof err);
	if (items_check(v, &total, &canon, &err) < 0) {
		if (canon || strncmp(err.field, "items", 5) != 0 || !err.message[0])
			abort();
		json_decref(v);
		return 0;
	}
	if (!json_is_array(canon) || json_array_size(canon) != json_array_size(v))
		abort();
	size_t i;
	json_t *item;
	json_array_foreach(canon, i, item) {
		int64_t line = json_integer_value(json_object_get(item, "line_total_minor"));
		if (line < 0 || __builtin_add_overflow(sum, line, &sum))
			abort();
		json_object_del(item, "line_total_minor");
	}
	if (sum != total)
		abort();
	if (items_check(canon, &again, &canon2, &err) != 0 || again != total)
		abort();
	json_decref(canon2);
	json_decref(canon);
	json_decref(v);
	return 0;
}
