/* Unit tests for src/domain/money.c */
#include "check.h"
#include "domain/money.h"

static int64_t parse_ok(const char *s, int exponent, int allow_negative, int *check_failed)
{
	int64_t v = -777;
	char err[128] = "unset";

	if (money_parse(s, exponent, allow_negative, &v, err, sizeof(err)) != 0) {
		fprintf(stderr, "  money_parse(\"%s\") failed: %s\n", s, err);
		*check_failed = 1;
	}
	return v;
}

static const char *parse_err(const char *s, int exponent, int allow_negative)
{
	static char err[128];
	int64_t v = 4242;

	err[0] = '\0';
	if (money_parse(s, exponent, allow_negative, &v, err, sizeof(err)) == 0)
		return "(accepted)";
	if (v != 4242)
		return "(output written on error)";
	return err;
}

static const char *fmt(int64_t minor, const char *cur, const char *locale)
{
	static char out[MONEY_FORMAT_MAX];

	if (money_format(minor, cur, locale, out, sizeof(out)) != 0)
		return "(failed)";
	return out;
}

static const char *plain(int64_t minor, int exponent)
{
	static char out[MONEY_FORMAT_MAX];

	if (money_format_plain(minor, exponent, out, sizeof(out)) != 0)
		return "(failed)";
	return out;
}

TEST(add_sub_mul_report_overflow_instead_of_wrapping)
{
	int64_t r = 5;

	CHECK_INT(money_add(1, 2, &r), 0);
	CHECK_INT(r, 3);
	CHECK_INT(money_add(INT64_MAX, 1, &r), -1);
	CHECK_INT(r, 3);
	CHECK_INT(money_add(INT64_MIN, -1, &r), -1);
	CHECK_INT(money_sub(INT64_MIN, 1, &r), -1);
	CHECK_INT(money_sub(0, INT64_MIN, &r), -1);
	CHECK_INT(money_sub(10, 25, &r), 0);
	CHECK_INT(r, -15);
	CHECK_INT(money_mul(INT64_MAX / 2 + 1, 2, &r), -1);
	CHECK_INT(money_mul(-1, INT64_MIN, &r), -1);
	CHECK_INT(money_mul(123456, 100, &r), 0);
	CHECK_INT(r, 12345600);
	CHECK_INT(money_add(INT64_MAX - 1, 1, &r), 0);
	CHECK_INT(r, INT64_MAX);
}

TEST(add_accumulates_into_its_own_operand_and_stops_at_the_first_overflow)
{
	/* The reports add many amounts with money_add(sum, x, &sum): the sum
	 * stays at the last value that fitted once an add fails. */
	const int64_t amounts[] = { 4000000000000000000, 4000000000000000000, 1223372036854775807,
		1, 5 };
	int64_t sum = 0;
	int failed_at = -1;

	for (int i = 0; i < 5; i++) {
		if (money_add(sum, amounts[i], &sum) < 0) {
			failed_at = i;
			break;
		}
	}
	CHECK_INT(failed_at, 3);
	CHECK_INT(sum, INT64_MAX);

	/* Negative sums stop at INT64_MIN the same way. */
	sum = INT64_MIN + 2;
	CHECK_INT(money_add(sum, -2, &sum), 0);
	CHECK_INT(sum, INT64_MIN);
	CHECK_INT(money_add(sum, -1, &sum), -1);
	CHECK_INT(sum, INT64_MIN);
	/* Mixed signs never overflow, however large. */
	CHECK_INT(money_add(INT64_MAX, INT64_MIN, &sum), 0);
	CHECK_INT(sum, -1);
}

TEST(sub_of_a_credit_balance_from_a_limit_reports_overflow)
{
	/* Available credit is limit - balance: a balance deep in credit does
	 * not fit, a balance one minor unit less deep does. */
	const int64_t limit = 1000000000000000; /* the largest credit limit, 10^15 */
	int64_t r = 7;

	CHECK_INT(money_sub(limit, limit - INT64_MAX - 1, &r), -1);
	CHECK_INT(r, 7);
	CHECK_INT(money_sub(limit, limit - INT64_MAX, &r), 0);
	CHECK_INT(r, INT64_MAX);
	/* Daily net: sales minus collections. */
	CHECK_INT(money_sub(INT64_MAX, 0, &r), 0);
	CHECK_INT(money_sub(0, INT64_MAX, &r), 0);
	CHECK_INT(r, -INT64_MAX);
	CHECK_INT(money_sub(-2, INT64_MAX, &r), -1);
}

