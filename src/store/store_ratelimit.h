/*
 * store_ratelimit.h — the request-rate bucket every server process of a
 * store shares (PostgreSQL; security/ratelimit.h has the arithmetic and
 * api/ratelimit_gate.c the lease that uses these).  One row per store in
 * rate_buckets, written once per lease, never once per request.  The
 * functions take a tenant transaction and reach that store's row only.
 */
#ifndef QT_STORE_RATELIMIT_H
#define QT_STORE_RATELIMIT_H

#include "store/store.h"

/* The row (struct rl_shared's fields) and the store's plan rate. */
struct rate_bucket_row {
	int64_t requests_per_min;   /* the plan's; 0 when it has none (not limited) */
	int started;                /* 0: the row was just made and holds nothing yet */
	int64_t units, updated_at, lease_window, leased_now, leased_before;
};

/* Lock the store's row to the end of tx (a write transaction), making it
 * when missing (started = 0), and read it with the plan's rate.  A plan
 * without a rate makes no row: then requests_per_min is 0 and nothing
 * else is set.  STORE_NOT_FOUND when the store does not exist. */
QT_MUST_CHECK int store_rate_bucket_lock(struct store_tx *tx, struct rate_bucket_row *out);
/* Write row's state into the row store_rate_bucket_lock locked. */
QT_MUST_CHECK int store_rate_bucket_save(struct store_tx *tx, const struct rate_bucket_row *row);
/* The requests a minute of the store's plan into *requests_per_min (0:
 * none, not limited); STORE_NOT_FOUND when the store does not exist. */
QT_MUST_CHECK int store_rate_plan(struct store_tx *tx, int64_t *requests_per_min);

#endif
