#include "util/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Atomic int64_t clock_offset;
static pthread_once_t clock_env_once = PTHREAD_ONCE_INIT;

static void clock_read_env(void)
{
	const char *s = getenv("QT_CLOCK_OFFSET_MS");
	if (!s || !*s)
		return;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end) {
		fprintf(stderr, "QT_CLOCK_OFFSET_MS=%s: must be a signed integer "
			"of milliseconds; ignored\n", s);
		return;
	}
	atomic_store(&clock_offset, (int64_t)v);
}

int64_t clock_offset_ms(void)
{
	pthread_once(&clock_env_once, clock_read_env);
	return atomic_load(&clock_offset);
}

void clock_set_offset_ms(int64_t offset_ms)
{
	/* Run the env read first so it can never overwrite this later. */
	pthread_once(&clock_env_once, clock_read_env);
	atomic_store(&clock_offset, offset_ms);
}

int64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms();
}

int64_t clock_now_s(void)
{
	int64_t ms = clock_now_ms();
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
