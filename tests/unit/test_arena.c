#include "check.h"

#include "util/arena.h"

#include <pthread.h>
#include <stdint.h>

TEST(arena_allocations_are_16_byte_aligned_and_zeroed)
{
	struct arena *a = arena_new();
	CHECK(a != NULL);
	for (size_t n = 0; n < 3000; n += 7) {
		unsigned char *p = arena_alloc(a, n);
		CHECK(p != NULL);
		CHECK_INT((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < n; i++)
			if (p[i] != 0) {
				CHECK(p[i] == 0);
				break;
			}
		memset(p, 0xAB, n);
	}
	arena_free(a);
}

TEST(arena_large_allocation_gets_its_own_chunk)
{
	struct arena *a = arena_new();
	char *small = arena_alloc(a, 10);
	char *big = arena_alloc(a, 1 << 20);
	char *small2 = arena_alloc(a, 10);
	CHECK_INT((uintptr_t)big % 16, 0);
	memset(big, 1, 1 << 20);
	CHECK(small2 == small + 16);  /* bump continued in the same chunk */
	CHECK(arena_used(a) >= (1 << 20) + 32);
	arena_free(a);
}

TEST(arena_zero_size_allocations_are_distinct)
{
	struct arena *a = arena_new();
	void *p = arena_alloc(a, 0), *q = arena_alloc(a, 0);
	CHECK(p != NULL && q != NULL && p != q);
	arena_free(a);
}

TEST(arena_strdup_of_null_is_null)
{
	struct arena *a = arena_new();
	CHECK(arena_strdup(a, NULL) == NULL);
	CHECK(arena_strndup(a, NULL, 5) == NULL);
	arena_free(a);
}

TEST(arena_strndup_stops_at_n_or_nul)
{
	struct arena *a = arena_new();
	CHECK_STR(arena_strdup(a, "hello"), "hello");
	CHECK_STR(arena_strndup(a, "hello", 3), "hel");
	CHECK_STR(arena_strndup(a, "hi", 10), "hi");
	CHECK_STR(arena_strndup(a, "hi", 0), "");
	arena_free(a);
}

TEST(arena_printf_formats_long_strings)
{
	struct arena *a = arena_new();
	CHECK_STR(arena_printf(a, "%s-%d", "tenant", 42), "tenant-42");
	char *s = arena_printf(a, "%5000d", 7);
	CHECK_INT(strlen(s), 5000);
	CHECK(s[4999] == '7');
	arena_free(a);
}

TEST(arena_many_allocations_span_chunks)
{
	struct arena *a = arena_new();
	char *prev = NULL;
	for (int i = 0; i < 100000; i++) {
		char *p = arena_printf(a, "%d", i);
		if (prev)
			CHECK(p != prev);
		prev = p;
	}
	CHECK_STR(prev, "99999");
	arena_free(a);
}

TEST(arena_free_null_is_a_no_op)
{
	arena_free(NULL);
	CHECK(1);
}

static char deferred_order[8];
static int deferred_n;

static void note_deferred(void *cls)
{
	deferred_order[deferred_n++] = *(const char *)cls;
}

TEST(arena_deferred_calls_run_at_free_latest_first)
{
	struct arena *a = arena_new();
	static const char x = 'x', y = 'y';
	deferred_n = 0;
	arena_defer(a, note_deferred, (void *)&x);
	arena_defer(a, note_deferred, (void *)&y);
	CHECK_INT(deferred_n, 0);
	arena_free(a);
	CHECK_INT(deferred_n, 2);
	CHECK(deferred_order[0] == 'y' && deferred_order[1] == 'x');
}

TEST(a_large_allocation_that_fits_the_current_chunk_is_bumped_from_it)
{
	/* A request's struct req (some 2.6 KB) and its strings share the
	 * arena's first chunk: one block per request, not three. */
	struct arena *a = arena_new();
	char *p = arena_alloc(a, 10);
	char *q = arena_alloc(a, 2640);
	char *r = arena_alloc(a, 100);
	CHECK(q == p + 16);
	CHECK(r == q + 2640);
	arena_free(a);
}

TEST(arena_alloc_clears_what_it_returns_even_in_a_reused_block)
{
	/* The thread keeps a freed arena's block for the next arena, which
	 * is not cleared in bulk: arena_alloc still returns zeroes. */
	for (int round = 0; round < 3; round++) {
		struct arena *a = arena_new();
		unsigned char *raw = arena_alloc_raw(a, 1000);
		memset(raw, 0xCD, 1000);
		unsigned char *p = arena_alloc(a, 2000);
		int dirty = 0;
		for (int i = 0; i < 2000; i++)
			dirty |= p[i];
		CHECK_INT(dirty, 0);
		memset(p, 0xEF, 2000);
		char *s = arena_strdup(a, "abc");
		CHECK_STR(s, "abc");
		CHECK_INT((uintptr_t)raw % 16, 0);
		arena_free(a);
	}
}

static void *arena_in_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		struct arena *a = arena_new();
		memset(arena_alloc(a, 3000), 1, 3000);
		arena_free(a);
	}
	return NULL;   /* the block kept for the thread goes with it */
}

TEST(threads_that_end_release_the_block_they_kept)
{
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		CHECK_INT(pthread_create(&th[i], NULL, arena_in_thread, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
}

CHECK_MAIN()
