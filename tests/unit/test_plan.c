/* test_plan.c — plan features as a bit set. */
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

CHECK_MAIN()
