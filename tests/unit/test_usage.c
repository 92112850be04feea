/* test_usage.c — minutes, days, the last-minute estimate and limit states. */
#include "check.h"
#include "domain/usage.h"

TEST(minutes_and_days_round_down_also_before_1970)
{
	CHECK_INT(usage_minute_of(0), 0);
	CHECK_INT(usage_minute_of(59999), 0);
	CHECK_INT(usage_minute_of(60000), 1);
	CHECK_INT(usage_minute_of(-1), -1);
	CHECK_INT(usage_day_of(86399999), 0);
	CHECK_INT(usage_day_of(86400000), 1);
	CHECK_INT(usage_day_of(-1), -1);
	/* 2026-03-02T10:00:00Z */
	int64_t t = 1772445600000LL;
	CHECK_INT(usage_day_of_minute(usage_minute_of(t)), usage_day_of(t));
	CHECK_INT(usage_day_of_minute(1439), 0);
	CHECK_INT(usage_day_of_minute(1440), 1);
}

TEST(last_minute_takes_the_part_of_the_previous_minute_still_inside_60_seconds)
{
	CHECK_INT(usage_last_minute(5, 0, 30000), 5);
	CHECK_INT(usage_last_minute(5, 60, 0), 65);
	CHECK_INT(usage_last_minute(5, 60, 30000), 35);
	CHECK_INT(usage_last_minute(5, 60, 45000), 20);
	CHECK_INT(usage_last_minute(0, 1, 30000), 1);   /* 0.5 rounds up */
	CHECK_INT(usage_last_minute(0, 1, 31000), 0);
	CHECK_INT(usage_last_minute(7, 100, 60000), 7);
	CHECK_INT(usage_last_minute(7, 100, -5), 107);
	CHECK_INT(usage_last_minute(INT64_MAX, INT64_MAX, 0), INT64_MAX);
}

TEST(limits_are_ok_near_from_80_percent_reached_at_the_limit_or_over)
{
	int pct;
	CHECK_INT(usage_state_of(10, -1, &pct), USAGE_UNLIMITED);
	CHECK_INT(pct, 0);
	CHECK_INT(usage_state_of(39, 50, &pct), USAGE_OK);
	CHECK_INT(pct, 78);
	CHECK_INT(usage_state_of(40, 50, &pct), USAGE_NEAR);
	CHECK_INT(pct, 80);
	CHECK_INT(usage_state_of(49, 50, &pct), USAGE_NEAR);
	CHECK_INT(usage_state_of(50, 50, &pct), USAGE_REACHED);
	CHECK_INT(pct, 100);
	CHECK_INT(usage_state_of(75, 50, &pct), USAGE_REACHED);
	CHECK_INT(pct, 150);
	CHECK_INT(usage_state_of(0, 0, &pct), USAGE_REACHED);
	CHECK_INT(pct, 100);
	CHECK_INT(usage_state_of(INT64_MAX, 1, &pct), USAGE_REACHED);
	CHECK_INT(pct, 1000);
	/* Integer arithmetic at the ends of int64: one short of the limit is
	 * 99 %, never rounded up to 100. */
	CHECK_INT(usage_state_of(INT64_MAX - 1, INT64_MAX, &pct), USAGE_NEAR);
	CHECK_INT(pct, 99);
	CHECK_INT(usage_state_of(INT64_MAX / 5 * 4, INT64_MAX / 5 * 5, &pct), USAGE_NEAR);
	CHECK_INT(pct, 80);
	CHECK_INT(usage_state_of(-3, 50, NULL), USAGE_OK);
	CHECK_STR(usage_state_name(USAGE_NEAR), "near");
	CHECK_STR(usage_state_name(USAGE_UNLIMITED), "unlimited");
}

CHECK_MAIN()
