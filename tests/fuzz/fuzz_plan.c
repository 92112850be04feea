/*
 * libFuzzer target for domain/plan.c (the features column, plan names) and
 * domain/usage.c (minutes, days, the last-minute estimate, limit states).
 * Input: a features text; its first 32 bytes also make the integers.
 * Properties: never crashes and no undefined behaviour on any integer
 * (UBSan); a features text that parses is written back in one order and
 * reads back to the same bits; a plan name is valid exactly when a
 * reference check says so; the last-minute estimate lies between the
 * current minute's count and the sum of both; a state agrees with its
 * percent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/plan.h"
#include "domain/usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ref_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > PLAN_NAME_MAX || !strchr("abcdefghijklmnopqrstuvwxyz", s[0]))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static int64_t word(const uint8_t *data, size_t size, size_t at)
{
	uint64_t v = 0;
	for (size_t i = 0; i < 8; i++)
		v = v << 8 | (at + i < size ? data[at + i] : 0);
	return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	uint32_t mask, back;
	if (plan_features_parse(text, &mask) == 0) {
		char *out = plan_features_text(mask);
		if (!out || plan_features_parse(out, &back) != 0 || back != mask)
			abort();
		free(out);
	} else if (mask != 0) {
		abort();
	}
	if (plan_name_valid(text) != ref_name(text))
		abort();

	int64_t a = word(data, size, 0), b = word(data, size, 8), c = word(data, size, 16);
	int64_t m = usage_minute_of(a), d = usage_day_of(a);
	if (m > a / USAGE_MINUTE_MS || d > a / USAGE_DAY_MS || usage_day_of_minute(m) != d)
		abort();
	int64_t cur = a < 0 ? -(a + 1) : a, prev = b < 0 ? -(b + 1) : b;
	int64_t est = usage_last_minute(cur, prev, c % (USAGE_MINUTE_MS + 1));
	if (est < cur || (cur <= INT64_MAX - prev && est > cur + prev))
		abort();
	int pct = -1;
	enum usage_state s = usage_state_of(a, b, &pct);
	if (pct < 0 || pct > 1000)
		abort();
	if (b < 0 && (s != USAGE_UNLIMITED || pct != 0))
		abort();
	int64_t used = a < 0 ? 0 : a;
	if (b >= 0 && (s == USAGE_UNLIMITED || (s == USAGE_REACHED) != (b == 0 || used >= b)))
		abort();
	if (s == USAGE_NEAR && (pct < USAGE_NEAR_PERCENT || pct >= 100))
		abort();
	free(text);
	return 0;
}
