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
};

struct hub_tenant {
	struct hub_tenant *next;           /* the bucket's chain */
	char id[37];
	int64_t seq;                       /* the latest seq heard of */
	int streams;
	struct event_sub *subs;
};

struct event_hub {
	struct store *store;
	struct event_hub_config cfg;
	enum store_events_reach reach;
	pthread_mutex_t lock;
	pthread_cond_t stop_cond;
	int stop;
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

/* Under h->lock. */
static void wake_tenant(struct hub_tenant *t)
{
	for (struct event_sub *s = t->subs; s; s = s->next)
		if (s->wake)
			s->wake(s->wake_arg);
}

void event_hub_notify(void *cls, const char *tenant_id, int64_t seq)
{
	struct event_hub *h = cls;
	pthread_mutex_lock(&h->lock);
	struct hub_tenant *t = find(h, tenant_id);
	if (t && seq > t->seq) {
		t->seq = seq;
		wake_tenant(t);
	}
	pthread_mutex_unlock(&h->lock);
}

/* Every stream re-reads (after the LISTEN connection was lost): marked as
 * a heartbeat, which also makes it check the store. */
static void wake_all(struct event_hub *h)
{
	pthread_mutex_lock(&h->lock);
	for (int b = 0; b < BUCKETS; b++)
		for (struct hub_tenant *t = h->buckets[b]; t; t = t->next)
			for (struct event_sub *s = t->subs; s; s = s->next) {
				s->heartbeat_due = 1;
				if (s->wake)
					s->wake(s->wake_arg);
			}
	pthread_mutex_unlock(&h->lock);
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

void event_hub_unsubscribe(struct event_sub *sub)
{
	if (!sub)
		return;
	struct event_hub *h = sub->hub;
	pthread_mutex_lock(&h->lock);
	struct hub_tenant *t = sub->tenant;
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
		free(t);
	}
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
	int64_t now = clock_mono_ms();
	pthread_mutex_lock(&h->lock);
	for (int b = 0; b < BUCKETS; b++)
		for (struct hub_tenant *t = h->buckets[b]; t; t = t->next)
			for (struct event_sub *s = t->subs; s; s = s->next) {
				if (now < s->heartbeat_at_ms)
					continue;
				s->heartbeat_at_ms = now + h->cfg.heartbeat_s * 1000LL;
				s->heartbeat_due = 1;
				if (s->wake)
					s->wake(s->wake_arg);
			}
	pthread_mutex_unlock(&h->lock);
}

static void *timer_loop(void *arg)
{
	struct event_hub *h = arg;
	while (!nap(h, TICK_MS)) {
		heartbeats(h);
		/* SQLite: commits of other processes (the CLI) are found in
		 * the heads, while anyone is watching. */
		if (h->reach == STORE_EVENTS_POLL && event_hub_streams(h) > 0 &&
		    store_event_heads_all(h->store, event_hub_notify, h) != STORE_OK)
			log_warn("events: cannot read the event heads; retrying in a second");
	}
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
			free(t);
		}
	pthread_cond_destroy(&h->stop_cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
