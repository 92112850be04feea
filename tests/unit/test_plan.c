/* test_plan.c — plan features as a bit set. */
#include <stdlib.h>

#include "check.h"
#include "domain/plan.h"

TEST(feature_names_round_trip)
{
	for (int f = 0; f < FEATURE_COUNT; f++) {
		enum plan_feature g;
		CHECK_INT(plan_feature_parse(plan_feature_name((enum plan_feature)f), &g), 0);
		CHECK_INT(g, f);
	}
	enum plan_feature g;
	CHECK_INT(plan_feature_parse("teleport", &g), -1);
	CHECK_INT(plan_feature_parse(NULL, &g), -1);
	CHECK_STR(plan_feature_name(FEATURE_COUNT), "");
}

TEST(a_plan_row_parses_into_its_bits)
{
	uint32_t m;
	CHECK_INT(plan_features_parse("[\"ledger\",\"reports\",\"csv_export\"]", &m), 0);
	CHECK(m & PLAN_FEATURE_BIT(FEATURE_REPORTS));
	CHECK(m & PLAN_FEATURE_BIT(FEATURE_CSV_EXPORT));
	CHECK(!(m & PLAN_FEATURE_BIT(FEATURE_API_KEYS)));
	CHECK_INT(plan_features_parse("[]", &m), 0);
	CHECK_INT(m, 0);
}

TEST(unknown_names_are_skipped_malformed_rows_give_nothing)
{
	uint32_t m;
	CHECK_INT(plan_features_parse("[\"ledger\",\"future_thing\"]", &m), 0);
	CHECK_INT(m, PLAN_FEATURE_BIT(FEATURE_LEDGER));
	CHECK_INT(plan_features_parse("{\"ledger\":true}", &m), -1);
	CHECK_INT(m, 0);
	CHECK_INT(plan_features_parse("[\"ledger\",5]", &m), -1);
	CHECK_INT(m, 0);
	CHECK_INT(plan_features_parse("not json", &m), -1);
	CHECK_INT(plan_features_parse(NULL, &m), -1);
}

TEST(features_are_written_in_one_order_and_read_back)
{
	uint32_t m = PLAN_FEATURE_BIT(FEATURE_CREDIT_LINES) | PLAN_FEATURE_BIT(FEATURE_LEDGER) |
		PLAN_FEATURE_BIT(FEATURE_REPORTS);
	char *text = plan_features_text(m);
	CHECK_STR(text, "[\"ledger\",\"reports\",\"credit_lines\"]");
	uint32_t back;
	CHECK_INT(plan_features_parse(text, &back), 0);
	CHECK_INT(back, m);
	free(text);
	text = plan_features_text(0);
	CHECK_STR(text, "[]");
	free(text);
}

TEST(plan_names_are_short_lowercase_words)
{
	CHECK(plan_name_valid("free"));
	CHECK(plan_name_valid("pro-2026_b"));
	CHECK(plan_name_valid("a"));
	CHECK(!plan_name_valid(""));
	CHECK(!plan_name_valid(NULL));
	CHECK(!plan_name_valid("Free"));
	CHECK(!plan_name_valid("2fast"));
	CHECK(!plan_name_valid("with space"));
	CHECK(!plan_name_valid("-x"));
	CHECK(plan_name_valid("abcdefghijabcdefghijabcdefghija"));   /* 31 */
	CHECK(!plan_name_valid("abcdefghijabcdefghijabcdefghijab")); /* 32 */
}

CHECK_MAIN()
