/* event_hub.c — see event_hub.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_events.h"
#include "util/clock.h"
#include "util/log.h"
#include "workers/event_hub.h"

#define BUCKETS 256
/* How often the timer looks at heartbeats (and, on SQLite, the heads). */
#define TICK_MS 1000
/* A store's streams are woken at once for a new event, then at most once
 * per window while events keep coming: under a burst of writes each
 * stream wakes (and reads the burst) a few dozen times a second instead
 * of once per write. */
#define WAKE_WINDOW_MS 50
/* How long the LISTEN thread waits at a time (so it sees stop). */
#define LISTEN_WAIT_MS 250
/* Between attempts to reconnect the LISTEN connection. */
#define LISTEN_RETRY_MS 1000

struct hub_tenant;

struct event_sub {
	struct event_sub *prev, *next;     /* the tenant's streams */
	struct event_hub *hub;
	struct hub_tenant *tenant;
	void (*wake)(void *arg);           /* NULL until attached */
	void *wake_arg;
	int64_t heartbeat_at_ms;           /* monotonic */
	int heartbeat_due;
	int waking;                        /* wakes in progress (outside the lock) */
	int gone;                          /* unsubscribing: waits for waking == 0 */
};

struct cached_message {
	char *text;
	size_t len;
};

struct hub_tenant {
	struct hub_tenant *next;           /* the bucket's chain */
	char id[37];
	int64_t seq;                       /* the latest seq heard of */
	int streams;
	struct event_sub *subs;
	/* Messages cache_lo .. cache_lo + cache_n - 1, slot seq % EVENT_HUB_CACHE. */
	struct cached_message cache[EVENT_HUB_CACHE];
	int64_t cache_lo;
	int cache_n;
	int64_t woke_ms;                   /* monotonic: the streams were last woken */
	int deferred;                      /* news since then, waiting for the window */
};

struct event_hub {
	struct store *store;
	struct event_hub_config cfg;
	enum store_events_reach reach;
	pthread_mutex_t lock;
	pthread_cond_t stop_cond;          /* stop, or a wake was deferred */
	pthread_cond_t woke_cond;          /* a sub's last wake in progress ended */
	int stop;
	int deferred;                      /* some tenant has a deferred wake */
	int streams;
	struct hub_tenant *buckets[BUCKETS];
	pthread_t timer, listener;
	int listener_started;
};

static unsigned bucket_of(const char *id)
{
	unsigned h = 2166136261u;         /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % BUCKETS;
}

/* Under h->lock. */
static struct hub_tenant *find(struct event_hub *h, const char *id)
{
	for (struct hub_tenant *t = h->buckets[bucket_of(id)]; t; t = t->next)
		if (strcmp(t->id, id) == 0)
			return t;
	return NULL;
}

/*
 * Waking a stream resumes its connection in libmicrohttpd, which takes
 * the daemon's own locks: so it is done without the hub's lock, from a
 * batch collected under it.  A sub in a batch counts `waking`, and
 * unsubscribing waits for that to drop to 0, so no stream is woken after
 * its done().
 */
struct wake_batch {
	struct event_sub **subs;
	int n, cap;
};

/* Under h->lock. */
static void batch_add(struct wake_batch *b, struct event_sub *s)
{
	if (!s->wake || s->gone)
		return;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->subs = realloc(b->subs, sizeof *b->subs * (size_t)b->cap);
		if (!b->subs)
			abort();
	}
	s->waking++;
	b->subs[b->n++] = s;
}

/* Under h->lock. */
static void batch_tenant(struct wake_batch *b, struct hub_tenant *t)
{
	for (struct event_sub *s = t->subs; s; s = s->next)
		batch_add(b, s);
}

/* Without h->lock: wake everyone in the batch, then release them. */
static void batch_run(struct event_hub *h, struct wake_batch *b)
{
	if (!b->n)
		return;
	for (int i = 0; i < b->n; i++)
		b->subs[i]->wake(b->subs[i]->wake_arg);
	pthread_mutex_lock(&h->lock);
	int released = 0;
	for (int i = 0; i < b->n; i++)
		if (--b->subs[i]->waking == 0 && b->subs[i]->gone)
			released = 1;
	if (released)
		pthread_cond_broadcast(&h->woke_cond);
	pthread_mutex_unlock(&h->lock);
	free(b->subs);
	b->subs = NULL;
	b->n = b->cap = 0;
}

