/*
 * ratelimit.h — per-store request rate limits: a token bucket per tenant
 * sized from its plan's requests_per_min (SPEC §2 "Plans", issue 11).
 *
 * The rule.  A store on a plan of R requests a minute has a bucket of
 * capacity C = max(10, R / 10) requests, refilled continuously at R / 60
 * a second.  Each counted request takes one; an empty bucket refuses
 * (429 rate_limited, Retry-After).  A plan without a rate (NULL) is not
 * limited.
 *
 * Three layers, all in memory and all pure (time is passed in, so the
 * unit tests run on a fake clock, tests/unit/test_ratelimit.c):
 *
 *  - struct rl_bucket: the arithmetic of one bucket.  It counts in
 *    RL_UNITS_PER_REQUEST parts of a request, so that a plan of R a
 *    minute adds exactly R units a millisecond: integer, exact, no drift.
 *
 *  - struct rl_shared: the bucket that every server process of a store
 *    shares (a row in the database on PostgreSQL, store_ratelimit.h).
 *    Processes do not take one request from it per request: they lease a
 *    few (rl_lease_size) at a time and spend them locally, so the row is
 *    written once per lease, not once per request.  A lease is good until
 *    the end of the lease window after the one it was taken in (windows
 *    of RL_LEASE_WINDOW_MS), and the shared bucket counts what it leased
 *    in the current and the previous window as still outstanding: it never
 *    refills above C minus that.  So at every instant the tokens in the
 *    row plus every live lease of every process come to at most C, and in
 *    any W seconds all processes together serve at most C + R * W / 60,
 *    the bound of one bucket: over a minute at most 110% of the rate, for
 *    any number of processes.  The price: right after a full burst the
 *    shared bucket refills up to two windows late (the refill is not lost,
 *    it arrives at the next lease once the burst's leases age out).
 *
 *  - struct ratelimiter: one per server process.  Per tenant it keeps the
 *    leased requests not yet spent, the plan's rate (learnt from every
 *    lease), and, after a refusal, until when the shared bucket said it is
 *    empty, so a client hammering an empty bucket costs no database work.
 *    It asks an rl_source for leases: on PostgreSQL the shared row (see
 *    api/ratelimit_gate.c), on SQLite (one process) rl_memory below, whose
 *    buckets live in this process and lease one request at a time.
 *
 * Thread safety: rl_bucket and rl_shared are plain values (the caller
 * locks); ratelimiter and rl_memory lock themselves and call their
 * source or rate function without holding their lock.
 */
#ifndef QT_SECURITY_RATELIMIT_H
#define QT_SECURITY_RATELIMIT_H

#include <stdint.h>

/* A bucket counts in 1/60000 of a request: a rate of R a minute is R
 * units a millisecond. */
#define RL_UNITS_PER_REQUEST 60000
/* The least capacity of any limited plan. */
#define RL_MIN_CAPACITY 10
/* Leases age in windows of this length (see rl_shared). */
#define RL_LEASE_WINDOW_MS 250
/* How long a learnt plan rate is trusted before it is read again: a plan
 * change reaches the limits within this (plus a lease window). */
#define RL_RATE_TTL_MS 1000
/* What a process leases before it has seen how fast it spends. */
#define RL_FIRST_LEASE 16

/* C = max(RL_MIN_CAPACITY, R / 10) for R > 0 requests a minute; 0 for
 * R <= 0 (not limited). */
int64_t rl_capacity(int64_t requests_per_min);
/* How many requests a process leases at a time: a tenth of the capacity
 * or one lease window's refill, whichever is more, at least 2 and at most
 * the capacity.  0 for R <= 0. */
int64_t rl_lease_size(int64_t requests_per_min);

/* ---- one bucket ---- */

struct rl_bucket {
	int64_t rate;       /* requests a minute, > 0: units added a millisecond */
	int64_t capacity;   /* whole requests */
	int64_t units;      /* what it holds, in RL_UNITS_PER_REQUEST parts */
	int64_t at_ms;      /* when `units` was true; never moves backwards */
};

/* A full bucket for rate R (> 0) at now_ms, capacity rl_capacity(R). */
void rl_bucket_init(struct rl_bucket *b, int64_t requests_per_min, int64_t now_ms);
/* Adopt a new rate (a plan change): the capacity follows, what the bucket
 * holds is kept up to the new capacity. */
void rl_bucket_set_rate(struct rl_bucket *b, int64_t requests_per_min);
/* Refill up to now_ms, to at most ceiling_units (pass capacity *
 * RL_UNITS_PER_REQUEST for a plain bucket); never takes anything away.
 * A clock that moved backwards adds nothing. */
void rl_bucket_refill(struct rl_bucket *b, int64_t now_ms, int64_t ceiling_units);
/* Refill, then take up to want whole requests; returns how many (0..want). */
int64_t rl_bucket_take(struct rl_bucket *b, int64_t now_ms, int64_t want);
/* Whole requests it holds (as of b->at_ms). */
int64_t rl_bucket_requests(const struct rl_bucket *b);
/* Milliseconds from b->at_ms until it holds `requests` whole requests (0
 * if it does), or until it is full. */
