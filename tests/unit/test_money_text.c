/* Unit tests for src/domain/money_text.c */
#include "check.h"
#include "domain/money.h"
#include "domain/money_text.h"

static const char *fmt(int64_t minor, const char *currency, const char *locale)
{
	static char out[MONEY_TEXT_MAX];
	if (money_text_format(minor, currency, locale, out, sizeof(out)) != 0)
		return "(error)";
	return out;
}

TEST(en_in_uses_lakh_and_crore_grouping)
{
	CHECK_STR(fmt(12345650, "INR", "en-IN"), "₹1,23,456.50");
	CHECK_STR(fmt(0, "INR", "en-IN"), "₹0.00");
	CHECK_STR(fmt(5, "INR", "en-IN"), "₹0.05");
	CHECK_STR(fmt(99999, "INR", "en-IN"), "₹999.99");
	CHECK_STR(fmt(100000, "INR", "en-IN"), "₹1,000.00");
	CHECK_STR(fmt(9999999, "INR", "en-IN"), "₹99,999.99");
	CHECK_STR(fmt(10000000, "INR", "en-IN"), "₹1,00,000.00");
	CHECK_STR(fmt(1000000000, "INR", "en-IN"), "₹1,00,00,000.00");
	CHECK_STR(fmt(123456789012, "INR", "en-IN"), "₹1,23,45,67,890.12");
	CHECK_STR(fmt(12345650, "INR", "en_IN"), "₹1,23,456.50");
}

TEST(hindi_locales_use_the_same_digits_and_grouping)
{
	CHECK_STR(fmt(12345650, "INR", "hi-IN"), "₹1,23,456.50");
	CHECK_STR(fmt(12345650, "INR", "hi"), "₹1,23,456.50");
	CHECK_STR(fmt(12345650, "INR", "mr-IN"), "₹1,23,456.50");
	CHECK_STR(fmt(12345650, "INR", "ta-in"), "₹1,23,456.50");
}

TEST(other_locales_group_by_three)
{
	CHECK_STR(fmt(123450, "USD", "en-US"), "$1,234.50");
	CHECK_STR(fmt(123456789, "USD", "en-US"), "$1,234,567.89");
	CHECK_STR(fmt(12345650, "INR", "en-US"), "₹123,456.50");
	CHECK_STR(fmt(12345650, "INR", NULL), "₹123,456.50");
	CHECK_STR(fmt(12345650, "INR", ""), "₹123,456.50");
	CHECK_STR(fmt(100000, "EUR", "de-DE"), "€1,000.00");
	CHECK_STR(fmt(99, "GBP", "en-GB"), "£0.99");
	/* "hindi" is not "hi", and "IN" alone is no region subtag. */
	CHECK_STR(fmt(12345650, "INR", "hindi"), "₹123,456.50");
	CHECK_STR(fmt(12345650, "INR", "IN"), "₹123,456.50");
}

TEST(every_currency_gets_its_own_exponent)
{
	CHECK_STR(fmt(1500, "JPY", "en-US"), "¥1,500");
	CHECK_STR(fmt(1500, "JPY", "en-IN"), "¥1,500");
	CHECK_STR(fmt(1234500, "KWD", "en-US"), "KWD 1,234.500");
	CHECK_STR(fmt(5, "KWD", "en-US"), "KWD 0.005");
	CHECK_STR(fmt(12345, "CLF", "en-US"), "CLF 1.2345");
	CHECK_STR(fmt(7, "KRW", "en-US"), "KRW 7");
	CHECK_STR(fmt(123450, "AED", "en-AE"), "AED 1,234.50");
	CHECK_STR(fmt(-123450, "AED", "en-AE"), "-AED 1,234.50");
	CHECK_STR(fmt(123450, "SGD", "en-SG"), "SGD 1,234.50");
}

TEST(negative_amounts_lead_with_a_minus)
{
	CHECK_STR(fmt(-50000, "INR", "en-IN"), "-₹500.00");
	CHECK_STR(fmt(-1, "INR", "en-IN"), "-₹0.01");
	CHECK_STR(fmt(-50000000, "INR", "en-IN"), "-₹5,00,000.00");
	CHECK_STR(fmt(-123450, "USD", "en-US"), "-$1,234.50");
	CHECK_STR(fmt(-1500, "JPY", NULL), "-¥1,500");
}

