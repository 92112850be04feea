/* usage_meter.c — see usage_meter.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/usage.h"
#include "store/store_usage.h"
#include "util/clock.h"
#include "util/log.h"
#include "workers/usage_meter.h"

/* Minute rows are kept this long; the store's own figures need two. */
#define KEEP_MINUTES 60

struct slot {
	char tenant_id[37];          /* "" = free */
	int64_t minute;
	int64_t count;
};

/* Open addressing, linear probing, at most half full. */
struct table {
	struct slot *slots;
	size_t cap, used;
};

struct usage_meter {
	struct store *store;
	int flush_ms;
	pthread_mutex_t lock;        /* counting, pending, the two tables */
	struct table counting;       /* counts not yet handed to a flush */
	struct table flushing;       /* counts a flush is writing now */
	pthread_mutex_t flush_lock;  /* one flush at a time */
	pthread_cond_t wake;
	int stop, started;
	pthread_t thread;
};

static uint64_t slot_hash(const char *tenant_id, int64_t minute)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = tenant_id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (h ^ (uint64_t)minute) * 1099511628211ULL;
}

static struct slot *table_find(struct table *t, const char *tenant_id, int64_t minute, int insert)
{
	if (!t->cap)
		return NULL;
	size_t mask = t->cap - 1;
	for (size_t i = slot_hash(tenant_id, minute) & mask;; i = (i + 1) & mask) {
		struct slot *s = &t->slots[i];
		if (!s->tenant_id[0]) {
			if (!insert)
				return NULL;
			memcpy(s->tenant_id, tenant_id, strlen(tenant_id) + 1);
			s->minute = minute;
			s->count = 0;
			t->used++;
			return s;
		}
		if (s->minute == minute && strcmp(s->tenant_id, tenant_id) == 0)
			return s;
	}
}

/* Room for one more; 0, or -1 when out of memory. */
static int table_reserve(struct table *t)
{
	if (t->cap && (t->used + 1) * 2 <= t->cap)
		return 0;
	struct table grown = { calloc(t->cap ? t->cap * 2 : 64, sizeof(struct slot)),
		t->cap ? t->cap * 2 : 64, 0 };
	if (!grown.slots)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].tenant_id[0])
			table_find(&grown, t->slots[i].tenant_id, t->slots[i].minute, 1)->count =
				t->slots[i].count;
	free(t->slots);
	*t = grown;
	return 0;
}

static int table_add(struct table *t, const char *tenant_id, int64_t minute, int64_t n)
{
	if (table_reserve(t) < 0)
		return -1;
	table_find(t, tenant_id, minute, 1)->count += n;
	return 0;
}

static void table_clear(struct table *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}

struct usage_meter *usage_meter_new(struct store *s, int flush_ms)
{
	struct usage_meter *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->store = s;
	m->flush_ms = flush_ms < 10 ? 10 : flush_ms;
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->flush_lock, NULL);
	pthread_cond_init(&m->wake, NULL);
	return m;
}

void usage_meter_count(struct usage_meter *m, const char *tenant_id, int64_t unix_ms)
{
	if (!m || !tenant_id || strlen(tenant_id) != 36)
		return;
	int64_t minute = usage_minute_of(unix_ms);
	pthread_mutex_lock(&m->lock);
	if (table_add(&m->counting, tenant_id, minute, 1) < 0)
		log_warn("usage: out of memory counting a request");
	pthread_mutex_unlock(&m->lock);
}

static void pending_in(const struct table *t, const char *tenant_id, int64_t minute, int64_t day,
	int64_t *in_minute, int64_t *in_prev, int64_t *on_day)
{
	for (size_t i = 0; i < t->cap; i++) {
		const struct slot *s = &t->slots[i];
		if (!s->tenant_id[0] || strcmp(s->tenant_id, tenant_id) != 0)
			continue;
		if (s->minute == minute)
			*in_minute += s->count;
		else if (s->minute == minute - 1)
			*in_prev += s->count;
		if (usage_day_of_minute(s->minute) == day)
			*on_day += s->count;
	}
}

