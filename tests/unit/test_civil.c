/* Unit tests for src/util/civil.c (uses src/util/tz.c for zones) */
#include "check.h"
#include "util/civil.h"
#include "util/tz.h"

static int64_t date(const char *s, int *check_failed)
{
	int64_t d = 0;

	if (civil_parse_date(s, &d) != 0) {
		fprintf(stderr, "  civil_parse_date(\"%s\") failed\n", s);
		*check_failed = 1;
	}
	return d;
}

static int64_t rfc(const char *s, int *check_failed)
{
	int64_t ms = 0;

	if (civil_parse_rfc3339(s, &ms) != 0) {
		fprintf(stderr, "  civil_parse_rfc3339(\"%s\") failed\n", s);
		*check_failed = 1;
	}
	return ms;
}

static int rfc_rejects(const char *s)
{
	int64_t ms = 42;

	return civil_parse_rfc3339(s, &ms) == -1 && ms == 42;
}

static const char *fmt_rfc(int64_t ms)
{
	static char out[25];

	civil_format_rfc3339(ms, out);
	return out;
}

static const char *fmt_date(int64_t days)
{
	static char out[11];

	civil_format_date(days, out);
	return out;
}

TEST(days_from_ymd_known_values)
{
	CHECK_INT(civil_days_from_ymd(1970, 1, 1), 0);
	CHECK_INT(civil_days_from_ymd(1969, 12, 31), -1);
	CHECK_INT(civil_days_from_ymd(2000, 3, 1), 11017);
	CHECK_INT(civil_days_from_ymd(1900, 1, 1), -25567);
	CHECK_INT(civil_days_from_ymd(2026, 11, 29), 20786);
	CHECK_INT(civil_days_from_ymd(9999, 12, 31), 2932896);
	CHECK_INT(civil_days_from_ymd(0, 1, 1), -719528);
	CHECK_INT(civil_days_from_ymd(2026, 2, 30), civil_days_from_ymd(2026, 3, 2));
}

TEST(ymd_from_days_inverts_days_from_ymd)
{
	int prev_y = -1, prev_m = 12, prev_d = 31;

	for (int64_t days = -719528; days <= 2932896; days++) {
		int y, m, d;
		civil_ymd_from_days(days, &y, &m, &d);
		if (civil_days_from_ymd(y, m, d) != days) {
			CHECK_INT(civil_days_from_ymd(y, m, d), days);
			break;
		}
		/* consecutive days: the next date in the calendar */
		if (!((y == prev_y && m == prev_m && d == prev_d + 1) ||
		      (y == prev_y && m == prev_m + 1 && d == 1) ||
		      (y == prev_y + 1 && m == 1 && d == 1))) {
			CHECK(0);
			break;
		}
		prev_y = y;
		prev_m = m;
		prev_d = d;
	}
}

TEST(ymd_from_days_clamps_extreme_inputs)
{
	int y, m, d;

	civil_ymd_from_days(INT64_MAX, &y, &m, &d);
	CHECK(y > 1000000000);
	civil_ymd_from_days(INT64_MIN, &y, &m, &d);
	CHECK(y < -1000000000);
}

TEST(parse_date_is_strict_yyyy_mm_dd)
{
	int64_t d = 99;

	CHECK_INT(date("2026-11-29", check_failed), 20786);
	CHECK_INT(date("1970-01-01", check_failed), 0);
	CHECK_INT(date("1900-01-01", check_failed), -25567);
	CHECK_INT(date("9999-12-31", check_failed), 2932896);
	CHECK_INT(civil_parse_date("2026-1-01", &d), -1);
	CHECK_INT(civil_parse_date("2026-01-1", &d), -1);
	CHECK_INT(civil_parse_date("2026/01/01", &d), -1);
	CHECK_INT(civil_parse_date("2026-01-01 ", &d), -1);
	CHECK_INT(civil_parse_date(" 2026-01-01", &d), -1);
	CHECK_INT(civil_parse_date("2026-01-01T00:00:00Z", &d), -1);
	CHECK_INT(civil_parse_date("20260101", &d), -1);
	CHECK_INT(civil_parse_date("", &d), -1);
	CHECK_INT(civil_parse_date("+026-01-01", &d), -1);
	CHECK_INT(civil_parse_date(NULL, &d), -1);
	CHECK_INT(d, 99);
}

TEST(parse_date_requires_a_real_calendar_date)
{
	int64_t d;

	CHECK_INT(civil_parse_date("2024-02-29", &d), 0);
	CHECK_INT(civil_parse_date("2000-02-29", &d), 0);
	CHECK_INT(civil_parse_date("2026-02-29", &d), -1);
	CHECK_INT(civil_parse_date("1900-02-29", &d), -1);
	CHECK_INT(civil_parse_date("2026-04-31", &d), -1);
	CHECK_INT(civil_parse_date("2026-12-32", &d), -1);
	CHECK_INT(civil_parse_date("2026-13-01", &d), -1);
	CHECK_INT(civil_parse_date("2026-00-10", &d), -1);
	CHECK_INT(civil_parse_date("2026-01-00", &d), -1);
}