TEST(int64_extremes_are_exact)
{
	CHECK_STR(fmt(INT64_MAX, "INR", "en-IN"), "₹92,23,37,20,36,85,47,758.07");
	CHECK_STR(fmt(INT64_MIN, "INR", "en-IN"), "-₹92,23,37,20,36,85,47,758.08");
	CHECK_STR(fmt(INT64_MAX, "USD", "en-US"), "$92,233,720,368,547,758.07");
	CHECK_STR(fmt(INT64_MIN, "USD", "en-US"), "-$92,233,720,368,547,758.08");
	CHECK_STR(fmt(INT64_MAX, "JPY", "en-US"), "¥9,223,372,036,854,775,807");
	CHECK_STR(fmt(INT64_MIN, "JPY", "en-IN"), "-¥92,23,37,20,36,85,47,75,808");
	CHECK_STR(fmt(INT64_MIN, "AED", "en-IN"), "-AED 92,23,37,20,36,85,47,758.08");
	CHECK_STR(fmt(INT64_MIN, "CLF", "en-US"), "-CLF 922,337,203,685,477.5808");
	CHECK_STR(fmt(MONEY_AMOUNT_MAX, "INR", "en-IN"), "₹10,00,00,00,00,000.00");
}

TEST(the_limit_buffer_holds_the_longest_output)
{
	char out[MONEY_TEXT_MAX];
	const char *codes[] = { "INR", "AED", "KWD", "CLF", "JPY", "USD" };
	const char *locales[] = { "en-IN", "en-US" };
	for (size_t c = 0; c < 6; c++)
		for (size_t l = 0; l < 2; l++) {
			CHECK_INT(money_text_format(INT64_MIN, codes[c], locales[l], out, sizeof out), 0);
			CHECK(strlen(out) < MONEY_TEXT_MAX);
		}
}

TEST(formatted_text_parses_back_to_the_same_amount)
{
	const int64_t amounts[] = { 0, 1, -1, 99, 12345650, -50000000, INT64_MAX, INT64_MIN + 1 };
	for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
		int64_t back = 0;
		CHECK_INT(money_parse(fmt(amounts[i], "INR", "en-IN"), 2, 1, &back, NULL, 0), 0);
		CHECK_INT(back, amounts[i]);
		CHECK_INT(money_parse(fmt(amounts[i], "KWD", "en-US"), 3, 1, &back, NULL, 0), 0);
		CHECK_INT(back, amounts[i]);
	}
}

TEST(unknown_currencies_and_small_buffers_are_errors)
{
	char out[16];
	CHECK_INT(money_text_format(100, "XXX", "en-IN", out, sizeof out), -1);
	CHECK_STR(out, "");
	CHECK_INT(money_text_format(100, "inr", "en-IN", out, sizeof out), -1);
	CHECK_INT(money_text_format(100, NULL, "en-IN", out, sizeof out), -1);
	CHECK_INT(money_text_format(100, "INR", "en-IN", NULL, 0), -1);
	/* "₹1.00" is 7 bytes: 8 fit, 7 do not. */
	CHECK_INT(money_text_format(100, "INR", "en-IN", out, 8), 0);
	CHECK_STR(out, "₹1.00");
	CHECK_INT(money_text_format(100, "INR", "en-IN", out, 7), -1);
	CHECK_STR(out, "");
}

TEST(symbols_cover_the_common_currencies)
{
	CHECK_STR(money_text_symbol("INR"), "₹");
	CHECK_STR(money_text_symbol("USD"), "$");
	CHECK_STR(money_text_symbol("EUR"), "€");
	CHECK_STR(money_text_symbol("GBP"), "£");
	CHECK_STR(money_text_symbol("JPY"), "¥");
	CHECK_STR(money_text_symbol("AED"), "AED ");
	CHECK(money_text_symbol("KWD") == NULL);
	CHECK_STR(money_text_symbol(NULL), "");
}

CHECK_MAIN()
