/*
 * Chained hash table of entries, plus a doubly linked list of the same
 * entries ordered by last failure (oldest first) for expiry and eviction.
 * Each entry keeps a ring of its last max_failures failure times, which is
 * what makes the window sliding rather than fixed.
 */
#include "security/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct throttle_entry {
	uint8_t id[16];                 /* keyed hash of the key text */
	struct throttle_entry *chain;   /* next in bucket */
	struct throttle_entry *older, *newer;  /* age list */
	int64_t last_fail;
	int64_t locked_until;           /* 0: not locked */
	int nfail;                      /* entries used in ring */
	int head;                       /* next ring slot */
	int64_t ring[];
};

struct throttle {
	pthread_mutex_t lock;
	int max_failures, window_s, lockout_s;
	size_t max_keys, nkeys, nbuckets;
	struct throttle_entry **buckets;
	struct throttle_entry *oldest, *newest;
	uint8_t hash_key[crypto_generichash_KEYBYTES];
};

struct throttle *throttle_new_capacity(int max_failures, int window_s,
				       int lockout_s, size_t max_keys)
{
	if (max_failures < 1 || max_failures > THROTTLE_MAX_FAILURES ||
	    window_s <= 0 || lockout_s <= 0 || max_keys < 1 ||
	    max_keys > THROTTLE_MAX_KEYS)
		return NULL;
	struct throttle *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_failures = max_failures;
	t->window_s = window_s;
	t->lockout_s = lockout_s;
	t->max_keys = max_keys;
	/* Power of two ≥ max_keys: load factor stays ≤ 1. */
	t->nbuckets = 16;
	while (t->nbuckets < max_keys)
		t->nbuckets *= 2;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets || pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t->buckets);
		free(t);
		return NULL;
	}
	randombytes_buf(t->hash_key, sizeof(t->hash_key));
	return t;
}

struct throttle *throttle_new(int max_failures, int window_s, int lockout_s)
{
	return throttle_new_capacity(max_failures, window_s, lockout_s,
				     THROTTLE_MAX_KEYS);
}

static void key_id(const struct throttle *t, const char *key, uint8_t id[16])
{
	crypto_generichash(id, 16, (const unsigned char *)key, strlen(key),
			   t->hash_key, sizeof(t->hash_key));
}

static size_t bucket_of(const struct throttle *t, const uint8_t id[16])
{
	uint64_t h;
	memcpy(&h, id, sizeof(h));
	return (size_t)(h & (t->nbuckets - 1));
}

static struct throttle_entry *find(struct throttle *t, const uint8_t id[16])
{
	struct throttle_entry *e = t->buckets[bucket_of(t, id)];
	while (e && memcmp(e->id, id, 16) != 0)
		e = e->chain;
	return e;
}

static void age_unlink(struct throttle *t, struct throttle_entry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	e->older = e->newer = NULL;
}

static void age_push_newest(struct throttle *t, struct throttle_entry *e)
{
	e->older = t->newest;
	e->newer = NULL;
	if (t->newest)
		t->newest->newer = e;
	else
		t->oldest = e;
	t->newest = e;
}

static void entry_remove(struct throttle *t, struct throttle_entry *e)
{
	struct throttle_entry **pp = &t->buckets[bucket_of(t, e->id)];
	while (*pp != e)
		pp = &(*pp)->chain;
	*pp = e->chain;
	age_unlink(t, e);
	t->nkeys--;
	free(e);
}

/* Nothing left to remember: window passed since the last failure and any
 * lockout is over. */
static int entry_expired(const struct throttle *t, const struct throttle_entry *e,
			 int64_t now_s)
{
	return now_s - e->last_fail >= t->window_s && e->locked_until <= now_s;
}

int throttle_retry_after(struct throttle *t, const char *key, int64_t now_s)
{
	if (!t || !key)
		return 0;
	uint8_t id[16];
	key_id(t, key, id);
	int wait = 0;
	pthread_mutex_lock(&t->lock);
	struct throttle_entry *e = find(t, id);
	if (e && e->locked_until > now_s) {
		int64_t d = e->locked_until - now_s;
		wait = d > t->lockout_s ? t->lockout_s : (int)d;
	}
	pthread_mutex_unlock(&t->lock);
	return wait;
}

void throttle_fail(struct throttle *t, const char *key, int64_t now_s)
{
	if (!t || !key)
		return;
	uint8_t id[16];
	key_id(t, key, id);
	pthread_mutex_lock(&t->lock);

	/* The age list is ordered by last failure, so expired entries sit at
	 * the old end; dropping them here keeps the table small for free. */
	while (t->oldest && entry_expired(t, t->oldest, now_s))
		entry_remove(t, t->oldest);

	struct throttle_entry *e = find(t, id);
	if (!e) {
		if (t->nkeys >= t->max_keys && t->oldest)
			entry_remove(t, t->oldest);
		e = calloc(1, sizeof(*e) + (size_t)t->max_failures * sizeof(int64_t));
		if (!e)
			goto out;  /* failing open beats failing the login path */
		memcpy(e->id, id, 16);
		size_t b = bucket_of(t, id);
		e->chain = t->buckets[b];
		t->buckets[b] = e;
		t->nkeys++;
	} else {
		age_unlink(t, e);
	}
	age_push_newest(t, e);
	/* Keep the list ordered even if the caller's clock steps back. */
	if (!e->older || e->older->last_fail <= now_s)
		e->last_fail = now_s;
	else
		e->last_fail = e->older->last_fail;

	if (e->locked_until > now_s)
		goto out;  /* already locked: failures while locked do not extend */

	e->ring[e->head] = now_s;
	e->head = (e->head + 1) % t->max_failures;
	if (e->nfail < t->max_failures)
		e->nfail++;
	int recent = 0;
	for (int i = 0; i < e->nfail; i++)
		if (now_s - e->ring[i] < t->window_s)
			recent++;
	if (recent >= t->max_failures) {
		e->locked_until = now_s + t->lockout_s;
		e->nfail = 0;
		e->head = 0;
	}
out:
	pthread_mutex_unlock(&t->lock);
}

void throttle_success(struct throttle *t, const char *key)
{
	if (!t || !key)
		return;
	uint8_t id[16];
	key_id(t, key, id);
	pthread_mutex_lock(&t->lock);
	struct throttle_entry *e = find(t, id);
	if (e)
		entry_remove(t, e);
	pthread_mutex_unlock(&t->lock);
}

size_t throttle_size(struct throttle *t)
{
	pthread_mutex_lock(&t->lock);
	size_t n = t->nkeys;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void throttle_free(struct throttle *t)
{
	if (!t)
		return;
	struct throttle_entry *e = t->oldest;
	while (e) {
		struct throttle_entry *next = e->newer;
		free(e);
		e = next;
	}
	free(t->buckets);
	pthread_mutex_destroy(&t->lock);
	sodium_memzero(t->hash_key, sizeof(t->hash_key));
	free(t);
}
