/*
 * usage_meter.h — counting each store's API requests without a database
 * write per request.
 *
 * Every request a store makes is counted here, in memory, by its UTC
 * minute (one mutex, a small hash table).  A thread adds the counts to the
 * database every flush_ms (store_usage_add: one write transaction for all
 * the stores counted since the last flush) and once more when stopped.
 * Several server processes each add their own counts, so the tables hold
 * the sum over processes.  Counts that could not be written are kept and
 * tried again at the next flush.
 *
 * usage_meter_pending() tells what this process has counted and not yet
 * written, so that a store's own figures include its latest requests.
 * Between the end of a flush's transaction and the moment the meter
 * forgets the flushed counts, a reader may see those counts twice; the
 * window is a few microseconds and the figures are an indicator.
 */
#ifndef QT_WORKERS_USAGE_METER_H
#define QT_WORKERS_USAGE_METER_H

#include <stdint.h>

#include "store/store.h"

struct usage_meter;

/* A meter writing to s every flush_ms (at least 10).  No thread runs until
 * usage_meter_start.  NULL when out of memory. */
struct usage_meter *usage_meter_new(struct store *s, int flush_ms);
/* Start the flushing thread; -1 (logged) when it cannot. */
int usage_meter_start(struct usage_meter *m);
/* Count one request of tenant_id (a UUID string) at unix_ms.  Thread-safe;
 * NULL m does nothing. */
void usage_meter_count(struct usage_meter *m, const char *tenant_id, int64_t unix_ms);
/* What this process counted for tenant_id and has not written yet: in
 * `minute`, in the minute before, and on the UTC day of `minute`. */
void usage_meter_pending(struct usage_meter *m, const char *tenant_id, int64_t minute,
	int64_t *in_minute, int64_t *in_prev_minute, int64_t *on_day);
/* Write what is counted now, in the caller's thread.  Returns 0, or -1
 * when the write failed (the counts are kept). */
int usage_meter_flush(struct usage_meter *m);
/* Stop the thread, write what is left, free.  NULL is fine. */
void usage_meter_free(struct usage_meter *m);

#endif