int64_t rl_bucket_ms_until(const struct rl_bucket *b, int64_t requests);
int64_t rl_bucket_ms_until_full(const struct rl_bucket *b);

/* ---- the bucket all processes of a store share ---- */

struct rl_shared {
	struct rl_bucket bucket;
	int64_t window;          /* the lease window of the last lease (now / RL_LEASE_WINDOW_MS) */
	int64_t leased_now;      /* requests leased in that window */
	int64_t leased_before;   /* ... and in the window before it */
};

/* What a lease gives: see rl_shared_lease and struct ratelimiter. */
struct rl_lease {
	int64_t rate;            /* the plan's requests a minute; 0: not limited; -1: no such store */
	int64_t granted;         /* requests handed over (0..rl_lease_size) */
	int64_t good_until_ms;   /* the granted requests may be spent before this */
	int64_t remaining;       /* whole requests left in the shared bucket */
	int64_t wait_ms;         /* until it is worth asking again (0: at once) */
	int64_t full_ms;         /* until it is full again */
};

/* A fresh shared bucket: full at now_ms, nothing leased. */
void rl_shared_init(struct rl_shared *s, int64_t requests_per_min, int64_t now_ms);
/* Lease up to `want` requests (rl_lease_size(rate) when want <= 0 or more) at
 * now_ms for a plan of rate R (> 0; a different rate than before is
 * adopted first), into *out.  It grants what it has, even one; when
 * less than half a full lease is left, wait_ms says when half a lease
 * will be there again, so that a store held at its limit costs each
 * process a database write per half lease of refill (300 ms on plans of
 * 100 a minute and more), not per request. */
void rl_shared_lease(struct rl_shared *s, int64_t requests_per_min, int64_t want, int64_t now_ms,
	struct rl_lease *out);

/* ---- a process's limiter ---- */

/*
 * A source of leases: take up to `want` requests (at most rl_lease_size(R);
 * a source whose buckets are this process's own gives 1) from tenant_id's
 * bucket at now_ms into *out.  The limiter asks for what this process
 * spent lately, scaled to a lease's life and doubled (RL_FIRST_LEASE
 * before it knows), so a store on a huge plan leases what it uses, not a
 * tenth of its plan.  Returns 0, or -1 when it cannot answer (the database
 * is away): the limiter then admits the request unlimited rather than
 * fail it, and the request meets the database's own 503 soon enough.
 */
typedef int (*rl_source_fn)(void *cls, const char *tenant_id, int64_t want, int64_t now_ms,
	struct rl_lease *out);
/* Give back one request the source granted (see ratelimiter_refund). */
typedef void (*rl_refund_fn)(void *cls, const char *tenant_id, int64_t now_ms);

struct ratelimiter;

/* A limiter over source (cls is passed to it and to refund).  refund may
 * be NULL: what is given back then stays with this process's lease.  NULL
 * on OOM. */
struct ratelimiter *ratelimiter_new(rl_source_fn source, rl_refund_fn refund, void *cls);
void ratelimiter_free(struct ratelimiter *rl);

/* The answer for one request, with what the RateLimit-* headers say. */
struct rl_verdict {
	int limited;             /* 0: the plan has no rate limit (no headers) */
	int allowed;
	int64_t limit;           /* the capacity C */
	int64_t remaining;       /* whole requests left (after this one) */
	int64_t reset_s;         /* seconds until the bucket is full again */
	int64_t retry_after_s;   /* refused: seconds until one is there (>= 1) */
	int64_t window_s;        /* C / (R / 60): the seconds a full bucket lasts at the rate */
	int64_t rate;            /* R */
};

/* Count one request of tenant_id (a store's id) at now_ms. */
void ratelimiter_admit(struct ratelimiter *rl, const char *tenant_id, int64_t now_ms,
	struct rl_verdict *out);
/* Un-count one request of tenant_id that ratelimiter_admit allowed at
 * about now_ms but that turned out not to be the store's (its token named
 * someone who is no longer a member): a removed member cannot spend the
 * store's requests.  Nothing happens if the lease it came from is over. */
void ratelimiter_refund(struct ratelimiter *rl, const char *tenant_id, int64_t now_ms);
/* Tenants tracked (for tests). */
int64_t ratelimiter_size(struct ratelimiter *rl);

/* ---- buckets held in this process (SQLite: one process) ---- */

/* The plan's rate of tenant_id into *requests_per_min (0: not limited,
 * -1: no such store); 0, or -1 when it cannot be read. */
typedef int (*rl_rate_fn)(void *cls, const char *tenant_id, int64_t *requests_per_min);

struct rl_memory;

/* Buckets of this process, rates read through rate (cached for
 * RL_RATE_TTL_MS per tenant).  NULL on OOM. */
struct rl_memory *rl_memory_new(rl_rate_fn rate, void *cls);
void rl_memory_free(struct rl_memory *m);
/* An rl_source_fn (cls: the struct rl_memory): one request at a time,
 * from an exact bucket (no lease windows: nothing is held elsewhere). */
int rl_memory_lease(void *m, const char *tenant_id, int64_t want, int64_t now_ms, struct rl_lease *out);
/* An rl_refund_fn: one request back into tenant_id's bucket (up to full). */
void rl_memory_refund(void *m, const char *tenant_id, int64_t now_ms);

#endif
