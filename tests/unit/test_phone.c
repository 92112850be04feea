/* Unit tests for src/domain/phone.c */
#include "check.h"
#include "domain/phone.h"

static const char *norm(const char *in, const char *cc)
{
	static char out[PHONE_E164_MAX];
	static char err[160];

	if (phone_normalize(in, cc, out, sizeof(out), err, sizeof(err)) != 0)
		return err;
	return out;
}

static const char *const bad_mobile =
	": must be a 10-digit mobile number or +country code and number";

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

TEST(indian_bare_ten_digit_mobile_gets_plus_91)
{
	CHECK_STR(norm("9876543210", "+91"), "+919876543210");
	CHECK_STR(norm("98765 43210", "+91"), "+919876543210");
	CHECK_STR(norm("98765-43210", "+91"), "+919876543210");
	CHECK_STR(norm("(987) 654.3210", "+91"), "+919876543210");
	CHECK_STR(norm(" 6000000000 ", "+91"), "+916000000000");
}

TEST(indian_trunk_zero_and_91_prefix_are_understood)
{
	CHECK_STR(norm("09876543210", "+91"), "+919876543210");
	CHECK_STR(norm("919876543210", "+91"), "+919876543210");
	CHECK_STR(norm("0091 98765 43210", "+91"), "+919876543210");
	CHECK_STR(norm("+91 98765 43210", "+91"), "+919876543210");
	CHECK_STR(norm("+91-98765-43210", "+1"), "+919876543210");
}

TEST(indian_mobiles_must_start_with_6_to_9)
{
	CHECK_STR(norm("5876543210", "+91"),
		  "phone \"5876543210\": India mobile numbers are 10 digits starting with 6-9");
	CHECK_STR(norm("+91 1234567890", "+91"),
		  "phone \"+91 1234567890\": India mobile numbers are 10 digits starting with 6-9");
	CHECK_STR(norm("+91987654321", "+91"),
		  "phone \"+91987654321\": India mobile numbers are 10 digits starting with 6-9");
	CHECK_STR(norm("+9198765432101", "+44"),
		  "phone \"+9198765432101\": India mobile numbers are 10 digits starting with 6-9");
}

TEST(wrong_length_indian_number_gets_the_spec_message)
{
	CHECK_STR(norm("12345", "+91"),
		  "phone \"12345\": must be a 10-digit mobile number or +country code and number");
	CHECK(ends_with(norm("987654321", "+91"), bad_mobile));
	CHECK(ends_with(norm("98765432101", "+91"), bad_mobile));
}

TEST(other_country_codes_prepend_and_drop_one_trunk_zero)
{
	CHECK_STR(norm("07911 123456", "+44"), "+447911123456");
	CHECK_STR(norm("7911 123456", "+44"), "+447911123456");
	CHECK_STR(norm("030 1234567", "+49"), "+49301234567");
	CHECK_STR(norm("+44 7911 123456", "+91"), "+447911123456");
	CHECK_STR(norm("0044 7911 123456", "+91"), "+447911123456");
	CHECK_STR(norm("050 123 4567", "+971"), "+971501234567");
}

TEST(nanp_numbers_accept_a_leading_1)
{
	CHECK_STR(norm("(415) 555-2671", "+1"), "+14155552671");
	CHECK_STR(norm("1 415 555 2671", "+1"), "+14155552671");
	CHECK_STR(norm("+1 415 555 2671", "+91"), "+14155552671");
}

TEST(e164_length_is_8_to_15_digits)
{
	CHECK_STR(norm("+1234567", "+91"),
		  "phone \"+1234567\": must have 8 to 15 digits including the country code");
	CHECK_STR(norm("+12345678", "+91"), "+12345678");
	CHECK_STR(norm("+123456789012345", "+91"), "+123456789012345");
	CHECK_STR(norm("+1234567890123456", "+91"),
		  "phone \"+1234567890123456\": must have 8 to 15 digits including the country code");
	CHECK_STR(norm("12", "+44"),
		  "phone \"12\": must be a national number or +country code and number");
}

TEST(country_code_cannot_start_with_zero)
{
	CHECK_STR(norm("+0123456789", "+91"),
		  "phone \"+0123456789\": country code must not start with 0");
	CHECK_STR(norm("000123456789", "+91"),
		  "phone \"000123456789\": country code must not start with 0");
}

TEST(phone_rejects_letters_and_misplaced_plus)
{
	CHECK_STR(norm("98765abc10", "+91"),
		  "phone \"98765abc10\": may contain only digits, spaces, dashes, dots, parentheses and a leading +");
	CHECK(!ends_with(norm("98+76543210", "+91"), "10"));
	CHECK(!ends_with(norm("++919876543210", "+91"), "10"));
	CHECK(!ends_with(norm("9876543210/", "+91"), "10"));
	CHECK_STR(norm("", "+91"), "phone \"\": is empty");
	CHECK_STR(norm(" - ", "+91"), "phone \" - \": has no digits");
	CHECK_STR(norm("+", "+91"), "phone \"+\": has no digits");
}

TEST(phone_input_is_limited_to_32_characters)
{
	CHECK_STR(norm("+91 98765 43210                 ", "+91"), "+919876543210");
	CHECK_STR(norm("+91 98765 43210                  ", "+91"),
		  "phone \"+91 98765 43210                  \": longer than 32 characters");
}

TEST(phone_rejects_an_invalid_country_code_setting)
{
	CHECK_STR(norm("9876543210", "91"), "country code \"91\": must be + and 1-3 digits");
	CHECK_STR(norm("9876543210", NULL), "country code \"\": must be + and 1-3 digits");
}

TEST(phone_output_buffer_must_fit)
{
	char out[13];

	CHECK_INT(phone_normalize("9876543210", "+91", out, sizeof(out), NULL, 0), -1);
	CHECK_STR(out, "");
	CHECK_INT(phone_normalize("9876543210", "+91", out, 0, NULL, 0), -1);
	CHECK_INT(phone_normalize(NULL, "+91", out, sizeof(out), NULL, 0), -1);
}

TEST(country_code_valid_is_plus_and_one_to_three_digits)
{
	CHECK_INT(phone_country_code_valid("+1"), 0);
	CHECK_INT(phone_country_code_valid("+91"), 0);
	CHECK_INT(phone_country_code_valid("+999"), 0);
	CHECK_INT(phone_country_code_valid("+0"), -1);
	CHECK_INT(phone_country_code_valid("+1000"), -1);
	CHECK_INT(phone_country_code_valid("+"), -1);
	CHECK_INT(phone_country_code_valid("91"), -1);
	CHECK_INT(phone_country_code_valid("+9a"), -1);
	CHECK_INT(phone_country_code_valid(""), -1);
	CHECK_INT(phone_country_code_valid(NULL), -1);
}

CHECK_MAIN()
