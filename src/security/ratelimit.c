/* ratelimit.c — see ratelimit.h. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "security/ratelimit.h"

#define U RL_UNITS_PER_REQUEST

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

int64_t rl_capacity(int64_t requests_per_min)
{
	if (requests_per_min <= 0)
		return 0;
	return max64(RL_MIN_CAPACITY, requests_per_min / 10);
}

int64_t rl_lease_size(int64_t requests_per_min)
{
	if (requests_per_min <= 0)
		return 0;
	int64_t cap = rl_capacity(requests_per_min);
	int64_t n = max64(cap / 10, requests_per_min * RL_LEASE_WINDOW_MS / 60000);
	return min64(max64(n, 2), cap);
}

/* ---- one bucket ---- */

void rl_bucket_init(struct rl_bucket *b, int64_t requests_per_min, int64_t now_ms)
{
	b->rate = requests_per_min;
	b->capacity = rl_capacity(requests_per_min);
	b->units = b->capacity * U;
	b->at_ms = now_ms;
}

void rl_bucket_set_rate(struct rl_bucket *b, int64_t requests_per_min)
{
	b->rate = requests_per_min;
	b->capacity = rl_capacity(requests_per_min);
	b->units = min64(b->units, b->capacity * U);
}

void rl_bucket_refill(struct rl_bucket *b, int64_t now_ms, int64_t ceiling_units)
{
	if (now_ms <= b->at_ms)
		return;
	int64_t elapsed = now_ms - b->at_ms;
	b->at_ms = now_ms;
	ceiling_units = min64(ceiling_units, b->capacity * U);
	if (b->units >= ceiling_units)
		return;
	int64_t need = ceiling_units - b->units;
	/* elapsed * rate could overflow after a long idle: compare first. */
	if (elapsed >= ceil_div(need, b->rate))
		b->units = ceiling_units;
	else
		b->units += elapsed * b->rate;
}

int64_t rl_bucket_take(struct rl_bucket *b, int64_t now_ms, int64_t want)
{
	rl_bucket_refill(b, now_ms, b->capacity * U);
	int64_t n = min64(max64(want, 0), b->units / U);
	b->units -= n * U;
	return n;
}

int64_t rl_bucket_requests(const struct rl_bucket *b)
{
	return b->units / U;
}

int64_t rl_bucket_ms_until(const struct rl_bucket *b, int64_t requests)
{
	return ceil_div(requests * U - b->units, b->rate);
}

int64_t rl_bucket_ms_until_full(const struct rl_bucket *b)
{
	return ceil_div(b->capacity * U - b->units, b->rate);
}

/* ---- the shared bucket ---- */

void rl_shared_init(struct rl_shared *s, int64_t requests_per_min, int64_t now_ms)
{
	rl_bucket_init(&s->bucket, requests_per_min, now_ms);
	s->window = now_ms / RL_LEASE_WINDOW_MS;
	s->leased_now = 0;
	s->leased_before = 0;
}

void rl_shared_lease(struct rl_shared *s, int64_t requests_per_min, int64_t want, int64_t now_ms,
	struct rl_lease *out)
{
	struct rl_bucket *b = &s->bucket;

	if (b->rate != requests_per_min || b->capacity != rl_capacity(requests_per_min))
		rl_bucket_set_rate(b, requests_per_min);
	/* Leases of two windows ago have expired wherever they are; a clock
	 * that went backwards stays in the window it had. */
	int64_t w = now_ms / RL_LEASE_WINDOW_MS;
	if (w == s->window + 1) {
		s->leased_before = s->leased_now;
		s->leased_now = 0;
		s->window = w;
	} else if (w > s->window + 1) {
		s->leased_before = s->leased_now = 0;
		s->window = w;
	}
	/* What the bucket may hold: the capacity less every request that may
	 * still sit unspent in some process's lease. */
	int64_t outstanding = s->leased_now + s->leased_before;
	int64_t ceiling = max64(0, (b->capacity - outstanding) * U);
	rl_bucket_refill(b, now_ms, ceiling);
	int64_t size = rl_lease_size(requests_per_min);
	if (want <= 0 || want > size)
		want = size;
	int64_t n = min64(want, min64(b->units, ceiling) / U);
	n = max64(n, 0);
	b->units -= n * U;
	s->leased_now += n;

