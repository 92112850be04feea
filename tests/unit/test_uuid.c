#include "check.h"

#include "util/clock.h"
#include "util/uuid.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

TEST(uuid_v7_has_canonical_lowercase_format)
{
	char id[37];
	uuid_v7(id);
	CHECK_INT(strlen(id), 36);
	CHECK(uuid_valid(id));
	for (int i = 0; i < 36; i++)
		CHECK(!(id[i] >= 'A' && id[i] <= 'Z'));
}

TEST(uuid_v7_has_version_7_and_rfc_variant)
{
	for (int i = 0; i < 100; i++) {
		char id[37];
		uuid_v7(id);
		CHECK(id[14] == '7');
		CHECK(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
	}
}

TEST(uuid_v7_timestamp_is_clock_now_ms)
{
	int64_t before = clock_now_ms();
	char id[37];
	uuid_v7(id);
	int64_t after = clock_now_ms();
	int64_t ts = 0;
	for (int i = 0; i < 13; i++)
		if (id[i] != '-')
			ts = ts * 16 + hexval(id[i]);
	/* ≥ before - a few ms: the counter may have pushed earlier ids ahead */
	CHECK(ts >= before && ts <= after + 5);
}

TEST(uuid_v7_10k_ids_are_strictly_increasing)
{
	char prev[37], cur[37];
	uuid_v7(prev);
	for (int i = 0; i < 10000; i++) {
		uuid_v7(cur);
		if (strcmp(prev, cur) >= 0) {
			CHECK(strcmp(prev, cur) < 0);
			fprintf(stderr, "  %s !< %s\n", prev, cur);
			break;
		}
		memcpy(prev, cur, sizeof(cur));
	}
}

TEST(uuid_v7_stays_ordered_when_clock_steps_back)
{
	char a[37], b[37];
	uuid_v7(a);
	clock_set_offset_ms(-60000);
	uuid_v7(b);
	clock_set_offset_ms(0);
	CHECK(strcmp(a, b) < 0);
}

#define THREADS 4
#define PER_THREAD 2000
static char thread_ids[THREADS * PER_THREAD][37];

static void *gen(void *arg)
{
	int t = (int)(intptr_t)arg;
	for (int i = 0; i < PER_THREAD; i++)
		uuid_v7(thread_ids[t * PER_THREAD + i]);
	return NULL;
}

static int cmp_ids(const void *x, const void *y)
{
	return strcmp(x, y);
}

TEST(uuid_v7_is_unique_across_threads)
{
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, gen, (void *)(intptr_t)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	qsort(thread_ids, THREADS * PER_THREAD, 37, cmp_ids);
	int dups = 0;
	for (int i = 1; i < THREADS * PER_THREAD; i++)
		if (strcmp(thread_ids[i - 1], thread_ids[i]) == 0)
			dups++;
	CHECK_INT(dups, 0);
}

TEST(uuid_valid_accepts_either_case)
{
	CHECK(uuid_valid("0190a5f4-3c2b-7d4e-8f00-123456789abc"));
	CHECK(uuid_valid("0190A5F4-3C2B-7D4E-8F00-123456789ABC"));
	CHECK(uuid_valid("00000000-0000-0000-0000-000000000000"));
}

TEST(uuid_valid_rejects_wrong_shape)
{
	CHECK(!uuid_valid(NULL));
	CHECK(!uuid_valid(""));
	CHECK(!uuid_valid("0190a5f4-3c2b-7d4e-8f00-123456789ab"));
	CHECK(!uuid_valid("0190a5f4-3c2b-7d4e-8f00-123456789abcd"));
	CHECK(!uuid_valid("0190a5f43c2b7d4e8f00123456789abc"));
	CHECK(!uuid_valid("0190a5f4-3c2b-7d4e-8f00_123456789abc"));
	CHECK(!uuid_valid("0190a5f4-3c2b-7d4e-8f00-123456789abg"));
	CHECK(!uuid_valid("{0190a5f4-3c2b-7d4e-8f00-123456789ab}"));
	CHECK(!uuid_valid(" 190a5f4-3c2b-7d4e-8f00-123456789abc"));
}

TEST(uuid_lower_lowercases_in_place)
{
	char s[] = "0190A5F4-3C2B-7D4E-8F00-123456789ABC";
	uuid_lower(s);
	CHECK_STR(s, "0190a5f4-3c2b-7d4e-8f00-123456789abc");
}

CHECK_MAIN()
