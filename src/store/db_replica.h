/*
 * db_replica.h — one cluster's read replicas: a primary (a struct db the
 * caller owns) and the streaming replicas of it (QT_DB_REPLICAS), with a
 * monitor thread that measures each replica's replay lag.
 *
 * A set is per cluster: the store holds one for its database, and a
 * tenant directory holding several clusters can hold one per cluster.
 * Nothing here knows requests or tenants: the store (store.c) asks for a
 * replica connection when a read transaction begins and a request allows
 * it (store_reads, store.h), and falls back to the primary whenever this
 * says no.
 *
 * Lag.  Every poll_ms the monitor reads the primary's
 * pg_current_wal_insert_lsn() and keeps the last samples with their times;
 * then each replica's pg_last_wal_replay_lsn().  A replica's lag is the age
 * of the newest primary sample it has replayed up to (util/lsn.h
 * lsn_reached): a replica that keeps up shows about 0, one whose replay is
 * paused ages by the clock as soon as the primary writes anything, one
 * that replayed none of the samples kept (poll_ms x 256) counts as lagging
 * by all of it.  A replica is used only while that lag plus the age of the
 * check is at most max_lag_ms (however it fares after a check, it cannot
 * be further behind than that).  The primary is sampled by one thread and
 * each replica checked by a thread of its own, so one slow to answer holds
 * up no other.
 *
 * Down.  A replica that cannot be reached, or is no longer in recovery
 * (promoted: it is not a copy of this primary any more), is skipped until
 * it answers a check again; checks of a down replica come every
 * recheck_ms.  A request that finds it gone first (db_replica_failed)
 * marks it down at once.
 *
 * Read-your-writes.  db_replica_acquire with min_lsn > 0 gives a replica's
 * connection only once that replica has replayed up to min_lsn: at once
 * when its last check says so, else after asking it every few milliseconds
 * for up to wait_ms; else none, and the caller reads from the primary.
 *
 * PostgreSQL only; SQLite has no replicas.  Thread-safe.
 */
#ifndef QT_STORE_DB_REPLICA_H
#define QT_STORE_DB_REPLICA_H

#ifndef QT_STORE_PRIVATE
#error "store/db_replica.h is private to src/store/"
#endif

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define DB_REPLICA_MAX 16

struct db_replica_config {
	int max_lag_ms;   /* QT_REPLICA_MAX_LAG_MS, default 500 */
	int wait_ms;      /* read-your-writes wait, default 200 */
	int recheck_ms;   /* a down replica is checked again after, default 3000 */
	int poll_ms;      /* lag measured every, default 100 */
	int pool_size;    /* connections to each replica */
};

struct db_replica_set;

/* The list "URL[,URL]..." (spaces around commas allowed; each a postgres://
 * or postgresql:// URL; at most DB_REPLICA_MAX) into *out.  primary is the
 * cluster's primary pool (not owned; it must outlive the set) and
 * primary_url its URL, for the monitor's own connection.  The replicas'
 * pools open in the monitor thread, so a replica down at start-up is only
 * skipped until it comes.  Returns DB_OK, or DB_ERROR with a message in
 * err naming the bad entry (an empty list, a URL not postgres, too many,
 * or a primary that is not PostgreSQL). */
QT_MUST_CHECK int db_replica_set_open(struct db *primary, const char *primary_url,
	const char *replica_urls, const struct db_replica_config *cfg,
	struct db_replica_set **out, char *err, size_t errlen);
/* Stops the monitor and closes the replicas' pools (not the primary).
 * No connection of the set may be checked out.  NULL is fine. */
void db_replica_set_close(struct db_replica_set *set);

int db_replica_count(const struct db_replica_set *set);
struct db *db_replica_primary(const struct db_replica_set *set);

/* A connection to a replica fit for a read transaction that must see
 * min_lsn (0: any fit replica), checked out of that replica's pool; its
 * index in *which.  Returns DB_OK, or DB_UNAVAILABLE when no replica is fit
 * now (read from the primary).  Give it back with db_replica_release. */
QT_MUST_CHECK int db_replica_acquire(struct db_replica_set *set, uint64_t min_lsn,
	struct db_conn **out, int *which);
void db_replica_release(struct db_replica_set *set, int which, struct db_conn *c);
/* The replica which could not be reached by a request: skip it until a
 * check finds it back. */
void db_replica_failed(struct db_replica_set *set, int which);

/* What the monitor knows of replica i (0 <= i < db_replica_count), for
 * /metrics and logs: url without its password. */
struct db_replica_status {
	char url[256];
	int up;
	int64_t lag_ms;        /* as last measured; -1 while down or unknown */
	uint64_t replay_lsn;
	uint64_t reads;        /* read transactions it served */
	uint64_t fallbacks;    /* reads that wanted it but went to the primary (RYW wait ran out) */
};
void db_replica_status(struct db_replica_set *set, int i, struct db_replica_status *out);

/* One round of checks on the caller's thread, as db_replica_set_open
 * does before its threads start (not while they run). */
void db_replica_check_now(struct db_replica_set *set);

/* The lag rule, for unit tests: the age at now_ms of the newest sample
 * (times t[i], primary positions p[i], i < n, oldest first) that replayed
 * has reached; when it reached none, now_ms - t[0] + 1 (older than all of
 * them), or INT64_MAX with no samples. */
int64_t db_replica_lag_of(const int64_t *t, const uint64_t *p, int n, uint64_t replayed, int64_t now_ms);

#endif
