/*
 * store_usage.h — what a store uses: its API requests (counted per UTC
 * minute and per UTC day, the sum over every server process) and the bytes
 * of its rows.  The operator reads the figures of every store; a store
 * reads its own (GET /api/v1/usage).  docs/PLANS.md says how each figure
 * is made.
 *
 * Minutes are unix minutes (ms / 60000), days are days since 1970-01-01,
 * both UTC (domain/usage.h turns a time into them).  Every function
 * returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_USAGE_H
#define QT_STORE_USAGE_H

#include "store/store.h"

/*
 * What the store in tx (a tenant transaction) holds against its plan's
 * storage, into *bytes: its documents' bytes plus the estimate of its rows
 * that the storage quota uses (store_storage_usage's used_bytes,
 * store/store_documents.h and docs/DOCUMENTS.md), read without scanning a
 * table.  The store's usage view and the operator's figures all come from
 * this estimate, so they agree with what the quota refuses.
 */
QT_MUST_CHECK int store_tenant_storage_bytes(struct store_tx *tx, int64_t *bytes);

/* The store's request counts (tenant transaction): in `minute`, in the
 * minute before it, and on `day`. */
struct request_counts {
	int64_t minute, prev_minute, day;
};
QT_MUST_CHECK int store_usage_requests(struct store_tx *tx, int64_t minute, int64_t day,
	struct request_counts *out);

/*
 * Add `requests` to store tenant_id's counts of `minute` and of the day it
 * falls in, and drop its minute rows before keep_from_minute.  tx is a
 * platform write transaction (the server's counter flush adds many stores'
 * counts in one); it is scoped to tenant_id from here on (on PostgreSQL the
 * rows are under RLS).  A store that no longer exists is skipped.
 */
QT_MUST_CHECK int store_usage_add(struct store_tx *tx, const char *tenant_id, int64_t minute,
	int64_t requests, int64_t keep_from_minute);

/* One store's figures across the platform (operator transactions). */
struct tenant_usage_figures {
	char *tenant_id;
	int64_t storage_bytes;
	struct request_counts requests;
};
/* Every store's request counts of `minute` (and the one before) and of
 * `day`, and its storage estimate when with_storage, into *out (an arena
 * array, never NULL) and *n, in no particular order.  On PostgreSQL this
 * takes the operator's session (store_operator_session) or the owner
 * role. */
QT_MUST_CHECK int store_usage_all(struct store_tx *tx, int64_t minute, int64_t day, int with_storage,
	struct arena *a, struct tenant_usage_figures **out, int *n);

/* One store's billing figures for a month. */
struct tenant_month_usage {
	char *tenant_id;
	int64_t requests;            /* summed over the month's days */
	int64_t active_days;         /* days with at least one request */
	int64_t peak_day_requests;   /* the busiest day's */
	int64_t customers_added;     /* customers created in the month */
};
/* For days first_day..last_day (inclusive) and customers created in
 * [from_ms, to_ms): every store's figures into *out (arena array, never
 * NULL) and *n.  PostgreSQL: as store_usage_all. */
QT_MUST_CHECK int store_usage_month(struct store_tx *tx, int64_t first_day, int64_t last_day,
	int64_t from_ms, int64_t to_ms, struct arena *a, struct tenant_month_usage **out, int *n);

#endif
