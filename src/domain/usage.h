/*
 * usage.h — the arithmetic of what a store uses against its plan: the UTC
 * minute and day a request is counted in, the last-minute estimate made
 * from two minute counts, and how close a figure is to its limit.  No I/O.
 */
#ifndef QT_DOMAIN_USAGE_H
#define QT_DOMAIN_USAGE_H

#include <stdint.h>

#define USAGE_MINUTE_MS 60000LL
#define USAGE_DAY_MS 86400000LL
#define USAGE_MINUTES_PER_DAY 1440LL
/* From this share of a limit on, the store is told it is near it. */
#define USAGE_NEAR_PERCENT 80

/* The unix minute (ms / 60000) and the day since 1970-01-01 (UTC) of a
 * time, rounded down (also before 1970). */
int64_t usage_minute_of(int64_t unix_ms);
int64_t usage_day_of(int64_t unix_ms);
/* The day a unix minute falls in. */
int64_t usage_day_of_minute(int64_t minute);

/*
 * The requests of the last 60 seconds, estimated from the count of the
 * current minute so far (cur), the count of the minute before (prev) and
 * how far into the current minute now is (0..59999 ms): cur plus the part
 * of prev that still lies within the last 60 s, as if prev's requests had
 * come evenly.  Rounded to the nearest request.
 */
int64_t usage_last_minute(int64_t cur, int64_t prev, int64_t ms_into_minute);

enum usage_state {
	USAGE_UNLIMITED,   /* the plan sets no limit */
	USAGE_OK,          /* under USAGE_NEAR_PERCENT */
	USAGE_NEAR,        /* at USAGE_NEAR_PERCENT or more, under the limit */
	USAGE_REACHED,     /* at the limit or over it (a downgrade leaves a store over) */
};

/* How `used` stands against `limit` (-1 = unlimited).  *percent (may be
 * NULL) is used / limit in whole percent, rounded down, at most 1000; 100
 * for a limit of 0; 0 when unlimited. */
enum usage_state usage_state_of(int64_t used, int64_t limit, int *percent);
/* "unlimited", "ok", "near", "reached". */
const char *usage_state_name(enum usage_state s);

#endif
