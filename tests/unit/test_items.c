/* test_items.c — line items: quantities, prices, totals and error paths. */
#include <jansson.h>

#include "check.h"
#include "domain/items.h"

/* Run items_check on JSON text; returns its result, total and error. */
static int run(const char *text, int64_t *total, json_t **canon, struct items_error *err)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	int rc;
	*total = -1;
	memset(err, 0, sizeof *err);
	rc = items_check(v, total, canon, err);
	json_decref(v);
	return rc;
}

TEST(items_add_up_decimal_quantities_and_canonicalise_them)
{
	int64_t total;
	json_t *canon = NULL;
	struct items_error err;
	CHECK_INT(run("[{\"name\":\"Rice\",\"quantity\":\"1.5\",\"unit_price_minor\":6000},"
		"{\"name\":\"Soap\",\"quantity\":2,\"unit_price_minor\":4500},"
		"{\"name\":\"Chilli\",\"quantity\":\"0.125\",\"unit_price_minor\":20000},"
		"{\"name\":\"Tea\",\"quantity\":0.5,\"unit_price_minor\":301}]", &total, &canon, &err), 0);
	CHECK_INT(total, 9000 + 9000 + 2500 + 151);
	CHECK_INT(json_array_size(canon), 4);
	CHECK_STR(json_string_value(json_object_get(json_array_get(canon, 0), "quantity")), "1.5");
	CHECK_STR(json_string_value(json_object_get(json_array_get(canon, 1), "quantity")), "2");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(canon, 3), "line_total_minor")), 151);
	CHECK_STR(json_string_value(json_object_get(json_array_get(canon, 2), "name")), "Chilli");
	json_decref(canon);
}

TEST(items_total_without_canon_output)
{
	int64_t total;
	struct items_error err;
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":\"3\",\"unit_price_minor\":0}]", &total, NULL, &err), 0);
	CHECK_INT(total, 0);
}

TEST(items_quantity_with_more_than_3_decimals_is_refused_with_its_path)
{
	int64_t total;
	json_t *canon = (json_t *)1;
	struct items_error err;
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":1,\"unit_price_minor\":1},"
		"{\"name\":\"B\",\"quantity\":\"1.2345\",\"unit_price_minor\":1}]", &total, &canon, &err), -1);
	CHECK_STR(err.field, "items[1].quantity");
	CHECK(canon == NULL);
	CHECK(err.message[0] != '\0');
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":1.0005,\"unit_price_minor\":1}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].quantity");
}

TEST(items_quantity_must_be_positive_decimal_without_sign_or_exponent)
{
	const char *bad[] = { "\"0\"", "\"-1\"", "-1", "0", "\"1e3\"", "1e-7", "\"\"", "true", "null",
		"[1]", "{}", "\"1,5\"", "\"1000001\"", "\"0.0001\"", "9007199254740993", "1e300" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[200];
		int64_t total;
		struct items_error err;
		snprintf(text, sizeof text, "[{\"name\":\"A\",\"quantity\":%s,\"unit_price_minor\":1}]", bad[i]);
		int rc = run(text, &total, NULL, &err);
		if (rc != -1)
			fprintf(stderr, "  quantity %s was accepted\n", bad[i]);
		CHECK_INT(rc, -1);
		CHECK_STR(err.field, "items[0].quantity");
	}
}

TEST(items_unit_price_must_be_a_non_negative_integer)
{
	int64_t total;
	struct items_error err;
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":1,\"unit_price_minor\":-1}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].unit_price_minor");
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":1,\"unit_price_minor\":1.5}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].unit_price_minor");
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":1,\"unit_price_minor\":\"100\"}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].unit_price_minor");
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":1}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].unit_price_minor");
}

/* An item list whose one name is n copies of U+0915 (3 bytes each). */
static const char *long_name(char *out, size_t len, int n)
{
	size_t k = (size_t)snprintf(out, len, "[{\"name\":\"");
	for (int i = 0; i < n && k + 3 < len; i++, k += 3)
		memcpy(out + k, "\xe0\xa4\x95", 3);
	snprintf(out + k, len - k, "\",\"quantity\":1,\"unit_price_minor\":1}]");
	return out;
}

TEST(items_name_is_required_1_to_120_characters_without_controls)
{
	int64_t total;
	struct items_error err;
	char text[1200];
	CHECK_INT(run("[{\"name\":\"\",\"quantity\":1,\"unit_price_minor\":1}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].name");
	CHECK_INT(run("[{\"name\":\"a\\nb\",\"quantity\":1,\"unit_price_minor\":1}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].name");
	CHECK_INT(run("[{\"name\":\"a\\u0000b\",\"quantity\":1,\"unit_price_minor\":1}]", &total, NULL, &err), -1);
	CHECK_INT(run("[{\"quantity\":1,\"unit_price_minor\":1}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].name");
	/* 120 Devanagari letters (3 bytes each) are 120 characters: fine; 121 are not. */
	CHECK_INT(run(long_name(text, sizeof text, 120), &total, NULL, &err), 0);
	CHECK_INT(run(long_name(text, sizeof text, 121), &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0].name");
}

TEST(items_list_must_hold_1_to_100_objects_with_known_fields)
{
	int64_t total;
	struct items_error err;
	CHECK_INT(run("[]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items");
	CHECK_INT(run("{}", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items");
	CHECK_INT(run("[1]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0]");
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":1,\"unit_price_minor\":1,\"colour\":\"red\"}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0]");
	json_t *many = json_array();
	for (int i = 0; i < 101; i++)
		json_array_append_new(many, json_pack("{s:s, s:i, s:i}", "name", "x", "quantity", 1, "unit_price_minor", 1));
	CHECK_INT(items_check(many, &total, NULL, &err), -1);
	CHECK_STR(err.field, "items");
	json_array_remove(many, 0);
	CHECK_INT(items_check(many, &total, NULL, &err), 0);
	CHECK_INT(total, 100);
	json_decref(many);
	CHECK_INT(items_check(NULL, &total, NULL, &err), -1);
}

TEST(items_overflowing_total_is_refused_not_wrapped)
{
	int64_t total;
	struct items_error err;
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":\"1000000\",\"unit_price_minor\":9223372036854775807}]",
		&total, NULL, &err), -1);
	CHECK_STR(err.field, "items[0]");
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":\"1\",\"unit_price_minor\":9223372036854775807},"
		"{\"name\":\"B\",\"quantity\":\"1\",\"unit_price_minor\":1}]", &total, NULL, &err), -1);
	CHECK_STR(err.field, "items[1]");
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":\"1\",\"unit_price_minor\":9223372036854775806},"
		"{\"name\":\"B\",\"quantity\":\"1\",\"unit_price_minor\":1}]", &total, NULL, &err), 0);
	CHECK_INT(total, INT64_MAX);
}

TEST(items_line_totals_round_half_away_from_zero)
{
	int64_t total;
	struct items_error err;
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":\"1.5\",\"unit_price_minor\":3}]", &total, NULL, &err), 0);
	CHECK_INT(total, 5);
	CHECK_INT(run("[{\"name\":\"A\",\"quantity\":\"0.333\",\"unit_price_minor\":100}]", &total, NULL, &err), 0);
	CHECK_INT(total, 33);
}

CHECK_MAIN()