void event_hub_notify(void *cls, const char *tenant_id, int64_t seq)
{
	struct event_hub *h = cls;
	struct wake_batch b = { 0 };
	pthread_mutex_lock(&h->lock);
	struct hub_tenant *t = find(h, tenant_id);
	if (t && seq > t->seq) {
		t->seq = seq;
		int64_t now = clock_mono_ms();
		if (now - t->woke_ms >= WAKE_WINDOW_MS) {
			t->woke_ms = now;
			batch_tenant(&b, t);
		} else if (!t->deferred) {
			t->deferred = 1;
			if (!h->deferred) {
				h->deferred = 1;
				pthread_cond_broadcast(&h->stop_cond);
			}
		}
	}
	pthread_mutex_unlock(&h->lock);
	batch_run(h, &b);
}

/* Under h->lock: the deferred wakes whose window has passed, into batch. */
static void wake_deferred(struct event_hub *h, int64_t now, struct wake_batch *batch)
{
	int left = 0;
	for (int b = 0; b < BUCKETS; b++)
		for (struct hub_tenant *t = h->buckets[b]; t; t = t->next) {
			if (!t->deferred)
				continue;
			if (now - t->woke_ms < WAKE_WINDOW_MS) {
				left = 1;
				continue;
			}
			t->deferred = 0;
			t->woke_ms = now;
			batch_tenant(batch, t);
		}
	h->deferred = left;
}

/* Every stream re-reads (after the LISTEN connection was lost): marked as
 * a heartbeat, which also makes it check the store. */
static void wake_all(struct event_hub *h)
{
	struct wake_batch batch = { 0 };
	pthread_mutex_lock(&h->lock);
	for (int b = 0; b < BUCKETS; b++)
		for (struct hub_tenant *t = h->buckets[b]; t; t = t->next)
			for (struct event_sub *s = t->subs; s; s = s->next) {
				s->heartbeat_due = 1;
				batch_add(&batch, s);
			}
	pthread_mutex_unlock(&h->lock);
	batch_run(h, &batch);
}

struct event_sub *event_hub_subscribe(struct event_hub *h, const char *tenant_id, int64_t seq)
{
	struct event_sub *sub = NULL;
	pthread_mutex_lock(&h->lock);
	struct hub_tenant *t = find(h, tenant_id);
	if (t && t->streams >= h->cfg.per_tenant)
		goto out;
	if (!t) {
		t = calloc(1, sizeof *t);
		if (!t)
			abort();
		snprintf(t->id, sizeof t->id, "%s", tenant_id);
		unsigned b = bucket_of(t->id);
		t->next = h->buckets[b];
		h->buckets[b] = t;
	}
	if (seq > t->seq)
		t->seq = seq;
	sub = calloc(1, sizeof *sub);
	if (!sub)
		abort();
	sub->hub = h;
	sub->tenant = t;
	sub->heartbeat_at_ms = clock_mono_ms() + h->cfg.heartbeat_s * 1000LL;
	sub->next = t->subs;
	if (t->subs)
		t->subs->prev = sub;
	t->subs = sub;
	t->streams++;
	h->streams++;
out:
	pthread_mutex_unlock(&h->lock);
	return sub;
}

void event_hub_attach(struct event_sub *sub, void (*wake)(void *arg), void *arg)
{
	pthread_mutex_lock(&sub->hub->lock);
	sub->wake = wake;
	sub->wake_arg = arg;
	pthread_mutex_unlock(&sub->hub->lock);
}

static void cache_clear(struct hub_tenant *t)
{
	for (int i = 0; i < EVENT_HUB_CACHE; i++) {
		free(t->cache[i].text);
		t->cache[i].text = NULL;
	}
	t->cache_n = 0;
}

int64_t event_hub_cached(struct event_sub *sub, int64_t after_seq,
	void (*put)(void *cls, const char *text, size_t len), void *cls)
{
	pthread_mutex_lock(&sub->hub->lock);
	struct hub_tenant *t = sub->tenant;
	int64_t last = -1;
	if (t->cache_n && after_seq + 1 >= t->cache_lo) {
		int64_t hi = t->cache_lo + t->cache_n - 1;
		last = after_seq;
		for (int64_t s = after_seq + 1; s <= hi; s++) {
			struct cached_message *m = &t->cache[s % EVENT_HUB_CACHE];
			put(cls, m->text, m->len);
			last = s;
		}
	}
	pthread_mutex_unlock(&sub->hub->lock);
	return last;
}

