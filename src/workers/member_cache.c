/* member_cache.c — see member_cache.h. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/store_member_feed.h"
#include "util/clock.h"
#include "util/log.h"
#include "workers/member_cache.h"

#define WAYS 8
#define STRIPES 64
#define ABSENT UINT32_MAX

/* The strings of a member context and its settings, in one order: the
 * block holds them one after the other, the entry their offsets. */
#define NSTRINGS 21
static void string_fields(struct member_ctx *m, struct settings_rec *s, char **f[NSTRINGS])
{
	int n = 0;
	f[n++] = &m->role;
	f[n++] = &m->email;
	f[n++] = &m->name;
	f[n++] = &m->tenant_slug;
	f[n++] = &m->tenant_name;
	f[n++] = &m->tenant_status;
	f[n++] = &m->plan;
	f[n++] = &m->plan_features;
	f[n++] = &m->language;
	f[n++] = &s->currency;
	f[n++] = &s->locale;
	f[n++] = &s->timezone;
	f[n++] = &s->phone_country;
	f[n++] = &s->upi_id;
	f[n++] = &s->reminder_template;
	f[n++] = &s->reminder_schedule;
	f[n++] = &s->whatsapp_provider;
	f[n++] = &s->whatsapp_config;
	f[n++] = &s->whatsapp_secret_sealed;
	f[n++] = &s->reminder_language;
	f[n++] = &s->receipts;
}

struct entry {
	uint64_t key;                /* 0: empty */
	char user_id[37], tenant_id[37];
	unsigned slot;               /* the store's version slot */
	uint64_t store_version, all_version;
	int64_t read_ms;             /* monotonic, before the row was read */
	uint64_t used;               /* last use, for eviction */
	uint32_t plan_features;
	struct member_ctx m;         /* its numbers; string pointers NULL */
	struct settings_rec s;
	uint32_t off[NSTRINGS];
	char *block;
	size_t len, cap;
};

/* A lock and what it counts, for the sets it guards (set % STRIPES): the
 * counters and the use stamps cost no shared atomic per hit.  A line of
 * its own each, so two threads on two stripes do not share one. */
struct stripe {
	pthread_mutex_t lock;
	uint64_t tick;               /* use stamps of its sets' entries */
	uint64_t hits, misses, stale, evictions;
} __attribute__((aligned(64)));

struct member_cache {
	size_t nsets;                /* a power of two */
	struct entry *entries;       /* nsets * WAYS */
	struct stripe stripes[STRIPES];
	_Atomic uint64_t versions[MEMBER_CACHE_SLOTS];
	_Atomic uint64_t all_version;
	_Atomic int64_t trusted_until; /* monotonic ms: news of other processes is current until */
	/* member_cache_start */
	struct store *store;
	pthread_t poller;
	int polling;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	int stop;
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h;
}

#define FNV_BASIS 14695981039346656037ull

/* The store's version slot, from the hash of its id. */
static unsigned slot_of(uint64_t tenant_hash)
{
	return (unsigned)(tenant_hash % MEMBER_CACHE_SLOTS);
}

/* The entry's key (never 0: 0 is an empty entry). */
static uint64_t key_of(uint64_t tenant_hash, const char *user_id)
{
	uint64_t h = fnv(tenant_hash ^ 0x9e3779b97f4a7c15ull, user_id);
	return h ? h : 1;
}

struct member_cache *member_cache_new(size_t entries)
{
	/* Aligned for its stripes' lines. */
	size_t size = (sizeof(struct member_cache) + 63) / 64 * 64;
	struct member_cache *c = aligned_alloc(64, size);
	if (!c)
		return NULL;
	memset(c, 0, size);
	size_t sets = 1;
	while (sets * WAYS < entries)
		sets *= 2;
	c->nsets = sets;
	/* calloc: the pages of a large table stay untouched until used. */
	c->entries = calloc(sets * WAYS, sizeof *c->entries);
	if (!c->entries) {
		free(c);
		return NULL;
	}
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->stripes[i].lock, NULL);
	pthread_mutex_init(&c->stop_lock, NULL);
	pthread_cond_init(&c->stop_cond, NULL);
	return c;
}

static void entry_clear(struct entry *e)
{
	if (e->block) {
		sodium_memzero(e->block, e->cap);
		free(e->block);
	}
	memset(e, 0, sizeof *e);
}

void member_cache_free(struct member_cache *c)
{
	if (!c)
		return;
	member_cache_stop(c);
	for (size_t i = 0; i < c->nsets * WAYS; i++)
		entry_clear(&c->entries[i]);
	free(c->entries);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->stripes[i].lock);
	pthread_mutex_destroy(&c->stop_lock);
	pthread_cond_destroy(&c->stop_cond);
	free(c);
}

