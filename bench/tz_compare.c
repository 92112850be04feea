/*
 * bench/tz_compare.c — util/tz.c against GLib's GTimeZone and ICU's ucal
 * (not a test; run by bench/tz.sh, which builds it and quotes the numbers
 * in src/util/tz.h).
 *
 *   tz_compare agree             offsets of every zone under
 *                                /usr/share/zoneinfo from 1850 to 2150,
 *                                ours vs GLib vs ICU, glibc as referee
 *   tz_compare speed             ns per UTC-offset lookup
 *   tz_compare startup BIN...    mean wall time and max RSS of running
 *                                each BIN (see bench/tz_startup.c)
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <glib.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>
#include <unistd.h>

#include "util/civil.h"
#include "util/tz.h"

extern char **environ;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int64_t utc(int y, int m, int d)
{
	return civil_days_from_ymd(y, m, d) * 86400;
}

/* ---- the three libraries behind one signature ---------------------------- */

static GTimeZone *glib_zone(const char *name)
{
	GTimeZone *z = g_time_zone_new_identifier(name);
	return z;
}

static int32_t glib_offset(GTimeZone *z, int64_t t)
{
	int i = g_time_zone_find_interval(z, G_TIME_TYPE_UNIVERSAL, t);
	return i < 0 ? INT32_MIN : g_time_zone_get_offset(z, i);
}

static UCalendar *icu_zone(const char *name)
{
	UChar id[TZ_NAME_MAX + 1];
	UErrorCode st = U_ZERO_ERROR;
	u_uastrcpy(id, name);
	UCalendar *c = ucal_open(id, -1, "en_US", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st))
		return NULL;
	/* An unknown id gives a calendar in "Etc/Unknown" (GMT), not an error. */
	UChar got[TZ_NAME_MAX + 1];
	char back[TZ_NAME_MAX + 1];
	st = U_ZERO_ERROR;
	int32_t n = ucal_getTimeZoneID(c, got, TZ_NAME_MAX, &st);
	if (U_FAILURE(st) || n <= 0 || (u_austrncpy(back, got, TZ_NAME_MAX), strcmp(back, "Etc/Unknown") == 0)) {
		ucal_close(c);
		return NULL;
	}
	return c;
}

static int32_t icu_offset(UCalendar *c, int64_t t)
{
	UErrorCode st = U_ZERO_ERROR;
	ucal_setMillis(c, (UDate)t * 1000.0, &st);
	int32_t o = ucal_get(c, UCAL_ZONE_OFFSET, &st) + ucal_get(c, UCAL_DST_OFFSET, &st);
	return U_FAILURE(st) ? INT32_MIN : o / 1000;
}

/* ---- agree ----------------------------------------------------------------- */

#define MAX_ZONES 2048
static char *zones[MAX_ZONES];
static size_t nzones;

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	static const size_t dirlen = sizeof(TZ_ZONEINFO_DIR);
	(void)sb;
	(void)ftw;
	if (type != FTW_F || strlen(path) <= dirlen)
		return 0;
	const char *name = path + dirlen;
	/* posix/ and right/ are copies (right/ counts leap seconds: another clock). */
	if (strncmp(name, "posix/", 6) == 0 || strncmp(name, "right/", 6) == 0 ||
	    strcmp(name, "posixrules") == 0 || strcmp(name, "localtime") == 0)
		return 0;
	FILE *f = fopen(path, "rb");
	char magic[4] = { 0 };
	if (f) {
		if (fread(magic, 1, 4, f) != 4)
			magic[0] = 0;
		fclose(f);
	}
	if (memcmp(magic, "TZif", 4) == 0 && nzones < MAX_ZONES)
		zones[nzones++] = strdup(name);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct tally {
	long checks, differ_from_glibc, since_1970;
	int unloadable, zones_differing, zones_since_1970;
	const char *last_zone, *last_zone_1970;
	char first[160];
	char zone_list[512];
	char unloaded[256];
};

static void note(struct tally *t, const char *zone, int64_t at, int32_t got, int32_t want)
{
	t->differ_from_glibc++;
	t->since_1970 += at >= 0;
	if (at >= 0 && t->last_zone_1970 != zone) {
		t->last_zone_1970 = zone;
		t->zones_since_1970++;
	}
	if (t->last_zone != zone) {
		t->last_zone = zone;
		t->zones_differing++;
		size_t l = strlen(t->zone_list);
		if (l + strlen(zone) + 2 < sizeof t->zone_list)
			snprintf(t->zone_list + l, sizeof t->zone_list - l, " %s", zone);
	}
	if (!t->first[0]) {
		char when[CIVIL_RFC3339_LEN];
		civil_format_rfc3339(at * 1000, when);
		snprintf(t->first, sizeof t->first, "%s at %s: %d s, glibc %d s", zone, when, got, want);
	}
}

