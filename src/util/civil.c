/*
 * civil.c — see civil.h.  The day-count conversions are Howard Hinnant's
 * public-domain algorithms (http://howardhinnant.github.io/date_algorithms.html),
 * done in int64 so no int input can overflow.
 */
#include "util/civil.h"
#include "util/tz.h"

#include <string.h>

#define DAYS_CLAMP ((int64_t)1 << 39)

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t civil_days_from_ymd(int y_in, int m_in, int d_in)
{
	int64_t y = y_in, m = m_in, d = d_in;
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_ymd_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t z, era, doe, yoe, doy, mp, yy;

	if (days > DAYS_CLAMP)
		days = DAYS_CLAMP;
	if (days < -DAYS_CLAMP)
		days = -DAYS_CLAMP;
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* n ASCII digits at s into *v; 0 or -1. */
static int digits(const char *s, int n, int *v)
{
	int r = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return 0;
}

/* "YYYY-MM-DD" at s (s has at least 10 readable bytes or a NUL before). */
static int parse_ymd(const char *s, int min_year, int64_t *days)
{
	int y, m, d;

	if (strnlen(s, 10) < 10 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &m) || s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (y < min_year || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = civil_days_from_ymd(y, m, d);
	return 0;
}

int civil_parse_date(const char *s, int64_t *days)
{
	int64_t v;

	if (!s || !days || strnlen(s, 11) != 10 || parse_ymd(s, 1900, &v))
		return -1;
	*days = v;
	return 0;
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

static void put_ymd(char *p, int y, int m, int d)
{
	put2(p, y / 100);
	put2(p + 2, y % 100);
	p[4] = '-';
	put2(p + 5, m);
	p[7] = '-';
	put2(p + 8, d);
}

/* 0000-01-01 and 9999-12-31 as day counts. */
#define DAYS_YEAR_0 ((int64_t)-719528)
#define DAYS_YEAR_9999_END ((int64_t)2932896)

void civil_format_date(int64_t days, char out[11])
{
	int y, m, d;

	if (days < DAYS_YEAR_0)
		days = DAYS_YEAR_0;
	if (days > DAYS_YEAR_9999_END)
		days = DAYS_YEAR_9999_END;
	civil_ymd_from_days(days, &y, &m, &d);
	put_ymd(out, y, m, d);
	out[10] = '\0';
}

int civil_local_days(int64_t unix_ms, const char *zone, int64_t *days)
{
	int32_t off;
	int64_t local;

	if (!days || tz_offset(zone, floor_div(unix_ms, 1000), &off) != 0)
		return -1;
	if (__builtin_add_overflow(unix_ms, (int64_t)off * 1000, &local))
		return -1;
	*days = floor_div(local, CIVIL_DAY_MS);
	return 0;
}

static int64_t local_day_of(const struct tz_zone *z, int64_t t)
{
	return floor_div(t + tz_zone_offset(z, t), 86400);
}

int civil_local_midnight_ms(int64_t days, const char *zone, int64_t *unix_ms)
{
	const struct tz_zone *z = tz_get(zone);
	int64_t local, lo, hi, ms;

	/* 10^12 days keeps every second count below well inside int64. */
	if (!z || !unix_ms || days > 1000000000000 || days < -1000000000000)
		return -1;
	local = days * 86400;
	/* Offsets lie within (-25h, +26h): lo is surely before the day, hi in or after it. */
	lo = local - 26 * 3600 - 1;
	hi = local + 25 * 3600;
	/* Smallest t in (lo, hi] whose local date is >= days. */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (local_day_of(z, mid) >= days)
			hi = mid;
		else
			lo = mid;
	}
	if (__builtin_mul_overflow(hi, (int64_t)1000, &ms))
		return -1;
	*unix_ms = ms;
	return 0;
}

#define MS_YEAR_0 (DAYS_YEAR_0 * CIVIL_DAY_MS)
#define MS_YEAR_9999_END ((DAYS_YEAR_9999_END + 1) * CIVIL_DAY_MS - 1)

void civil_format_rfc3339(int64_t unix_ms, char out[CIVIL_RFC3339_LEN])
{
	int64_t days, ms_of_day;
	int y, m, d, h, mi, s, ms;

	if (unix_ms < MS_YEAR_0)
		unix_ms = MS_YEAR_0;
	if (unix_ms > MS_YEAR_9999_END)
		unix_ms = MS_YEAR_9999_END;
	days = floor_div(unix_ms, CIVIL_DAY_MS);
	ms_of_day = unix_ms - days * CIVIL_DAY_MS;
	civil_ymd_from_days(days, &y, &m, &d);
	h = (int)(ms_of_day / 3600000);
	mi = (int)(ms_of_day / 60000 % 60);
	s = (int)(ms_of_day / 1000 % 60);
	ms = (int)(ms_of_day % 1000);
	put_ymd(out, y, m, d);
	out[10] = 'T';
	put2(out + 11, h);
	out[13] = ':';
	put2(out + 14, mi);
	out[16] = ':';
	put2(out + 17, s);
	out[19] = '.';
	out[20] = (char)('0' + ms / 100);
	put2(out + 21, ms % 100);
	out[23] = 'Z';
	out[24] = '\0';
}

int civil_parse_rfc3339(const char *s, int64_t *unix_ms)
{
	int64_t days, ms = 0, total;
	int h, mi, sec, off = 0;
	size_t len;
	const char *p;

	if (!s || !unix_ms)
		return -1;
	len = strnlen(s, 65);
	if (len > 64 || len < 20 || parse_ymd(s, 0, &days))
		return -1;
	if ((s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) || s[13] != ':' ||
	    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	p = s + 19;
	if (*p == '.') {
		int nd = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nd < 3)
				ms = ms * 10 + (*p - '0');
			nd++;
			p++;
		}
		if (nd < 1 || nd > 9)
			return -1;
		for (; nd < 3; nd++)
			ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	total = ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000 + ms;
	*unix_ms = total;
	return 0;
}