TEST(parse_date_years_1900_to_9999)
{
	int64_t d;

	CHECK_INT(civil_parse_date("1899-12-31", &d), -1);
	CHECK_INT(civil_parse_date("0000-01-01", &d), -1);
	CHECK_INT(civil_parse_date("10000-01-01", &d), -1);
}

TEST(format_date_and_clamping)
{
	CHECK_STR(fmt_date(0), "1970-01-01");
	CHECK_STR(fmt_date(20786), "2026-11-29");
	CHECK_STR(fmt_date(-1), "1969-12-31");
	CHECK_STR(fmt_date(INT64_MAX), "9999-12-31");
	CHECK_STR(fmt_date(INT64_MIN), "0000-01-01");
}

TEST(format_rfc3339_utc_with_milliseconds)
{
	int64_t ms = (civil_days_from_ymd(2026, 11, 29) * 86400 + 16 * 3600 + 7 * 60 + 11) * 1000 + 123;

	CHECK_STR(fmt_rfc(ms), "2026-11-29T16:07:11.123Z");
	CHECK_STR(fmt_rfc(0), "1970-01-01T00:00:00.000Z");
	CHECK_STR(fmt_rfc(-1), "1969-12-31T23:59:59.999Z");
	CHECK_STR(fmt_rfc(5), "1970-01-01T00:00:00.005Z");
	CHECK_STR(fmt_rfc(951782400123LL), "2000-02-29T00:00:00.123Z");   /* leap day 2000 */
	CHECK_STR(fmt_rfc(1709251199999LL), "2024-02-29T23:59:59.999Z");
	CHECK_STR(fmt_rfc(4107542400000LL), "2100-03-01T00:00:00.000Z");  /* 2100 is not leap */
	CHECK_STR(fmt_rfc(-62135596800001LL), "0000-12-31T23:59:59.999Z");
	CHECK_STR(fmt_rfc(INT64_MAX), "9999-12-31T23:59:59.999Z");
	CHECK_STR(fmt_rfc(INT64_MIN), "0000-01-01T00:00:00.000Z");
}

TEST(parse_rfc3339_accepts_z_and_offsets)
{
	int64_t ms = (civil_days_from_ymd(2026, 11, 29) * 86400 + 16 * 3600 + 7 * 60 + 11) * 1000 + 123;

	CHECK_INT(rfc("2026-11-29T16:07:11.123Z", check_failed), ms);
	CHECK_INT(rfc("2026-11-29t16:07:11.123z", check_failed), ms);
	CHECK_INT(rfc("2026-11-29T21:37:11.123+05:30", check_failed), ms);
	CHECK_INT(rfc("2026-11-29T11:07:11.123-05:00", check_failed), ms);
	CHECK_INT(rfc("2026-11-29T16:07:11.123-00:00", check_failed), ms);
	CHECK_INT(rfc("2026-11-29T16:07:11Z", check_failed), ms - 123);
	CHECK_INT(rfc("2026-11-30T02:07:11.123+10:00", check_failed), ms);
	CHECK_INT(rfc("1969-12-31T23:59:59.999Z", check_failed), -1);
	CHECK_INT(rfc("0000-01-01T00:00:00Z", check_failed), -719528LL * 86400000);
}

TEST(parse_rfc3339_fraction_is_truncated_to_milliseconds)
{
	int64_t base = rfc("2026-01-01T00:00:00Z", check_failed);

	CHECK_INT(rfc("2026-01-01T00:00:00.1Z", check_failed), base + 100);
	CHECK_INT(rfc("2026-01-01T00:00:00.12Z", check_failed), base + 120);
	CHECK_INT(rfc("2026-01-01T00:00:00.1239Z", check_failed), base + 123);
	CHECK_INT(rfc("2026-01-01T00:00:00.999999999Z", check_failed), base + 999);
	CHECK(rfc_rejects("2026-01-01T00:00:00.1234567891Z"));
	CHECK(rfc_rejects("2026-01-01T00:00:00.Z"));
}

TEST(parse_rfc3339_rejects_malformed_times)
{
	CHECK(rfc_rejects("2026-11-29 16:07:11Z"));
	CHECK(rfc_rejects("2026-11-29T16:07:11"));
	CHECK(rfc_rejects("2026-11-29T16:07Z"));
	CHECK(rfc_rejects("2026-11-29T24:00:00Z"));
	CHECK(rfc_rejects("2026-11-29T23:60:00Z"));
	CHECK(rfc_rejects("2026-11-29T23:59:60Z"));
	CHECK(rfc_rejects("2026-11-29T16:07:11+0530"));
	CHECK(rfc_rejects("2026-11-29T16:07:11+05"));
	CHECK(rfc_rejects("2026-11-29T16:07:11+24:00"));
	CHECK(rfc_rejects("2026-11-29T16:07:11+05:60"));
	CHECK(rfc_rejects("2026-11-29T16:07:11Z "));
	CHECK(rfc_rejects("2026-11-29T16:07:11ZZ"));
	CHECK(rfc_rejects("2026-02-30T16:07:11Z"));
	CHECK(rfc_rejects("2026-11-29"));
	CHECK(rfc_rejects(""));
	CHECK(rfc_rejects("2026-11-29T16:07:11.123456789000000000000000000000000000000000000000000000000Z"));
	CHECK_INT(civil_parse_rfc3339(NULL, &(int64_t){0}), -1);
}

