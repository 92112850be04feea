/*
 * civil.h — proleptic Gregorian calendar math, dates and RFC 3339 times,
 * without gmtime()/localtime()/mktime() (not thread-safe, and TZ-global).
 *
 * "days" are days since 1970-01-01 (negative before it); times are unix
 * milliseconds.  All functions are thread-safe; the zone functions use
 * tz.h (and so read /usr/share/zoneinfo on first use of a zone).
 */
#ifndef QT_UTIL_CIVIL_H
#define QT_UTIL_CIVIL_H

#include <stdint.h>

#define CIVIL_DAY_MS ((int64_t)86400000)

/*
 * Days since 1970-01-01 of y-m-d (Howard Hinnant's days_from_civil).
 * Defined for every int input without overflow; meaningful for m 1-12 and
 * d 1-31 (a day past the month's end just counts on: 2026-02-30 ==
 * 2026-03-02).  Validate with civil_parse_date() first if it matters.
 */
int64_t civil_days_from_ymd(int y, int m, int d);

/*
 * The inverse: y-m-d of a day count.  days is clamped to
 * [-2^39, 2^39] (about +-1.5 billion years) so the year fits in an int.
 * No output pointer may be NULL.
 */
void civil_ymd_from_days(int64_t days, int *y, int *m, int *d);

/*
 * Strict "YYYY-MM-DD": exactly 10 characters, a real calendar date, year
 * 1900-9999.  Returns 0 and sets *days, or -1 (and leaves *days) if not.
 */
int civil_parse_date(const char *s, int64_t *days);

/* "YYYY-MM-DD" into out (NUL-terminated); days are clamped to years 0000-9999. */
void civil_format_date(int64_t days, char out[11]);

/*
 * Local calendar date (days) of the instant unix_ms in IANA zone `zone`.
 * Returns 0, or -1 on an unknown zone (see tz_offset) or overflow.
 */
int civil_local_days(int64_t unix_ms, const char *zone, int64_t *days);

/*
 * UTC unix ms of the first instant of local date `days` in `zone`.
 * Normally local midnight; when a DST change skips midnight the day starts
 * at the transition (e.g. 01:00 local); when midnight happens twice the
 * earlier one is returned.  The result r satisfies
 * civil_local_days(r) == days and civil_local_days(r - 1) < days.
 * Returns 0, or -1 on an unknown zone or when the result would overflow
 * (|days| beyond about 100 million years).
 */
int civil_local_midnight_ms(int64_t days, const char *zone, int64_t *unix_ms);

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL. */
#define CIVIL_RFC3339_LEN 25

/*
 * RFC 3339 in UTC with milliseconds: "2026-11-29T16:07:11.123Z"
 * (24 characters + NUL).  unix_ms is clamped to years 0000-9999.  The one
 * formatter of times in the product (API fields, audit rows, log lines).
 */
void civil_format_rfc3339(int64_t unix_ms, char out[CIVIL_RFC3339_LEN]);

/*
 * Parse RFC 3339 "YYYY-MM-DDTHH:MM:SS[.f]Z|±hh:mm": 'T' or 't' between
 * date and time, 'Z' or 'z' for UTC, year 0000-9999, hours 00-23, minutes
 * 00-59, seconds 00-59 (a leap second "60" is rejected), an optional
 * fraction of 1-9 digits truncated to milliseconds, offset hours 00-23 and
 * minutes 00-59.  At most 64 characters.  Returns 0 and sets *unix_ms, or
 * -1 (leaving it unchanged).
 */
int civil_parse_rfc3339(const char *s, int64_t *unix_ms);

#endif