	memset(out, 0, sizeof *out);
	out->rate = requests_per_min;
	out->granted = n;
	out->good_until_ms = (s->window + 2) * RL_LEASE_WINDOW_MS;
	ceiling = max64(0, (b->capacity - s->leased_now - s->leased_before) * U);
	out->remaining = min64(b->units, ceiling) / U;
	out->full_ms = rl_bucket_ms_until_full(b);
	/* When it is worth asking again: at once while half a lease is
	 * left, else once it has come back (or the leases outstanding, which
	 * hold the ceiling down, have aged out of the next window, if that is
	 * later).  A store held at its limit so costs each process a
	 * database write per half a full lease of refill (a small want or
	 * not), not per request. */
	int64_t half = max64(1, (size + 1) / 2);
	if (out->remaining < half) {
		int64_t wait = rl_bucket_ms_until(b, half);
		if (ceiling < half * U)
			wait = max64(wait, (s->window + 1) * RL_LEASE_WINDOW_MS - now_ms);
		out->wait_ms = max64(wait, 1);
	}
}

/* ---- the per-tenant table both the limiter and rl_memory keep ---- */

#define RL_HEADS 4096
#define RL_MAX_TENANTS 65536

struct rl_entry {
	struct rl_entry *next;
	char tenant_id[40];
	int64_t touched_ms;
	/* the plan's rate, as last learnt */
	int rate_known;
	int asking;              /* a thread is asking the source for this tenant */
	int64_t rate;
	int64_t rate_at_ms;
	/* ratelimiter: leased requests not spent, and the last word of the
	 * shared bucket */
	int64_t pool;
	int64_t pool_until_ms;
	int64_t spent;           /* requests allowed since the last lease */
	int64_t lease_at_ms;     /* when that was (0: never) */
	int64_t refused_until_ms;
	int64_t shared_remaining;
	int64_t shared_at_ms;
	/* rl_memory: the bucket itself */
	int has_bucket;
	struct rl_bucket bucket;
};

struct rl_table {
	pthread_mutex_t lock;
	struct rl_entry *heads[RL_HEADS];
	int64_t count;
};

