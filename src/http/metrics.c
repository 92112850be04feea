/*
 * metrics.c — counters kept per thread, summed when /metrics is scraped.
 *
 * The series themselves (route, method, status; a tenant's slug) are
 * numbered once, process-wide, in append-only tables: a new series takes
 * reg_lock, an existing one is found without a lock (open addressing over
 * ids published with release).  Each thread that observes gets a slot of
 * counters indexed by those ids, allocated in chunks as ids appear, which
 * only it writes (plain loads and stores, relaxed atomics); a scrape reads
 * every slot.  So a request takes no lock and shares no cache line with
 * other threads.
 *
 * A slot survives its thread (the counters are totals since the process
 * started): the next thread to observe takes it over and adds to it.
 *
 * Histogram buckets are kept per bucket, not cumulative, and made
 * cumulative at scrape.  A thread stores the count before the bucket
 * (release); a scrape loads the buckets (acquire) before the count, so the
 * +Inf bucket is never below a finite one, and finite ones never decrease
 * along le, even mid-update.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "http/metrics.h"
#include "util/logbuf.h"

#define METRICS_MAX_SERIES 1024
#define SERIES_INDEX (2 * METRICS_MAX_SERIES)   /* power of two */
#define SERIES_CHUNK 32
static const int64_t bucket_us[] = { 1000, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 5000000 };
#define NBUCKETS (sizeof bucket_us / sizeof bucket_us[0])

#define METRICS_MAX_TENANTS 4096
#define TENANT_INDEX (2 * METRICS_MAX_TENANTS)  /* power of two */
#define TENANT_CHUNK 64
#define TENANT_SLUG_MAX 64

struct series_key {
	const char *route;
	const char *method;
	int status;
};

typedef _Atomic uint64_t counter;

struct series_counts {
	counter count;
	counter sum_us;
	counter in_bucket[NBUCKETS];   /* le this bucket and above the one before */
};

struct tenant_counts {
	counter by_class[5];           /* 1xx .. 5xx */
};

struct slot {
	struct slot *next;             /* all slots (push-front under reg_lock) */
	int owned;                     /* a live thread observes into it (reg_lock) */
	_Atomic(struct series_counts *) series[METRICS_MAX_SERIES / SERIES_CHUNK];
	_Atomic(struct tenant_counts *) tenants[METRICS_MAX_TENANTS / TENANT_CHUNK];
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

static struct series_key series_keys[METRICS_MAX_SERIES];
static atomic_int nseries;
static atomic_int series_index[SERIES_INDEX];      /* id + 1; 0 = empty */

static char tenant_slugs[METRICS_MAX_TENANTS][TENANT_SLUG_MAX];
static atomic_int ntenants;
static atomic_int tenant_index[TENANT_INDEX];      /* id + 1; 0 = empty */

static _Atomic(struct slot *) slots;
static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;
static _Thread_local struct slot *my_slot;

static atomic_ullong head_timeouts;

/* One writer per counter: a load and a store, no locked instruction. */
static inline void bump(counter *c, uint64_t by, memory_order order)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by, order);
}

/* ---- Slots ---- */

static void slot_gone(void *cls)
{
	struct slot *s = cls;
	my_slot = NULL;
	pthread_mutex_lock(&reg_lock);
	s->owned = 0;
	pthread_mutex_unlock(&reg_lock);
}

static void slot_key_create(void)
{
	pthread_key_create(&slot_key, slot_gone);
}

static struct slot *slot_of_thread(void)
{
	if (my_slot)
		return my_slot;
	pthread_once(&slot_once, slot_key_create);
	pthread_mutex_lock(&reg_lock);
	struct slot *s;
	for (s = atomic_load(&slots); s; s = s->next)
		if (!s->owned)
			break;
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s) {
			pthread_mutex_unlock(&reg_lock);
			return NULL;
		}
		s->next = atomic_load(&slots);
		atomic_store_explicit(&slots, s, memory_order_release);
	}
	s->owned = 1;
	pthread_mutex_unlock(&reg_lock);
	pthread_setspecific(slot_key, s);
	my_slot = s;
	return s;
}

/* The counters of id in a slot; with `make`, allocated when missing
 * (only the owner makes them).  NULL when absent or out of memory. */
static struct series_counts *series_counts_of(struct slot *s, int id, int make)
{
	_Atomic(struct series_counts *) *chunk = &s->series[id / SERIES_CHUNK];
	struct series_counts *c = atomic_load_explicit(chunk, memory_order_acquire);
	if (!c && make) {
		c = calloc(SERIES_CHUNK, sizeof *c);
		if (!c)
			return NULL;
		atomic_store_explicit(chunk, c, memory_order_release);
	}
	return c ? &c[id % SERIES_CHUNK] : NULL;
}

