/* Unit tests for src/domain/quantity.c */
#include "check.h"
#include "domain/quantity.h"

static int64_t q_ok(const char *s, int *check_failed)
{
	int64_t v = -1;
	char err[128];

	if (quantity_parse(s, &v, err, sizeof(err)) != 0) {
		fprintf(stderr, "  quantity_parse(\"%s\") failed: %s\n", s, err);
		*check_failed = 1;
	}
	return v;
}

static const char *q_err(const char *s)
{
	static char err[128];
	int64_t v = 4242;

	err[0] = '\0';
	if (quantity_parse(s, &v, err, sizeof(err)) == 0)
		return "(accepted)";
	if (v != 4242)
		return "(output written on error)";
	return err;
}

static const char *q_fmt(int64_t milli)
{
	static char out[32];

	if (quantity_format(milli, out, sizeof(out)) != 0)
		return "(failed)";
	return out;
}

static int64_t total(int64_t q, int64_t p, int *check_failed)
{
	int64_t r = 0;

	if (line_total(q, p, &r) != 0) {
		fprintf(stderr, "  line_total(%lld, %lld) failed\n", (long long)q, (long long)p);
		*check_failed = 1;
	}
	return r;
}

TEST(quantity_parses_into_thousandths)
{
	CHECK_INT(q_ok("2", check_failed), 2000);
	CHECK_INT(q_ok("1.5", check_failed), 1500);
	CHECK_INT(q_ok("0.125", check_failed), 125);
	CHECK_INT(q_ok("0.001", check_failed), 1);
	CHECK_INT(q_ok(" 3 ", check_failed), 3000);
	CHECK_INT(q_ok(".5", check_failed), 500);
	CHECK_INT(q_ok("2.", check_failed), 2000);
	CHECK_INT(q_ok("1000000", check_failed), QUANTITY_MAX_MILLI);
	CHECK_INT(q_ok("1000000.000", check_failed), QUANTITY_MAX_MILLI);
	CHECK_INT(q_ok("0001.10", check_failed), 1100);
}

TEST(quantity_must_be_positive)
{
	CHECK_STR(q_err("0"), "quantity \"0\": must be greater than 0");
	CHECK_STR(q_err("0.000"), "quantity \"0.000\": must be greater than 0");
	CHECK_STR(q_err("-1"), "quantity \"-1\": must be greater than 0");
}

TEST(quantity_rejects_more_than_three_decimals)
{
	CHECK_STR(q_err("0.0001"), "quantity \"0.0001\": at most 3 decimal places");
	CHECK_STR(q_err("1.2345"), "quantity \"1.2345\": at most 3 decimal places");
}

TEST(quantity_is_at_most_one_million_units)
{
	CHECK_STR(q_err("1000000.001"), "quantity \"1000000.001\": at most 1,000,000");
	CHECK_STR(q_err("1000001"), "quantity \"1000001\": at most 1,000,000");
	CHECK_STR(q_err("99999999999999999999999999"),
		  "quantity \"99999999999999999999999999\": at most 1,000,000");
}

TEST(quantity_rejects_garbage)
{
	CHECK_STR(q_err(""), "quantity \"\": is empty");
	CHECK_STR(q_err("."), "quantity \".\": has no digits");
	CHECK_STR(q_err("1.2.3"), "quantity \"1.2.3\": more than one decimal point");
	CHECK_STR(q_err("1,000"), "quantity \"1,000\": not a number (use digits and one decimal point, e.g. 1.5)");
	CHECK_STR(q_err("2kg"), "quantity \"2kg\": not a number (use digits and one decimal point, e.g. 1.5)");
	CHECK_STR(q_err("+1"), "quantity \"+1\": not a number (use digits and one decimal point, e.g. 1.5)");
	CHECK_STR(q_err("000000000000000000000000000000001"),
		  "quantity \"000000000000000000000000000000001\": longer than 32 characters");
	CHECK_INT(quantity_parse(NULL, &(int64_t){0}, NULL, 0), -1);
}