static uint32_t hash_id(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* Nothing would be lost by forgetting e at now: its leases are spent or
 * expired, no refusal stands, its rate would be read again anyway, and a
 * bucket of its own has refilled to full. */
static int at_rest(const struct rl_entry *e, int64_t now)
{
	if (e->asking)
		return 0;
	if (e->pool > 0 && now < e->pool_until_ms)
		return 0;
	if (now < e->refused_until_ms)
		return 0;
	if (e->has_bucket && now - e->bucket.at_ms < rl_bucket_ms_until_full(&e->bucket))
		return 0;
	return 1;
}

static void table_sweep(struct rl_table *t, int64_t now)
{
	struct rl_entry *oldest = NULL, **oldest_link = NULL;
	for (size_t i = 0; i < RL_HEADS; i++) {
		struct rl_entry **link = &t->heads[i];
		while (*link) {
			struct rl_entry *e = *link;
			if (at_rest(e, now)) {
				*link = e->next;
				free(e);
				t->count--;
				continue;
			}
			if (!oldest || e->touched_ms < oldest->touched_ms) {
				oldest = e;
				oldest_link = link;
			}
			link = &e->next;
		}
	}
	/* Still full of live tenants: the least recently seen goes (its next
	 * request starts from a fresh lease or a full bucket). */
	if (t->count >= RL_MAX_TENANTS && oldest) {
		*oldest_link = oldest->next;
		free(oldest);
		t->count--;
	}
}

/* The entry of tenant_id, made when missing; NULL on OOM or an id too
 * long to be one.  Called with t->lock held. */
static struct rl_entry *table_get(struct rl_table *t, const char *tenant_id, int64_t now)
{
	size_t n = strlen(tenant_id);
	if (n >= sizeof ((struct rl_entry *)0)->tenant_id)
		return NULL;
	uint32_t h = hash_id(tenant_id) % RL_HEADS;
	for (struct rl_entry *e = t->heads[h]; e; e = e->next)
		if (strcmp(e->tenant_id, tenant_id) == 0) {
			e->touched_ms = now;
			return e;
		}
	if (t->count >= RL_MAX_TENANTS)
		table_sweep(t, now);
	struct rl_entry *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	memcpy(e->tenant_id, tenant_id, n + 1);
	e->touched_ms = now;
	e->next = t->heads[h];
	t->heads[h] = e;
	t->count++;
	return e;
}

static void table_init(struct rl_table *t)
{
	memset(t, 0, sizeof *t);
	pthread_mutex_init(&t->lock, NULL);
}

static void table_release(struct rl_table *t)
{
	for (size_t i = 0; i < RL_HEADS; i++) {
		struct rl_entry *e = t->heads[i];
		while (e) {
			struct rl_entry *next = e->next;
			free(e);
			e = next;
		}
	}
	pthread_mutex_destroy(&t->lock);
}

static int rate_fresh(const struct rl_entry *e, int64_t now)
{
	return e->rate_known && now >= e->rate_at_ms && now - e->rate_at_ms < RL_RATE_TTL_MS;
}

/* ---- the limiter ---- */

struct ratelimiter {
	rl_source_fn source;
	rl_refund_fn refund;
	void *cls;
	struct rl_table table;
	pthread_cond_t asked;    /* broadcast when an ask of the source ends */
};

/* How long a request waits for another thread's lease of its store
 * before it asks the source itself. */
#define RL_WAIT_FOR_LEASE_MS 100

struct ratelimiter *ratelimiter_new(rl_source_fn source, rl_refund_fn refund, void *cls)
{
	struct ratelimiter *rl = malloc(sizeof *rl);
	if (!rl)
		return NULL;
	rl->source = source;
	rl->refund = refund;
	pthread_cond_init(&rl->asked, NULL);
	rl->cls = cls;
	table_init(&rl->table);
	return rl;
}

void ratelimiter_free(struct ratelimiter *rl)
{
	if (!rl)
		return;
	table_release(&rl->table);
	pthread_cond_destroy(&rl->asked);
	free(rl);
}

int64_t ratelimiter_size(struct ratelimiter *rl)
{
	pthread_mutex_lock(&rl->table.lock);
	int64_t n = rl->table.count;
	pthread_mutex_unlock(&rl->table.lock);
	return n;
}

static void unlimited(struct rl_verdict *out)
{
	memset(out, 0, sizeof *out);
	out->allowed = 1;
}

/* The header figures from what e knows at now. */
static void verdict_of(const struct rl_entry *e, int64_t now, int allowed, struct rl_verdict *out)
{
	memset(out, 0, sizeof *out);
	out->limited = 1;
	out->allowed = allowed;
	out->rate = e->rate;
	out->limit = rl_capacity(e->rate);
	out->window_s = ceil_div(out->limit * 60000, e->rate * 1000);
	if (allowed) {
		/* What this process holds, plus what the shared bucket had at
		 * the last lease and has refilled since: an estimate when other
		 * processes spend from it too. */
		int64_t since = max64(0, now - e->shared_at_ms);
		int64_t refill = since >= out->window_s * 1000 ? out->limit : since * e->rate / 60000;
		int64_t pool = now < e->pool_until_ms ? e->pool : 0;
		out->remaining = min64(out->limit, pool + e->shared_remaining + refill);
	} else {
		out->retry_after_s = max64(1, ceil_div(e->refused_until_ms - now, 1000));
	}
	out->reset_s = ceil_div((out->limit - out->remaining) * 60000, e->rate * 1000);
}

void ratelimiter_admit(struct ratelimiter *rl, const char *tenant_id, int64_t now_ms,
	struct rl_verdict *out)
{
	struct rl_lease lease;
	struct rl_entry *e;

	int waited = 0;
	pthread_mutex_lock(&rl->table.lock);
again:
	e = table_get(&rl->table, tenant_id, now_ms);
	if (!e) {
		pthread_mutex_unlock(&rl->table.lock);
		unlimited(out);
		return;
	}
	/* A plan without a rate whose word is being renewed by another thread
	 * right now stays unlimited meanwhile: no herd of threads asks at once. */
	int renewing = e->asking && e->rate_known && e->rate <= 0;
	if (rate_fresh(e, now_ms) || renewing) {
		if (e->rate <= 0) {
			pthread_mutex_unlock(&rl->table.lock);
			unlimited(out);
			return;
		}
		if (e->pool > 0 && now_ms < e->pool_until_ms) {
			e->pool--;
			e->spent++;
			verdict_of(e, now_ms, 1, out);
			pthread_mutex_unlock(&rl->table.lock);
			return;
		}
		if (now_ms < e->refused_until_ms) {
			verdict_of(e, now_ms, 0, out);
			pthread_mutex_unlock(&rl->table.lock);
			return;
		}
		/* Another thread is leasing for this store: wait for its lease
		 * (once, briefly) rather than all asking at once. */
		if (e->asking && !waited) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += RL_WAIT_FOR_LEASE_MS * 1000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			waited = 1;
			pthread_cond_timedwait(&rl->asked, &rl->table.lock, &until);
			goto again;
		}
	}
	/* Lease what this process spends in a lease's life (two windows),
	 * twice over, judged by its spending since the last lease. */
	int64_t want = RL_FIRST_LEASE;
	if (e->lease_at_ms && now_ms > e->lease_at_ms)
		want = max64(2, 2 * (e->spent + 1) * 2 * RL_LEASE_WINDOW_MS / (now_ms - e->lease_at_ms));
	else if (e->lease_at_ms)
		want = 0;   /* again within the millisecond: a full lease */
	e->asking++;
	pthread_mutex_unlock(&rl->table.lock);

	/* Ask the source without the lock: it may be a database round trip.
	 * Two threads of one tenant may both ask; each lease is counted in
	 * the shared bucket, so that costs fairness at most, never the bound. */
	int rc = rl->source(rl->cls, tenant_id, want, now_ms, &lease);

	pthread_mutex_lock(&rl->table.lock);
	e = table_get(&rl->table, tenant_id, now_ms);
	if (e && e->asking > 0)
		e->asking--;
	pthread_cond_broadcast(&rl->asked);
	if (rc < 0 || !e) {
		pthread_mutex_unlock(&rl->table.lock);
		unlimited(out);
		return;
	}
	e->rate_known = 1;
	e->rate = lease.rate;
	e->rate_at_ms = now_ms;
	if (lease.rate <= 0) {
		e->pool = 0;
		pthread_mutex_unlock(&rl->table.lock);
		unlimited(out);
		return;
	}
	e->shared_remaining = lease.remaining;
	e->shared_at_ms = now_ms;
	e->lease_at_ms = now_ms;
	e->spent = lease.granted > 0 ? 1 : 0;
	int allowed = 0;
	if (lease.granted > 0) {
		/* Requests left from an earlier lease keep its (earlier) end, and
		 * new ones added to them take it too: none outlives the window
		 * that the shared bucket counts it in. */
		if (e->pool > 0 && now_ms < e->pool_until_ms)
			e->pool_until_ms = min64(e->pool_until_ms, lease.good_until_ms);
		else {
			e->pool = 0;
			e->pool_until_ms = lease.good_until_ms;
		}
		e->pool += lease.granted - 1;
		allowed = 1;
	}
	/* Once the lease is spent, the next request is refused here without
	 * asking until the shared bucket said it is worth asking again. */
	e->refused_until_ms = lease.wait_ms > 0 ? now_ms + lease.wait_ms : 0;
	verdict_of(e, now_ms, allowed, out);
	pthread_mutex_unlock(&rl->table.lock);
}