/* Can e be trusted at now?  Under its stripe. */
static int entry_good(struct member_cache *c, const struct entry *e, int64_t now)
{
	int64_t age = now - e->read_ms;
	if (e->store_version != atomic_load(&c->versions[e->slot]) ||
	    e->all_version != atomic_load(&c->all_version))
		return 0;
	if (age >= MEMBER_CACHE_MAX_AGE_MS)
		return 0;
	return age < MEMBER_CACHE_UNHEARD_MS || now < atomic_load(&c->trusted_until);
}

int member_cache_get(struct member_cache *c, const char *user_id, const char *tenant_id,
	int64_t now_ms, struct arena *a, struct member_ctx *m, uint32_t *plan_features,
	struct member_cache_mark *mark)
{
	if (!c)
		return 0;
	uint64_t th = fnv(FNV_BASIS, tenant_id);
	unsigned slot = slot_of(th);
	/* Before anything is looked at: a put made with these numbers holds
	 * a row read after them (member_cache.h). */
	mark->all_version = atomic_load(&c->all_version);
	mark->store_version = atomic_load(&c->versions[slot]);
	mark->read_ms = now_ms;
	uint64_t key = key_of(th, user_id);
	size_t set = key & (c->nsets - 1);
	struct entry *ways = &c->entries[set * WAYS];
	struct stripe *st = &c->stripes[set % STRIPES];
	int found = 0;

	pthread_mutex_lock(&st->lock);
	for (int w = 0; w < WAYS; w++) {
		struct entry *e = &ways[w];
		if (e->key != key || strcmp(e->user_id, user_id) != 0 || strcmp(e->tenant_id, tenant_id) != 0)
			continue;
		if (!entry_good(c, e, now_ms)) {
			st->stale++;
			break;
		}
		char *block = arena_alloc(a, e->len);
		memcpy(block, e->block, e->len);
		struct settings_rec *s = arena_alloc(a, sizeof *s);
		*m = e->m;
		*s = e->s;
		char **f[NSTRINGS];
		string_fields(m, s, f);
		for (int i = 0; i < NSTRINGS; i++)
			*f[i] = e->off[i] == ABSENT ? NULL : block + e->off[i];
		m->settings = s;
		*plan_features = e->plan_features;
		e->used = ++st->tick;
		found = 1;
		break;
	}
	if (found)
		st->hits++;
	else
		st->misses++;
	pthread_mutex_unlock(&st->lock);
	return found;
}

void member_cache_put(struct member_cache *c, const char *user_id, const char *tenant_id,
	const struct member_cache_mark *mark, const struct member_ctx *m, uint32_t plan_features)
{
	if (!c || !m->settings || strlen(user_id) != 36 || strlen(tenant_id) != 36)
		return;
	uint64_t th = fnv(FNV_BASIS, tenant_id);
	unsigned slot = slot_of(th);
	/* Moved since the lookup: what was read may be older than the news. */
	if (mark->all_version != atomic_load(&c->all_version) ||
	    mark->store_version != atomic_load(&c->versions[slot]))
		return;
	struct member_ctx mc = *m;
	struct settings_rec sc = *m->settings;
	char **f[NSTRINGS];
	string_fields(&mc, &sc, f);
	size_t len = 0;
	for (int i = 0; i < NSTRINGS; i++)
		if (*f[i])
			len += strlen(*f[i]) + 1;
	if (len >= ABSENT)
		return;

	uint64_t key = key_of(th, user_id);
	size_t set = key & (c->nsets - 1);
	struct entry *ways = &c->entries[set * WAYS];
	struct stripe *st = &c->stripes[set % STRIPES];

	pthread_mutex_lock(&st->lock);
	struct entry *e = NULL, *empty = NULL, *oldest = NULL;
	for (int w = 0; w < WAYS; w++) {
		struct entry *x = &ways[w];
		if (x->key == key && strcmp(x->user_id, user_id) == 0 && strcmp(x->tenant_id, tenant_id) == 0) {
			e = x;
			break;
		}
		if (!x->key) {
			if (!empty)
				empty = x;
		} else if (!oldest || x->used < oldest->used) {
			oldest = x;
		}
	}
	if (!e && empty)
		e = empty;
	if (!e) {
		e = oldest;
		st->evictions++;
	}
	if (e->cap < len) {
		char *block = malloc(len);
		if (!block) {
			entry_clear(e);
			pthread_mutex_unlock(&st->lock);
			return;
		}
		if (e->block) {
			sodium_memzero(e->block, e->cap);
			free(e->block);
		}
		e->block = block;
		e->cap = len;
	}
	size_t at = 0;
	for (int i = 0; i < NSTRINGS; i++) {
		if (!*f[i]) {
			e->off[i] = ABSENT;
			continue;
		}
		size_t n = strlen(*f[i]) + 1;
		memcpy(e->block + at, *f[i], n);
		e->off[i] = (uint32_t)at;
		at += n;
		*f[i] = NULL;
	}
	e->len = len;
	mc.settings = NULL;
	e->m = mc;
	e->s = sc;
	e->key = key;
	memcpy(e->user_id, user_id, 37);
	memcpy(e->tenant_id, tenant_id, 37);
	e->slot = slot;
	e->store_version = mark->store_version;
	e->all_version = mark->all_version;
	e->read_ms = mark->read_ms;
	e->plan_features = plan_features;
	e->used = ++st->tick;
	pthread_mutex_unlock(&st->lock);
}