TEST(currency_exponents_follow_iso_4217)
{
	CHECK_INT(currency_exponent("INR"), 2);
	CHECK_INT(currency_exponent("USD"), 2);
	CHECK_INT(currency_exponent("EUR"), 2);
	CHECK_INT(currency_exponent("JPY"), 0);
	CHECK_INT(currency_exponent("KRW"), 0);
	CHECK_INT(currency_exponent("KWD"), 3);
	CHECK_INT(currency_exponent("BHD"), 3);
	CHECK_INT(currency_exponent("OMR"), 3);
	CHECK_INT(currency_exponent("CLF"), 4);
	CHECK_INT(currency_exponent("AED"), 2);
	CHECK_INT(currency_exponent("ZWG"), 2);
	CHECK_INT(currency_exponent("XOF"), 0);
}

TEST(unknown_or_malformed_currency_codes_are_rejected)
{
	CHECK_INT(currency_exponent("XYZ"), -1);
	CHECK_INT(currency_exponent("inr"), -1);
	CHECK_INT(currency_exponent("INRR"), -1);
	CHECK_INT(currency_exponent("IN"), -1);
	CHECK_INT(currency_exponent(""), -1);
	CHECK_INT(currency_exponent(NULL), -1);
	CHECK_INT(currency_exponent("XAU"), -1); /* no minor unit */
	CHECK_INT(currency_exponent("HRK"), -1); /* withdrawn 2023 */
}

TEST(currency_symbols_for_common_codes_only)
{
	CHECK_STR(currency_symbol("INR"), "\xe2\x82\xb9");
	CHECK_STR(currency_symbol("USD"), "$");
	CHECK_STR(currency_symbol("EUR"), "\xe2\x82\xac");
	CHECK_STR(currency_symbol("GBP"), "\xc2\xa3");
	CHECK_STR(currency_symbol("JPY"), "\xc2\xa5");
	CHECK(currency_symbol("KWD") == NULL);
	CHECK(currency_symbol(NULL) == NULL);
}

TEST(parse_plain_and_grouped_amounts)
{
	CHECK_INT(parse_ok("1234.50", 2, 0, check_failed), 123450);
	CHECK_INT(parse_ok("1,23,456.5", 2, 0, check_failed), 12345650);
	CHECK_INT(parse_ok("123,456.05", 2, 0, check_failed), 12345605);
	CHECK_INT(parse_ok("\xe2\x82\xb9 1,234", 2, 0, check_failed), 123400);
	CHECK_INT(parse_ok("\xe2\x82\xb9" "5", 2, 0, check_failed), 500);
	CHECK_INT(parse_ok(" 12 ", 2, 0, check_failed), 1200);
	CHECK_INT(parse_ok("\t0.01\t", 2, 0, check_failed), 1);
	CHECK_INT(parse_ok("$1,234,567.89", 2, 0, check_failed), 123456789);
	CHECK_INT(parse_ok("Rs. 250", 2, 0, check_failed), 25000);
	CHECK_INT(parse_ok("Rs250", 2, 0, check_failed), 25000);
	CHECK_INT(parse_ok("007", 2, 0, check_failed), 700);
	CHECK_INT(parse_ok("KWD 1,234.500", 3, 0, check_failed), 1234500);
	CHECK_INT(parse_ok("-KWD 0.005", 3, 1, check_failed), -5);
	CHECK_INT(parse_ok("INR500", 2, 0, check_failed), 50000);
	CHECK_INT(parse_ok("0", 2, 0, check_failed), 0);
}