void event_hub_offer(struct event_sub *sub, int64_t seq, const char *text, size_t len)
{
	pthread_mutex_lock(&sub->hub->lock);
	struct hub_tenant *t = sub->tenant;
	int64_t hi = t->cache_lo + t->cache_n - 1;
	if (t->cache_n && seq >= t->cache_lo && seq <= hi)
		goto out;                       /* already there */
	if (!t->cache_n || seq != hi + 1) {
		cache_clear(t);
		t->cache_lo = seq;
	} else if (t->cache_n == EVENT_HUB_CACHE) {
		t->cache_lo++;                  /* the oldest slot is seq's */
		t->cache_n--;
	}
	struct cached_message *m = &t->cache[seq % EVENT_HUB_CACHE];
	free(m->text);
	m->text = malloc(len);
	if (!m->text)
		abort();
	memcpy(m->text, text, len);
	m->len = len;
	t->cache_n++;
out:
	pthread_mutex_unlock(&sub->hub->lock);
}

void event_hub_unsubscribe(struct event_sub *sub)
{
	if (!sub)
		return;
	struct event_hub *h = sub->hub;
	pthread_mutex_lock(&h->lock);
	struct hub_tenant *t = sub->tenant;
	sub->gone = 1;
	if (sub->prev)
		sub->prev->next = sub->next;
	else
		t->subs = sub->next;
	if (sub->next)
		sub->next->prev = sub->prev;
	t->streams--;
	h->streams--;
	if (t->streams == 0) {
		struct hub_tenant **pp = &h->buckets[bucket_of(t->id)];
		while (*pp != t)
			pp = &(*pp)->next;
		*pp = t->next;
		cache_clear(t);
		free(t);
	}
	/* A wake collected before the unlink may still be on its way. */
	while (sub->waking)
		pthread_cond_wait(&h->woke_cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	free(sub);
}

int64_t event_hub_seq(struct event_sub *sub)
{
	pthread_mutex_lock(&sub->hub->lock);
	int64_t seq = sub->tenant->seq;
	pthread_mutex_unlock(&sub->hub->lock);
	return seq;
}

int event_hub_heartbeat_due(struct event_sub *sub)
{
	pthread_mutex_lock(&sub->hub->lock);
	int due = sub->heartbeat_due;
	sub->heartbeat_due = 0;
	pthread_mutex_unlock(&sub->hub->lock);
	return due;
}

int event_hub_streams(struct event_hub *h)
{
	pthread_mutex_lock(&h->lock);
	int n = h->streams;
	pthread_mutex_unlock(&h->lock);
	return n;
}

/* Wait up to ms for stop; 1 when stopping. */
static int nap(struct event_hub *h, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	while (!h->stop && pthread_cond_timedwait(&h->stop_cond, &h->lock, &until) != ETIMEDOUT)
		;
	int stop = h->stop;
	pthread_mutex_unlock(&h->lock);
	return stop;
}

static void heartbeats(struct event_hub *h)
{
	struct wake_batch batch = { 0 };
	int64_t now = clock_mono_ms();
	pthread_mutex_lock(&h->lock);
	for (int b = 0; b < BUCKETS; b++)
		for (struct hub_tenant *t = h->buckets[b]; t; t = t->next)
			for (struct event_sub *s = t->subs; s; s = s->next) {
				if (now < s->heartbeat_at_ms)
					continue;
				s->heartbeat_at_ms = now + h->cfg.heartbeat_s * 1000LL;
				s->heartbeat_due = 1;
				batch_add(&batch, s);
			}
	pthread_mutex_unlock(&h->lock);
	batch_run(h, &batch);
}

/* Wait on stop_cond (h->lock held) for at most ms. */
static void wait_ms(struct event_hub *h, int64_t ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&h->stop_cond, &h->lock, &until);
}

