/*
 * throttle.h — in-memory login failure throttle.
 *
 * A key (for example "tenant-id:email" or a client address) that collects
 * max_failures failures within any window_s-second sliding window is locked
 * for lockout_s seconds from the failure that tripped it.  When the lockout
 * ends the key starts afresh (its failure history is cleared when it locks).
 * Time is always passed in (now_s, unix seconds) so callers and tests
 * control it.
 *
 * Memory is bounded: at most THROTTLE_MAX_KEYS keys (or the capacity given
 * to throttle_new_capacity()).  Keys whose window and lockout have both
 * passed are dropped as new failures arrive; when the table is still full,
 * the key with the oldest failure is evicted.  Keys are stored only as a
 * keyed 128-bit BLAKE2b hash (random key per table), never as text.
 *
 * All functions are thread-safe (one mutex per table).
 */
#ifndef QT_SECURITY_THROTTLE_H
#define QT_SECURITY_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define THROTTLE_MAX_KEYS 100000
/* Largest max_failures accepted (history is kept per failure). */
#define THROTTLE_MAX_FAILURES 64

struct throttle;

/*
 * A new table.  max_failures 1..THROTTLE_MAX_FAILURES, window_s > 0,
 * lockout_s > 0; NULL on bad arguments or OOM.  Free with throttle_free().
 */
struct throttle *throttle_new(int max_failures, int window_s, int lockout_s);

/* Same, holding at most max_keys keys (1..THROTTLE_MAX_KEYS); for tests. */
struct throttle *throttle_new_capacity(int max_failures, int window_s,
				       int lockout_s, size_t max_keys);

/*
 * 0 if key may try now; otherwise the seconds until the lockout ends
 * (≥ 1).  Unknown keys and NULL key return 0.
 */
int throttle_retry_after(struct throttle *t, const char *key, int64_t now_s);

/* Record a failure for key at now_s (may lock it).  NULL key ignored. */
void throttle_fail(struct throttle *t, const char *key, int64_t now_s);

/* Forget key's failures and lockout (after a successful login). */
void throttle_success(struct throttle *t, const char *key);

/* Number of keys currently tracked (for tests and metrics). */
size_t throttle_size(struct throttle *t);

/* Free the table.  NULL is a no-op. */
void throttle_free(struct throttle *t);

#endif
