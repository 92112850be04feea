/* usage.c — see usage.h. */
#include "domain/usage.h"

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t usage_minute_of(int64_t unix_ms)
{
	return floor_div(unix_ms, USAGE_MINUTE_MS);
}

int64_t usage_day_of(int64_t unix_ms)
{
	return floor_div(unix_ms, USAGE_DAY_MS);
}

int64_t usage_day_of_minute(int64_t minute)
{
	return floor_div(minute, USAGE_MINUTES_PER_DAY);
}

int64_t usage_last_minute(int64_t cur, int64_t prev, int64_t ms_into_minute)
{
	if (ms_into_minute < 0)
		ms_into_minute = 0;
	if (ms_into_minute >= USAGE_MINUTE_MS)
		return cur;
	if (cur < 0)
		cur = 0;
	if (prev <= 0)
		return cur;
	/* prev * remaining / 60000, rounded, without overflowing: counts are
	 * far below 2^63 / 60000. */
	int64_t remaining = USAGE_MINUTE_MS - ms_into_minute;
	int64_t part = prev > INT64_MAX / USAGE_MINUTE_MS ? prev / USAGE_MINUTE_MS * remaining
		: (prev * remaining + USAGE_MINUTE_MS / 2) / USAGE_MINUTE_MS;
	return cur > INT64_MAX - part ? INT64_MAX : cur + part;
}

enum usage_state usage_state_of(int64_t used, int64_t limit, int *percent)
{
	int pct = 0;
	enum usage_state s;
	if (used < 0)
		used = 0;
	if (limit < 0) {
		s = USAGE_UNLIMITED;
	} else if (limit == 0) {
		pct = 100;
		s = USAGE_REACHED;
	} else {
		/* Whole percent, rounded down, in integers: used * 100 fits
		 * 128 bits for every int64 (capped at 1000 %). */
		unsigned __int128 x = (unsigned __int128)used * 100u / (uint64_t)limit;
		pct = x >= 1000u ? 1000 : (int)x;
		s = used >= limit ? USAGE_REACHED : pct >= USAGE_NEAR_PERCENT ? USAGE_NEAR : USAGE_OK;
	}
	if (percent)
		*percent = pct;
	return s;
}

const char *usage_state_name(enum usage_state s)
{
	switch (s) {
	case USAGE_UNLIMITED: return "unlimited";
	case USAGE_OK: return "ok";
	case USAGE_NEAR: return "near";
	case USAGE_REACHED: return "reached";
	}
	return "ok";
}
