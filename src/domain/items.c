/* items.c — see items.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/items.h"
#include "domain/money.h"
#include "domain/quantity.h"
#include "util/idtext.h"

static int fail(struct items_error *err, const char *field, const char *message)
{
	snprintf(err->field, sizeof err->field, "%s", field);
	snprintf(err->message, sizeof err->message, "%s", message);
	return -1;
}

/* The quantity's decimal text: a string as given, an integer printed, a
 * real by its shortest decimal form (never its binary value). */
static int quantity_text(const json_t *q, char *out, size_t len)
{
	if (json_is_string(q)) {
		if (json_string_length(q) >= len || memchr(json_string_value(q), '\0', json_string_length(q)))
			return -1;
		snprintf(out, len, "%s", json_string_value(q));
		return 0;
	}
	if (json_is_integer(q)) {
		snprintf(out, len, "%lld", (long long)json_integer_value(q));
		return 0;
	}
	if (json_is_real(q)) {
		char *t = json_dumps(q, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		int rc = t && strlen(t) < len ? 0 : -1;
		if (rc == 0)
			snprintf(out, len, "%s", t);
		free(t);
		return rc;
	}
	return -1;
}

static int check_one(const json_t *item, const char *path, int64_t *line,
	json_t **canon_item, struct items_error *err)
{
	char field[64], qtext[QUANTITY_PARSE_MAX_LEN + 2], qout[32], qerr[128];
	const char *key;
	const json_t *v;
	int64_t milli, price;

	if (!json_is_object(item))
		return fail(err, path, "must be an object {name, quantity, unit_price_minor}");
	json_object_foreach((json_t *)item, key, v) {
		if (strcmp(key, "name") && strcmp(key, "quantity") && strcmp(key, "unit_price_minor")) {
			snprintf(field, sizeof field, "%s", path);
			return fail(err, field, "has an unknown field (allowed: name, quantity, unit_price_minor)");
		}
	}
	const json_t *name = json_object_get(item, "name");
	snprintf(field, sizeof field, "%s.name", path);
	if (!json_is_string(name))
		return fail(err, field, "is required and must be a string");
	const char *n = json_string_value(name);
	size_t nlen = json_string_length(name);
	if (nlen == 0 || memchr(n, '\0', nlen) || !utf8_valid(n, nlen) ||
	    utf8_length(n) > ITEMS_NAME_MAX_CHARS || text_has_control_chars(n))
		return fail(err, field, "must be 1-120 characters without control characters");

	snprintf(field, sizeof field, "%s.quantity", path);
	const json_t *q = json_object_get(item, "quantity");
	if (!q)
		return fail(err, field, "is required");
	if (quantity_text(q, qtext, sizeof qtext) < 0)
		return fail(err, field, "must be a number or a decimal string with at most 3 decimals");
	if (quantity_parse(qtext, &milli, qerr, sizeof qerr) < 0)
		return fail(err, field, qerr);

	snprintf(field, sizeof field, "%s.unit_price_minor", path);
	const json_t *p = json_object_get(item, "unit_price_minor");
	if (!json_is_integer(p))
		return fail(err, field, "is required and must be an integer (minor units)");
	price = json_integer_value(p);
	if (price < 0)
		return fail(err, field, "must be 0 or more");
	if (line_total(milli, price, line) < 0)
		return fail(err, path, "total is too large");
	if (canon_item) {
		quantity_format(milli, qout, sizeof qout);
		*canon_item = json_pack("{s:s, s:s, s:I, s:I}", "name", n, "quantity", qout,
			"unit_price_minor", (json_int_t)price, "line_total_minor", (json_int_t)*line);
		if (!*canon_item)
			abort();
	}
	return 0;
}

int items_check(const json_t *items, int64_t *total_minor, json_t **canon,
	struct items_error *err)
{
	char path[32];
	size_t n = json_array_size(items), i;
	int64_t total = 0;
	json_t *out = NULL;

	if (canon)
		*canon = NULL;
	if (!json_is_array(items))
		return fail(err, "items", "must be an array of items");
	if (n == 0 || n > ITEMS_MAX)
		return fail(err, "items", "must hold 1-100 items");
	if (canon)
		out = json_array();
	for (i = 0; i < n; i++) {
		int64_t line = 0;
		json_t *ci = NULL;
		snprintf(path, sizeof path, "items[%zu]", i);
		if (check_one(json_array_get(items, i), path, &line, canon ? &ci : NULL, err) < 0)
			goto fail;
		if (ci)
			json_array_append_new(out, ci);
		if (money_add(total, line, &total) < 0) {
			fail(err, path, "total is too large");
			goto fail;
		}
	}
	*total_minor = total;
	if (canon)
		*canon = out;
	return 0;
fail:
	json_decref(out);
	return -1;
}