TEST(parse_accepts_dot_at_either_end_but_not_alone)
{
	CHECK_INT(parse_ok(".5", 2, 0, check_failed), 50);
	CHECK_INT(parse_ok("12.", 2, 0, check_failed), 1200);
	CHECK_STR(parse_err(".", 2, 0), "amount \".\": has no digits");
	CHECK_STR(parse_err("\xe2\x82\xb9", 2, 0), "amount \"\xe2\x82\xb9\": has no digits");
}

TEST(parse_uses_the_currency_exponent)
{
	CHECK_INT(parse_ok("500", 0, 0, check_failed), 500);
	CHECK_INT(parse_ok("1.5", 3, 0, check_failed), 1500);
	CHECK_INT(parse_ok("1.234", 3, 0, check_failed), 1234);
	CHECK_INT(parse_ok("2", 4, 0, check_failed), 20000);
	CHECK_STR(parse_err("12.5", 0, 0),
		  "amount \"12.5\": must be a whole number (this currency has no decimals)");
}

TEST(parse_rejects_more_decimals_than_the_currency_has)
{
	CHECK_STR(parse_err("12.345", 2, 0), "amount \"12.345\": at most 2 decimal places");
	CHECK_STR(parse_err("1.2345", 3, 0), "amount \"1.2345\": at most 3 decimal places");
	CHECK_STR(parse_err("1.00", 1, 0), "amount \"1.00\": at most 1 decimal place");
}

TEST(parse_negative_only_when_allowed)
{
	CHECK_STR(parse_err("-5", 2, 0), "amount \"-5\": must not be negative");
	CHECK_INT(parse_ok("-5", 2, 1, check_failed), -500);
	CHECK_INT(parse_ok("-\xe2\x82\xb9" "500.00", 2, 1, check_failed), -50000);
	CHECK_INT(parse_ok("-0", 2, 1, check_failed), 0);
	CHECK_STR(parse_err("--5", 2, 1), "amount \"--5\": not a number (use digits, commas and one decimal point)");
	CHECK_STR(parse_err("5-", 2, 1), "amount \"5-\": not a number (use digits, commas and one decimal point)");
}

TEST(parse_rejects_empty_and_garbage)
{
	CHECK_STR(parse_err("", 2, 0), "amount \"\": is empty");
	CHECK_STR(parse_err("   ", 2, 0), "amount \"   \": is empty");
	CHECK_STR(parse_err("abc", 2, 0), "amount \"abc\": not a number (use digits, commas and one decimal point)");
	CHECK_STR(parse_err("12a", 2, 0), "amount \"12a\": not a number (use digits, commas and one decimal point)");
	CHECK(strcmp(parse_err("1 000", 2, 0), "(accepted)") != 0);
	CHECK(strcmp(parse_err("1e5", 2, 0), "(accepted)") != 0);
	CHECK(strcmp(parse_err("+5", 2, 0), "(accepted)") != 0);
	CHECK(strcmp(parse_err("0x10", 2, 0), "(accepted)") != 0);
	CHECK(strcmp(parse_err("5 \xe2\x82\xb9", 2, 0), "(accepted)") != 0);
	CHECK(strcmp(parse_err("\xe2\x82", 2, 0), "(accepted)") != 0);
	CHECK(strcmp(parse_err("XYZ 5", 2, 0), "(accepted)") != 0);
	CHECK(strcmp(parse_err("inr 5", 2, 0), "(accepted)") != 0);
	CHECK_INT(money_parse(NULL, 2, 0, &(int64_t){0}, NULL, 0), -1);
}

TEST(parse_rejects_multiple_dots_and_misplaced_commas)
{
	CHECK_STR(parse_err("1.2.3", 2, 0), "amount \"1.2.3\": more than one decimal point");
	CHECK_STR(parse_err(",123", 2, 0), "amount \",123\": misplaced comma");
	CHECK_STR(parse_err("123,", 2, 0), "amount \"123,\": misplaced comma");
	CHECK_STR(parse_err("1,,23", 2, 0), "amount \"1,,23\": misplaced comma");
	CHECK_STR(parse_err("1,.5", 2, 0), "amount \"1,.5\": misplaced comma");
	CHECK_STR(parse_err("1.5,0", 2, 0), "amount \"1.5,0\": misplaced comma");
}

