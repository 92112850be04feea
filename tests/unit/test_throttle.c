#include "check.h"

#include "security/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

#define T0 1700000000

TEST(throttle_locks_after_max_failures)
{
	struct throttle *t = throttle_new(3, 60, 300);
	CHECK(t != NULL);
	CHECK_INT(throttle_retry_after(t, "k", T0), 0);
	throttle_fail(t, "k", T0);
	throttle_fail(t, "k", T0 + 1);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 1), 0);
	throttle_fail(t, "k", T0 + 2);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 2), 300);
	throttle_free(t);
}

TEST(throttle_retry_after_counts_down_to_zero)
{
	struct throttle *t = throttle_new(2, 60, 300);
	throttle_fail(t, "k", T0);
	throttle_fail(t, "k", T0);
	CHECK_INT(throttle_retry_after(t, "k", T0), 300);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 100), 200);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 299), 1);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 300), 0);
	throttle_free(t);
}

TEST(throttle_failures_while_locked_do_not_extend_lockout)
{
	struct throttle *t = throttle_new(2, 60, 300);
	throttle_fail(t, "k", T0);
	throttle_fail(t, "k", T0);
	throttle_fail(t, "k", T0 + 10);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 10), 290);
	throttle_free(t);
}

TEST(throttle_key_starts_afresh_after_lockout)
{
	struct throttle *t = throttle_new(2, 60, 300);
	throttle_fail(t, "k", T0);
	throttle_fail(t, "k", T0);
	throttle_fail(t, "k", T0 + 300);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 300), 0);
	throttle_fail(t, "k", T0 + 301);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 301), 300);
	throttle_free(t);
}

TEST(throttle_failures_outside_window_expire)
{
	struct throttle *t = throttle_new(3, 60, 300);
	throttle_fail(t, "k", T0);
	throttle_fail(t, "k", T0 + 30);
	throttle_fail(t, "k", T0 + 60);  /* the first has slid out */
	CHECK_INT(throttle_retry_after(t, "k", T0 + 60), 0);
	throttle_fail(t, "k", T0 + 89);  /* 30, 60, 89 within 60 s */
	CHECK_INT(throttle_retry_after(t, "k", T0 + 89), 300);
	throttle_free(t);
}

TEST(throttle_window_slides_rather_than_resets)
{
	/* A fixed window starting at T0 would reset at T0+60 and not lock. */
	struct throttle *t = throttle_new(3, 60, 300);
	throttle_fail(t, "k", T0);
	throttle_fail(t, "k", T0 + 50);
	throttle_fail(t, "k", T0 + 55);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 55), 300);
	throttle_free(t);
	t = throttle_new(3, 60, 300);
	throttle_fail(t, "k", T0 + 0);
	throttle_fail(t, "k", T0 + 59);
	throttle_fail(t, "k", T0 + 61);
	throttle_fail(t, "k", T0 + 62);  /* 59, 61, 62 */
	CHECK_INT(throttle_retry_after(t, "k", T0 + 62), 300);
	throttle_free(t);
}

TEST(throttle_success_clears_failures)
{
	struct throttle *t = throttle_new(2, 60, 300);
	throttle_fail(t, "k", T0);
	throttle_success(t, "k");
	throttle_fail(t, "k", T0 + 1);
	CHECK_INT(throttle_retry_after(t, "k", T0 + 1), 0);
	CHECK_INT(throttle_size(t), 1);
	throttle_success(t, "k");
	CHECK_INT(throttle_size(t), 0);
	throttle_free(t);
}

TEST(throttle_keys_are_independent)
{
	struct throttle *t = throttle_new(1, 60, 300);
	throttle_fail(t, "tenant:a@example.com", T0);
	CHECK_INT(throttle_retry_after(t, "tenant:a@example.com", T0), 300);
	CHECK_INT(throttle_retry_after(t, "tenant:b@example.com", T0), 0);
	CHECK_INT(throttle_retry_after(t, NULL, T0), 0);
	throttle_fail(t, NULL, T0);
	throttle_free(t);
}

TEST(throttle_memory_is_bounded_by_evicting_oldest)
{
	struct throttle *t = throttle_new_capacity(1, 60, 300, 100);
	char key[32];
	for (int i = 0; i < 250; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		throttle_fail(t, key, T0 + i / 100);
	}
	CHECK_INT(throttle_size(t), 100);
	CHECK_INT(throttle_retry_after(t, "k0", T0 + 2), 0);     /* evicted */
	CHECK(throttle_retry_after(t, "k249", T0 + 2) > 0);      /* kept */
	throttle_free(t);
}

TEST(throttle_expired_keys_are_dropped)
{
	struct throttle *t = throttle_new(5, 60, 300);
	char key[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		throttle_fail(t, key, T0);
	}
	CHECK_INT(throttle_size(t), 1000);
	throttle_fail(t, "late", T0 + 60);
	CHECK_INT(throttle_size(t), 1);
	throttle_free(t);
}

TEST(throttle_handles_full_capacity_of_100k_keys)
{
	struct throttle *t = throttle_new(3, 60, 300);
	char key[32];
	for (int i = 0; i < THROTTLE_MAX_KEYS + 500; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		throttle_fail(t, key, T0);
	}
	CHECK_INT(throttle_size(t), THROTTLE_MAX_KEYS);
	throttle_free(t);
}

TEST(throttle_rejects_bad_parameters)
{
	CHECK(throttle_new(0, 60, 300) == NULL);
	CHECK(throttle_new(THROTTLE_MAX_FAILURES + 1, 60, 300) == NULL);
	CHECK(throttle_new(3, 0, 300) == NULL);
	CHECK(throttle_new(3, 60, 0) == NULL);
	throttle_free(NULL);
}

static struct throttle *shared;

static void *hammer(void *arg)
{
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "%d-%d", (int)(intptr_t)arg, i % 50);
		throttle_fail(shared, key, T0);
		(void)throttle_retry_after(shared, key, T0);
		if (i % 7 == 0)
			throttle_success(shared, key);
	}
	return NULL;
}

TEST(throttle_is_thread_safe)
{
	shared = throttle_new_capacity(3, 60, 300, 120);
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, (void *)(intptr_t)i);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	CHECK(throttle_size(shared) <= 120);
	throttle_free(shared);
}

CHECK_MAIN()