static int agree(void)
{
	struct tally ours = { 0 }, glib = { 0 }, icu = { 0 };
	long samples = 0;
	UErrorCode st = U_ZERO_ERROR;
	const char *icu_tz = ucal_getTZDataVersion(&st);

	if (nftw(TZ_ZONEINFO_DIR, collect, 16, FTW_PHYS) != 0) {
		perror(TZ_ZONEINFO_DIR);
		return 1;
	}
	qsort(zones, nzones, sizeof zones[0], cmp_names);
	for (size_t zi = 0; zi < nzones; zi++) {
		const char *name = zones[zi];
		const struct tz_zone *oz = tz_get(name);
		GTimeZone *gz = glib_zone(name);
		UCalendar *ic = icu_zone(name);
		const struct { struct tally *t; int missing; } loads[] = {
			{ &ours, !oz }, { &glib, !gz }, { &icu, !ic } };
		for (size_t k = 0; k < 3; k++) {
			struct tally *t = loads[k].t;
			size_t l = strlen(t->unloaded);
			if (!loads[k].missing)
				continue;
			t->unloadable++;
			if (l + strlen(name) + 2 < sizeof t->unloaded)
				snprintf(t->unloaded + l, sizeof t->unloaded - l, " %s", name);
		}
		setenv("TZ", name, 1);
		tzset();
		/* Every 3 days and 1 hour and 7 seconds: all times of day, all seasons. */
		for (int64_t t = utc(1850, 1, 1); t < utc(2150, 1, 1); t += 3 * 86400 + 3607) {
			time_t tt = (time_t)t;
			struct tm tm;
			if (!localtime_r(&tt, &tm))
				continue;
			int32_t want = (int32_t)tm.tm_gmtoff;
			samples++;
			if (oz) {
				int32_t o = tz_zone_offset(oz, t);
				ours.checks++;
				if (o != want)
					note(&ours, name, t, o, want);
			}
			if (gz) {
				int32_t o = glib_offset(gz, t);
				glib.checks++;
				if (o != want)
					note(&glib, name, t, o, want);
			}
			if (ic) {
				int32_t o = icu_offset(ic, t);
				icu.checks++;
				if (o != want)
					note(&icu, name, t, o, want);
			}
		}
		if (gz)
			g_time_zone_unref(gz);
		if (ic)
			ucal_close(ic);
	}
	unsetenv("TZ");
	printf("agree: %zu zones, %ld (zone, time) samples 1850..2150; system tzdata, ICU tzdata %s\n",
	       nzones, samples, U_SUCCESS(st) ? icu_tz : "?");
	const struct { const char *who; struct tally *t; } rows[] = {
		{ "util/tz.c", &ours }, { "GLib GTimeZone", &glib }, { "ICU ucal", &icu } };
	for (size_t i = 0; i < 3; i++) {
		printf("  %-15s zones not loaded %4d   differ from glibc %8ld of %8ld (%.3f%%)\n",
		       rows[i].who, rows[i].t->unloadable, rows[i].t->differ_from_glibc,
		       rows[i].t->checks,
		       rows[i].t->checks ? 100.0 * (double)rows[i].t->differ_from_glibc /
						   (double)rows[i].t->checks : 0.0);
		if (rows[i].t->unloadable)
			printf("  %-15s not loaded:%s\n", "", rows[i].t->unloaded);
		if (rows[i].t->differ_from_glibc)
			printf("  %-15s in %d zones, %ld samples of them at or after 1970 in %d zones\n"
			       "  %-15s zones:%s%s\n", "",
			       rows[i].t->zones_differing, rows[i].t->since_1970,
			       rows[i].t->zones_since_1970, "", rows[i].t->zone_list,
			       strlen(rows[i].t->zone_list) > 400 ? " ..." : "");
		if (rows[i].t->first[0])
			printf("  %-15s first: %s\n", "", rows[i].t->first);
	}
	/* Names each library takes as a zone: a store's timezone setting must be an IANA name. */
	static const char *const names[] = { "Asia/Kolkata", "Mars/Olympus", "ABC3",
		"EST5EDT,M3.2.0,M11.1.0", "+05:30", "/etc/passwd", "../../etc/passwd", "" };
	printf("  accepted as a zone name (ours / GLib / ICU):\n");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		GTimeZone *gz = glib_zone(names[i]);
		UCalendar *ic = icu_zone(names[i]);
		printf("    %-26s %-3s / %-3s / %s\n", names[i][0] ? names[i] : "\"\"",
		       tz_valid(names[i]) == 0 ? "yes" : "no", gz ? "yes" : "no", ic ? "yes" : "no");
		if (gz)
			g_time_zone_unref(gz);
		if (ic)
			ucal_close(ic);
	}
	return 0;
}

/* ---- speed ------------------------------------------------------------------ */

#define NTIMES 4096
static int64_t times_[NTIMES];
static volatile int32_t sink;