void usage_meter_pending(struct usage_meter *m, const char *tenant_id, int64_t minute,
	int64_t *in_minute, int64_t *in_prev_minute, int64_t *on_day)
{
	*in_minute = *in_prev_minute = *on_day = 0;
	if (!m || !tenant_id)
		return;
	int64_t day = usage_day_of_minute(minute);
	pthread_mutex_lock(&m->lock);
	pending_in(&m->counting, tenant_id, minute, day, in_minute, in_prev_minute, on_day);
	pending_in(&m->flushing, tenant_id, minute, day, in_minute, in_prev_minute, on_day);
	pthread_mutex_unlock(&m->lock);
}

/* Write m->flushing in one transaction: a STORE_* code.  With a tenant
 * directory the stores live on several clusters: one transaction per
 * slot instead, each written slot marked in done[] so that only the
 * others are kept for the next try. */
static int write_counts(struct usage_meter *m, char *done)
{
	static const struct store_actor actor = { "system", "system", "", "" };
	struct store_tx *tx = NULL;
	int64_t keep_from = usage_minute_of(clock_now_ms()) - KEEP_MINUTES;
	int each = store_has_directory(m->store);
	int rc = STORE_OK, failed = STORE_OK;
	if (!each)
		rc = store_begin_platform(m->store, 1, &actor, &tx);
	for (size_t i = 0; rc == STORE_OK && i < m->flushing.cap; i++) {
		const struct slot *s = &m->flushing.slots[i];
		if (!s->tenant_id[0])
			continue;
		if (each && (rc = store_begin_platform(m->store, 1, &actor, &tx)) != STORE_OK)
			break;
		rc = store_usage_add(tx, s->tenant_id, s->minute, s->count, keep_from);
		if (each) {
			if (rc == STORE_OK)
				rc = store_commit(tx);
			else
				store_rollback(tx);
			tx = NULL;
			if (rc == STORE_OK)
				done[i] = 1;
			else
				failed = rc;
			rc = STORE_OK;   /* the next store's count goes on */
		}
	}
	if (each)
		return rc != STORE_OK ? rc : failed;
	if (rc == STORE_OK)
		return store_commit(tx);
	store_rollback(tx);
	return rc;
}

int usage_meter_flush(struct usage_meter *m)
{
	if (!m)
		return 0;
	pthread_mutex_lock(&m->flush_lock);
	pthread_mutex_lock(&m->lock);
	if (!m->counting.used) {
		pthread_mutex_unlock(&m->lock);
		pthread_mutex_unlock(&m->flush_lock);
		return 0;
	}
	m->flushing = m->counting;
	memset(&m->counting, 0, sizeof m->counting);
	pthread_mutex_unlock(&m->lock);

	char *done = calloc(m->flushing.cap ? m->flushing.cap : 1, 1);
	if (!done)
		abort();
	int rc = write_counts(m, done);

	pthread_mutex_lock(&m->lock);
	if (rc != STORE_OK) {
		/* Keep them for the next flush, added to what came meanwhile. */
		for (size_t i = 0; i < m->flushing.cap; i++) {
			const struct slot *s = &m->flushing.slots[i];
			if (s->tenant_id[0] && !done[i] && table_add(&m->counting, s->tenant_id, s->minute, s->count) < 0)
				break;
		}
	}
	free(done);
	table_clear(&m->flushing);
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->flush_lock);
	if (rc != STORE_OK)
		log_warn("usage: request counts not written (code %d); kept for the next try", rc);
	return rc == STORE_OK ? 0 : -1;
}

static void *loop(void *arg)
{
	struct usage_meter *m = arg;
	for (;;) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += m->flush_ms / 1000;
		until.tv_nsec += (long)(m->flush_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&m->lock);
		while (!m->stop) {
			if (pthread_cond_timedwait(&m->wake, &m->lock, &until) == ETIMEDOUT)
				break;
		}
		int stop = m->stop;
		pthread_mutex_unlock(&m->lock);
		if (stop)
			break;
		(void)usage_meter_flush(m);
	}
	return NULL;
}

int usage_meter_start(struct usage_meter *m)
{
	if (pthread_create(&m->thread, NULL, loop, m) != 0) {
		log_error("usage: cannot start the counter thread");
		return -1;
	}
	m->started = 1;
	return 0;
}

void usage_meter_free(struct usage_meter *m)
{
	if (!m)
		return;
	if (m->started) {
		pthread_mutex_lock(&m->lock);
		m->stop = 1;
		pthread_cond_signal(&m->wake);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->thread, NULL);
	}
	(void)usage_meter_flush(m);
	table_clear(&m->counting);
	table_clear(&m->flushing);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->flush_lock);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