static void *timer_loop(void *arg)
{
	struct event_hub *h = arg;
	int64_t next_tick = clock_mono_ms() + TICK_MS;
	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		int64_t now = clock_mono_ms();
		int64_t until = h->deferred && now + WAKE_WINDOW_MS < next_tick ? now + WAKE_WINDOW_MS : next_tick;
		if (until > now)
			wait_ms(h, until - now);
		if (h->stop)
			break;
		now = clock_mono_ms();
		if (h->deferred) {
			struct wake_batch b = { 0 };
			wake_deferred(h, now, &b);
			pthread_mutex_unlock(&h->lock);
			batch_run(h, &b);
			pthread_mutex_lock(&h->lock);
		}
		if (now < next_tick)
			continue;
		next_tick = now + TICK_MS;
		pthread_mutex_unlock(&h->lock);
		heartbeats(h);
		/* SQLite: commits of other processes (the CLI) are found in
		 * the heads, while anyone is watching. */
		if (h->reach == STORE_EVENTS_POLL && event_hub_streams(h) > 0 &&
		    store_event_heads_all(h->store, event_hub_notify, h) != STORE_OK)
			log_warn("events: cannot read the event heads; retrying in a second");
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static void *listen_loop(void *arg)
{
	struct event_hub *h = arg;
	struct store_event_listener *l = NULL;
	int down_logged = 0;
	for (;;) {
		pthread_mutex_lock(&h->lock);
		int stop = h->stop;
		pthread_mutex_unlock(&h->lock);
		if (stop)
			break;
		if (!l) {
			char err[256];
			int rc = store_event_listen(h->store, h->cfg.listen_url, &l, err, sizeof err);
			if (rc == STORE_ERROR) {
				/* Streams still re-read at every heartbeat. */
				log_warn("events: %s; changes made through other server processes reach"
					" streams at their next heartbeat only", err);
				l = NULL;
				break;
			}
			if (rc != STORE_OK) {
				l = NULL;
				if (!down_logged)
					log_warn("events: LISTEN %s: %s; retrying every second",
						STORE_EVENTS_CHANNEL, err);
				down_logged = 1;
				if (nap(h, LISTEN_RETRY_MS))
					break;
				continue;
			}
			if (down_logged)
				log_info("events: listening on %s again", STORE_EVENTS_CHANNEL);
			down_logged = 0;
			/* What was sent while nobody listened is in the table. */
			wake_all(h);
		}
		if (store_event_listen_wait(l, LISTEN_WAIT_MS, event_hub_notify, h) != STORE_OK) {
			log_warn("events: the LISTEN connection was lost; reconnecting");
			down_logged = 1;
			store_event_listen_close(l);
			l = NULL;
		}
	}
	store_event_listen_close(l);
	return NULL;
}

struct event_hub *event_hub_start(struct store *s, const struct event_hub_config *cfg)
{
	struct event_hub *h = calloc(1, sizeof *h);
	if (!h)
		abort();
	h->store = s;
	h->cfg = *cfg;
	if (h->cfg.heartbeat_s < 1)
		h->cfg.heartbeat_s = 1;
	if (h->cfg.per_tenant < 1)
		h->cfg.per_tenant = 1;
	h->reach = store_events_reach(s);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->stop_cond, NULL);
	pthread_cond_init(&h->woke_cond, NULL);
	if (pthread_create(&h->timer, NULL, timer_loop, h) != 0) {
		log_error("events: cannot start the timer thread");
		goto fail;
	}
	if (h->reach == STORE_EVENTS_NOTIFY) {
		if (pthread_create(&h->listener, NULL, listen_loop, h) != 0) {
			log_error("events: cannot start the LISTEN thread");
			pthread_mutex_lock(&h->lock);
			h->stop = 1;
			pthread_cond_broadcast(&h->stop_cond);
			pthread_mutex_unlock(&h->lock);
			pthread_join(h->timer, NULL);
			goto fail;
		}
		h->listener_started = 1;
	}
	return h;
fail:
	pthread_cond_destroy(&h->stop_cond);
	pthread_cond_destroy(&h->woke_cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
	return NULL;
}

void event_hub_stop(struct event_hub *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = 1;
	pthread_cond_broadcast(&h->stop_cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->timer, NULL);
	if (h->listener_started)
		pthread_join(h->listener, NULL);
	for (int b = 0; b < BUCKETS; b++)
		while (h->buckets[b]) {
			struct hub_tenant *t = h->buckets[b];
			h->buckets[b] = t->next;
			while (t->subs) {
				struct event_sub *sub = t->subs;
				t->subs = sub->next;
				free(sub);
			}
			cache_clear(t);
			free(t);
		}
	pthread_cond_destroy(&h->stop_cond);
	pthread_cond_destroy(&h->woke_cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