TEST(parse_rejects_overflow_and_accepts_the_extremes)
{
	CHECK_INT(parse_ok("92233720368547758.07", 2, 0, check_failed), INT64_MAX);
	CHECK_STR(parse_err("92233720368547758.08", 2, 0), "amount \"92233720368547758.08\": too large");
	CHECK_INT(parse_ok("-92233720368547758.08", 2, 1, check_failed), INT64_MIN);
	CHECK_STR(parse_err("-92233720368547758.09", 2, 1), "amount \"-92233720368547758.09\": too large");
	CHECK_STR(parse_err("99999999999999999999999", 0, 0), "amount \"99999999999999999999999\": too large");
	CHECK_STR(parse_err("100000000000000000", 2, 0), "amount \"100000000000000000\": too large");
}

TEST(parse_limits_input_to_64_bytes)
{
	char s[80];

	memset(s, '1', 64);
	s[64] = '\0';
	memset(s, '0', 60); /* 60 zeros + "1111" = 1111 */
	CHECK_INT(parse_ok(s, 2, 0, check_failed), 111100);
	s[64] = '1';
	s[65] = '\0';
	CHECK_STR(parse_err(s, 2, 0),
		  "amount \"0000000000000000000000000000000000000000...\": longer than 64 characters");
}

TEST(parse_error_buffer_is_always_terminated_and_may_be_null)
{
	char err[8];
	int64_t v;

	memset(err, 'x', sizeof(err));
	CHECK_INT(money_parse("abc", 2, 0, &v, err, sizeof(err)), -1);
	CHECK_INT((long long)strlen(err), 7);
	CHECK_INT(money_parse("abc", 2, 0, &v, NULL, 0), -1);
	CHECK_INT(money_parse("5", 2, 0, &v, NULL, 0), 0);
	CHECK_INT(v, 500);
	CHECK_INT(money_parse("5", -1, 0, &v, NULL, 0), -1);
	CHECK_INT(money_parse("5", 19, 0, &v, NULL, 0), -1);
	CHECK_INT(money_parse("0.000000000000000001", 18, 0, &v, NULL, 0), 0);
	CHECK_INT(v, 1);
}

TEST(parse_error_hides_control_characters)
{
	CHECK_STR(parse_err("1\n2", 2, 0), "amount \"1?2\": not a number (use digits, commas and one decimal point)");
}

TEST(format_en_in_uses_lakh_and_crore_grouping)
{
	CHECK_STR(fmt(12345650, "INR", "en-IN"), "\xe2\x82\xb9" "1,23,456.50");
	CHECK_STR(fmt(-50000, "INR", "en-IN"), "-\xe2\x82\xb9" "500.00");
	CHECK_STR(fmt(0, "INR", "en-IN"), "\xe2\x82\xb9" "0.00");
	CHECK_STR(fmt(5, "INR", "en-IN"), "\xe2\x82\xb9" "0.05");
	CHECK_STR(fmt(99999, "INR", "en-IN"), "\xe2\x82\xb9" "999.99");
	CHECK_STR(fmt(100000, "INR", "en-IN"), "\xe2\x82\xb9" "1,000.00");
	CHECK_STR(fmt(10000000, "INR", "en-IN"), "\xe2\x82\xb9" "1,00,000.00");
	CHECK_STR(fmt(1000000000, "INR", "en-IN"), "\xe2\x82\xb9" "1,00,00,000.00");
	CHECK_STR(fmt(123456789012, "INR", "hi-IN"), "\xe2\x82\xb9" "1,23,45,67,890.12");
	CHECK_STR(fmt(INT64_MAX, "INR", "en-IN"), "\xe2\x82\xb9" "92,23,37,20,36,85,47,758.07");
	CHECK_STR(fmt(INT64_MIN, "INR", "en-IN"), "-\xe2\x82\xb9" "92,23,37,20,36,85,47,758.08");
}