static struct tenant_counts *tenant_counts_of(struct slot *s, int id, int make)
{
	_Atomic(struct tenant_counts *) *chunk = &s->tenants[id / TENANT_CHUNK];
	struct tenant_counts *c = atomic_load_explicit(chunk, memory_order_acquire);
	if (!c && make) {
		c = calloc(TENANT_CHUNK, sizeof *c);
		if (!c)
			return NULL;
		atomic_store_explicit(chunk, c, memory_order_release);
	}
	return c ? &c[id % TENANT_CHUNK] : NULL;
}

/* ---- Series ids ---- */

static uint32_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

static int series_match(int id, const char *route, const char *method, int status)
{
	const struct series_key *k = &series_keys[id];
	return k->route == route && k->method == method && k->status == status;
}

/* The id of (route, method, status), numbered at first sight; -1 when the
 * table is full. */
static int series_id(const char *route, const char *method, int status)
{
	uint32_t h = mix((uint64_t)(uintptr_t)route * 31 + (uint64_t)(uintptr_t)method * 7 + (uint64_t)status);
	for (uint32_t probe = 0; probe < SERIES_INDEX; probe++) {
		atomic_int *at = &series_index[(h + probe) & (SERIES_INDEX - 1)];
		int v = atomic_load_explicit(at, memory_order_acquire);
		if (v == 0) {
			/* Not there: number it under the lock, unless another
			 * thread did meanwhile (then it is at this place or
			 * later along the same probe sequence). */
			pthread_mutex_lock(&reg_lock);
			int id = -1;
			for (; probe < SERIES_INDEX; probe++) {
				at = &series_index[(h + probe) & (SERIES_INDEX - 1)];
				v = atomic_load_explicit(at, memory_order_relaxed);
				if (v && series_match(v - 1, route, method, status)) {
					id = v - 1;
					break;
				}
				if (!v) {
					int n = atomic_load_explicit(&nseries, memory_order_relaxed);
					if (n < METRICS_MAX_SERIES) {
						series_keys[n] = (struct series_key){ route, method, status };
						atomic_store_explicit(at, n + 1, memory_order_release);
						atomic_store_explicit(&nseries, n + 1, memory_order_release);
						id = n;
					}
					break;
				}
			}
			pthread_mutex_unlock(&reg_lock);
			return id;
		}
		if (series_match(v - 1, route, method, status))
			return v - 1;
	}
	return -1;
}

static int tenant_id(const char *slug, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)slug[i]) * 16777619u;
	for (uint32_t probe = 0; probe < TENANT_INDEX; probe++) {
		atomic_int *at = &tenant_index[(h + probe) & (TENANT_INDEX - 1)];
		int v = atomic_load_explicit(at, memory_order_acquire);
		if (v == 0) {
			pthread_mutex_lock(&reg_lock);
			int id = -1;
			for (; probe < TENANT_INDEX; probe++) {
				at = &tenant_index[(h + probe) & (TENANT_INDEX - 1)];
				v = atomic_load_explicit(at, memory_order_relaxed);
				if (v && strcmp(tenant_slugs[v - 1], slug) == 0) {
					id = v - 1;
					break;
				}
				if (!v) {
					int n = atomic_load_explicit(&ntenants, memory_order_relaxed);
					if (n < METRICS_MAX_TENANTS) {
						memcpy(tenant_slugs[n], slug, len + 1);
						atomic_store_explicit(at, n + 1, memory_order_release);
						atomic_store_explicit(&ntenants, n + 1, memory_order_release);
						id = n;
					}
					break;
				}
			}
			pthread_mutex_unlock(&reg_lock);
			return id;
		}
		if (strcmp(tenant_slugs[v - 1], slug) == 0)
			return v - 1;
	}
	return -1;
}

/* ---- Observing ---- */

/* The method label: one of a fixed set of literals, so a client sending
 * made-up methods adds one series (OTHER), not one per request. */
static const char *method_label(const char *method)
{
	static const char *const known[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(method, known[i]) == 0)
			return known[i];
	return "OTHER";
}

void metrics_observe(const char *route, const char *method, int status,
	int64_t duration_us)
{
	if (duration_us < 0)
		duration_us = 0;
	int id = series_id(route, method_label(method), status);
	struct slot *s = id < 0 ? NULL : slot_of_thread();
	struct series_counts *c = s ? series_counts_of(s, id, 1) : NULL;
	if (!c)
		return;
	bump(&c->count, 1, memory_order_relaxed);
	bump(&c->sum_us, (uint64_t)duration_us, memory_order_relaxed);
	for (size_t b = 0; b < NBUCKETS; b++) {
		if (duration_us <= bucket_us[b]) {
			bump(&c->in_bucket[b], 1, memory_order_release);
			break;
		}
	}
}

void metrics_observe_tenant(const char *slug, int status)
{
	size_t len = strlen(slug);
	if (len == 0 || len >= TENANT_SLUG_MAX || status < 100 || status > 599)
		return;
	int id = tenant_id(slug, len);
	struct slot *s = id < 0 ? NULL : slot_of_thread();
	struct tenant_counts *c = s ? tenant_counts_of(s, id, 1) : NULL;
	if (c)
		bump(&c->by_class[status / 100 - 1], 1, memory_order_relaxed);
}