/* The entry of tenant_id if there is one; NULL otherwise.  Called with
 * t->lock held. */
static struct rl_entry *table_find(struct rl_table *t, const char *tenant_id)
{
	for (struct rl_entry *e = t->heads[hash_id(tenant_id) % RL_HEADS]; e; e = e->next)
		if (strcmp(e->tenant_id, tenant_id) == 0)
			return e;
	return NULL;
}

void ratelimiter_refund(struct ratelimiter *rl, const char *tenant_id, int64_t now_ms)
{
	pthread_mutex_lock(&rl->table.lock);
	struct rl_entry *e = table_find(&rl->table, tenant_id);
	int counted = e && e->rate_known && e->rate > 0;
	if (counted && !rl->refund && now_ms < e->pool_until_ms)
		e->pool++;
	if (counted && rl->refund)
		e->refused_until_ms = 0;
	pthread_mutex_unlock(&rl->table.lock);
	if (counted && rl->refund)
		rl->refund(rl->cls, tenant_id, now_ms);
}

/* ---- buckets of this process ---- */

struct rl_memory {
	rl_rate_fn rate;
	void *cls;
	struct rl_table table;
};

struct rl_memory *rl_memory_new(rl_rate_fn rate, void *cls)
{
	struct rl_memory *m = malloc(sizeof *m);
	if (!m)
		return NULL;
	m->rate = rate;
	m->cls = cls;
	table_init(&m->table);
	return m;
}