void member_cache_changed(void *cls, const char *tenant_id)
{
	struct member_cache *c = cls;
	if (tenant_id)
		atomic_fetch_add(&c->versions[slot_of(fnv(FNV_BASIS, tenant_id))], 1);
	else
		atomic_fetch_add(&c->all_version, 1);
}

void member_cache_listening(void *cls, int up)
{
	struct member_cache *c = cls;
	if (up) {
		/* What was said while nobody listened is lost. */
		atomic_fetch_add(&c->all_version, 1);
		atomic_store(&c->trusted_until, INT64_MAX);
	} else {
		atomic_store(&c->trusted_until, 0);
	}
}

void member_cache_heard_until(struct member_cache *c, int64_t now_ms)
{
	atomic_store(&c->trusted_until, now_ms + 3 * MEMBER_CACHE_POLL_MS);
}

void member_cache_stats(struct member_cache *c, struct member_cache_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!c)
		return;
	for (int i = 0; i < STRIPES; i++) {
		struct stripe *st = &c->stripes[i];
		pthread_mutex_lock(&st->lock);
		out->hits += st->hits;
		out->misses += st->misses;
		out->stale += st->stale;
		out->evictions += st->evictions;
		pthread_mutex_unlock(&st->lock);
	}
	out->capacity = c->nsets * WAYS;
}

/* ---- SQLite: other processes' changes, polled ---- */

/* Wait up to ms for stop; 1 when stopping. */
static int nap(struct member_cache *c, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)ms * 1000000L;
	while (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->stop_lock);
	while (!c->stop && pthread_cond_timedwait(&c->stop_cond, &c->stop_lock, &until) != ETIMEDOUT)
		;
	int stop = c->stop;
	pthread_mutex_unlock(&c->stop_lock);
	return stop;
}

static void *poll_loop(void *arg)
{
	struct member_cache *c = arg;
	int64_t cursor = -1;
	int failing = 0;
	do {
		int64_t began = clock_mono_ms();
		int rc = store_member_poll(c->store, &cursor);
		if (rc == STORE_OK) {
			member_cache_heard_until(c, began);
			if (failing)
				log_info("member cache: reading other processes' changes again");
			failing = 0;
		} else if (!failing) {
			/* Entries are then trusted MEMBER_CACHE_UNHEARD_MS only. */
			log_warn("member cache: cannot read other processes' changes (code %d); retrying", rc);
			failing = 1;
		}
	} while (!nap(c, MEMBER_CACHE_POLL_MS));
	return NULL;
}

int member_cache_start(struct member_cache *c, struct store *s)
{
	c->store = s;
	c->stop = 0;
	struct store_member_hook hook = {
		.changed = member_cache_changed,
		.listening = member_cache_listening,
		.cls = c,
	};
	store_set_member_hook(s, &hook);
	if (!store_member_polled(s))
		return 0;
	if (pthread_create(&c->poller, NULL, poll_loop, c) != 0) {
		log_error("member cache: cannot start its thread");
		store_set_member_hook(s, NULL);
		return -1;
	}
	c->polling = 1;
	return 0;
}

void member_cache_stop(struct member_cache *c)
{
	if (!c || !c->store)
		return;
	store_set_member_hook(c->store, NULL);
	if (c->polling) {
		pthread_mutex_lock(&c->stop_lock);
		c->stop = 1;
		pthread_cond_broadcast(&c->stop_cond);
		pthread_mutex_unlock(&c->stop_lock);
		pthread_join(c->poller, NULL);
		c->polling = 0;
	}
	c->store = NULL;
}
