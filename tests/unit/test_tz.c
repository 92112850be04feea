/* Unit tests for src/util/tz.c */
#include "check.h"
#include "util/civil.h"
#include "util/tz.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static int64_t utc(int y, int m, int d, int hh, int mm, int ss)
{
	return civil_days_from_ymd(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

static int32_t off(const char *zone, int64_t t, int *check_failed)
{
	int32_t o = -999999;

	if (tz_offset(zone, t, &o) != 0) {
		fprintf(stderr, "  tz_offset(\"%s\", %lld) failed\n", zone, (long long)t);
		*check_failed = 1;
	}
	return o;
}

/* ---- building TZif blobs in memory ---- */

struct blob {
	unsigned char b[4096];
	size_t n;
};

static void put8(struct blob *b, unsigned v) { b->b[b->n++] = (unsigned char)v; }
static void put32(struct blob *b, uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		put8(b, (v >> (i * 8)) & 0xff);
}
static void put64(struct blob *b, int64_t v)
{
	put32(b, (uint32_t)((uint64_t)v >> 32));
	put32(b, (uint32_t)v);
}

static void header(struct blob *b, char version, uint32_t timecnt, uint32_t typecnt, uint32_t charcnt)
{
	memcpy(b->b + b->n, "TZif", 4);
	b->n += 4;
	put8(b, (unsigned char)version);
	for (int i = 0; i < 15; i++)
		put8(b, 0);
	put32(b, 0);       /* isutcnt */
	put32(b, 0);       /* isstdcnt */
	put32(b, 0);       /* leapcnt */
	put32(b, timecnt);
	put32(b, typecnt);
	put32(b, charcnt);
}

/* A zone with transitions at times[] to types[] (offsets in utoffs), v2 with footer. */
static void build(struct blob *b, char version, const int64_t *times, const uint8_t *idx,
		  size_t nt, const int32_t *utoffs, size_t ntypes, const char *footer)
{
	b->n = 0;
	/* v1 block: empty except one type (readers of v2+ skip it) */
	header(b, version, version ? 0 : (uint32_t)nt, version ? 1 : (uint32_t)ntypes, 4);
	if (version == 0) {
		for (size_t i = 0; i < nt; i++)
			put32(b, (uint32_t)(int32_t)times[i]);
		for (size_t i = 0; i < nt; i++)
			put8(b, idx[i]);
		for (size_t i = 0; i < ntypes; i++) {
			put32(b, (uint32_t)utoffs[i]);
			put8(b, 0);
			put8(b, 0);
		}
		memcpy(b->b + b->n, "ABC", 4);
		b->n += 4;
		return;
	}
	put32(b, 0);
	put8(b, 0);
	put8(b, 0);
	memcpy(b->b + b->n, "ABC", 4);
	b->n += 4;
	header(b, version, (uint32_t)nt, (uint32_t)ntypes, 4);
	for (size_t i = 0; i < nt; i++)
		put64(b, times[i]);
	for (size_t i = 0; i < nt; i++)
		put8(b, idx[i]);
	for (size_t i = 0; i < ntypes; i++) {
		put32(b, (uint32_t)utoffs[i]);
		put8(b, 0);
		put8(b, 0);
	}
	memcpy(b->b + b->n, "ABC", 4);
	b->n += 4;
	if (footer) {
		size_t fl = strlen(footer);
		put8(b, '\n');
		memcpy(b->b + b->n, footer, fl);
		b->n += fl;
		put8(b, '\n');
	}
}

/* Offset at t of a zone that is only a footer rule (no transitions). */
static int32_t rule_off(const char *footer, int64_t t, int *check_failed)
{
	struct blob b;
	struct tz_zone *z;
	int32_t utoff = 0, o;

	build(&b, '2', NULL, NULL, 0, &utoff, 1, footer);
	z = tz_parse(b.b, b.n);
	CHECK(z != NULL);
	if (!z)
		return -999999;
	o = tz_zone_offset(z, t);
	tz_free(z);
	return o;
}

TEST(kolkata_is_always_plus_0530_since_1945)
{
	CHECK_INT(off("Asia/Kolkata", 0, check_failed), 19800);
	CHECK_INT(off("Asia/Kolkata", utc(2026, 11, 29, 16, 7, 11), check_failed), 19800);
	CHECK_INT(off("Asia/Kolkata", utc(2200, 1, 1, 0, 0, 0), check_failed), 19800);
}

TEST(new_york_switches_at_the_dst_transitions)
{
	int64_t spring = utc(2026, 3, 8, 7, 0, 0), fall = utc(2026, 11, 1, 6, 0, 0);

	CHECK_INT(off("America/New_York", utc(2026, 1, 15, 12, 0, 0), check_failed), -18000);
	CHECK_INT(off("America/New_York", utc(2026, 7, 1, 12, 0, 0), check_failed), -14400);
	CHECK_INT(off("America/New_York", spring - 1, check_failed), -18000);
	CHECK_INT(off("America/New_York", spring, check_failed), -14400);
	CHECK_INT(off("America/New_York", fall - 1, check_failed), -14400);
	CHECK_INT(off("America/New_York", fall, check_failed), -18000);
}

TEST(times_past_the_table_use_the_footer_rule)
{
	/* 2100 is past the 2037 end of the tables in fat TZif files */
	CHECK_INT(off("America/New_York", utc(2100, 3, 14, 6, 59, 59), check_failed), -18000);
	CHECK_INT(off("America/New_York", utc(2100, 3, 14, 7, 0, 0), check_failed), -14400);
	CHECK_INT(off("America/New_York", utc(2100, 11, 7, 5, 59, 59), check_failed), -14400);
	CHECK_INT(off("America/New_York", utc(2100, 11, 7, 6, 0, 0), check_failed), -18000);
	CHECK_INT(off("Australia/Sydney", utc(2100, 1, 15, 0, 0, 0), check_failed), 39600);
	CHECK_INT(off("Australia/Sydney", utc(2100, 7, 15, 0, 0, 0), check_failed), 36000);
}

TEST(utc_works_without_tzdata)
{
	CHECK_INT(off("UTC", 0, check_failed), 0);
	CHECK_INT(off("Etc/UTC", INT64_MAX, check_failed), 0);
	CHECK_INT(off("UTC", INT64_MIN, check_failed), 0);
	CHECK_INT(tz_valid("UTC"), 0);
	CHECK_INT(tz_valid("Etc/UTC"), 0);
}

TEST(zone_names_cannot_escape_the_zoneinfo_directory)
{
	int32_t o = 77;

	CHECK_INT(tz_valid("../../etc/passwd"), -1);
	CHECK_INT(tz_valid("Asia/../Asia/Kolkata"), -1);
	CHECK_INT(tz_valid("/etc/localtime"), -1);
	CHECK_INT(tz_valid("Asia//Kolkata"), -1);
	CHECK_INT(tz_valid("Asia/Kolkata/"), -1);
	CHECK_INT(tz_valid("Asia/Kolkata\n"), -1);
	CHECK_INT(tz_valid("Asia/Kolk ata"), -1);
	CHECK_INT(tz_valid("zone.tab"), -1);
	CHECK_INT(tz_valid(""), -1);
	CHECK_INT(tz_valid(NULL), -1);
	CHECK_INT(tz_offset("../x", 0, &o), -1);
	CHECK_INT(o, 77);
}

TEST(unknown_zones_and_non_tzif_files_are_rejected)
{
	char longname[TZ_NAME_MAX + 2];

	CHECK_INT(tz_valid("Mars/Olympus_Mons"), -1);
	CHECK_INT(tz_valid("Asia"), -1);        /* a directory */
	CHECK_INT(tz_valid("leapseconds"), -1); /* a text file */
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_INT(tz_valid(longname), -1);
	CHECK_INT(tz_valid("Asia/Kolkata"), 0);
	CHECK_INT(tz_valid("Etc/GMT+5"), 0);
	CHECK_INT(off("Etc/GMT+5", 0, check_failed), -18000);
	CHECK(tz_get("Asia/Kolkata") == tz_get("Asia/Kolkata"));
}

TEST(offsets_agree_with_glibc_for_many_zones_and_times)
{
	static const char *const zones[] = {
		"Asia/Kolkata", "America/New_York", "Europe/London", "Europe/Berlin",
		"Australia/Sydney", "Australia/Lord_Howe", "America/Sao_Paulo",
		"Asia/Tehran", "Pacific/Chatham", "America/Godthab", "Africa/Casablanca",
		"Asia/Kathmandu", "America/St_Johns", "Pacific/Apia", "Asia/Gaza",
		"America/Santiago", "Europe/Dublin", "Antarctica/Troll",
	};
	int mismatches = 0;

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (int64_t t = utc(1902, 1, 1, 0, 0, 0); t < utc(2150, 1, 1, 0, 0, 0);
		     t += 86400 * 5 + 3607) {
			time_t tt = (time_t)t;
			struct tm tm;
			int32_t o = 0;
			if (!localtime_r(&tt, &tm))
				continue;
			CHECK_INT(tz_offset(zones[z], t, &o), 0);
			if (o != tm.tm_gmtoff && mismatches++ < 5)
				fprintf(stderr, "  %s at %lld: %d, glibc %ld\n", zones[z],
					(long long)t, o, tm.tm_gmtoff);
		}
	}
	unsetenv("TZ");
	CHECK_INT(mismatches, 0);
}

TEST(parse_v1_file_uses_32_bit_table)
{
	struct blob b;
	int64_t times[] = { 1000, 2000 };
	uint8_t idx[] = { 1, 0 };
	int32_t utoffs[] = { 3600, 7200 };
	struct tz_zone *z;

	build(&b, 0, times, idx, 2, utoffs, 2, NULL);
	z = tz_parse(b.b, b.n);
	CHECK(z != NULL);
	if (!z)
		return;
	CHECK_INT(tz_zone_offset(z, 999), 3600);   /* before the first: type 0 */
	CHECK_INT(tz_zone_offset(z, 1000), 7200);
	CHECK_INT(tz_zone_offset(z, 1999), 7200);
	CHECK_INT(tz_zone_offset(z, 2000), 3600);
	CHECK_INT(tz_zone_offset(z, INT64_MAX), 3600);
	tz_free(z);
}

TEST(parse_v2_file_uses_64_bit_table_then_footer)
{
	struct blob b;
	int64_t times[] = { -5000000000LL, 10 };
	uint8_t idx[] = { 1, 0 };
	int32_t utoffs[] = { 19800, 21200 };
	struct tz_zone *z;

	build(&b, '2', times, idx, 2, utoffs, 2, "<+0530>-5:30");
	z = tz_parse(b.b, b.n);
	CHECK(z != NULL);
	if (!z)
		return;
	CHECK_INT(tz_zone_offset(z, -5000000001LL), 19800);
	CHECK_INT(tz_zone_offset(z, -5000000000LL), 21200);
	CHECK_INT(tz_zone_offset(z, 9), 21200);
	CHECK_INT(tz_zone_offset(z, 10), 19800);
	CHECK_INT(tz_zone_offset(z, INT64_MAX), 19800);
	tz_free(z);
}

TEST(posix_footer_month_week_day_rules)
{
	const char *us = "EST5EDT,M3.2.0,M11.1.0";
	const char *sydney = "AEST-10AEDT,M10.1.0,M4.1.0/3";

	CHECK_INT(rule_off(us, utc(2030, 3, 10, 6, 59, 59), check_failed), -18000);
	CHECK_INT(rule_off(us, utc(2030, 3, 10, 7, 0, 0), check_failed), -14400);
	CHECK_INT(rule_off(us, utc(2030, 11, 3, 5, 59, 59), check_failed), -14400);
	CHECK_INT(rule_off(us, utc(2030, 11, 3, 6, 0, 0), check_failed), -18000);
	/* southern hemisphere: DST spans the new year */
	CHECK_INT(rule_off(sydney, utc(2030, 1, 1, 0, 0, 0), check_failed), 39600);
	CHECK_INT(rule_off(sydney, utc(2030, 6, 1, 0, 0, 0), check_failed), 36000);
	CHECK_INT(rule_off(sydney, utc(2030, 12, 31, 23, 0, 0), check_failed), 39600);
	/* 2030-04-07 03:00 AEDT = 2030-04-06 16:00Z */
	CHECK_INT(rule_off(sydney, utc(2030, 4, 6, 15, 59, 59), check_failed), 39600);
	CHECK_INT(rule_off(sydney, utc(2030, 4, 6, 16, 0, 0), check_failed), 36000);
	/* week 5 = last: 2030-03-31 is the last Sunday of March */
	CHECK_INT(rule_off("CET-1CEST,M3.5.0,M10.5.0/3", utc(2030, 3, 31, 0, 59, 59), check_failed), 3600);
	CHECK_INT(rule_off("CET-1CEST,M3.5.0,M10.5.0/3", utc(2030, 3, 31, 1, 0, 0), check_failed), 7200);
}

TEST(posix_footer_julian_and_extended_times)
{
	/* J60 is March 1 in every year; n=59 is Feb 29 in a leap year */
	CHECK_INT(rule_off("AAA0BBB,J60/0,J300/0", utc(2028, 2, 29, 23, 59, 59), check_failed), 0);
	CHECK_INT(rule_off("AAA0BBB,J60/0,J300/0", utc(2028, 3, 1, 0, 0, 0), check_failed), 3600);
	CHECK_INT(rule_off("AAA0BBB,59/0,300/0", utc(2028, 2, 29, 0, 0, 0), check_failed), 3600);
	CHECK_INT(rule_off("AAA0BBB,59/0,300/0", utc(2027, 2, 28, 23, 59, 59), check_failed), 0);
	/* permanent DST written as a rule that covers the whole year */
	CHECK_INT(rule_off("EST5EDT,0/0,J365/25", utc(2030, 1, 1, 5, 0, 0), check_failed), -14400);
	CHECK_INT(rule_off("EST5EDT,0/0,J365/25", utc(2030, 7, 1, 0, 0, 0), check_failed), -14400);
	CHECK_INT(rule_off("EST5EDT,0/0,J365/25", utc(2030, 12, 31, 23, 0, 0), check_failed), -14400);
	/* negative rule times (America/Nuuk) */
	CHECK_INT(rule_off("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2030, 3, 31, 0, 59, 59), check_failed), -7200);
	CHECK_INT(rule_off("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2030, 3, 31, 1, 0, 0), check_failed), -3600);
	/* explicit DST offset and fractional hours */
	CHECK_INT(rule_off("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", utc(2030, 1, 1, 0, 0, 0), check_failed), 39600);
	CHECK_INT(rule_off("<+0545>-5:45", 0, check_failed), 20700);
}

TEST(bad_footer_is_ignored_and_the_last_type_used)
{
	struct blob b;
	int64_t times[] = { 100 };
	uint8_t idx[] = { 1 };
	int32_t utoffs[] = { 0, 3600 };
	static const char *const bad[] = { "EST5EDT", "EST", "EST5EDT,M13.1.0,M11.1.0",
					   "EST5EDT,M3.2.0", "<EST5", "EST5EDT,J0,J365", "EST25",
					   "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,M3.2.0,M11.1.0x", "" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tz_zone *z;
		build(&b, '3', times, idx, 1, utoffs, 2, bad[i]);
		z = tz_parse(b.b, b.n);
		CHECK(z != NULL);
		if (z) {
			CHECK_INT(tz_zone_offset(z, 200000000), 3600);
			tz_free(z);
		}
	}
}

TEST(malformed_tzif_is_rejected)
{
	struct blob b, c;
	int64_t times[] = { 100, 200 };
	uint8_t idx[] = { 0, 1 };
	int32_t utoffs[] = { 0, 3600 };

	build(&b, '2', times, idx, 2, utoffs, 2, "UTC0");
	CHECK(tz_parse(NULL, 0) == NULL);
	CHECK(tz_parse(b.b, 0) == NULL);
	for (size_t n = 0; n < b.n - 6; n++) /* every truncation before the footer */
		CHECK(tz_parse(b.b, n) == NULL);

	c = b;
	c.b[0] = 'X';
	CHECK(tz_parse(c.b, c.n) == NULL);
	c = b;
	c.b[4] = '1';
	CHECK(tz_parse(c.b, c.n) == NULL);

	times[1] = 100; /* not increasing */
	build(&c, '2', times, idx, 2, utoffs, 2, "UTC0");
	CHECK(tz_parse(c.b, c.n) == NULL);
	times[1] = 200;
	idx[1] = 2; /* type out of range */
	build(&c, '2', times, idx, 2, utoffs, 2, "UTC0");
	CHECK(tz_parse(c.b, c.n) == NULL);
	idx[1] = 1;
	utoffs[1] = 100000; /* offset beyond 26 hours */
	build(&c, '2', times, idx, 2, utoffs, 2, "UTC0");
	CHECK(tz_parse(c.b, c.n) == NULL);
	utoffs[1] = 3600;
	build(&c, '2', times, idx, 2, utoffs, 0, "UTC0"); /* no types */
	CHECK(tz_parse(c.b, c.n) == NULL);
	tz_free(NULL);
}

TEST(system_zone_files_all_parse)
{
	static const char *const names[] = { "Asia/Kolkata", "Asia/Calcutta", "America/New_York",
					     "Europe/London", "Asia/Tokyo", "Asia/Dubai", "Factory",
					     "posixrules", "right/UTC" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK_INT(tz_valid(names[i]), 0);
	CHECK(tz_get("Asia/Calcutta") != tz_get("Asia/Kolkata"));
}

static void *lookup_thread(void *arg)
{
	int *bad = arg;

	for (int i = 0; i < 2000; i++) {
		int32_t o = 0;
		if (tz_offset("Asia/Kolkata", i * 86400LL, &o) != 0 || o != 19800)
			(*bad)++;
		if (tz_offset(i % 2 ? "Europe/Paris" : "Asia/Tokyo", 1767225600, &o) != 0 ||
		    o != (i % 2 ? 3600 : 32400))
			(*bad)++;
	}
	return NULL;
}

TEST(concurrent_lookups_share_the_cache_safely)
{
	pthread_t th[8];
	int bad[8] = { 0 };

	tz_cache_release();
	for (int i = 0; i < 8; i++)
		CHECK_INT(pthread_create(&th[i], NULL, lookup_thread, &bad[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(bad[i], 0);
	}
	tz_cache_release();
}

CHECK_MAIN()