void rl_memory_free(struct rl_memory *m)
{
	if (!m)
		return;
	table_release(&m->table);
	free(m);
}

void rl_memory_refund(void *cls, const char *tenant_id, int64_t now_ms)
{
	struct rl_memory *m = cls;
	pthread_mutex_lock(&m->table.lock);
	struct rl_entry *e = table_find(&m->table, tenant_id);
	if (e && e->has_bucket) {
		rl_bucket_refill(&e->bucket, now_ms, e->bucket.capacity * U);
		e->bucket.units = min64(e->bucket.units + U, e->bucket.capacity * U);
	}
	pthread_mutex_unlock(&m->table.lock);
}

int rl_memory_lease(void *cls, const char *tenant_id, int64_t want, int64_t now_ms, struct rl_lease *out)
{
	(void)want;   /* nothing is held elsewhere: one at a time, exactly */
	struct rl_memory *m = cls;
	struct rl_entry *e;
	int64_t rate = 0;
	int fetched = 0;

	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&m->table.lock);
	e = table_get(&m->table, tenant_id, now_ms);
	if (!e) {
		pthread_mutex_unlock(&m->table.lock);
		return -1;
	}
	if (!rate_fresh(e, now_ms)) {
		pthread_mutex_unlock(&m->table.lock);
		if (m->rate(m->cls, tenant_id, &rate) < 0)
			return -1;
		fetched = 1;
		pthread_mutex_lock(&m->table.lock);
		e = table_get(&m->table, tenant_id, now_ms);
		if (!e) {
			pthread_mutex_unlock(&m->table.lock);
			return -1;
		}
	}
	if (fetched) {
		e->rate_known = 1;
		e->rate = rate;
		e->rate_at_ms = now_ms;
	}
	out->rate = e->rate;
	if (e->rate <= 0) {
		e->has_bucket = 0;
		pthread_mutex_unlock(&m->table.lock);
		return 0;
	}
	if (!e->has_bucket) {
		rl_bucket_init(&e->bucket, e->rate, now_ms);
		e->has_bucket = 1;
	} else if (e->bucket.rate != e->rate) {
		rl_bucket_set_rate(&e->bucket, e->rate);
	}
	out->granted = rl_bucket_take(&e->bucket, now_ms, 1);
	out->good_until_ms = now_ms + RL_LEASE_WINDOW_MS;
	out->remaining = rl_bucket_requests(&e->bucket);
	out->full_ms = rl_bucket_ms_until_full(&e->bucket);
	if (out->remaining == 0)
		out->wait_ms = max64(1, rl_bucket_ms_until(&e->bucket, 1));
	pthread_mutex_unlock(&m->table.lock);
	return 0;
}
