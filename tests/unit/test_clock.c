#include "check.h"

#include "util/clock.h"

#include <stdlib.h>
#include <time.h>

TEST(clock_env_offset_is_read_at_first_call)
{
	/* Runs first in this file: nothing has called the clock yet. */
	setenv("QT_CLOCK_OFFSET_MS", "86400000", 1);
	CHECK_INT(clock_offset_ms(), 86400000);
	int64_t d = clock_now_ms() - (int64_t)time(NULL) * 1000;
	CHECK(d > 86400000 - 2000 && d < 86400000 + 2000);
}

TEST(clock_set_offset_overrides_environment)
{
	clock_set_offset_ms(-5000);
	CHECK_INT(clock_offset_ms(), -5000);
	int64_t d = clock_now_ms() - (int64_t)time(NULL) * 1000;
	CHECK(d > -7000 && d < -3000);
	clock_set_offset_ms(0);
	CHECK(llabs(clock_now_s() - (int64_t)time(NULL)) <= 1);
}

TEST(clock_mono_never_goes_backwards)
{
	int64_t a = clock_mono_ms();
	clock_set_offset_ms(-1000000);
	int64_t b = clock_mono_ms();
	clock_set_offset_ms(0);
	CHECK(b >= a);
}

CHECK_MAIN()