TEST(format_other_locales_group_by_three)
{
	CHECK_STR(fmt(123456789, "USD", "en-US"), "$1,234,567.89");
	CHECK_STR(fmt(123456789, "USD", NULL), "$1,234,567.89");
	CHECK_STR(fmt(12345650, "INR", "en-GB"), "\xe2\x82\xb9" "123,456.50");
	CHECK_STR(fmt(100000, "EUR", "de-DE"), "\xe2\x82\xac" "1,000.00");
	CHECK_STR(fmt(99999, "GBP", "en-GB"), "\xc2\xa3" "999.99");
	CHECK_STR(fmt(INT64_MIN, "USD", "en-US"), "-$92,233,720,368,547,758.08");
}

TEST(format_uses_currency_exponent_and_code_when_no_symbol)
{
	CHECK_STR(fmt(1234567, "JPY", "ja-JP"), "\xc2\xa5" "1,234,567");
	CHECK_STR(fmt(1234500, "KWD", "en-US"), "KWD 1,234.500");
	CHECK_STR(fmt(-5, "KWD", "en-US"), "-KWD 0.005");
	CHECK_STR(fmt(150, "XYZ", "en-US"), "XYZ 1.50");
	CHECK_STR(fmt(12345, "CLF", "en-US"), "CLF 1.2345");
}

TEST(format_fails_cleanly_when_buffer_too_small)
{
	char out[8];

	CHECK_INT(money_format(12345650, "INR", "en-IN", out, sizeof(out)), -1);
	CHECK_STR(out, "");
	CHECK_INT(money_format(100, "USD", "en-US", out, 6), 0); /* "$1.00" + NUL */
	CHECK_STR(out, "$1.00");
	CHECK_INT(money_format(100, "USD", "en-US", out, 5), -1);
	CHECK_INT(money_format(100, NULL, "en-US", out, sizeof(out)), -1);
	CHECK_INT(money_format(100, "USD", "en-US", out, 0), -1);
}

TEST(format_plain_has_no_symbol_or_grouping)
{
	CHECK_STR(plain(12345, 2), "123.45");
	CHECK_STR(plain(-5, 2), "-0.05");
	CHECK_STR(plain(0, 2), "0.00");
	CHECK_STR(plain(7, 0), "7");
	CHECK_STR(plain(1234567, 3), "1234.567");
	CHECK_STR(plain(INT64_MIN, 2), "-92233720368547758.08");
	CHECK_STR(plain(INT64_MAX, 0), "9223372036854775807");
	CHECK_STR(plain(1, 18), "0.000000000000000001");
	CHECK_STR(plain(1, 19), "(failed)");
	CHECK_STR(plain(1, -1), "(failed)");
}

TEST(parse_reads_back_format_plain_exactly)
{
	static const int64_t values[] = { 0, 1, -1, 99, 100, 12345, -12345, 1000000,
					  INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1 };

	for (int e = 0; e <= 4; e++) {
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			char buf[MONEY_FORMAT_MAX];
			int64_t back = 0;
			CHECK_INT(money_format_plain(values[i], e, buf, sizeof(buf)), 0);
			CHECK_INT(money_parse(buf, e, 1, &back, NULL, 0), 0);
			CHECK_INT(back, values[i]);
		}
	}
}

TEST(parse_reads_back_formatted_display_amounts)
{
	static const int64_t values[] = { 0, 5, 12345650, 100000000, INT64_MAX, INT64_MIN };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char buf[MONEY_FORMAT_MAX];
		int64_t back = 0;
		CHECK_INT(money_format(values[i], "INR", "en-IN", buf, sizeof(buf)), 0);
		CHECK_INT(money_parse(buf, 2, 1, &back, NULL, 0), 0);
		CHECK_INT(back, values[i]);
		CHECK_INT(money_format(values[i], "USD", "en-US", buf, sizeof(buf)), 0);
		CHECK_INT(money_parse(buf, 2, 1, &back, NULL, 0), 0);
		CHECK_INT(back, values[i]);
		CHECK_INT(money_format(values[i], "KWD", "en-US", buf, sizeof(buf)), 0);
		CHECK_INT(money_parse(buf, 3, 1, &back, NULL, 0), 0);
		CHECK_INT(back, values[i]);
	}
}

CHECK_MAIN()