void metrics_head_timeout(void)
{
	atomic_fetch_add(&head_timeouts, 1);
}

/* ---- Scraping ---- */

static void put_seconds(struct buf *out, uint64_t us)
{
	buf_printf(out, "%llu.%06llu", (unsigned long long)(us / 1000000),
		(unsigned long long)(us % 1000000));
}

/* One series summed over every slot. */
static void series_sum(struct slot *all, int id, uint64_t *count, uint64_t *sum_us,
	uint64_t cumulative[NBUCKETS])
{
	uint64_t in_bucket[NBUCKETS] = { 0 };
	*count = *sum_us = 0;
	for (struct slot *s = all; s; s = s->next) {
		struct series_counts *c = series_counts_of(s, id, 0);
		if (!c)
			continue;
		for (size_t b = 0; b < NBUCKETS; b++)
			in_bucket[b] += atomic_load_explicit(&c->in_bucket[b], memory_order_acquire);
		*sum_us += atomic_load_explicit(&c->sum_us, memory_order_relaxed);
		*count += atomic_load_explicit(&c->count, memory_order_relaxed);
	}
	uint64_t run = 0;
	for (size_t b = 0; b < NBUCKETS; b++)
		cumulative[b] = run += in_bucket[b];
}

void metrics_render(struct buf *out)
{
	struct slot *all = atomic_load_explicit(&slots, memory_order_acquire);
	int n = atomic_load_explicit(&nseries, memory_order_acquire);
	struct {
		uint64_t count, sum_us, buckets[NBUCKETS];
	} *sums = calloc(n ? (size_t)n : 1, sizeof *sums);
	if (!sums)
		n = 0;
	for (int i = 0; i < n; i++)
		series_sum(all, i, &sums[i].count, &sums[i].sum_us, sums[i].buckets);

	buf_puts(out, "# HELP qt_http_requests_total HTTP requests by route, method and status.\n"
		"# TYPE qt_http_requests_total counter\n");
	for (int i = 0; i < n; i++)
		buf_printf(out, "qt_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
			series_keys[i].route, series_keys[i].method, series_keys[i].status,
			(unsigned long long)sums[i].count);
	buf_puts(out, "# HELP qt_http_request_duration_seconds Request latency.\n"
		"# TYPE qt_http_request_duration_seconds histogram\n");
	for (int i = 0; i < n; i++) {
		const struct series_key *k = &series_keys[i];
		for (size_t b = 0; b < NBUCKETS; b++) {
			buf_printf(out, "qt_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",status=\"%d\",le=\"",
				k->route, k->method, k->status);
			put_seconds(out, (uint64_t)bucket_us[b]);
			buf_printf(out, "\"} %llu\n", (unsigned long long)sums[i].buckets[b]);
		}
		buf_printf(out, "qt_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",status=\"%d\",le=\"+Inf\"} %llu\n",
			k->route, k->method, k->status, (unsigned long long)sums[i].count);
		buf_printf(out, "qt_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\",status=\"%d\"} ",
			k->route, k->method, k->status);
		put_seconds(out, sums[i].sum_us);
		buf_printf(out, "\nqt_http_request_duration_seconds_count{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
			k->route, k->method, k->status, (unsigned long long)sums[i].count);
	}
	free(sums);
	buf_printf(out, "# HELP qt_http_head_timeouts_total Connections closed because the request head "
		"was not complete in time.\n# TYPE qt_http_head_timeouts_total counter\n"
		"qt_http_head_timeouts_total %llu\n", (unsigned long long)atomic_load(&head_timeouts));
	buf_printf(out, "# HELP qt_access_log_dropped_total Access log lines dropped because the log "
		"writer was behind (standard output not taking them).\n"
		"# TYPE qt_access_log_dropped_total counter\n"
		"qt_access_log_dropped_total %llu\n", (unsigned long long)logbuf_dropped());
	buf_puts(out, "# HELP qt_tenant_requests_total Requests per tenant by status class.\n"
		"# TYPE qt_tenant_requests_total counter\n");
	int nt = atomic_load_explicit(&ntenants, memory_order_acquire);
	for (int i = 0; i < nt; i++) {
		uint64_t by_class[5] = { 0 };
		for (struct slot *s = all; s; s = s->next) {
			struct tenant_counts *c = tenant_counts_of(s, i, 0);
			if (c)
				for (int k = 0; k < 5; k++)
					by_class[k] += atomic_load_explicit(&c->by_class[k], memory_order_relaxed);
		}
		for (int k = 0; k < 5; k++)
			if (by_class[k])
				buf_printf(out, "qt_tenant_requests_total{tenant=\"%s\",class=\"%dxx\"} %llu\n",
					tenant_slugs[i], k + 1, (unsigned long long)by_class[k]);
	}
}