TEST(rfc3339_round_trips)
{
	for (int64_t ms = -5000000000000; ms < 250000000000000; ms += 987654321987) {
		int64_t back = 0;
		CHECK_INT(civil_parse_rfc3339(fmt_rfc(ms), &back), 0);
		CHECK_INT(back, ms);
	}
}

TEST(local_days_follow_the_zone)
{
	int64_t d = 0, ms = rfc("2026-11-29T18:30:00Z", check_failed);

	CHECK_INT(civil_local_days(ms, "Asia/Kolkata", &d), 0);
	CHECK_INT(d, civil_days_from_ymd(2026, 11, 30));
	CHECK_INT(civil_local_days(ms - 1, "Asia/Kolkata", &d), 0);
	CHECK_INT(d, civil_days_from_ymd(2026, 11, 29));
	CHECK_INT(civil_local_days(ms, "UTC", &d), 0);
	CHECK_INT(d, civil_days_from_ymd(2026, 11, 29));
	CHECK_INT(civil_local_days(rfc("2026-07-01T03:59:59.999Z", check_failed), "America/New_York", &d), 0);
	CHECK_INT(d, civil_days_from_ymd(2026, 6, 30));
	CHECK_INT(civil_local_days(-1, "UTC", &d), 0);
	CHECK_INT(d, -1);
	CHECK_INT(civil_local_days(ms, "No/Such_Zone", &d), -1);
	CHECK_INT(civil_local_days(INT64_MAX, "Asia/Kolkata", &d), -1);
}

TEST(local_midnight_in_zones_with_and_without_dst)
{
	int64_t ms = 0;

	CHECK_INT(civil_local_midnight_ms(date("2026-11-30", check_failed), "Asia/Kolkata", &ms), 0);
	CHECK_INT(ms, rfc("2026-11-29T18:30:00Z", check_failed));
	CHECK_INT(civil_local_midnight_ms(date("2026-03-08", check_failed), "America/New_York", &ms), 0);
	CHECK_INT(ms, rfc("2026-03-08T05:00:00Z", check_failed));
	CHECK_INT(civil_local_midnight_ms(date("2026-03-09", check_failed), "America/New_York", &ms), 0);
	CHECK_INT(ms, rfc("2026-03-09T04:00:00Z", check_failed));
	CHECK_INT(civil_local_midnight_ms(date("2026-01-01", check_failed), "UTC", &ms), 0);
	CHECK_INT(ms, rfc("2026-01-01T00:00:00Z", check_failed));
	CHECK_INT(civil_local_midnight_ms(0, "Nope", &ms), -1);
	CHECK_INT(civil_local_midnight_ms(INT64_MAX, "UTC", &ms), -1);
}

TEST(local_midnight_skipped_by_dst_starts_the_day_at_the_transition)
{
	int64_t ms = 0;

	/* Sao Paulo 2018-11-04: clocks went from 00:00 to 01:00 (-03 -> -02) */
	CHECK_INT(civil_local_midnight_ms(date("2018-11-04", check_failed), "America/Sao_Paulo", &ms), 0);
	CHECK_INT(ms, rfc("2018-11-04T03:00:00Z", check_failed));
	/* 2019-02-17 00:00 -02 became 2019-02-16 23:00 -03: the 17th starts at 03:00Z */
	CHECK_INT(civil_local_midnight_ms(date("2019-02-17", check_failed), "America/Sao_Paulo", &ms), 0);
	CHECK_INT(ms, rfc("2019-02-17T03:00:00Z", check_failed));
}

TEST(local_midnight_is_the_first_instant_of_the_local_day)
{
	static const char *const zones[] = { "Asia/Kolkata", "America/New_York", "Australia/Lord_Howe",
					     "Pacific/Apia", "America/Sao_Paulo", "Europe/London", "UTC" };

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		for (int64_t days = -20000; days < 40000; days += 37) {
			int64_t ms, d1, d0;
			CHECK_INT(civil_local_midnight_ms(days, zones[z], &ms), 0);
			CHECK_INT(civil_local_days(ms, zones[z], &d1), 0);
			CHECK_INT(civil_local_days(ms - 1, zones[z], &d0), 0);
			if (d1 != days || d0 >= days) {
				fprintf(stderr, "  %s day %lld\n", zones[z], (long long)days);
				CHECK(0);
				break;
			}
		}
	}
	tz_cache_release();
}

CHECK_MAIN()