TEST(quantity_format_is_shortest_decimal)
{
	CHECK_STR(q_fmt(1500), "1.5");
	CHECK_STR(q_fmt(2000), "2");
	CHECK_STR(q_fmt(125), "0.125");
	CHECK_STR(q_fmt(1050), "1.05");
	CHECK_STR(q_fmt(1), "0.001");
	CHECK_STR(q_fmt(0), "0");
	CHECK_STR(q_fmt(-1500), "-1.5");
	CHECK_STR(q_fmt(INT64_MIN), "-9223372036854775.808");
}

TEST(quantity_format_fails_when_buffer_too_small)
{
	char out[4];

	CHECK_INT(quantity_format(1500, out, sizeof(out)), 0);
	CHECK_STR(out, "1.5");
	CHECK_INT(quantity_format(1050, out, sizeof(out)), -1);
	CHECK_STR(out, "");
}

TEST(quantity_format_and_parse_round_trip)
{
	for (int64_t m = 1; m <= 5000; m += 7) {
		char buf[32];
		int64_t back = 0;
		CHECK_INT(quantity_format(m, buf, sizeof(buf)), 0);
		CHECK_INT(quantity_parse(buf, &back, NULL, 0), 0);
		CHECK_INT(back, m);
	}
}

TEST(line_total_multiplies_whole_quantities_exactly)
{
	CHECK_INT(total(2000, 4550, check_failed), 9100);
	CHECK_INT(total(1000, 1, check_failed), 1);
	CHECK_INT(total(QUANTITY_MAX_MILLI, 99999, check_failed), 99999000000);
}

TEST(line_total_rounds_half_away_from_zero)
{
	CHECK_INT(total(1500, 3, check_failed), 5);     /* 4.5 -> 5 */
	CHECK_INT(total(1500, 1, check_failed), 2);     /* 1.5 -> 2 */
	CHECK_INT(total(333, 100, check_failed), 33);   /* 33.3 -> 33 */
	CHECK_INT(total(1499, 1, check_failed), 1);     /* 1.499 -> 1 */
	CHECK_INT(total(125, 4, check_failed), 1);      /* 0.5 -> 1 */
	CHECK_INT(total(125, 3, check_failed), 0);      /* 0.375 -> 0 */
	CHECK_INT(total(1500, -3, check_failed), -5);   /* -4.5 -> -5 */
	CHECK_INT(total(-1500, 3, check_failed), -5);
	CHECK_INT(total(-1500, -3, check_failed), 5);
	CHECK_INT(total(0, 12345, check_failed), 0);
}

TEST(line_total_is_exact_for_large_values)
{
	/* 9223372036854775 units * 1 minor + 0.807 -> round up */
	CHECK_INT(total(INT64_MAX, 1, check_failed), 9223372036854776);
	CHECK_INT(total(1000, INT64_MAX, check_failed), INT64_MAX);
	CHECK_INT(total(1000, INT64_MIN, check_failed), INT64_MIN);
	CHECK_INT(total(-1000, INT64_MIN + 1, check_failed), INT64_MAX);
	CHECK_INT(total(500, INT64_MAX, check_failed), 4611686018427387904); /* 4611686018427387903.5 */
	CHECK_INT(total(1, INT64_MAX, check_failed), 9223372036854776);    /* ...775.807 */
}

TEST(line_total_reports_overflow)
{
	int64_t r = 77;

	CHECK_INT(line_total(1001, INT64_MAX, &r), -1);
	CHECK_INT(line_total(-1000, INT64_MIN, &r), -1);
	CHECK_INT(line_total(INT64_MAX, INT64_MAX, &r), -1);
	CHECK_INT(line_total(QUANTITY_MAX_MILLI, INT64_MAX / 1000000 + 1, &r), -1);
	CHECK_INT(r, 77);
	CHECK_INT(line_total(1000, 1, NULL), -1);
}

CHECK_MAIN()