static void fill_times(int64_t from, int64_t to)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < NTIMES; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		times_[i] = from + (int64_t)(x % (uint64_t)(to - from));
	}
}

typedef int32_t (*lookup_fn)(const void *zone, const char *name, int64_t t);

static int32_t l_ours_zone(const void *z, const char *n, int64_t t) { (void)n; return tz_zone_offset(z, t); }
static int32_t l_ours_name(const void *z, const char *n, int64_t t)
{
	int32_t o = 0;
	(void)z;
	tz_offset(n, t, &o);
	return o;
}
static int32_t l_ours_days(const void *z, const char *n, int64_t t)
{
	int64_t d = 0;
	(void)z;
	civil_local_days(t * 1000, n, &d);
	return (int32_t)d;
}
static int32_t l_glib_zone(const void *z, const char *n, int64_t t) { (void)n; return glib_offset((GTimeZone *)z, t); }
static int32_t l_glib_name(const void *z, const char *n, int64_t t)
{
	(void)z;
	GTimeZone *g = g_time_zone_new_identifier(n);
	int32_t o = glib_offset(g, t);
	g_time_zone_unref(g);
	return o;
}
static int32_t l_icu_zone(const void *z, const char *n, int64_t t) { (void)n; return icu_offset((UCalendar *)z, t); }
static int32_t l_glibc(const void *z, const char *n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	(void)z;
	(void)n;
	localtime_r(&tt, &tm);
	return (int32_t)tm.tm_gmtoff;
}

static double time_it(lookup_fn f, const void *zone, const char *name, long iters)
{
	double best = 1e30;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ns();
		for (long i = 0; i < iters; i++)
			sink = f(zone, name, times_[i & (NTIMES - 1)]);
		double per = (now_ns() - t0) / (double)iters;
		if (per < best)
			best = per;
	}
	return best;
}

static int speed(void)
{
	static const char *const names[] = { "Asia/Kolkata", "America/New_York", "Europe/London" };
	static const struct { const char *label; int from, to; } spans[] = {
		{ "2000-2037 (table)", 2000, 2037 }, { "2040-2100 (POSIX rule)", 2040, 2100 } };
	printf("speed: ns per UTC-offset lookup, best of 5 runs, %d random times\n", NTIMES);
	printf("  %-18s %-24s %9s %9s %9s %9s %9s %9s %9s\n", "zone", "times", "tz_zone", "tz_name",
	       "civil_day", "glib_tz", "glib_name", "icu_ucal", "glibc");
	for (size_t s = 0; s < 2; s++) {
		fill_times(utc(spans[s].from, 1, 1), utc(spans[s].to, 1, 1));
		for (size_t z = 0; z < 3; z++) {
			const struct tz_zone *oz = tz_get(names[z]);
			GTimeZone *gz = glib_zone(names[z]);
			UCalendar *ic = icu_zone(names[z]);
			setenv("TZ", names[z], 1);
			tzset();
			printf("  %-18s %-24s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", names[z],
			       spans[s].label,
			       time_it(l_ours_zone, oz, names[z], 2000000),
			       time_it(l_ours_name, NULL, names[z], 2000000),
			       time_it(l_ours_days, NULL, names[z], 2000000),
			       time_it(l_glib_zone, gz, names[z], 2000000),
			       time_it(l_glib_name, NULL, names[z], 200000),
			       time_it(l_icu_zone, ic, names[z], 200000),
			       time_it(l_glibc, NULL, names[z], 2000000));
			g_time_zone_unref(gz);
			ucal_close(ic);
		}
	}
	unsetenv("TZ");
	return 0;
}

/* ---- startup ------------------------------------------------------------------ */

static int startup(int argc, char **argv)
{
	printf("startup: mean wall time and max RSS of 200 runs of each program\n");
	for (int a = 0; a < argc; a++) {
		double total = 0;
		long maxrss = 0;
		for (int i = 0; i < 200; i++) {
			pid_t pid;
			char *args[] = { argv[a], NULL };
			double t0 = now_ns();
			if (posix_spawn(&pid, argv[a], NULL, NULL, args, environ) != 0) {
				perror(argv[a]);
				return 1;
			}
			int st;
			struct rusage ru;
			if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "%s failed\n", argv[a]);
				return 1;
			}
			total += now_ns() - t0;
			if (ru.ru_maxrss > maxrss)
				maxrss = ru.ru_maxrss;
		}
		printf("  %-28s %8.0f us %8ld KiB\n", strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a],
		       total / 200 / 1000, maxrss);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "agree") == 0)
		return agree();
	if (argc >= 2 && strcmp(argv[1], "speed") == 0)
		return speed();
	if (argc >= 3 && strcmp(argv[1], "startup") == 0)
		return startup(argc - 2, argv + 2);
	fprintf(stderr, "usage: tz_compare agree | speed | startup BIN...\n");
	return 2;
}
